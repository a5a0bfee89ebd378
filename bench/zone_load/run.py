#!/usr/bin/env python3
"""Zone loading benchmark: cairn checkzone vs named-checkzone vs Knot's zone check, text and raw.

Generates (once) a zone of --records RRs with gen_zone.py, compiles it to each tool's raw format, then runs
every loader once per --runs, back to back, measuring wall time, CPU time and peak RSS of that one process
(os.wait4 gives each child's own rusage). Prints a Markdown table with the best (lowest CPU time) run of each.

Knot is measured with `kzonecheck` (Debian package knot-dnssecutils), its offline zone checker.

Usage (repository root): /usr/bin/python3 bench/zone_load/run.py [--records N] [--runs K] [--work DIR]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
ORIGIN = "bench.example"


def measure(cmd, timeout):
    """(wall seconds, cpu seconds, peak RSS MiB, exit status) of one run of cmd."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise RuntimeError(f"timeout: {' '.join(cmd)}")
        time.sleep(0.01)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--work", default="/tmp/cairn-zone-load")
    ap.add_argument("--cairn", default=str(pathlib.Path(os.environ.get("CAIRN_BUILD", REPO / "build")) / "src/cli/cairn"))
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()

    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    text = work / f"{ORIGIN}.{args.records}.zone"
    if not text.exists():
        subprocess.run([sys.executable, str(HERE / "gen_zone.py"), "--records", str(args.records),
                        "--origin", ORIGIN + ".", str(text)], check=True)
    cairn_raw = work / f"{ORIGIN}.{args.records}.cairn-raw"
    bind_raw = work / f"{ORIGIN}.{args.records}.bind-raw"
    subprocess.run([args.cairn, "compilezone", "-q", "-F", "raw", "-o", str(cairn_raw), ORIGIN, str(text)],
                   check=True)
    subprocess.run(["named-compilezone", "-q", "-i", "none", "-F", "raw", "-o", str(bind_raw), ORIGIN,
                    str(text)], check=True)
    # "cairn checkzone -D" also builds the query database, as cairnd does at start and reload: it is the
    # reference for the text rows, since named-checkzone and kzonecheck build their databases too.
    loaders = [
        ("text", "cairn checkzone", [args.cairn, "checkzone", ORIGIN, str(text)]),
        ("text", "cairn checkzone -D", [args.cairn, "checkzone", "-D", ORIGIN, str(text)]),
        ("text", "named-checkzone -i none", ["named-checkzone", "-i", "none", ORIGIN, str(text)]),
        ("text", "kzonecheck", ["kzonecheck", "-o", ORIGIN, str(text)]),
        ("raw", "cairn checkzone -f raw", [args.cairn, "checkzone", "-f", "raw", ORIGIN, str(cairn_raw)]),
        ("raw", "named-checkzone -i none -f raw",
         ["named-checkzone", "-i", "none", "-f", "raw", ORIGIN, str(bind_raw)]),
    ]
    best = {}
    for _ in range(args.runs):
        for fmt, name, cmd in loaders:
            result = measure(cmd, args.timeout)
            # Best by CPU time: on a shared machine other processes inflate wall time, not CPU time.
            if (fmt, name) not in best or result[1] < best[(fmt, name)][1]:
                best[(fmt, name)] = result
    size_mib = text.stat().st_size / 2**20
    print(f"{args.records:,} RRs, text {size_mib:.1f} MiB, cairn raw {cairn_raw.stat().st_size / 2**20:.1f} MiB, "
          f"BIND raw {bind_raw.stat().st_size / 2**20:.1f} MiB; best of {args.runs} run(s); load average "
          f"{os.getloadavg()[0]:.1f}\n")
    reference = {"text": best[("text", "cairn checkzone -D")], "raw": best[("raw", "cairn checkzone -f raw")]}
    print("| format | loader | wall s | CPU s | peak RSS MiB | wall × ref | CPU × ref | RSS × ref |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for fmt in ("text", "raw"):
        ours = reference[fmt]
        for (f, name), (wall, cpu, rss, _) in best.items():
            if f != fmt:
                continue
            print(f"| {fmt} | {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {wall / ours[0]:.2f} | "
                  f"{cpu / ours[1]:.2f} | {rss / ours[2]:.2f} |")
    text_db, raw_db = reference["text"], reference["raw"]
    print(f"\nref = cairn checkzone -D (text) and cairn checkzone -f raw (raw): the database cairnd serves from. "
          f"raw loads {text_db[0] / raw_db[0]:.1f}x faster than text by wall time, {text_db[1] / raw_db[1]:.1f}x "
          f"by CPU time.")


if __name__ == "__main__":
    main()
