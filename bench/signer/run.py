#!/usr/bin/env python3
"""Signing a zone from scratch: `cairn signzone` against BIND's `dnssec-signzone`, same zone, same key (an
ECDSAP256SHA256 CSK made by dnssec-keygen, used by both), NSEC and NSEC3 (no salt, 0 iterations). Both
outputs are checked with dnssec-verify. Prints a Markdown table of the best CPU time (user + system) and
wall time of --runs runs and the ratio.

Usage (repository root): /usr/bin/python3 bench/signer/run.py [--build build] [--names N] [--runs K]
                         [--work DIR]
dnssec-signzone runs single-threaded (-n 1) as cairn signs on one thread.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import time

ORIGIN = "bench.example"


def measure(cmd, timeout):
    """(CPU seconds, wall seconds) of one run of cmd."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    return usage.ru_utime + usage.ru_stime, wall


def write_zone(path, names):
    with open(path, "w") as out:
        out.write("$TTL 3600\n")
        out.write(f"@ SOA ns1.{ORIGIN}. hostmaster.{ORIGIN}. 1 3600 600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
        for i in range(names):
            out.write(f"h{i} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--names", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/cairn-bench-signer")
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args()
    cairn = pathlib.Path(args.build) / "src" / "cli" / "cairn"
    work = pathlib.Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    keys = work / "keys"
    keys.mkdir(parents=True)
    zone = work / "zone.db"
    write_zone(zone, args.names)
    subprocess.run(["dnssec-keygen", "-q", "-K", str(keys), "-a", "ECDSAP256SHA256", "-f", "KSK", ORIGIN],
                   check=True, capture_output=True)
    rows = []
    for mode in ("NSEC", "NSEC3"):
        ours = [str(cairn), "signzone", "-K", str(keys), "-f", str(work / "cairn.signed")]
        bind = ["dnssec-signzone", "-q", "-S", "-z", "-n", "1", "-K", str(keys), "-d", str(work), "-o", ORIGIN,
                "-f", str(work / "bind.signed")]
        if mode == "NSEC3":
            ours += ["-3", "0"]
            bind += ["-3", "-", "-H", "0"]
        ours += [ORIGIN, str(zone)]
        bind += [str(zone)]
        results = {}
        for name, cmd in (("cairn signzone", ours), ("dnssec-signzone", bind)):
            runs = [measure(cmd, args.timeout) for _ in range(args.runs)]
            results[name] = min(runs)
        for signed in ("cairn.signed", "bind.signed"):
            check = subprocess.run(["dnssec-verify", "-q", "-z", "-o", ORIGIN, str(work / signed)], capture_output=True,
                                   text=True)
            if check.returncode != 0:
                sys.exit(f"{signed} does not verify: {check.stdout}{check.stderr}")
        c, b = results["cairn signzone"], results["dnssec-signzone"]
        rows.append(f"| {mode} | {args.names + 3} | {c[0]:.2f} s ({c[1]:.2f} s) | {b[0]:.2f} s ({b[1]:.2f} s) | "
                    f"{b[0] / c[0]:.2f}x |")
    print("| chain | records | cairn signzone CPU (wall) | dnssec-signzone -n 1 CPU (wall) | BIND/cairn CPU |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
