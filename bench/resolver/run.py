#!/usr/bin/env python3
"""Recursive resolver benchmark: cairnd, Unbound and BIND resolving through the same loopback hierarchy
(tests/system/hierarchy.py: a root, a `bench.` TLD and 100 leaf zones on NSD and Knot at 127.53.100.x#53),
side by side in one run.

Each resolver runs in turn with one worker thread (cairnd -n 1, Unbound num-threads 1, named -n 1), pinned to
core 0; dnsperf runs on core 1. Three measurements per resolver:

  cold    a fresh resolver, 10,000 distinct names (100 in each leaf zone) asked once each: wall time from
          the first query to the last answer, and the resolver's CPU time (user and system)
  hits    then the same names again and again for -l seconds, all answered from the cache: answered q/s and
          the resolver's CPU per query (user and system, from /proc)
  memory  a fresh resolver, 100,000 distinct names (1,000 per zone, one A RRset each) resolved once: the
          resolver's memory (Pss) after, and the growth over its memory before

Caches are sized so that nothing is evicted (Unbound: rrset-cache-size 512m, msg-cache-size 256m; BIND and
cairnd: their defaults, 90% of memory). Every process started is stopped by PID.

    /usr/bin/python3 bench/resolver/run.py                    # cairnd unbound named
    /usr/bin/python3 bench/resolver/run.py -l 5 cairnd unbound
    /usr/bin/python3 bench/resolver/run.py --rounds 3         # medians of interleaved rounds
    /usr/bin/python3 bench/resolver/run.py --validate         # the same, every zone signed and validated

With --validate every zone of both trees is signed (BIND's dnssec-signzone, ECDSA P-256, a KSK and a ZSK
per zone, each DS in its parent: hierarchy.py's `dnssec="signed"`) and each resolver validates from the
test root's KSK as its only trust anchor (cairnd and named `dnssec-validation yes` with `trust-anchors`,
Unbound `trust-anchor:` and the validator module): "cold" is then cold validated resolutions (each name's
chain of DS and DNSKEY lookups included, the keys of the 100 zones learnt once) and "hits" validated cache
hits; compare with a run without --validate for what validation adds (issue 15's goals: validated hits cost
what unvalidated ones do, below Unbound's; cold validated resolutions faster than Unbound's). Results go to
bench/results/resolver-validated.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
AUTH = REPO_ROOT / "bench" / "auth"
sys.path.insert(0, str(REPO_ROOT / "tests" / "system"))

import hierarchy  # noqa: E402
import servers  # noqa: E402

# bench/auth/run.py has the dnsperf driver and the /proc accounting; loaded under its own name.
_spec = importlib.util.spec_from_file_location("auth_run", AUTH / "run.py")
auth_run = importlib.util.module_from_spec(_spec)
sys.modules["auth_run"] = auth_run
_spec.loader.exec_module(auth_run)

ALL_KINDS = ("cairnd", "unbound", "named")
REFERENCES = ("unbound", "named")
ZONES = 100
SERVER_CPU, CLIENT_CPU = auth_run.SERVER_CPU, auth_run.CLIENT_CPU


def bench_spec(names_per_zone: int, signed: bool = False) -> hierarchy.HierarchySpec:
    """Root, `bench.` and ZONES leaf zones of `names_per_zone` hosts each, on two leaf servers; every zone
    signed (its DS in its parent) when `signed`."""
    name_servers = [
        hierarchy.NameServer("a.root-servers.", "127.53.100.1", "nsd"),
        hierarchy.NameServer("ns1.bench.", "127.53.100.2", "nsd"),
        hierarchy.NameServer("ns1.leaf.bench.", "127.53.100.3", "nsd"),
        hierarchy.NameServer("ns2.leaf.bench.", "127.53.100.4", "knotd"),
    ]
    zones = [
        hierarchy.ZoneSpec(".", ["a.root-servers."], ttl=86400),
        hierarchy.ZoneSpec("bench.", ["ns1.bench."], ttl=86400),
        hierarchy.ZoneSpec("leaf.bench.", ["ns1.leaf.bench.", "ns2.leaf.bench."], ttl=86400),
    ]
    for z in range(ZONES):
        records = [f"h{h} A 10.{z}.{h // 256}.{h % 256}" for h in range(names_per_zone)]
        zones.append(hierarchy.ZoneSpec(f"z{z}.bench.", ["ns1.leaf.bench.", "ns2.leaf.bench."], records, ttl=86400))
    if signed:
        for zone in zones:
            zone.dnssec = "signed"
    return hierarchy.HierarchySpec(name_servers, zones)


def root_anchor(tree: hierarchy.Hierarchy) -> tuple[str, str, str, str]:
    """The signed root's KSK: (flags, protocol, algorithm, key)."""
    fields = tree.trust_anchor_text(".").split()  # ". 3600 IN DNSKEY 257 3 13 KEY"
    at = fields.index("DNSKEY")
    return fields[at + 1], fields[at + 2], fields[at + 3], "".join(fields[at + 4:])


