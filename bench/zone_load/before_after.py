#!/usr/bin/env python3
"""Compares two cairn builds on the zone-loading benchmark's zone, in one run: text load with the query
database (`checkzone -D`) and raw load, each binary back to back, named-checkzone beside them.

Each binary compiles its own raw file (the format version may differ). Prints a Markdown table with the
best (lowest CPU time, user + system) of --runs runs and the peak RSS of that run.

Usage (repository root): /usr/bin/python3 bench/zone_load/before_after.py BEFORE_CAIRN AFTER_CAIRN
                         [--work DIR] [--records N] [--runs K]
The "before" binary needs `checkzone -D` (added with this script; patch it into older trees).
"""
import argparse
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ORIGIN = "bench.example"


def measure(cmd, timeout):
    """(CPU seconds, peak RSS MiB) of one run of cmd, from os.wait4."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/cairn-zone-load")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()

    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    text = work / f"{ORIGIN}.{args.records}.zone"
    if not text.exists():
        subprocess.run([sys.executable, str(HERE / "gen_zone.py"), "--records", str(args.records),
                        "--origin", ORIGIN + ".", str(text)], check=True)
    rows = []
    for label, binary in (("before", args.before), ("after", args.after)):
        raw = work / f"{ORIGIN}.{args.records}.{label}.cairn-raw"
        subprocess.run([binary, "compilezone", "-q", "-F", "raw", "-o", str(raw), ORIGIN, str(text)], check=True)
        rows.append((label, "checkzone -D (text + database)", [binary, "checkzone", "-D", ORIGIN, str(text)]))
        rows.append((label, "checkzone -f raw", [binary, "checkzone", "-f", "raw", ORIGIN, str(raw)]))
    rows.append(("both", "named-checkzone -i none", ["named-checkzone", "-i", "none", ORIGIN, str(text)]))
    best = {}
    for _ in range(args.runs):
        for label, name, cmd in rows:
            result = measure(cmd, args.timeout)
            if (label, name) not in best or result[0] < best[(label, name)][0]:
                best[(label, name)] = result
    print(f"{args.records:,} RRs; best of {args.runs} run(s) by CPU time; load average {os.getloadavg()[0]:.1f}\n")
    print("| build | loader | CPU s | peak RSS MiB |")
    print("| --- | --- | ---: | ---: |")
    for label, name, _ in rows:
        cpu, rss = best[(label, name)]
        print(f"| {label} | {name} | {cpu:.2f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
