"""cairnd as a recursive resolver over the loopback hierarchy: every kind of delegation and answer the issue
lists (glue, glueless, a lame server beside a good one, a truncated answer that needs TCP, CNAME into another
zone, DNAME, wildcard, NXDOMAIN, NODATA), answers from the cache, local answers (localhost, RFC 6303 empty
zones), forward and static-stub zones, and who may recurse (REFUSED with EDE 18 otherwise)."""

from __future__ import annotations

import re
import time

import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server


@pytest.fixture(scope="module")
def resolver(hierarchy, tmp_path_factory):
    require_server("cairnd")
    started = resolvers.cairnd_resolver(
        tmp_path_factory.mktemp("resolver"),
        hierarchy,
        options_extra="allow-recursion { 127.0.0.1; }; allow-query-cache { 127.0.0.1; 127.0.0.4; };",
        extra=(
            'zone "fwd.test" { type forward; forward only; forwarders { 127.53.2.4; }; };\n'
            'zone "stub.test" { type static-stub; server-addresses { 127.53.2.4; }; };'
        ),
    ).start()
    yield started
    started.stop()


def rdata(response, rdtype: str) -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == wanted for r in rrset)


def assert_resolved(response) -> None:
    """What every answer from the resolver carries: QR and RA, never AA."""
    assert response.flags & dns.flags.QR
    assert response.flags & dns.flags.RA
    assert not response.flags & dns.flags.AA


def test_every_kind_of_delegation_and_answer(resolver):
    cases = [
        ("www.glue.test.", "A", ["192.0.2.1"]),  # referrals with glue
        ("www.glueless.test.", "A", ["192.0.2.2"]),  # the name server's address looked up first
        ("www.lame.test.", "A", ["192.0.2.5"]),  # one server REFUSEs, the other answers
        ("mail.glue.test.", "MX", ["10 mx.glue.test."]),
        ("anything.wild.test.", "A", ["192.0.2.4"]),
        ("deep.sub.glue.test.", "A", ["192.0.2.11"]),
    ]
    for name, rdtype, expected in cases:
        response = resolver.query(name, rdtype)
        assert response.rcode() == dns.rcode.NOERROR, name
        assert_resolved(response)
        assert rdata(response, rdtype) == expected, name


def test_truncated_answer_is_fetched_over_tcp(resolver):
    response = resolver.query("big.tc.test.", "TXT", tcp=True)
    assert_resolved(response)
    assert len(rdata(response, "TXT")) == 12
    assert re.search(r"cairn_resolver_upstream_truncated_total [1-9]", resolver.metrics())
    # Over UDP the client gets TC from the cache and comes back over TCP, as from any server.
    udp = resolver.query("big.tc.test.", "TXT")
    assert udp.flags & dns.flags.TC


def test_cname_into_another_zone_and_dname(resolver):
    cname = resolver.query("www.cname.test.", "A")
    assert_resolved(cname)
    assert rdata(cname, "CNAME") == ["www.example."]
    assert rdata(cname, "A") == ["192.0.2.3"], "the target, from example.'s server"
    dname = resolver.query("www.sub.dname.test.", "A")
    assert rdata(dname, "DNAME") == ["glue.test."]
    assert rdata(dname, "CNAME") == ["www.glue.test."]
    assert rdata(dname, "A") == ["192.0.2.1"]


def test_nxdomain_and_nodata_carry_the_soa(resolver):
    for name, rdtype, rcode in (("nothing.glue.test.", "A", dns.rcode.NXDOMAIN), ("www.glue.test.", "AAAA", dns.rcode.NOERROR)):
        response = resolver.query(name, rdtype)
        assert response.rcode() == rcode, name
        assert_resolved(response)
        assert not response.answer
        soa = [rrset for rrset in response.authority if rrset.rdtype == dns.rdatatype.SOA]
        assert soa and soa[0].name.to_text() == "glue.test."
        assert soa[0].ttl <= 300


