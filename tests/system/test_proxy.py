"""The damaging TCP proxy (proxy.py) against a real AXFR from NSD and Knot; its NOTIFY-answering UDP counter."""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rdatatype
import dns.zone
import pytest

import servers
from proxy import TcpProxy

ZONE = "example.test."


@pytest.fixture(scope="module", params=["nsd", "knotd"])
def primary(request, module_server, answers_zones):
    return module_server(request.param, answers_zones[:1], servers.ServerOptions(allow_transfer=True))


def transfer(host: str, port: int) -> dns.zone.Zone:
    messages = dns.query.xfr(host, ZONE, port=port, timeout=1, lifetime=3, relativize=False)
    return dns.zone.from_xfr(messages, relativize=False)


def test_transfer_through_proxy_is_intact(primary):
    direct = transfer(primary.host, primary.port)
    with TcpProxy(primary.host, primary.port) as proxy:
        proxied = transfer(proxy.host, proxy.port)
    assert proxy.connections == 1
    assert proxied == direct
    assert len(list(proxied.iterate_rdatas())) > 50  # the whole zone, not an empty shell


@pytest.mark.parametrize("cut_after", [1, 100, 2000])
def test_cut_connection_fails_the_transfer(primary, cut_after):
    with TcpProxy(primary.host, primary.port, cut_after=cut_after) as proxy:
        with pytest.raises((dns.exception.DNSException, EOFError, ConnectionError)):
            transfer(proxy.host, proxy.port)
    assert proxy.connections == 1


@pytest.mark.parametrize(
    "flip_at",
    [
        0,  # the TCP length prefix: the client waits for octets that never come
        5,  # the second flags octet: RCODE 15 instead of NOERROR
    ],
)
def test_flipped_byte_fails_the_transfer(primary, flip_at):
    with TcpProxy(primary.host, primary.port, flip_at=flip_at) as proxy:
        with pytest.raises((dns.exception.DNSException, EOFError, ConnectionError)):
            transfer(proxy.host, proxy.port)


def test_answer_udp_acknowledges_each_notify_and_counts_it():
    with TcpProxy("127.0.0.1", 9, answer_udp=True, host="127.61.0.2") as listener:
        for _ in range(3):
            notify = dns.message.make_query("example.test", "SOA")
            notify.set_opcode(dns.opcode.NOTIFY)
            notify.flags |= dns.flags.AA
            answer = dns.query.udp(notify, listener.host, port=listener.port, timeout=2)
            assert answer.flags & dns.flags.QR and answer.opcode() == dns.opcode.NOTIFY
            assert answer.id == notify.id and answer.question == notify.question
        assert len(listener.datagrams) == 3 and listener.most_in_window(60.0) == 3
        listener.clear_datagrams()
        assert listener.most_in_window() == 0
