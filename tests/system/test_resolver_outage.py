"""The article's failure types that live in the resolver, through the loopback hierarchy.

Type 2: a zone's authorities go down. Answers survive in the cache until their TTL runs out; then, with
serve-stale off, SERVFAIL with EDE 22 naming the servers that did not answer, within resolver-query-timeout;
with serve-stale on (`rndc serve-stale on`), the stale answer with EDE 3.

Type 5: an NXDOMAIN is cached; the record is then added to the zone; the resolver still says NXDOMAIN, the SOA
TTL in its answer counting down, until BIND's own rndc runs `flushname` against cairnd; then the new record is
answered.
"""

from __future__ import annotations

import os
import signal
import time

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server
from waiting import wait_for

QUERY_TIMEOUT_S = 2  # resolver-query-timeout of the resolver under test


@pytest.fixture
def resolver(hierarchy, tmp_path):
    require_server("cairnd")
    started = resolvers.cairnd_resolver(
        tmp_path / "resolver",
        hierarchy,
        options_extra=f"resolver-query-timeout {QUERY_TIMEOUT_S}; stale-cache-enable yes; servfail-ttl 0;",
    ).start()
    yield started
    started.stop()


def addresses(response) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


def test_authorities_down_cache_then_servfail_naming_them_then_stale(hierarchy, resolver):
    servers = hierarchy.start_zone("outage.test.")
    try:
        fresh = resolver.query("www.outage.test.", "A")
        assert addresses(fresh) == ["192.0.2.7"]
        ttl = fresh.answer[0].ttl
        assert 0 < ttl <= 4
        # Both authorities stop answering: their processes are frozen (the whole process group each runs in:
        # NSD forks its servers), so queries to them time out as to a host that went away.
        for server in servers:
            os.killpg(server.pid, signal.SIGSTOP)

        cached = resolver.query("www.outage.test.", "A")
        assert addresses(cached) == ["192.0.2.7"], "the cache answers while the TTL runs"

        time.sleep(ttl + 1)
        started = time.monotonic()
        failed = resolver.query("www.outage.test.", "A", timeout=QUERY_TIMEOUT_S + 10)
        elapsed = time.monotonic() - started
        assert failed.rcode() == dns.rcode.SERVFAIL, failed.to_text()
        assert elapsed < QUERY_TIMEOUT_S + 1.5, "the SERVFAIL comes within resolver-query-timeout"
        code, text = resolvers.ede(failed)
        assert code == 22, text  # No Reachable Authority
        assert "outage.test" in text and "127.53.3.1" in text and "127.53.3.2" in text, text

        reply = resolver.rndc("serve-stale", "on")
        assert reply.returncode == 0, reply.stderr
        stale = resolver.query("www.outage.test.", "A", timeout=QUERY_TIMEOUT_S + 10)
        assert stale.rcode() == dns.rcode.NOERROR
        assert addresses(stale) == ["192.0.2.7"]
        assert resolvers.ede(stale)[0] == 3  # Stale Answer
        assert stale.answer[0].ttl == 30, "stale-answer-ttl"
        status = resolver.rndc("serve-stale", "status")
        assert "stale answers enabled" in status.stdout, status.stdout
        assert "cairn_resolver_stale_answers_total" in resolver.metrics()
    finally:
        for server in servers:
            if server.proc is not None and server.proc.poll() is None:
                os.killpg(server.pid, signal.SIGCONT)
        hierarchy.stop_zone("outage.test.")


def test_cached_nxdomain_outlives_the_new_record_until_rndc_flushname(hierarchy, resolver):
    hierarchy.start_zone("late.test.")
    try:
        first = resolver.query("new.late.test.", "A")
        assert first.rcode() == dns.rcode.NXDOMAIN
        soa_ttl = first.authority[0].ttl
        assert soa_ttl <= 30, "min(SOA TTL, SOA MINIMUM)"

        # The record is added and the authority reloads: it answers it at once.
        zone = hierarchy.spec.zone("late.test.")
        zone.records.append("new A 192.0.2.9")
        zone.serial += 1
        hierarchy.write_zone(zone)
        authority = hierarchy.server("ns1.late.test.")
        authority.reload()
        def authority_answers() -> bool:
            probe = dns.message.make_query("new.late.test.", "A")
            return addresses(dns.query.udp(probe, authority.host, port=authority.port, timeout=1)) == ["192.0.2.9"]

        assert wait_for(authority_answers, timeout=10)

        # The resolver still has its NXDOMAIN, the SOA's TTL lower each time it answers.
        time.sleep(1.1)
        still = resolver.query("new.late.test.", "A")
        assert still.rcode() == dns.rcode.NXDOMAIN
        assert still.authority[0].ttl < soa_ttl

        flushed = resolver.rndc("flushname", "new.late.test")
        assert flushed.returncode == 0, flushed.stderr
        assert "1 negative" in flushed.stdout, flushed.stdout
        after = resolver.query("new.late.test.", "A")
        assert after.rcode() == dns.rcode.NOERROR
        assert addresses(after) == ["192.0.2.9"]
    finally:
        hierarchy.stop_zone("late.test.")
        zone = hierarchy.spec.zone("late.test.")
        zone.records = [r for r in zone.records if not r.startswith("new ")]