def query_file(path: Path, names_per_zone: int) -> Path:
    """Every host of every zone once, interleaving the zones, as dnsperf input."""
    with open(path, "w") as out:
        for h in range(names_per_zone):
            for z in range(ZONES):
                out.write(f"h{h}.z{z}.bench. A\n")
    return path


# -- the resolvers, each on 127.0.0.1 at a free port, pinned to the server core


@dataclasses.dataclass
class Resolver:
    kind: str
    workdir: Path
    host: str = "127.0.0.1"
    port: int = 0
    process: subprocess.Popen | None = None
    anchor: tuple[str, str, str, str] | None = None  # validate from this root KSK (flags, protocol, alg, key)

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, hints: Path) -> "Resolver":
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.port = servers.free_port(False)
        command = {"cairnd": self._cairnd, "unbound": self._unbound, "named": self._named}[self.kind](hints)
        self._log = open(self.workdir / f"{self.kind}.log", "wb")
        self.process = subprocess.Popen(["taskset", "-c", str(SERVER_CPU), *command], cwd=self.workdir,
                                        stdout=self._log, stderr=self._log, start_new_session=True)
        self._wait()
        return self

    def _wait(self) -> None:
        import dns.message
        import dns.query

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {(self.workdir / f'{self.kind}.log').read_text()[-2000:]}")
            try:
                dns.query.udp(dns.message.make_query("localhost.", "A"), self.host, port=self.port, timeout=0.3)
                return
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start")

    def _cairnd(self, hints: Path) -> list[str]:
        config = self.workdir / "named.conf"
        config.write_text(
            "options {\n"
            f'    directory "{self.workdir}";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n"
            "    recursion yes;\n"
            "    allow-recursion { 127.0.0.0/8; };\n"
            f"    {self._validation()}\n"
            "};\n"
            "controls { };\n"
            f'zone "." {{ type hint; file "{hints}"; }};\n' + self._trust_anchors()
        )
        return [str(servers.cairnd_binary()), "-c", str(config), "-n", "1"]

    def _validation(self) -> str:
        # Unsigned trees are not validated (BIND's and Unbound's likewise); signed ones from the test root.
        return "dnssec-validation yes;" if self.anchor else "dnssec-validation no;"

    def _trust_anchors(self) -> str:
        if not self.anchor:
            return ""
        flags, protocol, algorithm, key = self.anchor
        return f'trust-anchors {{ . static-key {flags} {protocol} {algorithm} "{key}"; }};\n'

    def _unbound_modules(self) -> str:
        if not self.anchor:
            return '    module-config: "iterator"\n'
        return f'    module-config: "validator iterator"\n    trust-anchor: ". DNSKEY {" ".join(self.anchor)}"\n'


    def _unbound(self, hints: Path) -> list[str]:
        config = self.workdir / "unbound.conf"
        config.write_text(
            "server:\n"
            f"    interface: 127.0.0.1@{self.port}\n"
            "    do-ip6: no\n    do-daemonize: no\n    username: \"\"\n    chroot: \"\"\n"
            f'    directory: "{self.workdir}"\n    pidfile: ""\n    use-syslog: no\n    verbosity: 0\n'
            "    num-threads: 1\n    access-control: 127.0.0.0/8 allow\n    do-not-query-localhost: no\n"
            f'    root-hints: "{hints}"\n' + self._unbound_modules() +
            "    rrset-cache-size: 512m\n    msg-cache-size: 256m\n"
            "remote-control:\n    control-enable: no\n"
        )
        return ["/usr/sbin/unbound", "-d", "-c", str(config)]

    def _named(self, hints: Path) -> list[str]:
        config = self.workdir / "named.conf"
        config.write_text(
            "options {\n"
            f'    directory "{self.workdir}";\n    pid-file "{self.workdir}/named.pid";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n    listen-on-v6 {{ none; }};\n"
            f"    recursion yes;\n    allow-recursion {{ 127.0.0.0/8; }};\n    {self._validation()}\n"
            "    notify no;\n    automatic-interface-scan no;\n"
            f'    session-keyfile "{self.workdir}/session.key";\n    managed-keys-directory "{self.workdir}";\n'
            "};\ncontrols { };\n"
            f'zone "." {{ type hint; file "{hints}"; }};\n' + self._trust_anchors()
        )
        return ["/usr/sbin/named", "-g", "-n", "1", "-c", str(config)]

    def stop(self) -> None:
        if self.process is not None:
            servers.terminate(self.process, 10)
            self.process = None
            self._log.close()


