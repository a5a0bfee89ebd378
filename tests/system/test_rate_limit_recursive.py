"""Response rate limiting on a recursive server, as BIND 9.18 does it (lib/ns/query.c, query_checkrrl, which
runs again when a fetch returns): every UDP answer is counted when it goes out, from the cache or after a
lookup. Forty names under glue.test. that do not exist each need a lookup the first time (NXDOMAIN, counted
per zone: one account for all forty): asked at once, the account runs dry after a couple and the rest are
truncated (slipped) or dropped; asked again, now from the cache, the same. The same traffic against BIND 9
as a resolver. Sources in 127.58.0.0/16."""

from __future__ import annotations

import re
import secrets

import dns.rcode
import pytest

import flood
import resolvers
from conftest import require_server

RATE_LIMIT = "rate-limit { responses-per-second 2; };"
NAMES = 40


def start(kind: str, hierarchy, workdir):
    if kind == "cairnd":
        require_server("cairnd")
        return resolvers.cairnd_resolver(
            workdir, hierarchy, options_extra="allow-recursion { 127.0.0.0/8; }; " + RATE_LIMIT
        ).start()
    require_server("named")
    return resolvers.named_resolver(workdir, hierarchy, validation="dnssec-validation no; " + RATE_LIMIT)


@pytest.mark.parametrize("kind", ["cairnd", "named"])
def test_answers_after_a_lookup_and_from_the_cache_are_limited_as_bind_limits_them(kind, hierarchy, tmp_path):
    server = start(kind, hierarchy, tmp_path / kind)
    try:
        # Warm the delegation to glue.test. from another block, so that the burst's lookups are one upstream
        # query each.
        assert server.query("www.glue.test.", "A", source="127.58.7.1").rcode() == dns.rcode.NOERROR
        tag = secrets.token_hex(4)
        wires = [flood.query_wire(f"rrl-{tag}-{i}.glue.test.", "A") for i in range(NAMES)]

        looked_up = flood.burst(server.port, wires, "127.58.6.1", wait=20)
        print(f"{kind} lookups: {looked_up}")
        # Counted when the answers go out after their lookups: limited as BIND limits them.
        assert looked_up.answered < NAMES / 2 and looked_up.truncated > 0, looked_up
        assert set(looked_up.rcodes) == {dns.rcode.NXDOMAIN}, looked_up

        cached = flood.burst(server.port, wires, "127.58.6.1", wait=2)
        print(f"{kind} from the cache: {cached}")
        # responses-per-second 2 (NXDOMAIN per zone): a few answered, every other limited one slipped (TC).
        assert cached.answered <= 6, cached
        assert cached.truncated >= 10 and cached.truncated_with_records == 0, cached
        # Another block is unaffected.
        assert server.query(f"rrl-{tag}-0.glue.test.", "A", source="127.58.8.1").rcode() == dns.rcode.NXDOMAIN
        # The NXDOMAIN account is the zone's, and the line names the zone as BIND's does (no final dot, no
        # class, the name's hash after two spaces).
        assert re.search(r"limit NXDOMAIN responses to 127\.58\.6\.0/24 for glue\.test  \([0-9a-f]{8}\)",
                         server.log_text()), server.log_text()[-3000:]
    finally:
        server.stop()