def test_second_answer_comes_from_the_cache_with_its_ttl_counting_down(resolver):
    first = resolver.query("mx.glue.test.", "A")
    time.sleep(1.1)
    second = resolver.query("mx.glue.test.", "A")
    assert rdata(first, "A") == rdata(second, "A") == ["192.0.2.10"]
    assert second.answer[0].ttl < first.answer[0].ttl <= 300
    log = resolver.log_text()
    assert re.search(r"query: mx\.glue\.test IN A .*\[resolving\]", log)
    assert re.search(r"query: mx\.glue\.test IN A .*\[cache\]", log)
    assert re.search(r'cairn_resolver_cache_hits_total\{view="_default"\} [1-9]', resolver.metrics())


def test_localhost_and_empty_zones_are_answered_here_test_and_example_are_not(resolver):
    local = resolver.query("localhost.", "A")
    assert rdata(local, "A") == ["127.0.0.1"]
    assert local.flags & dns.flags.AA, "the server's own zone"
    assert rdata(resolver.query("app.localhost.", "AAAA"), "AAAA") == ["::1"]
    empty = resolver.query("1.0.0.10.in-addr.arpa.", "PTR")
    assert empty.rcode() == dns.rcode.NXDOMAIN
    assert empty.authority[0].name.to_text() == "10.in-addr.arpa."
    # test. and example. go to their servers like any name (RFC 6761 lets resolvers do so; BIND does).
    assert rdata(resolver.query("www.example.", "A"), "A") == ["192.0.2.3"]


def test_forward_and_static_stub_zones(resolver):
    # Neither zone is delegated: only the configuration leads to its server.
    forwarded = resolver.query("www.fwd.test.", "A")
    assert rdata(forwarded, "A") == ["192.0.2.20"]
    assert_resolved(forwarded)
    stub = resolver.query("www.stub.test.", "A")
    assert rdata(stub, "A") == ["192.0.2.21"]


def test_who_may_recurse(resolver):
    # 127.0.0.2 is in neither list: REFUSED with EDE 18, no RA.
    refused = resolver.query("www.glue.test.", "A", source="127.0.0.2")
    assert refused.rcode() == dns.rcode.REFUSED
    assert not refused.flags & dns.flags.RA
    assert resolvers.ede(refused)[0] == 18
    # 127.0.0.4 may read the cache but not recurse: cached names are answered, others refused.
    cached = resolver.query("www.glue.test.", "A", source="127.0.0.4")
    assert rdata(cached, "A") == ["192.0.2.1"]
    assert not cached.flags & dns.flags.RA
    uncached = resolver.query("never-asked.glue.test.", "A", source="127.0.0.4")
    assert uncached.rcode() == dns.rcode.REFUSED
    assert resolvers.ede(uncached)[0] == 18
    # The server's own zones answer anyone.
    assert resolver.query("localhost.", "A", source="127.0.0.2").rcode() == dns.rcode.NOERROR


def test_a_delegation_in_a_zone_served_here_is_followed_for_recursive_clients(hierarchy, tmp_path):
    # The resolver also serves test. itself: its own zone gives referrals, which a client asking for
    # recursion does not get; the resolver follows them (as BIND does).
    local = resolvers.cairnd_resolver(
        tmp_path / "with-test-zone",
        hierarchy,
        extra=f'zone "test" {{ type primary; file "{hierarchy.zone_file("test.")}"; }};',
    ).start()
    try:
        answered = local.query("www.glue.test.", "A")
        assert rdata(answered, "A") == ["192.0.2.1"]
        assert_resolved(answered)
        referral = local.query("www.glue.test.", "A", rd=False)
        assert not referral.answer and referral.authority[0].rdtype == dns.rdatatype.NS
        assert local.query("ns1.test.", "A").flags & dns.flags.AA, "the zone's own data stays authoritative"
    finally:
        local.stop()
