#!/usr/bin/env python3
"""Zone transfer benchmark: AXFR of a 1,000,000-RR zone and IXFR of a 10-record change, cairnd -> cairnd vs
BIND -> BIND vs Knot -> Knot, in one run, on loopback.

For each kind in turn (one pair running at a time, configurations in peers.py):
  1. the primary loads the zone (bench/zone_load/gen_zone.py, generated once into --work);
  2. AXFR: a secondary with no copy starts; measured from its start (it transfers at once) until it answers
     the primary's serial (SOA over UDP, polled every 10 ms); CPU time of both processes over that span and
     once the secondary has settled (written its copy), and each one's peak RSS (VmHWM);
  3. IXFR: 10 A records of the file change and the serial goes up; the primary is told to reload (SIGHUP;
     Knot: knotc zone-reload); it NOTIFYs the secondary, which takes an IXFR. Measured from the reload
     request: until the primary serves the new serial, until the secondary does (the NOTIFY + IXFR leg is
     the difference), polled every millisecond; the secondary's log shows that it was incremental.
Prints a Markdown table per step.

Usage (repository root): /usr/bin/python3 bench/xfr/run.py [--records N] [--work DIR] [kinds...]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402

ORIGIN = "bench.example."
SERIAL = 2024040201
CHANGED = 10


def generate(work: pathlib.Path, records: int) -> tuple[pathlib.Path, pathlib.Path]:
    """The zone file, and its edit: serial + 1 and the first A of host0..host9 moved to 10.250.0.N."""
    text = work / f"bench.example.{records}.zone"
    if not text.exists():
        subprocess.run([sys.executable, str(HERE.parent / "zone_load" / "gen_zone.py"), "--records", str(records),
                        "--origin", ORIGIN, str(text)], check=True)
    edited = work / f"bench.example.{records}.edited.zone"
    if not edited.exists() or edited.stat().st_mtime < text.stat().st_mtime:
        changed = 0
        with open(text) as source, open(edited, "w") as out:
            for line in source:
                if line.startswith("@ IN SOA"):
                    line = line.replace(f" {SERIAL} ", f" {SERIAL + 1} ")
                elif changed < CHANGED and re.match(rf"host{changed} A ", line):
                    line = f"host{changed} A 10.250.0.{changed}\n"
                    changed += 1
                out.write(line)
        if changed != CHANGED:
            raise RuntimeError("the generated zone does not have the expected host records")
    return text, edited


def wait_serial(port: int, serial: int, timeout: float, interval: float, daemon: peers.Daemon) -> float:
    """monotonic() when 127.0.0.1#port first answers `serial`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if peers.soa_serial(port, ORIGIN, timeout=0.2) == serial:
            return time.monotonic()
        if not daemon.alive():
            raise RuntimeError(f"{daemon.name} exited:\n{daemon.log()[-3000:]}")
        time.sleep(interval)
    raise RuntimeError(f"{daemon.name} did not serve serial {serial} within {timeout}s:\n{daemon.log()[-3000:]}")


def settled_cpu(daemon: peers.Daemon, limit: float = 60.0) -> float:
    """CPU seconds once the process has stopped using CPU (0.5 s without a tick), bounded by `limit`."""
    deadline = time.monotonic() + limit
    last = daemon.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = daemon.cpu_seconds()
        if now - last < 0.02:
            return now
        last = now
    return last


def transfer_kind(kind: str, log: str) -> str:
    """How the secondary says it took the last version."""
    if kind == "cairnd":
        return "IXFR" if f"transferred serial {SERIAL + 1} (incremental)" in log else "not IXFR"
    if kind == "knotd":
        return "IXFR" if re.search(r"IXFR, incoming.*finished", log) else "not IXFR"
    # BIND: the second transfer's summary counts records: an IXFR of 10 changes is a few dozen.
    counts = re.findall(r"Transfer completed: \d+ messages, (\d+) records", log)
    if len(counts) >= 2 and int(counts[-1]) < 1000:
        return f"IXFR ({counts[-1]} records)"
    return "not IXFR"


