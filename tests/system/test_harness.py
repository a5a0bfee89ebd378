"""The harness itself (servers.py): every server kind starts on loopback, answers over UDP and TCP on IPv4
and IPv6, stops by PID leaving its port free, and a server that cannot start says why."""

from __future__ import annotations

import os
import time

import dns.flags
import dns.rcode
import pytest

import dnsclient
import servers
from conftest import require_server

KINDS = ["nsd", "knotd", "named", "cairnd"]


@pytest.mark.parametrize("kind", KINDS)
def test_server_answers_on_every_transport_and_stops(kind, start_server, answers_zones):
    server = start_server(kind, answers_zones)
    pid = server.pid
    for tcp in (False, True):
        for ipv6 in (False, True) if server.host6 else (False,):
            response = dnsclient.query(server, "www.example.test", "AAAA", tcp=tcp, ipv6=ipv6)
            assert response.rcode() == dns.rcode.NOERROR
            assert response.flags & dns.flags.AA
            assert [rdata.address for rdata in response.answer[0]] == ["2001:db8::10"]
    server.stop()
    assert not _alive(pid), f"{kind} pid {pid} still runs after stop()"
    assert servers._port_is_free(server.port, server.options.ipv6)


@pytest.mark.parametrize("kind", KINDS)
def test_start_failure_reports_the_servers_own_words(kind, tmp_path):
    # BIND, Knot and NSD keep running without the zone, so for them the failure is the bounded wait running
    # out; cairnd serves what loads too.
    require_server(kind)
    broken = tmp_path / "broken.test.zone"
    broken.write_text("$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n  NS ns1\nns1 A 192.0.2.300\n")
    server = servers.AuthServer(kind, tmp_path / kind, [servers.Zone("broken.test", broken)], start_timeout=2.5)
    started = time.monotonic()
    with pytest.raises(servers.ServerStartError) as failure:
        server.start(attempts=1)
    server.stop()
    assert time.monotonic() - started < 8
    message = str(failure.value)
    assert kind in message and "--- stderr ---" in message
    assert "broken.test" in message.split("--- stderr ---", 1)[1], message


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