@dataclasses.dataclass
class Result:
    kind: str
    cold_wall_s: float
    cold_user_s: float
    cold_system_s: float
    cold_answered: int
    cold_rcodes: str
    hits_qps: float
    hits_user_us: float
    hits_system_us: float
    hits_latency_ms: float
    memory_pss_mib: float
    memory_growth_mib: float
    memory_answered: int
    memory_rcodes: str

    @property
    def hits_cpu_us(self) -> float:
        return self.hits_user_us + self.hits_system_us

    @property
    def cold_cpu_s(self) -> float:
        return self.cold_user_s + self.cold_system_s


def one_pass(resolver: Resolver, queries: Path, clients: int) -> dict:
    """Every query of the file once (dnsperf -n 1), at most 100 outstanding."""
    command = ["taskset", "-c", str(CLIENT_CPU), "dnsperf", "-s", resolver.host, "-p", str(resolver.port),
               "-d", str(queries), "-n", "1", "-c", str(clients), "-q", "100", "-t", "10"]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"dnsperf failed: {result.stderr}{result.stdout}")
    completed = re.search(r"Queries completed:\s+(\d+)", result.stdout)
    run_time = re.search(r"Run time \(s\):\s+([0-9.]+)", result.stdout)
    codes = re.search(r"Response codes:\s+(.*)", result.stdout)
    return {
        "answered": int(completed.group(1)) if completed else 0,
        "wall": float(run_time.group(1)) if run_time else wall,
        "rcodes": codes.group(1).strip() if codes else "?",
    }


def ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}" if reference else "-"


def table(results: list[Result]) -> str:
    by_kind = {r.kind: r for r in results}
    unbound, named = by_kind.get("unbound"), by_kind.get("named")
    lines = [
        "| resolver | cold: wall s | × Unbound | × BIND | CPU s (user + sys) | answered | hits: q/s | user µs/q "
        "| sys µs/q | user × Unbound | CPU × Unbound | CPU × BIND | latency ms | memory: Pss MiB | growth MiB "
        "| growth × Unbound | names answered |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.kind} | {r.cold_wall_s:.2f} | {ratio(r.cold_wall_s, unbound and unbound.cold_wall_s)} "
            f"| {ratio(r.cold_wall_s, named and named.cold_wall_s)} | {r.cold_user_s:.2f} + {r.cold_system_s:.2f} "
            f"| {r.cold_answered} | {r.hits_qps:,.0f} | {r.hits_user_us:.2f} | {r.hits_system_us:.2f} "
            f"| {ratio(r.hits_user_us, unbound and unbound.hits_user_us)} "
            f"| {ratio(r.hits_cpu_us, unbound and unbound.hits_cpu_us)} | {ratio(r.hits_cpu_us, named and named.hits_cpu_us)} "
            f"| {r.hits_latency_ms:.3f} | {r.memory_pss_mib:.1f} | {r.memory_growth_mib:.1f} "
            f"| {ratio(r.memory_growth_mib, unbound and unbound.memory_growth_mib)} | {r.memory_answered} |"
        )
    lines.append("")
    lines.append("Response codes: " + "; ".join(f"{r.kind} cold {r.cold_rcodes}, 100k {r.memory_rcodes}" for r in results))
    return "\n".join(lines)


