#!/usr/bin/env python3
"""Memory of a cairnd secondary offered a zone larger than its `max-records` (issue 13: before the limit
was applied during the transfer, a 2,000,000-record offer under max-records 10000 took RSS from 9 to 652
MB). Knot serves one zone of N host records; cairnd takes it twice, in two runs: with `max-records M`
(the transfer must stop at the first record over) and without a limit (the whole zone, for comparison).
Reports each run's peak RSS (VmHWM) and the outcome.

Usage (repository root): /usr/bin/python3 bench/lifecycle/max_records_rss.py [--records N] [--limit M]
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests" / "system"))
import servers  # noqa: E402
from waiting import wait_for  # noqa: E402

ORIGIN = "big.test"


def peak_rss_mib(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(workdir: pathlib.Path, knot: servers.AuthServer, limit: int | None, timeout: float) -> tuple[float, str]:
    extra = f"max-records {limit};" if limit else ""
    secondary = servers.CairndSecondary(
        workdir, [servers.SecondaryZone(ORIGIN, f"127.0.0.1 port {knot.port};", extra)]
    ).start()
    try:
        def ended() -> bool:
            zone = secondary.zone(ORIGIN)
            return zone.get("serial") == 1 or zone.get("transfers_in", {}).get("failure", 0) >= 1
        began = time.monotonic()
        finished = wait_for(ended, timeout, interval=0.5)
        took = time.monotonic() - began
        time.sleep(1)
        zone = secondary.zone(ORIGIN)
        outcome = (f"served serial {zone.get('serial')}" if zone.get("serial") else
                   f"refused: {zone.get('problem', '')[:90]}") if finished else "did not finish"
        return peak_rss_mib(secondary.process.pid), f"{outcome} ({took:.1f} s)"
    finally:
        secondary.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="max-records-rss-") as work:
        work = pathlib.Path(work)
        knot = servers.primary_server("knotd", work / "knot", [ORIGIN], hosts=args.records, start_timeout=300)
        try:
            print(f"| cairnd secondary, zone of {args.records:,} records | peak RSS (MiB) | outcome |")
            print("| --- | --- | --- |")
            for label, limit in ((f"max-records {args.limit:,}", args.limit), ("no limit", None)):
                rss, outcome = run(work / label.replace(" ", "-").replace(",", ""), knot, limit, args.timeout)
                print(f"| {label} | {rss:.1f} | {outcome} |", flush=True)
        finally:
            knot.stop()


if __name__ == "__main__":
    main()