def run_kind(kind: str, work: pathlib.Path, text: pathlib.Path, edited: pathlib.Path, records: int) -> dict:
    base = work / kind
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    zone_file = base / "primary" / "bench.example.zone"
    zone_file.parent.mkdir()
    shutil.copyfile(text, zone_file)
    primary_port = peers.servers.free_port(ipv6=False)
    secondary_port = peers.servers.free_port(ipv6=False)
    result: dict = {"kind": kind}
    primary = secondary = None
    try:
        primary = peers.start_primary(kind, base / "primary", primary_port, ORIGIN, zone_file, secondary_port)
        loaded = wait_serial(primary_port, SERIAL, 600, 0.05, primary)
        result["primary load s"] = loaded - primary.started_at
        time.sleep(1.0)  # let the primary finish its post-load work before measuring its CPU
        primary_cpu0 = settled_cpu(primary)

        secondary = peers.start_secondary(kind, base / "secondary", secondary_port, ORIGIN, primary_port)
        served = wait_serial(secondary_port, SERIAL, 600, 0.01, secondary)
        result["axfr s"] = served - secondary.started_at
        result["axfr secondary cpu s"] = secondary.cpu_seconds()
        result["axfr primary cpu s"] = primary.cpu_seconds() - primary_cpu0
        result["axfr secondary settled cpu s"] = settled_cpu(secondary)
        result["primary rss"] = primary.peak_rss_mib()
        result["secondary rss"] = secondary.peak_rss_mib()
        probe = f"host{(records // 20) - 1}.{ORIGIN}"
        result["last name"] = peers.soa_serial(secondary_port, ORIGIN) == SERIAL and _answers_a(secondary_port, probe)

        # IXFR: edit, reload, NOTIFY.
        primary_cpu0, secondary_cpu0 = settled_cpu(primary), settled_cpu(secondary)
        staged = zone_file.with_suffix(".staged")
        shutil.copyfile(edited, staged)
        mtime = zone_file.stat().st_mtime_ns + 2_000_000_000
        os.utime(staged, ns=(mtime, mtime))
        os.replace(staged, zone_file)
        asked = time.monotonic()
        peers.reload_primary(kind, primary, ORIGIN)
        primary_at = secondary_at = None
        deadline = asked + 300
        while time.monotonic() < deadline and secondary_at is None:
            if primary_at is None and peers.soa_serial(primary_port, ORIGIN, 0.2) == SERIAL + 1:
                primary_at = time.monotonic()
            if peers.soa_serial(secondary_port, ORIGIN, 0.2) == SERIAL + 1:
                secondary_at = time.monotonic()
                primary_at = primary_at or secondary_at
            time.sleep(0.001)
        if secondary_at is None:
            raise RuntimeError(f"{kind}: the secondary never served serial {SERIAL + 1}:\n"
                               f"{primary.log()[-2000:]}\n{secondary.log()[-2000:]}")
        result["reload s"] = primary_at - asked
        result["ixfr leg s"] = secondary_at - primary_at
        result["ixfr total s"] = secondary_at - asked
        result["ixfr primary cpu s"] = settled_cpu(primary) - primary_cpu0
        result["ixfr secondary cpu s"] = settled_cpu(secondary) - secondary_cpu0
        result["ixfr kind"] = transfer_kind(kind, secondary.log())
        result["changed served"] = _answers_a(secondary_port, f"host9.{ORIGIN}", "10.250.0.9")
    finally:
        for daemon in (secondary, primary):
            if daemon is not None:
                daemon.stop()
    return result


def _answers_a(port: int, name: str, address: str | None = None) -> bool:
    import dns.message
    import dns.query

    try:
        response = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=1)
    except Exception:
        return False
    found = [rd.address for rrset in response.answer for rd in rrset if rrset.rdtype == 1]
    return bool(found) if address is None else address in found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--work", default="/tmp/cairn-xfr-bench")
    ap.add_argument("kinds", nargs="*", default=list(peers.KINDS))
    args = ap.parse_args()
    for kind in args.kinds:
        if kind not in peers.KINDS:
            ap.error(f"unknown kind {kind}; known: {', '.join(peers.KINDS)}")
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    text, edited = generate(work, args.records)
    results = []
    for kind in args.kinds:
        print(f"running {kind} -> {kind} ...", file=sys.stderr, flush=True)
        results.append(run_kind(kind, work, text, edited, args.records))

    load = open("/proc/loadavg").read().split()[:3]
    print(f"{args.records:,} RRs ({text.stat().st_size / 2**20:.1f} MiB text); load average {' '.join(load)}\n")
    ours = next((r for r in results if r["kind"] == "cairnd"), results[0])
    print("AXFR (secondary started with no copy -> it serves the primary's serial)\n")
    print("| pair | wall s | × cairnd | secondary CPU s (settled) | primary CPU s | secondary VmHWM MiB | "
          "primary VmHWM MiB | complete |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        print(f"| {r['kind']} -> {r['kind']} | {r['axfr s']:.2f} | {r['axfr s'] / ours['axfr s']:.2f} | "
              f"{r['axfr secondary cpu s']:.2f} ({r['axfr secondary settled cpu s']:.2f}) | "
              f"{r['axfr primary cpu s']:.2f} | {r['secondary rss']:.0f} | {r['primary rss']:.0f} | "
              f"{'yes' if r['last name'] else 'NO'} |")
    print(f"\nIXFR of a {CHANGED}-record change (reload requested -> primary serves it -> secondary serves it)\n")
    print("| pair | reload ms | NOTIFY + IXFR ms | total ms | primary CPU s | secondary CPU s | secondary took | "
          "change served |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in results:
        print(f"| {r['kind']} -> {r['kind']} | {r['reload s'] * 1000:.0f} | {r['ixfr leg s'] * 1000:.1f} | "
              f"{r['ixfr total s'] * 1000:.0f} | {r['ixfr primary cpu s']:.2f} | {r['ixfr secondary cpu s']:.2f} | "
              f"{r['ixfr kind']} | {'yes' if r['changed served'] else 'NO'} |")
    print("\nprimary load s: " + ", ".join(f"{r['kind']} {r['primary load s']:.1f}" for r in results))


if __name__ == "__main__":
    main()
