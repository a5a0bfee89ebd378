"""fetches-per-zone and fetches-per-server against a forwarder that never answers (a bound UDP socket that
reads nothing, 127.53.9.1): a first query holds the zone's and the server's one fetch; the next query for
the same zone is spilled, and BIND's `fail` answers it SERVFAIL at once where `drop` (fetches-per-zone's
default) leaves it unanswered; a query for another zone forwarded to the same busy server meets
fetches-per-server (default `fail`). BIND (named) runs the same configuration: the same SERVFAIL at once
and the same spill log line."""

from __future__ import annotations

import re
import socket
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

import resolvers
from conftest import require_server
from waiting import wait_for

SILENT = "127.53.9.1"
ZONES = (
    'zone "a.quota.test" { type forward; forward only; forwarders { 127.53.9.1; }; };\n'
    'zone "b.quota.test" { type forward; forward only; forwarders { 127.53.9.1; }; };\n'
)


@pytest.fixture(scope="module")
def silent_forwarder():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((SILENT, 53))
    yield sock
    sock.close()


def send_and_forget(port: int, name: str) -> None:
    """A query whose answer nobody waits for: it holds a fetch while the test goes on."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(resolvers.make_query(name, "A").to_wire(), ("127.0.0.1", port))


def timed(resolver, name: str, timeout: float = 15) -> tuple[dns.message.Message, float]:
    begun = time.monotonic()
    response = resolver.query(name, "A", timeout=timeout)
    return response, time.monotonic() - begun



def hold_first_fetch(resolver, name: str) -> None:
    send_and_forget(resolver.port, name)
    time.sleep(0.5)  # the resolver has sent its upstream query (generous on a loaded machine)


def test_fail_answers_servfail_at_once_with_bind_log_lines(hierarchy, silent_forwarder, tmp_path):
    require_server("cairnd")
    resolver = resolvers.cairnd_resolver(
        tmp_path / "cairnd",
        hierarchy,
        options_extra="fetches-per-zone 1 fail; fetches-per-server 1; resolver-query-timeout 3;",
        extra=ZONES,
    ).start()
    try:
        hold_first_fetch(resolver, "first.a.quota.test.")
        # Same zone: spilled, SERVFAIL at once (not after resolver-query-timeout), the reason in EDE.
        response, took = timed(resolver, "second.a.quota.test.")
        assert response.rcode() == dns.rcode.SERVFAIL
        assert took < 2, took
        assert resolvers.ede(response) == (0, "fetches-per-zone limit (1) reached for a.quota.test")
        # Another zone on the same busy forwarder (busy with the first fetch, or this one if that ended):
        # fetches-per-server, whose default response is fail.
        hold_first_fetch(resolver, "again.a.quota.test.")
        response, took = timed(resolver, "third.b.quota.test.")
        assert response.rcode() == dns.rcode.SERVFAIL
        assert took < 2, took
        assert resolvers.ede(response) == (0, "fetches-per-server limit (1) reached for every server of b.quota.test")
        # Unrelated names resolve meanwhile.
        assert resolver.query("www.glue.test.", "A").rcode() == dns.rcode.NOERROR
        assert wait_for(lambda: "spill: too many simultaneous fetches for a.quota.test (allowed 1 spilled 1)"
                        in resolver.log_text(), timeout=5), "the spill line"
        metrics = resolver.metrics()
        assert resolvers.metric(metrics, "cairn_resolver_zone_quota_total") >= 1, metrics
        assert resolvers.metric(metrics, "cairn_resolver_server_quota_total") == 1, metrics
        assert resolvers.metric(metrics, "cairn_resolver_quota_drops_total") == 0, metrics
        # The held fetches time out; the zone's counter goes with BIND's closing line.
        closing = re.compile(r"spill: fetch counters for a\.quota\.test now being discarded \(allowed \d+ spilled \d+; "
                             r"cumulative since initial trigger event\)")
        assert wait_for(lambda: closing.search(resolver.log_text()), timeout=20), "the closing spill line"
        # A spilled query was not cached as a failure: now it is asked upstream (silence) like any other.
        with pytest.raises(dns.exception.Timeout):
            resolver.query("second.a.quota.test.", "A", timeout=1.5)
    finally:
        resolver.stop()


def test_drop_leaves_the_client_unanswered(hierarchy, silent_forwarder, tmp_path):
    require_server("cairnd")
    resolver = resolvers.cairnd_resolver(
        tmp_path / "cairnd", hierarchy, options_extra="fetches-per-zone 1; resolver-query-timeout 3;", extra=ZONES
    ).start()
    try:
        hold_first_fetch(resolver, "first.a.quota.test.")
        with pytest.raises(dns.exception.Timeout):
            resolver.query("second.a.quota.test.", "A", timeout=2)
        assert resolver.query("www.glue.test.", "A").rcode() == dns.rcode.NOERROR
        metrics = resolver.metrics()
        assert resolvers.metric(metrics, "cairn_resolver_zone_quota_total") == 1, metrics
        assert resolvers.metric(metrics, "cairn_resolver_quota_drops_total") == 1, metrics
        assert "spill: too many simultaneous fetches for a.quota.test (allowed 1 spilled 1)" in resolver.log_text()
    finally:
        resolver.stop()


def test_bind_does_the_same(hierarchy, silent_forwarder, tmp_path):
    require_server("named")
    bind = resolvers.named_resolver(
        tmp_path / "named", hierarchy, options_extra="fetches-per-zone 1 fail; fetches-per-server 1;", extra=ZONES
    )
    try:
        hold_first_fetch(bind, "first.a.quota.test.")
        response, took = timed(bind, "second.a.quota.test.")
        assert response.rcode() == dns.rcode.SERVFAIL
        assert took < 3, took
        assert wait_for(lambda: "too many simultaneous fetches for a.quota.test (allowed 1 spilled 1)"
                        in bind.process.log(), timeout=5), "BIND's spill line"
    finally:
        bind.stop()
