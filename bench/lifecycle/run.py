#!/usr/bin/env python3
"""Many secondary zones: 10,000 small zones from one primary, on one secondary at a time (cairnd, BIND,
Knot), in one run, on loopback.

The primary (NSD, the lightest of the peers here) serves every zone; each secondary starts with no copy,
with its defaults (BIND and cairnd: transfers-in 10, transfers-per-ns 2, serial-query-rate 20; Knot: its
background workers) and a worker count of 1. Measured per secondary:
  - time from its start until every zone is served (the SOA of each zone answered with NOERROR; polled
    every 0.5 s over one UDP socket, the zones still missing only);
  - peak memory (VmHWM) and CPU time used by then;
  - time and CPU until it is quiet (under 0.05 s of CPU in 5 s): the zone files written after the
    transfers (cairnd writes, fsyncs and renames each), counted from the start;
  - CPU used while idle over one minute, once quiet (refresh timers are one day: nothing is due; a
    secondary at rest should use none).
Prints a Markdown table.

Usage (repository root): /usr/bin/python3 bench/lifecycle/run.py [--zones N] [--idle S] [--limit S]
                          [--work DIR] [kinds...]
"""
from __future__ import annotations

import argparse
import pathlib
import select
import shutil
import socket
import struct
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "xfr"))
import peers  # noqa: E402  (Daemon, free ports, binaries)

servers = peers.servers
KINDS = ("cairnd", "named", "knotd")


def zone_name(i: int) -> str:
    return f"z{i}.bench.test."


def zone_text(origin: str) -> str:
    return (
        "$TTL 3600\n"
        f"@ IN SOA ns1.{origin} hostmaster.{origin} ( 1 86400 3600 1209600 300 )\n"
        "  IN NS ns1\n"
        "ns1 IN A 192.0.2.1\n"
        "www IN A 192.0.2.80\n"
        "mail IN A 192.0.2.25\n"
        "@ IN MX 10 mail\n"
    )


def start_primary(work: pathlib.Path, zones: int, port: int) -> peers.Daemon:
    directory = work / "primary"
    directory.mkdir(parents=True)
    lines = [
        "server:",
        f"    ip-address: 127.0.0.1@{port}",
        f"    port: {port}",
        "    server-count: 1",
        '    username: ""',
        '    chroot: ""',
        f'    zonesdir: "{directory}"',
        '    database: ""',
        f'    zonelistfile: "{directory / "zone.list"}"',
        f'    xfrdfile: "{directory / "xfrd.state"}"',
        f'    pidfile: "{directory / "nsd.pid"}"',
        f'    cookie-secret-file: "{directory / "cookiesecrets.txt"}"',
        "    verbosity: 0",
        "    rrl-ratelimit: 0",
        "remote-control:",
        "    control-enable: no",
        "pattern:",
        "    name: bench",
        "    provide-xfr: 127.0.0.0/8 NOKEY",
    ]
    for i in range(zones):
        origin = zone_name(i)
        (directory / f"{origin}zone").write_text(zone_text(origin))
        lines += ["zone:", f'    name: "{origin}"', f'    zonefile: "{origin}zone"', "    include-pattern: bench"]
    config = directory / "nsd.conf"
    config.write_text("\n".join(lines) + "\n")
    return peers.Daemon("nsd-primary", ["/usr/sbin/nsd", "-d", "-c", str(config)], directory)


def secondary_command(kind: str, directory: pathlib.Path, zones: int, port: int, primary_port: int) -> list[str]:
    directory.mkdir(parents=True)
    if kind == "knotd":
        lines = peers._knot_server(directory, port) + [
            "remote:",
            "  - id: primary",
            f"    address: 127.0.0.1@{primary_port}",
            "template:",
            "  - id: default",
            "    master: primary",
            f'    storage: "{directory}"',
            "zone:",
        ]
        lines += [f'  - domain: "{zone_name(i)}"' for i in range(zones)]
        config = directory / "knot.conf"
        config.write_text("\n".join(lines) + "\n")
        return ["/usr/sbin/knotd", "-c", str(config)]
    lines = peers._named_options(kind, directory, port, ["notify no;", "allow-transfer { none; };"])
    lines += [
        f'zone "{zone_name(i)}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
        f'file "{zone_name(i)}db"; }};'
        for i in range(zones)
    ]
    config = directory / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return peers._named_command(kind, config)


