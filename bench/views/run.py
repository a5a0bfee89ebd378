#!/usr/bin/env python3
"""What views cost: cairnd serving the bench zone of bench/auth once without views and once with three
views, measured with dnsperf in one run.

With views, each of the three serves the same zone file; the first two match other networks (address
prefixes, a negated prefix and a TSIG key, as real match-clients lists do) and the query source, 127.0.0.1,
matches only the last one after its own leading negated element, so every query walks all three ACLs before
it is answered. Modes alternate (no views, views, no views, views, ...) so that the machine's load drifts
over both alike. Reported per mode: answered q/s, server CPU µs per answered query (user + system, from
/proc over the measured runs), and the ratios views / no views. Servers run pinned to core 0 with one
worker, dnsperf on core 1, as bench/auth/run.py does; every server started is stopped by PID.

    /usr/bin/python3 bench/views/run.py              # 3 rounds of 10 s per mode, UDP
    /usr/bin/python3 bench/views/run.py -l 5 -r 2    # a quick look
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import signal
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
AUTH = REPO_ROOT / "bench" / "auth"
sys.path.insert(0, str(REPO_ROOT / "tests" / "system"))
sys.path.insert(0, str(AUTH))

import gen_zone  # noqa: E402
import servers  # noqa: E402

# bench/auth/run.py has the dnsperf driver and the /proc accounting; loaded under its own name, since this
# file is also called run.py.
_spec = importlib.util.spec_from_file_location("auth_run", AUTH / "run.py")
auth_run = importlib.util.module_from_spec(_spec)
sys.modules["auth_run"] = auth_run  # dataclasses look their module up there
_spec.loader.exec_module(auth_run)

MODES = ("no views", "three views")
BYSTANDER_KEY = "partner-key"


def views_config(zone: servers.Zone) -> list[str]:
    """Three views serving `zone`; only the last one takes 127.0.0.1."""
    zone_lines = [f'    zone "{zone.fqdn}" {{ type primary; file "{zone.file}"; }};']
    return (
        [f'key "{BYSTANDER_KEY}" {{ algorithm hmac-sha256; secret "cGFydG5lcnMgb25seSwgMzIgb2N0ZXRzLi4uLi4uLi4="; }};']
        + ['view "internal" {', "    match-clients { 10.0.0.0/8; 172.16.0.0/12; 192.168.0.0/16; };"]
        + zone_lines
        + ["};", 'view "partners" {', f"    match-clients {{ !192.0.2.66; 192.0.2.0/24; key {BYSTANDER_KEY}; }};"]
        + zone_lines
        + ["};", 'view "external" {', "    match-clients { !127.0.0.9; any; };"]
        + zone_lines
        + ["};"]
    )


def write_views_config(workdir: Path, port: int, zones, options: servers.ServerOptions) -> list[str]:
    lines = servers._named_conf_options(workdir, port, options, []) + ["controls { };"] + views_config(zones[0])
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return [str(servers.cairnd_binary()), "-c", str(config), "-n", str(options.workers)]


def write_plain_config(workdir: Path, port: int, zones, options: servers.ServerOptions) -> list[str]:
    lines = servers._named_conf_options(workdir, port, options, []) + ["controls { };"]
    lines += servers._named_conf_zones(zones)
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return [str(servers.cairnd_binary()), "-c", str(config), "-n", str(options.workers)]


@dataclasses.dataclass
class Totals:
    answered: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    lost: int = 0
    rcodes: set = dataclasses.field(default_factory=set)

    @property
    def qps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_query(self) -> float:
        return self.cpu_seconds * 1e6 / max(self.answered, 1)


def start(mode: str, zone: servers.Zone, workdir: Path) -> servers.AuthServer:
    writer = write_views_config if mode == "three views" else write_plain_config
    servers.CONFIG_WRITERS["cairnd"] = writer
    server = servers.AuthServer(
        "cairnd", workdir / mode.replace(" ", "-"), [zone], servers.ServerOptions(workers=1, ipv6=False),
        cpu=auth_run.SERVER_CPU, start_timeout=180,
    )  # fmt: skip
    return server.start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-l", "--seconds", type=int, default=10, help="dnsperf run time per round (default 10)")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="rounds per mode, alternating (default 3)")
    parser.add_argument("-c", "--clients", type=int, default=8, help="dnsperf clients")
    parser.add_argument("--transport", default="udp", choices=["udp", "tcp"])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "views")
    args = parser.parse_args()
    if servers.binary_for("cairnd") is None:
        print("cairnd is not built (scripts/build.sh, or set CAIRN_BUILD)", file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    zone_file, query_file = args.out / "bench.test.zone", args.out / "queries.txt"
    subprocess.run([sys.executable, str(AUTH / "gen_zone.py"), "--names", str(args.names), str(zone_file)], check=True)
    subprocess.run([sys.executable, str(AUTH / "gen_queries.py"), "--names", str(args.names), str(query_file)], check=True)
    zone = servers.Zone(gen_zone.ORIGIN, zone_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # Both servers stay up for the whole run (each idle while the other is measured), so that every round
    # measures answering, not loading.
    totals = {mode: Totals() for mode in MODES}
    per_round: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}  # (q/s, CPU µs/q)
    started: dict[str, servers.AuthServer] = {}
    try:
        for mode in MODES:
            print(f"{mode}: starting", file=sys.stderr, flush=True)
            started[mode] = start(mode, zone, args.out / "run")
            auth_run.run_dnsperf(started[mode], query_file, args.transport, 1, args.clients)  # warm-up
        for round_number in range(args.rounds):
            for mode in MODES:
                server = started[mode]
                user0, system0 = auth_run.cpu_seconds(server.pid)
                measured = auth_run.run_dnsperf(server, query_file, args.transport, args.seconds, args.clients)
                user1, system1 = auth_run.cpu_seconds(server.pid)
                total = totals[mode]
                total.answered += measured["answered"]
                total.seconds += measured["answered"] / measured["qps"] if measured["qps"] else 0.0
                total.cpu_seconds += (user1 - user0) + (system1 - system0)
                total.lost += measured["lost"]
                total.rcodes.add(measured["rcodes"])
                cpu = ((user1 - user0) + (system1 - system0)) * 1e6 / max(measured["answered"], 1)
                per_round[mode].append((measured["qps"], cpu))
                print(f"  round {round_number + 1} {mode}: {measured['qps']:.0f} q/s", file=sys.stderr, flush=True)
    finally:
        for server in started.values():
            server.stop()

    base, views = totals["no views"], totals["three views"]
    lines = [
        "| mode | answered q/s | CPU µs/q | lost | rcodes |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for mode in MODES:
        t = totals[mode]
        lines.append(f"| {mode} | {t.qps:,.0f} | {t.cpu_us_per_query:.2f} | {t.lost} | {'; '.join(sorted(t.rcodes))} |")
    lines.append(
        f"| three views / no views | {views.qps / base.qps:.3f} | {views.cpu_us_per_query / base.cpu_us_per_query:.3f} | | |"
    )
    # A round's pair (no views, then views right after) shares the machine's load of the moment: the median
    # of the pairs' ratios shrugs off one disturbed round.
    pairs = list(zip(per_round["no views"], per_round["three views"]))
    qps_ratios = sorted(v[0] / b[0] for b, v in pairs if b[0])
    cpu_ratios = sorted(v[1] / b[1] for b, v in pairs if b[1])
    if qps_ratios and cpu_ratios:
        lines.append(
            f"| median of the rounds' ratios | {qps_ratios[len(qps_ratios) // 2]:.3f} "
            f"| {cpu_ratios[len(cpu_ratios) // 2]:.3f} | | |"
        )
    print("\n".join(lines))
    (args.out / "results.json").write_text(
        json.dumps({mode: dataclasses.asdict(t) | {"rcodes": sorted(t.rcodes)} for mode, t in totals.items()}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
