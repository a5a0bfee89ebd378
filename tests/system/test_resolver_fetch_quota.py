"""fetches-per-zone and fetches-per-server. Against a forwarder that never answers (a bound UDP socket that
reads nothing, 127.53.9.1): a first query holds the zone's and the server's one fetch; the next query for
the same zone is spilled, and `fail` answers it SERVFAIL at once where `drop` (fetches-per-zone's default)
leaves it unanswered; a query for another zone forwarded to the same busy server meets fetches-per-server
(default `fail`). Iteratively, against outage.test.'s servers made silent: spilled per zone cut. BIND
(named): its spill lines have cairnd's shape, and fetches-per-server fails at once as cairnd's. (BIND 9.18
does not count forward-only fetches under fetches-per-zone; cairnd does, docs/differences.md.)"""

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


@pytest.fixture
def silent_outage_servers():
    """outage.test.'s two name servers (not started by the hierarchy) as sockets that read nothing: an
    iterative fetch under outage.test waits there."""
    sockets = []
    for address in ("127.53.3.1", "127.53.3.2"):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, 53))
        sockets.append(sock)
    yield
    for sock in sockets:
        sock.close()


SPILL = re.compile(r"too many simultaneous fetches for (\S+) \(allowed \d+ spilled \d+\)")
DISCARDED = re.compile(r"fetch counters for (\S+) now being discarded \(allowed \d+ spilled \d+; cumulative since "
                       r"initial trigger event\)")


def test_iterative_fetches_spill_per_zone_cut(hierarchy, silent_outage_servers, tmp_path):
    """Iteratively: a fetch waits on outage.test.'s silent servers; the next question under that zone cut is
    spilled, SERVFAIL at once, logged as BIND logs it."""
    require_server("cairnd")
    server = resolvers.cairnd_resolver(tmp_path / "cairnd", hierarchy,
                                       options_extra="fetches-per-zone 1 fail; resolver-query-timeout 10;").start()
    try:
        hold_first_fetch(server, "first.outage.test.")
        response, took = timed(server, "second.outage.test.")
        assert response.rcode() == dns.rcode.SERVFAIL
        assert took < 3, took
        assert resolvers.ede(response) == (0, "fetches-per-zone limit (1) reached for outage.test")
        assert wait_for(lambda: "spill: too many simultaneous fetches for outage.test (allowed 1 spilled 1)"
                        in server.log_text(), timeout=5), server.log_text()[-2000:]
    finally:
        server.stop()


def test_bind_logs_the_same_lines(hierarchy, tmp_path):
    """BIND 9.18 with fetches-per-zone 1 on a cold cache spills its own lookups under the root: its lines
    have the shape cairnd writes."""
    require_server("named")
    bind = resolvers.named_resolver(tmp_path / "named", hierarchy, options_extra="fetches-per-zone 1 fail;")
    try:
        bind.query("www.glue.test.", "A")
        assert wait_for(lambda: SPILL.search(bind.log_text()) and DISCARDED.search(bind.log_text()), timeout=10), \
            bind.log_text()[-2000:]
    finally:
        bind.stop()


def test_bind_fails_at_once_at_fetches_per_server(hierarchy, silent_forwarder, tmp_path):
    """BIND with the first test's forward zones and fetches-per-server 1: SERVFAIL at once, as cairnd."""
    require_server("named")
    bind = resolvers.named_resolver(tmp_path / "named", hierarchy, options_extra="fetches-per-server 1;",
                                    extra=ZONES)
    try:
        hold_first_fetch(bind, "first.a.quota.test.")
        response, took = timed(bind, "third.b.quota.test.")
        assert response.rcode() == dns.rcode.SERVFAIL
        assert took < 3, took
    finally:
        bind.stop()