def soa_query(i: int) -> bytes:
    header = struct.pack("!HHHHHH", i & 0xFFFF, 0, 1, 0, 0, 0)  # RD clear
    name = b"".join(bytes([len(label)]) + label.encode() for label in zone_name(i).rstrip(".").split("."))
    return header + name + b"\x00" + struct.pack("!HH", 6, 1)


def served(port: int, missing: set[int]) -> set[int]:
    """The zones among `missing` whose SOA the server answers with NOERROR now."""
    found: set[int] = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        sock.setblocking(False)
        pending = sorted(missing)
        for start in range(0, len(pending), 500):
            for i in pending[start : start + 500]:
                try:
                    sock.sendto(soa_query(i), ("127.0.0.1", port))
                except BlockingIOError:
                    pass
            deadline = time.monotonic() + 0.2
            while time.monotonic() < deadline:
                ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    break
                try:
                    answer = sock.recv(4096)
                except BlockingIOError:
                    continue
                if len(answer) >= 4 and (answer[3] & 0x0F) == 0 and struct.unpack("!H", answer[6:8])[0] > 0:
                    ident = struct.unpack("!H", answer[:2])[0]
                    # ids wrap at 65536: match the name, not just the id
                    for i in range(ident, max(missing) + 1, 65536):
                        if i in missing and zone_name(i).split(".")[0].encode() in answer:
                            found.add(i)
    return found


def measure(kind: str, work: pathlib.Path, zones: int, primary_port: int, idle: float, limit: float) -> dict:
    port = servers.free_port(False)
    directory = work / kind
    command = secondary_command(kind, directory, zones, port, primary_port)
    daemon = peers.Daemon(kind, command, directory)
    result = {"kind": kind}
    try:
        started = time.monotonic()
        missing = set(range(zones))
        while missing and time.monotonic() - started < limit:
            if not daemon.alive():
                raise RuntimeError(f"{kind} exited:\n{daemon.log()[-3000:]}")
            missing -= served(port, missing)
            if missing:
                time.sleep(0.5)
        result["served"] = zones - len(missing)
        result["seconds"] = time.monotonic() - started
        result["cpu_start"] = daemon.cpu_seconds()
        result["peak_mib"] = daemon.peak_rss_mib()
        # Then the writing of zone files (each written, fsynced and renamed) goes on: wait until the server is
        # quiet, under 0.05 s of CPU in 5 s, and count that time; only then measure idle.
        while time.monotonic() - started < limit:
            before = daemon.cpu_seconds()
            time.sleep(5)
            if daemon.cpu_seconds() - before < 0.05:
                break
        result["quiet_seconds"] = time.monotonic() - started
        result["cpu_quiet"] = daemon.cpu_seconds()
        before = daemon.cpu_seconds()
        time.sleep(idle)
        result["idle_cpu"] = daemon.cpu_seconds() - before
        result["peak_mib"] = daemon.peak_rss_mib()  # the high-water mark, saves included
        result["idle_seconds"] = idle
    finally:
        daemon.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=10000)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement")
    parser.add_argument("--limit", type=float, default=1200.0, help="longest wait for every zone")
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/cairn-bench-lifecycle"))
    parser.add_argument("kinds", nargs="*", default=list(KINDS))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    primary_port = servers.free_port(False)
    primary = start_primary(args.work, args.zones, primary_port)
    results = []
    try:
        deadline = time.monotonic() + 120
        while len(served(primary_port, {0, args.zones - 1})) < 2:
            if time.monotonic() > deadline or not primary.alive():
                raise RuntimeError("the primary did not start:\n" + primary.log()[-3000:])
            time.sleep(0.5)
        for kind in args.kinds:
            print(f"-- {kind} ...", file=sys.stderr, flush=True)
            results.append(measure(kind, args.work, args.zones, primary_port, args.idle, args.limit))
            print(f"   {results[-1]}", file=sys.stderr, flush=True)
    finally:
        primary.stop()
    print(f"\n{args.zones} secondary zones from one primary (NSD) on loopback\n")
    print("| secondary | zones served | time to serve all (s) | CPU until then (s) | quiet after (s) "
          f"| CPU until quiet (s) | peak RSS (MiB) | idle CPU over {args.idle:.0f} s (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['kind']} | {r['served']} | {r['seconds']:.1f} | {r['cpu_start']:.2f} | {r['quiet_seconds']:.1f} "
              f"| {r['cpu_quiet']:.2f} | {r['peak_mib']:.0f} | {r['idle_cpu']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
