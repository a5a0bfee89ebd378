#!/usr/bin/env python3
"""Authoritative answer benchmark: cairnd, NSD, Knot and BIND serving the same zone, measured with dnsperf.

Each server runs in turn with one worker thread, pinned to core 0 (taskset), serving the zone of
gen_zone.py on 127.0.0.1; dnsperf, pinned to core 1, replays the query file of gen_queries.py for a
bounded time over UDP and then over TCP. Reported per server and transport: answered queries per second,
average latency, the server's CPU time (user and system, all its processes) per answered query, its
memory (proportional set size summed over its processes, and the largest VmHWM), and ratios to the best
of NSD and Knot. Every server started is stopped by PID, also on failure or interruption.

    /usr/bin/python3 bench/auth/run.py                  # all four, 15 s per transport
    /usr/bin/python3 bench/auth/run.py -l 5 nsd knotd   # a quick look
    /usr/bin/python3 bench/auth/run.py cairnd knotd echo --transports udp
    /usr/bin/python3 bench/auth/run.py --rounds 3 cairnd nsd knotd   # medians of three interleaved runs

On a shared VM one run can be off by a fifth either way; `--rounds N` measures every server N times,
round-robin, and reports the median of each figure, with the per-round ratios of cairnd's user CPU per
UDP query to the best reference's.

`--dnssec nsec` (or `nsec3`: opt-out, no salt, no iterations) signs the zone first with BIND's dnssec-keygen
and dnssec-signzone (ECDSAP256SHA256, a KSK and a ZSK; the signed file is kept and reused while the zone is
unchanged) and sends every query with the DO bit (dnsperf -D): every server serves the same pre-signed
zone and answers with RRSIGs and NSEC/NSEC3 proofs.

    /usr/bin/python3 bench/auth/run.py --dnssec nsec3 cairnd nsd knotd --transports udp

`echo` (UDP only, never in the default list) is udp_echo.c: no DNS work, the same recvmmsg/sendmmsg
batching as cairnd, with the same 10 µs coalescing pause (net/udp_coalescing.hpp). Its CPU per query is
the transport's floor on this machine; with it in the run, the summary also gives each server's user CPU
per query above that floor. `echo-nocoalesce` and `cairnd-nocoalesce` (also never in the default list)
are the same without the pause (`--udp-coalesce 0`), to show what coalescing is worth. `cairnd-rrl`,
`named-rrl` and `nsd-rrl` run with response rate limiting on and no client limited (see RRL_BIND):

    /usr/bin/python3 bench/auth/run.py --rounds 3 cairnd cairnd-rrl named named-rrl nsd nsd-rrl --transports udp
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "system"))
sys.path.insert(0, str(HERE))

import gen_zone  # noqa: E402
import servers  # noqa: E402

ALL_KINDS = ("cairnd", "nsd", "knotd", "named")
FLOOR_KIND = "echo"
# Response rate limiting switched on with nothing limited, to price its bookkeeping per query. All the
# bench traffic comes from one address, and some accounts (the apex SOA and NS, the wildcard, NXDOMAIN for
# the zone) see over 1,000 responses a second, BIND's highest settable rate; so BIND and cairnd run their
# full accounting in log-only mode (every decision made and counted, every response sent), and NSD, which
# has no log-only, with a rate no account reaches.
RRL_BIND = "rate-limit { responses-per-second 1000; log-only yes; };"
RRL_NSD = "    rrl-ratelimit: 1000000\n    rrl-whitelist-ratelimit: 1000000"
# Extra kinds: (what runs, its command-line arguments, a line for its options block).
VARIANTS = {
    "cairnd-nocoalesce": ("cairnd", ("--udp-coalesce", "0"), ""),
    "echo-nocoalesce": ("echo", ("0",), ""),
    "cairnd-rrl": ("cairnd", (), RRL_BIND),
    "named-rrl": ("named", (), RRL_BIND),
    "nsd-rrl": ("nsd", (), RRL_NSD),
}
ECHO_PAUSE_US = "10"  # cairnd's default --udp-coalesce
REFERENCES = ("nsd", "knotd")
SERVER_CPU, CLIENT_CPU = 0, 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclasses.dataclass
class Result:
    kind: str
    transport: str
    qps: float
    answered: int
    lost: int
    latency_ms: float
    user_us_per_query: float
    system_us_per_query: float
    pss_mib: float
    hwm_mib: float
    rcodes: str  # shares other than NOERROR, a check that every server gives the same answers

    @property
    def cpu_us_per_query(self) -> float:
        return self.user_us_per_query + self.system_us_per_query


# -- /proc accounting over the server's process group (NSD forks its workers; start_new_session made the
#    group ours).


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat, the process group
            pids.append(int(entry))
    return pids


def cpu_seconds(pgid: int) -> tuple[float, float]:
    """User and system CPU seconds of the group's live processes, plus what they reaped from children."""
    user = system = 0.0
    for pid in group_pids(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the ")" field 3 (state) is index 0: utime=14, stime=15, cutime=16, cstime=17 -> 11..14.
        user += (int(fields[11]) + int(fields[13])) / CLOCK_TICKS
        system += (int(fields[12]) + int(fields[14])) / CLOCK_TICKS
    return user, system


def memory_mib(pgid: int) -> tuple[float, float]:
    """(sum of Pss, largest VmHWM) over the group, in MiB: Pss splits pages shared after fork fairly."""
    pss_kib = hwm_kib = 0
    for pid in group_pids(pgid):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        pss_kib += int(match.group(1)) if match else 0
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        hwm_kib = max(hwm_kib, int(match.group(1)) if match else 0)
    return pss_kib / 1024, hwm_kib / 1024


# -- dnsperf


def run_dnsperf(server: servers.AuthServer, queries: Path, transport: str, seconds: int, clients: int,
                dnssec_ok: bool = False) -> dict:
    command = [
        "taskset", "-c", str(CLIENT_CPU),
        "dnsperf", "-s", server.host, "-p", str(server.port), "-d", str(queries),
        "-l", str(seconds), "-c", str(clients), "-q", "200", "-t", "2", "-m", transport,
    ] + (["-D"] if dnssec_ok else [])  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(f"dnsperf failed ({result.returncode}): {result.stderr}{result.stdout}")

    def number(label: str) -> float:
        match = re.search(rf"{label}:\s+([0-9.]+)", result.stdout)
        if not match:
            raise RuntimeError(f"dnsperf output has no {label!r}:\n{result.stdout}")
        return float(match.group(1))

    codes = re.search(r"Response codes:\s+(.*)", result.stdout)
    other_rcodes = [
        f"{name} {share}" for name, share in re.findall(r"([A-Z]+) \d+ \(([0-9.]+%)\)", codes.group(1) if codes else "")
        if name != "NOERROR"
    ]
    return {
        "rcodes": ", ".join(other_rcodes) or "-",
        "qps": number("Queries per second"),
        "answered": int(number("Queries completed")),
        "lost": int(number("Queries lost")),
        "latency_ms": number(r"Average Latency \(s\)") * 1000,
        "command": " ".join(command),
    }


def measure(kind: str, zone: servers.Zone, queries: Path, workdir: Path, args) -> list[Result]:
    runs, arguments, extra = VARIANTS.get(kind, (kind, (), ""))
    options = servers.ServerOptions(workers=1, ipv6=False, arguments=arguments, extra=extra)
    server = servers.AuthServer(runs, workdir / kind, [zone], options, cpu=SERVER_CPU, start_timeout=120)
    results = []
    try:
        server.start()
        for transport in args.transports:
            # A short warm-up so that first-touch page faults are not billed to the measured run.
            dnssec_ok = args.dnssec is not None
            run_dnsperf(server, queries, transport, 1, args.clients, dnssec_ok)
            user0, system0 = cpu_seconds(server.pid)
            measured = run_dnsperf(server, queries, transport, args.seconds, args.clients, dnssec_ok)
            user1, system1 = cpu_seconds(server.pid)
            pss, hwm = memory_mib(server.pid)
            answered = max(measured["answered"], 1)
            results.append(
                Result(
                    kind=kind,
                    transport=transport,
                    qps=measured["qps"],
                    answered=measured["answered"],
                    lost=measured["lost"],
                    latency_ms=measured["latency_ms"],
                    user_us_per_query=(user1 - user0) * 1e6 / answered,
                    system_us_per_query=(system1 - system0) * 1e6 / answered,
                    pss_mib=pss,
                    hwm_mib=hwm,
                    rcodes=measured["rcodes"],
                )
            )
            print(f"  {kind} {transport}: {measured['qps']:.0f} qps", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return results


class EchoServer:
    """udp_echo.c, compiled into the work directory, started like the servers (its own session, core 0)."""

    def __init__(self, workdir: Path, pause_us: str):
        workdir.mkdir(parents=True, exist_ok=True)
        self.pause_us = pause_us
        self.binary = workdir / "udp_echo"
        subprocess.run(["cc", "-O2", "-o", str(self.binary), str(HERE / "udp_echo.c")], check=True)
        self.host, self.port = "127.0.0.1", servers.free_port(ipv6=False)
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> None:
        command = ["taskset", "-c", str(SERVER_CPU), str(self.binary), str(self.port), self.pause_us]
        self.process = subprocess.Popen(command, start_new_session=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def measure_floor(kind: str, queries: Path, workdir: Path, args) -> list[Result]:
    server = EchoServer(workdir / kind, VARIANTS[kind][1][0] if kind in VARIANTS else ECHO_PAUSE_US)
    results = []
    try:
        server.start()
        run_dnsperf(server, queries, "udp", 1, args.clients)
        user0, system0 = cpu_seconds(server.pid)
        measured = run_dnsperf(server, queries, "udp", args.seconds, args.clients)
        user1, system1 = cpu_seconds(server.pid)
        pss, hwm = memory_mib(server.pid)
        answered = max(measured["answered"], 1)
        results.append(
            Result(kind, "udp", measured["qps"], measured["answered"], measured["lost"],
                   measured["latency_ms"], (user1 - user0) * 1e6 / answered, (system1 - system0) * 1e6 / answered,
                   pss, hwm, "(no DNS answers)")
        )  # fmt: skip
        print(f"  {kind} udp: {measured['qps']:.0f} qps", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return results


def above_floor(results: list[Result]) -> str:
    """User µs/q of each UDP row above the echo floor, and cairnd's share of the best reference's."""
    floor = next((r for r in results if r.kind == FLOOR_KIND), None)
    if floor is None:
        return ""
    rows = [r for r in results if r.transport == "udp" and not r.kind.startswith(FLOOR_KIND)]
    parts = [f"{r.kind} {r.user_us_per_query - floor.user_us_per_query:.2f}" for r in rows]
    line = f"UDP user µs/q above the echo floor ({floor.user_us_per_query:.2f}): " + ", ".join(parts)
    refs = [r.user_us_per_query - floor.user_us_per_query for r in rows if r.kind in REFERENCES]
    ours = next((r.user_us_per_query - floor.user_us_per_query for r in rows if r.kind == "cairnd"), None)
    if refs and ours is not None and min(refs) > 0:
        line += f"; cairnd × best ref {ours / min(refs):.2f}"
    return line


def ratio(value: float, best: float | None) -> str:
    return f"{value / best:.2f}" if best else "-"


def table(results: list[Result]) -> str:
    lines = [
        "| server | transport | answered q/s | × best ref | avg latency ms | user µs/q | sys µs/q "
        "| CPU µs/q × best ref | memory MiB (Pss) | × best ref | VmHWM MiB | lost | rcodes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for transport in dict.fromkeys(r.transport for r in results):
        rows = [r for r in results if r.transport == transport]
        refs = [r for r in rows if r.kind in REFERENCES]
        best_qps = max((r.qps for r in refs), default=None)
        best_cpu = min((r.cpu_us_per_query for r in refs), default=None)
        best_pss = min((r.pss_mib for r in refs), default=None)
        for r in rows:
            lines.append(
                f"| {r.kind} | {r.transport} | {r.qps:,.0f} | {ratio(r.qps, best_qps)} | {r.latency_ms:.3f} "
                f"| {r.user_us_per_query:.2f} | {r.system_us_per_query:.2f} | {ratio(r.cpu_us_per_query, best_cpu)} "
                f"| {r.pss_mib:.1f} | {ratio(r.pss_mib, best_pss)} | {r.hwm_mib:.1f} | {r.lost} | {r.rcodes} |"
            )
    return "\n".join(lines)


def medians(results: list[Result]) -> list[Result]:
    """One row per (server, transport) in first-seen order: the median of each figure over the rounds."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.kind, r.transport), []).append(r)
    rows = []
    for (kind, transport), runs in groups.items():
        def median(field: str):
            return statistics.median(getattr(r, field) for r in runs)

        rows.append(Result(kind, transport, median("qps"), int(median("answered")), int(median("lost")),
                           median("latency_ms"), median("user_us_per_query"), median("system_us_per_query"),
                           median("pss_mib"), median("hwm_mib"), runs[0].rcodes))  # fmt: skip
    return rows  # table() groups them by transport


def round_ratios(rounds: list[list[Result]]) -> str:
    """cairnd's user µs per UDP query over the best reference's, round by round."""
    ratios = []
    for results in rounds:
        udp = {r.kind: r.user_us_per_query for r in results if r.transport == "udp"}
        refs = [udp[k] for k in REFERENCES if k in udp]
        if "cairnd" in udp and refs:
            ratios.append(f"{udp['cairnd'] / min(refs):.2f}")
    return "cairnd's UDP user CPU per query × best reference's, by round: " + ", ".join(ratios) if ratios else ""


def sign_zone(zone_file: Path, mode: str, out: Path) -> Path:
    """The zone signed by dnssec-signzone (reused while the zone file's content is the same)."""
    signed = out / f"bench.test.{mode}.signed"
    digest_file = out / f"bench.test.{mode}.source-sha256"
    digest = hashlib.sha256(zone_file.read_bytes()).hexdigest()
    if signed.exists() and digest_file.exists() and digest_file.read_text() == digest:
        return signed
    keys = out / f"keys-{mode}"
    shutil.rmtree(keys, ignore_errors=True)
    keys.mkdir(parents=True)
    for extra in (["-f", "KSK"], []):
        subprocess.run(["dnssec-keygen", "-q", "-K", str(keys), "-a", "ECDSAP256SHA256", *extra, gen_zone.ORIGIN],
                       check=True, capture_output=True)
    nsec3 = ["-3", "-", "-H", "0", "-A"] if mode == "nsec3" else []
    print(f"signing the zone ({mode})", file=sys.stderr, flush=True)
    subprocess.run(["dnssec-signzone", "-S", "-K", str(keys), "-n", "2", *nsec3, "-o", gen_zone.ORIGIN,
                    "-f", str(signed), str(zone_file)], check=True, capture_output=True, cwd=out)
    digest_file.write_text(digest)
    return signed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", default=list(ALL_KINDS), help=f"servers to run (default: {' '.join(ALL_KINDS)})")
    parser.add_argument("-l", "--seconds", type=int, default=15, help="dnsperf run time per transport (default 15)")
    parser.add_argument("-c", "--clients", type=int, default=8, help="dnsperf clients (sockets or connections)")
    parser.add_argument("--transports", nargs="+", default=["udp", "tcp"], choices=["udp", "tcp"])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="measure every server this many times, round-robin; report medians")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "auth")
    parser.add_argument("--dnssec", choices=["nsec", "nsec3"], help="serve the zone signed, query with DO")
    args = parser.parse_args()
    if os.cpu_count() is None or os.cpu_count() < 2:
        print("run.py needs two cores: the server on core 0, dnsperf on core 1", file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    zone_file, query_file = args.out / "bench.test.zone", args.out / "queries.txt"
    subprocess.run([sys.executable, str(HERE / "gen_zone.py"), "--names", str(args.names), str(zone_file)], check=True)
    subprocess.run([sys.executable, str(HERE / "gen_queries.py"), "--names", str(args.names), str(query_file)], check=True)
    if args.dnssec:
        zone_file = sign_zone(zone_file, args.dnssec, args.out)
    zone = servers.Zone(gen_zone.ORIGIN, zone_file)
    workdir = args.out / "run"
    shutil.rmtree(workdir, ignore_errors=True)
    # SIGTERM unwinds like Ctrl-C, so that the finally blocks stop the server being measured.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    rounds: list[list[Result]] = []
    for round_number in range(1, args.rounds + 1):
        results: list[Result] = []
        for kind in args.kinds:
            label = f"{kind} (round {round_number} of {args.rounds})" if args.rounds > 1 else kind
            if VARIANTS.get(kind, (kind,))[0] == FLOOR_KIND:
                print(f"{label}: measuring", file=sys.stderr, flush=True)
                results += measure_floor(kind, query_file, workdir, args)
                continue
            if servers.binary_for(VARIANTS.get(kind, (kind,))[0]) is None:
                print(f"{kind}: not installed or not built, skipped", file=sys.stderr)
                continue
            print(f"{label}: measuring", file=sys.stderr, flush=True)
            results += measure(kind, zone, query_file, workdir, args)
        rounds.append(results)

    results = rounds[0] if args.rounds == 1 else medians([r for results in rounds for r in results])
    if args.rounds > 1:
        print(f"Medians of {args.rounds} rounds.\n")
    print(table(results))
    if args.rounds > 1 and (line := round_ratios(rounds)):
        print("\n" + line)
    if floor := above_floor(results):
        print("\n" + floor)
    runs = [[dataclasses.asdict(r) for r in results] for results in rounds]
    (args.out / "results.json").write_text(json.dumps({"medians": [dataclasses.asdict(r) for r in results], "rounds": runs}, indent=2))
    print(f"results: {args.out / 'results.json'}; server logs: {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