def medians(rounds: list[list[Result]]) -> list[Result]:
    kinds = [r.kind for r in rounds[0]]
    out = []
    for kind in kinds:
        runs = [r for results in rounds for r in results if r.kind == kind]
        fields = {f.name: (statistics.median(getattr(r, f.name) for r in runs)
                           if isinstance(getattr(runs[0], f.name), (int, float)) else getattr(runs[0], f.name))
                  for f in dataclasses.fields(Result)}  # fmt: skip
        out.append(Result(**fields))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", default=list(ALL_KINDS))
    parser.add_argument("-l", "--seconds", type=int, default=15, help="dnsperf run time of the cache-hit test")
    parser.add_argument("-c", "--clients", type=int, default=8, help="dnsperf clients")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--validate", action="store_true", help="sign every zone and validate")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.out is None:
        args.out = REPO_ROOT / "bench" / "results" / ("resolver-validated" if args.validate else "resolver")
    if (os.cpu_count() or 1) < 2:
        print("run.py needs two cores: the resolver on core 0, dnsperf on core 1", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = args.out / "run"
    shutil.rmtree(workdir, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    small_queries = query_file(args.out / "queries-10k.txt", 100)
    big_queries = query_file(args.out / "queries-100k.txt", 1000)
    rounds: list[list[Result]] = []
    # The two trees differ only in zone sizes; each is started when needed (they share addresses).
    for number in range(1, args.rounds + 1):
        results = []
        for kind in args.kinds:
            print(f"{kind} (round {number} of {args.rounds})", file=sys.stderr, flush=True)
            with hierarchy.Hierarchy(bench_spec(100, args.validate), workdir / "tree-10k") as small:
                resolver = Resolver(kind, workdir / kind, anchor=root_anchor(small) if args.validate else None)
                try:
                    resolver.start(small.hints_file)
                    user0, system0 = auth_run.cpu_seconds(resolver.pid)
                    cold = one_pass(resolver, small_queries, args.clients)
                    user1, system1 = auth_run.cpu_seconds(resolver.pid)
                    auth_run.run_dnsperf(resolver, small_queries, "udp", 1, args.clients)  # warm-up
                    user2, system2 = auth_run.cpu_seconds(resolver.pid)
                    hits = auth_run.run_dnsperf(resolver, small_queries, "udp", args.seconds, args.clients)
                    user3, system3 = auth_run.cpu_seconds(resolver.pid)
                finally:
                    resolver.stop()
            print(f"  cold {cold['wall']:.2f} s, hits {hits['qps']:.0f} q/s", file=sys.stderr, flush=True)
            with hierarchy.Hierarchy(bench_spec(1000, args.validate), workdir / "tree-100k") as big:
                resolver.anchor = root_anchor(big) if args.validate else None
                try:
                    resolver.start(big.hints_file)
                    before, _ = auth_run.memory_mib(resolver.pid)
                    loaded = one_pass(resolver, big_queries, args.clients)
                    after, _ = auth_run.memory_mib(resolver.pid)
                finally:
                    resolver.stop()
            print(f"  memory {after:.1f} MiB after {loaded['answered']} names", file=sys.stderr, flush=True)
            answered = max(hits["answered"], 1)
            results.append(Result(
                kind, cold["wall"], user1 - user0, system1 - system0, cold["answered"], cold["rcodes"],
                hits["qps"], (user3 - user2) * 1e6 / answered, (system3 - system2) * 1e6 / answered,
                hits["latency_ms"], after, after - before, loaded["answered"], loaded["rcodes"],
            ))  # fmt: skip
        rounds.append(results)
    results = rounds[0] if args.rounds == 1 else medians(rounds)
    if args.rounds > 1:
        print(f"Medians of {args.rounds} rounds.\n")
    print(table(results))
    (args.out / "results.json").write_text(json.dumps(
        {"medians": [dataclasses.asdict(r) for r in results],
         "rounds": [[dataclasses.asdict(r) for r in rs] for rs in rounds]}, indent=2))  # fmt: skip
    print(f"results: {args.out / 'results.json'}; logs: {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
