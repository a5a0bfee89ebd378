#!/usr/bin/env python3
"""Writes the benchmark zone: about 100k names with a realistic mix, deterministic for a given size.

Per block of 20 indexes: 12 hosts (A, every other one AAAA too, every fourth a TXT, every sixth an MX to
an in-zone mail host), 3 CNAMEs to hosts, 2 delegations (two NS each, one with in-zone glue A+AAAA, the
other with an out-of-zone name server), 3 mail hosts; plus a wildcard and the apex data. The names and the
classes they fall in are what gen_queries.py draws from.
"""

from __future__ import annotations

import argparse
import sys

ORIGIN = "bench.test."
BLOCK = 20


def host_kind(index: int) -> str:
    slot = index % BLOCK
    if slot < 12:
        return "host"
    if slot < 15:
        return "alias"
    if slot < 17:
        return "deleg"
    return "mail"


def name_of(index: int) -> str:
    return f"{host_kind(index)}{index}"


def records(names: int):
    yield "$ORIGIN " + ORIGIN
    yield "$TTL 3600"
    yield "@ SOA ns1 hostmaster 2026112201 7200 900 1209600 300"
    yield "@ NS ns1"
    yield "@ NS ns2"
    yield "@ MX 10 mail17"
    yield '@ TXT "v=spf1 mx -all"'
    yield "ns1 A 192.0.2.1"
    yield "ns1 AAAA 2001:db8::1"
    yield "ns2 A 192.0.2.2"
    yield "ns2 AAAA 2001:db8::2"
    yield "*.wild A 192.0.2.3"
    yield "*.wild AAAA 2001:db8::3"
    for index in range(names):
        name, kind = name_of(index), host_kind(index)
        octets = f"{10 + (index >> 16) % 200}.{(index >> 8) & 255}.{index & 255}"
        if kind == "host":
            yield f"{name} A 10.{octets}"
            if index % 2 == 0:
                yield f"{name} AAAA 2001:db8:{index >> 16:x}:{index & 0xFFFF:x}::1"
            if index % 4 == 0:
                yield f'{name} TXT "id={index}" "site=bench"'
            if index % 6 == 0:
                mail_index = index - index % BLOCK + 17
                yield f"{name} MX 10 mail{mail_index}"
        elif kind == "alias":
            yield f"{name} CNAME host{index - index % BLOCK + (index % 12)}"
        elif kind == "deleg":
            yield f"{name} NS ns1.{name}"
            yield f"{name} NS ns.provider{index % 97}.example."
            yield f"ns1.{name} A 10.{octets}"
            yield f"ns1.{name} AAAA 2001:db8:1:{index & 0xFFFF:x}::53"
        else:
            yield f"{name} A 10.{octets}"
            yield f"{name} AAAA 2001:db8:2:{index & 0xFFFF:x}::25"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=100_000, help="indexes to generate (default 100000)")
    parser.add_argument("output", help="zone file to write ('-' for stdout)")
    args = parser.parse_args()
    out = sys.stdout if args.output == "-" else open(args.output, "w")
    with out:
        for line in records(args.names):
            out.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
