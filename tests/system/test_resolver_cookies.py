"""DNS Cookies (RFC 7873, RFC 9018) on both sides of cairnd the resolver. Upstream, against the scripted
authority of hostile.test. (hostile_authority.py): one client cookie per server, the server cookie it gave
sent back, BADCOOKIE retried with the new cookie, a reply that does not echo our client cookie dropped as
spoofed. Downstream: a client that sends a cookie gets our server cookie with every answer, resolved or from
the cache (before, only a rate-limited slipped reply gave one)."""

from __future__ import annotations

import re

import dns.edns
import dns.message
import dns.query
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server
from hostile_authority import BAD_COOKIE_FRESH, SERVER_COOKIE, HostileAuthority


@pytest.fixture(scope="module")
def evil():
    with HostileAuthority() as authority:
        yield authority


@pytest.fixture(scope="module")
def resolver(hierarchy, evil, tmp_path_factory):
    require_server("cairnd")
    started = resolvers.cairnd_resolver(tmp_path_factory.mktemp("cookies"), hierarchy,
                                      options_extra="resolver-query-timeout 4;").start()
    yield started
    started.stop()


def addresses(response) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)



def cookie_of(message: dns.message.Message) -> bytes:
    for option in message.options:
        if option.otype == dns.edns.COOKIE:
            return option.to_wire()
    return b""


def test_each_query_carries_our_client_cookie_then_the_server_cookie(resolver, evil):
    for i in range(3):
        assert addresses(resolver.query(f"c{i}.hostile.test.", "A")) == ["192.0.2.99"]
    seen = evil.queries_for(".hostile.test.")
    assert seen, "the hostile authority was never asked"
    assert all(len(s.cookie) in (8, 24) for s in seen), seen
    assert len({s.cookie[:8] for s in seen}) == 1, seen  # one client cookie for this server
    assert len(seen[0].cookie) == 8  # nothing learnt before the first reply
    assert seen[-1].cookie[8:] == SERVER_COOKIE  # the server's cookie sent back
    metrics = resolver.metrics()
    assert resolvers.metric(metrics, "cairn_resolver_upstream_cookies_received_total") >= 1, metrics
    assert resolvers.metric(metrics, "cairn_resolver_upstream_server_cookies_sent_total") >= 1, metrics


def test_badcookie_is_retried_with_the_new_server_cookie(resolver, evil):
    response = resolver.query("badcookie.hostile.test.", "A")
    assert addresses(response) == ["192.0.2.68"], response
    asked = evil.queries_for("badcookie.hostile.test.")
    assert len(asked) == 2, asked
    assert asked[0].cookie[8:] != BAD_COOKIE_FRESH and asked[1].cookie[8:] == BAD_COOKIE_FRESH
    assert resolvers.metric(resolver.metrics(), "cairn_resolver_upstream_badcookie_total") == 1


def test_a_reply_with_another_client_cookie_is_dropped(resolver, evil):
    before = int(re.search(r"cairn_resolver_upstream_ignored_total (\d+)", resolver.metrics()).group(1))
    response = resolver.query("wrongcookie.hostile.test.", "A")
    assert addresses(response) == ["192.0.2.69"], response
    assert "6.6.6.6" not in response.to_text()
    after = int(re.search(r"cairn_resolver_upstream_ignored_total (\d+)", resolver.metrics()).group(1))
    assert after > before
    assert len(evil.queries_for("wrongcookie.hostile.test.")) == 1  # the real reply came on the same query


def test_answers_give_the_client_our_server_cookie(resolver):
    client_cookie = bytes.fromhex("0102030405060708")
    request = dns.message.make_query("www.glue.test.", "A", use_edns=0, payload=1232,
                                     options=[dns.edns.GenericOption(dns.edns.COOKIE, client_cookie)])
    for _ in range(2):  # resolved, then from the cache
        response = dns.query.udp(request, "127.0.0.1", port=resolver.port, timeout=15)
        assert addresses(response) == ["192.0.2.1"]
        cookie = cookie_of(response)
        assert len(cookie) == 24 and cookie[:8] == client_cookie and cookie[8] == 1, cookie.hex()
    # A failure carries it too; a client without a cookie gets none.
    failing = dns.message.make_query("nothing.outage.test.", "A", use_edns=0, payload=1232,
                                     options=[dns.edns.GenericOption(dns.edns.COOKIE, client_cookie)])
    assert cookie_of(dns.query.udp(failing, "127.0.0.1", port=resolver.port, timeout=20))[:8] == client_cookie
    assert cookie_of(resolver.query("www.glue.test.", "A")) == b""
