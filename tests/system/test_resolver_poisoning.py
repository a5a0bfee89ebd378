"""Poisoning resistance against a scripted hostile authority (hostile_authority.py) delegated from test.:
out-of-bailiwick records are neither used nor cached, forged replies (wrong ID, wrong question) are ignored,
upstream source ports and IDs vary (RFC 5452), CNAME and referral loops end in SERVFAIL quickly, and an
NXNS-style delegation to forty glueless names costs a bounded number of queries."""

from __future__ import annotations

import re
import time

import dns.rcode
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server
from hostile_authority import NS_FANOUT, HostileAuthority


@pytest.fixture(scope="module")
def evil():
    with HostileAuthority() as authority:
        yield authority


@pytest.fixture(scope="module")
def resolver(hierarchy, evil, tmp_path_factory):
    require_server("cairnd")
    started = resolvers.cairnd_resolver(tmp_path_factory.mktemp("poisoning"), hierarchy).start()
    yield started
    started.stop()


def addresses(response) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


def test_out_of_bailiwick_records_are_neither_used_nor_cached(resolver, evil):
    response = resolver.query("www.hostile.test.", "A")
    assert addresses(response) == ["192.0.2.66"]
    assert "6.6.6" not in response.to_text()
    # What hostile.test.'s server said about glue.test. was not believed: the real answer, and nothing of
    # the forgery in the cache.
    assert addresses(resolver.query("www.glue.test.", "A")) == ["192.0.2.1"]
    for name, rdtype in (("www.glue.test.", "A"), ("glue.test.", "NS")):
        shown = resolver.ctl("cache", name, rdtype)
        assert shown.returncode == 0, shown.stderr
        assert "6.6.6" not in shown.stdout and "ns.evil" not in shown.stdout, shown.stdout
    assert "nothing cached" in resolver.ctl("cache", "ns.evil.").stdout


def test_forged_replies_are_ignored(resolver, evil):
    response = resolver.query("spoof.hostile.test.", "A")
    assert addresses(response) == ["192.0.2.67"]
    assert re.search(r"cairn_resolver_upstream_ignored_total [1-9]", resolver.metrics())


def test_upstream_source_ports_and_ids_vary(resolver, evil):
    for i in range(16):
        assert addresses(resolver.query(f"p{i}.hostile.test.", "A")) == ["192.0.2.99"]
    asked = [seen for seen in evil.queries_for(".hostile.test.") if re.match(r"p\d+\.", seen.name)]
    assert len(asked) >= 16
    ports = {seen.port for seen in asked}
    ids = {seen.id for seen in asked}
    # Drawn at random from ~28,000 ports and 65,536 IDs: repeats among 16 are possible, many are not.
    assert len(ports) >= len(asked) - 2, sorted(ports)
    assert len(ids) >= len(asked) - 2, sorted(ids)
    assert all(port != 53 for port in ports)


@pytest.mark.parametrize("name", ["loop1.hostile.test.", "x.ref.hostile.test."])
def test_cname_and_referral_loops_end_in_servfail_quickly(resolver, evil, name):
    started = time.monotonic()
    response = resolver.query(name, "A", timeout=20)
    elapsed = time.monotonic() - started
    assert response.rcode() == dns.rcode.SERVFAIL, response.to_text()
    assert resolvers.ede(response) is not None, "every SERVFAIL says why"
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_nxns_delegation_costs_a_bounded_number_of_queries(resolver, evil):
    before = len(evil.queries_for("nxvictim.hostile.test."))
    response = resolver.query("www.nxns.hostile.test.", "A", timeout=20)
    assert response.rcode() == dns.rcode.SERVFAIL
    lookups = len(evil.queries_for("nxvictim.hostile.test.")) - before
    # Forty glueless name servers, none of which exists: the resolver looks a few up and gives up, instead of
    # sending two queries for each (BIND 9.16.3 and later bound it the same way).
    assert 0 < lookups <= 20, f"{lookups} lookups for {NS_FANOUT} names"
