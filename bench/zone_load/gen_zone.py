#!/usr/bin/env python3
"""Writes a realistic zone of about N resource records (default 1,000,000) for load benchmarks.

Mix per 20 RRs: hosts with A (6) and AAAA (3), CNAMEs (2), TXT (2), MX (1) with its mail host, SRV (1),
and one delegation (2 NS + 2 glue A). Deterministic: the same N gives the same file.
Usage: gen_zone.py [--records N] [--origin bench.example.] OUTPUT
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--origin", default="bench.example.")
    ap.add_argument("output")
    args = ap.parse_args()
    rnd = random.Random(1035)
    out = open(args.output, "w")
    w = out.write
    w(f"$ORIGIN {args.origin}\n$TTL 3600\n")
    w("@ IN SOA ns1 hostmaster 2024040201 3600 900 604800 300\n")
    w("  IN NS ns1\n  IN NS ns2\n  IN MX 10 mail\nns1 A 192.0.2.1\nns2 A 192.0.2.2\nmail A 192.0.2.3\n")
    count = 8
    i = 0
    while count < args.records:
        h = f"host{i}"
        a = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        w(f"{h} A {a}\n")
        w(f"  A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{(i + 1) & 255}\n")
        w(f"  AAAA 2001:db8:{i >> 16:x}:{i & 0xffff:x}::1\n")
        w(f"www.{h} 300 A {a}\n")
        w(f"  AAAA 2001:db8:{i >> 16:x}:{i & 0xffff:x}::80\n")
        w(f"api{i} IN 600 A 172.16.{(i >> 8) & 255}.{i & 255}\n")
        w(f"app{i} CNAME www.{h}\n")
        w(f"cdn{i} CNAME edge{rnd.randrange(100)}.cdn.example.net.\n")
        w(f'{h} TXT "v=spf1 ip4:{a} -all"\n')
        w(f'_dmarc.{h} TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{h}.{args.origin}"\n')
        w(f"{h} MX 10 mx.{h}\n")
        w(f"mx.{h} A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{(i + 7) & 255}\n")
        w(f"  AAAA 2001:db8:{i >> 16:x}:{i & 0xffff:x}::25\n")
        w(f"_sip._tcp.{h} SRV 10 60 5060 {h}\n")
        w(f"sub{i} NS ns1.sub{i}\n  NS ns2.sub{i}\n")
        w(f"ns1.sub{i} A 198.51.{(i >> 8) & 255}.{i & 255}\n")
        w(f"ns2.sub{i} A 203.0.{(i >> 8) & 255}.{i & 255}\n")
        w(f"{h}-v6 AAAA 2001:db8:ffff:{i & 0xffff:x}::{rnd.randrange(65536):x}\n")
        w(f"{h}-old A 10.200.{(i >> 8) & 255}.{i & 255}\n")
        count += 20
        i += 1
    out.close()


if __name__ == "__main__":
    main()
