#!/usr/bin/env python3
"""Writes a dnsperf query file for the zone of gen_zone.py, with a fixed random seed.

Mix (percent of queries): 55 positive answers (A 30, AAAA 15, MX 5, TXT 5), 10 CNAMEs to hosts,
10 NXDOMAIN, 8 NODATA, 10 referrals into delegations, 5 wildcard answers, 2 apex (SOA, NS).
"""

from __future__ import annotations

import argparse
import random
import sys

from gen_zone import BLOCK, ORIGIN

MIX = [
    ("host-a", 30),
    ("host-aaaa", 15),
    ("host-mx", 5),
    ("host-txt", 5),
    ("alias", 10),
    ("nxdomain", 10),
    ("nodata", 8),
    ("referral", 10),
    ("wildcard", 5),
    ("apex", 2),
]


def index_with_slot(rng: random.Random, names: int, slots: range, multiple_of: int = 1) -> int:
    """A random index below `names` whose slot in its block is in `slots` and that is a multiple of
    `multiple_of` (the zone generator's rules for which host has which record)."""
    while True:
        index = rng.randrange(names)
        if index % BLOCK in slots and index % multiple_of == 0:
            return index


def query(rng: random.Random, names: int, kind: str) -> str:
    hosts = range(0, 12)
    if kind == "host-a":
        return f"host{index_with_slot(rng, names, hosts)}.{ORIGIN} A"
    if kind == "host-aaaa":
        return f"host{index_with_slot(rng, names, hosts, 2)}.{ORIGIN} AAAA"
    if kind == "host-mx":
        return f"host{index_with_slot(rng, names, hosts, 6)}.{ORIGIN} MX"
    if kind == "host-txt":
        return f"host{index_with_slot(rng, names, hosts, 4)}.{ORIGIN} TXT"
    if kind == "alias":
        return f"alias{index_with_slot(rng, names, range(12, 15))}.{ORIGIN} A"
    if kind == "nxdomain":
        return f"missing{rng.randrange(10 * names)}.{ORIGIN} A"
    if kind == "nodata":
        return f"host{index_with_slot(rng, names, range(1, 12, 2))}.{ORIGIN} AAAA"
    if kind == "referral":
        return f"www.deleg{index_with_slot(rng, names, range(15, 17))}.{ORIGIN} A"
    if kind == "wildcard":
        return f"w{rng.randrange(names)}.wild.{ORIGIN} {rng.choice(['A', 'AAAA'])}"
    return f"{ORIGIN} {rng.choice(['SOA', 'NS'])}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=100_000, help="the --names given to gen_zone.py")
    parser.add_argument("--queries", type=int, default=200_000, help="lines to write (dnsperf loops over them)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("output", help="query file to write ('-' for stdout)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    out = sys.stdout if args.output == "-" else open(args.output, "w")
    with out:
        for kind in rng.choices(kinds, weights, k=args.queries):
            out.write(query(rng, args.names, kind) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
