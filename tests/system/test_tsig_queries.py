"""TSIG (RFC 8945) on ordinary queries to cairnd: signed queries are verified and answered signed over UDP
and TCP, failures get NOTAUTH with the TSIG error (BADSIG, BADKEY unsigned; BADTIME, BADTRUNC signed), and
the key that signed a request is a fact for allow-query, allow-transfer and view match-clients.

Clients: BIND's dig (-y ALG:NAME:SECRET) and dnspython, which verifies every signed answer itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import subprocess
import time
from pathlib import Path

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.zone
import pytest

import servers
from waiting import responds, wait_for

KEY = "k.example."
SECRET = base64.b64encode(bytes(range(1, 33))).decode()
OTHER = "other.example."
OTHER_SECRET = base64.b64encode(bytes(range(101, 133))).decode()
WRONG_SECRET = base64.b64encode(b"w" * 32).decode()


def zone_file(directory: Path, origin: str, address: str) -> Path:
    path = directory / f"{origin}zone"
    path.write_text(
        "$TTL 300\n"
        f"@ SOA ns1.{origin} hostmaster.{origin} 1 3600 600 86400 300\n"
        f"  NS ns1.{origin}\n"
        f"ns1 A 192.0.2.1\n"
        f"www A {address}\n"
    )
    return path


class Daemon(servers.LoggedProcess):
    """cairnd on `config_text` with @PORT@ replaced by a free port, running once it answers."""

    def __init__(self, directory: Path, config_text: str):
        self.port = servers.free_port(ipv6=False)
        self.config = directory / "named.conf"
        self.config.write_text(config_text.replace("@PORT@", str(self.port)))
        super().__init__([str(servers.cairnd_binary()), "-c", str(self.config), "-n", "1"], directory, "cairnd.log")

        def exited() -> bool:
            return self.proc.poll() is not None

        if not wait_for(lambda: exited() or responds(self.port, "ns1.open.example.", "A"), 10) or exited():
            self.stop()
            raise AssertionError(f"cairnd did not start: {self.log()}")


KEYS = (
    f'key "{KEY}" {{ algorithm hmac-sha256; secret "{SECRET}"; }};\n'
    f'key {OTHER} {{ algorithm hmac-sha256; secret "{OTHER_SECRET}"; }};\n'
)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    directory = tmp_path_factory.mktemp("tsig-queries")
    open_zone = zone_file(directory, "open.example.", "192.0.2.10")
    keyed_zone = zone_file(directory, "keyed.example.", "192.0.2.20")
    config = (
        KEYS + "options {\n"
        "    listen-on port @PORT@ { 127.0.0.1; };\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "};\n"
        f'zone "open.example." {{ type primary; file "{open_zone}"; allow-transfer {{ key "{KEY}"; }}; }};\n'
        # Unquoted and quoted key names; an address element besides the key: one match is enough.
        f'zone "keyed.example." {{ type primary; file "{keyed_zone}"; allow-query {{ 192.0.2.99; key {KEY}; }};\n'
        f'    allow-transfer {{ key "{KEY}"; }}; }};\n'
    )
    server = Daemon(directory, config)
    yield server
    server.stop()


def keyring(name: str = KEY, secret: str = SECRET) -> dict:
    return dns.tsigkeyring.from_text({name: ("hmac-sha256", secret)})


def signed_query(qname: str, rdtype: str = "A", name: str = KEY, secret: str = SECRET) -> dns.message.Message:
    query = dns.message.make_query(qname, rdtype, use_edns=True)
    query.use_tsig(keyring(name, secret), keyname=name)
    return query


def dig(port: int, *args: str) -> str:
    done = subprocess.run(["dig", "-p", str(port), "@127.0.0.1", "+time=2", "+tries=1", *args],
                          capture_output=True, text=True, timeout=15)
    return done.stdout + done.stderr


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_dig_with_the_key_gets_a_signed_answer_that_verifies(daemon, transport):
    out = dig(daemon.port, "-y", f"hmac-sha256:{KEY}:{SECRET}", "www.open.example.", "A", f"+{transport}"
              if transport == "tcp" else "+notcp")
    assert "status: NOERROR" in out, out
    assert "192.0.2.10" in out, out
    assert "TSIG PSEUDOSECTION" in out and "NOERROR 0" in out.split("TSIG PSEUDOSECTION")[1], out
    assert "Couldn't verify" not in out and "failure" not in out.lower(), out


def test_dig_with_a_wrong_secret_gets_badsig(daemon):
    out = dig(daemon.port, "-y", f"hmac-sha256:{KEY}:{WRONG_SECRET}", "www.open.example.", "A")
    assert "status: NOTAUTH" in out, out
    assert "BADSIG" in out, out


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_dnspython_verifies_the_signed_answer(daemon, tcp):
    send = dns.query.tcp if tcp else dns.query.udp
    response = send(signed_query("www.open.example."), "127.0.0.1", port=daemon.port, timeout=3)
    assert response.had_tsig  # and dnspython checked its MAC against the request's
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer[0][0].address == "192.0.2.10"


def test_unsigned_queries_still_answer_unsigned(daemon):
    response = dns.query.udp(dns.message.make_query("www.open.example.", "A"), "127.0.0.1", port=daemon.port,
                             timeout=3)
    assert not response.had_tsig
    assert response.answer[0][0].address == "192.0.2.10"


def test_wrong_secret_is_badsig_and_unknown_key_is_badkey(daemon):
    with pytest.raises(dns.tsig.PeerBadSignature):
        dns.query.udp(signed_query("www.open.example.", secret=WRONG_SECRET), "127.0.0.1", port=daemon.port,
                      timeout=3)
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.query.udp(signed_query("www.open.example.", name="nobody.example."), "127.0.0.1", port=daemon.port,
                      timeout=3)


def test_old_time_is_badtime_signed_with_the_server_time(daemon, monkeypatch):
    class OldClock:
        @staticmethod
        def time() -> float:
            return time.time() - 3600

    monkeypatch.setattr(dns.message, "time", OldClock)
    query = signed_query("www.open.example.")
    wire = query.to_wire()  # signed an hour ago
    monkeypatch.undo()
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(wire, ("127.0.0.1", daemon.port))
        raw = sock.recv(4096)
    # dnspython verifies the BADTIME answer's own signature before raising on its error.
    with pytest.raises(dns.tsig.PeerBadTime):
        dns.message.from_wire(raw, keyring=keyring(), request_mac=query.mac)
    assert raw[3] & 0x0F == dns.rcode.NOTAUTH
    # Other Data carries the server's clock (RFC 8945 §5.2.3).
    assert abs(int.from_bytes(raw[-6:], "big") - time.time()) < 10
    assert raw[-10:-8] == struct.pack("!H", 18)  # error BADTIME


def raw_signed(qname: str, mac_octets: int) -> tuple[bytes, bytes]:
    """A query signed by hand with hmac-sha256, its MAC truncated to `mac_octets`; (wire, mac)."""
    query = dns.message.make_query(qname, "A")
    query.id = 4242
    body = query.to_wire()
    key_name = dns.name.from_text(KEY).to_wire()
    algorithm = dns.name.from_text("hmac-sha256.").to_wire()
    now = int(time.time())
    timers = struct.pack("!HIH", now >> 32, now & 0xFFFFFFFF, 300)
    digest_input = body + key_name + struct.pack("!HI", 255, 0) + algorithm + timers + struct.pack("!HH", 0, 0)
    mac = hmac.new(base64.b64decode(SECRET), digest_input, hashlib.sha256).digest()[:mac_octets]
    rdata = algorithm + timers + struct.pack("!H", len(mac)) + mac + struct.pack("!HHH", query.id, 0, 0)
    record = key_name + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
    wire = bytearray(body + record)
    wire[10:12] = struct.pack("!H", struct.unpack("!H", body[10:12])[0] + 1)
    return bytes(wire), mac


def test_hand_signed_full_mac_answers_and_truncated_mac_is_badtrunc(daemon):
    import socket

    def exchange(wire: bytes) -> bytes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            sock.sendto(wire, ("127.0.0.1", daemon.port))
            return sock.recv(4096)

    wire, mac = raw_signed("www.open.example.", 32)
    good = dns.message.from_wire(exchange(wire), keyring=keyring(), request_mac=mac)
    assert good.rcode() == dns.rcode.NOERROR and good.had_tsig
    # 16 octets is a legal length for hmac-sha256 but shorter than the key's: BADTRUNC, signed.
    wire, mac = raw_signed("www.open.example.", 16)
    with pytest.raises(dns.tsig.PeerBadTruncation):
        dns.message.from_wire(exchange(wire), keyring=keyring(), request_mac=mac)


def test_allow_query_key_admits_the_key_only(daemon):
    # No key: REFUSED (the address element does not match 127.0.0.1).
    unsigned = dns.query.udp(dns.message.make_query("www.keyed.example.", "A"), "127.0.0.1", port=daemon.port,
                             timeout=3)
    assert unsigned.rcode() == dns.rcode.REFUSED
    # The named key: answered, signed.
    for send in (dns.query.udp, dns.query.tcp):
        signed = send(signed_query("www.keyed.example."), "127.0.0.1", port=daemon.port, timeout=3)
        assert signed.rcode() == dns.rcode.NOERROR and signed.had_tsig
        assert signed.answer[0][0].address == "192.0.2.20"
    # A valid key the ACL does not name: REFUSED, and the refusal is signed with that key.
    other = dns.query.udp(signed_query("www.keyed.example.", name=OTHER, secret=OTHER_SECRET), "127.0.0.1",
                          port=daemon.port, timeout=3)
    assert other.rcode() == dns.rcode.REFUSED and other.had_tsig
    out = dig(daemon.port, "www.keyed.example.", "A")
    assert "status: REFUSED" in out, out


def test_allow_transfer_key_over_the_query_path(daemon):
    zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "keyed.example.", port=daemon.port, keyring=keyring(),
                                           keyname=KEY, timeout=5))
    assert zone.get_rdataset("www", "A")[0].address == "192.0.2.20"
    other = signed_query("keyed.example.", "AXFR", name=OTHER, secret=OTHER_SECRET)
    refused = dns.query.tcp(other, "127.0.0.1", port=daemon.port, timeout=3)
    assert refused.rcode() == dns.rcode.REFUSED and refused.had_tsig
    out = dig(daemon.port, "-y", f"hmac-sha256:{KEY}:{SECRET}", "open.example.", "AXFR")
    assert "192.0.2.10" in out and "Couldn't verify" not in out, out


def test_failed_verification_is_logged_without_the_secret(daemon):
    with pytest.raises(dns.tsig.PeerBadSignature):
        dns.query.udp(signed_query("www.open.example.", secret=WRONG_SECRET), "127.0.0.1", port=daemon.port,
                      timeout=3)
    log = daemon.log()
    assert "BADSIG" in log, log
    assert SECRET not in log and WRONG_SECRET not in log


@pytest.fixture(scope="module")
def views_daemon(tmp_path_factory):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    directory = tmp_path_factory.mktemp("tsig-views")
    inside = zone_file(directory, "open.example.", "10.0.0.10")
    (directory / "outside").mkdir()
    outside = zone_file(directory / "outside", "open.example.", "192.0.2.10")
    config = (
        KEYS + "options {\n"
        "    listen-on port @PORT@ { 127.0.0.1; };\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "};\n"
        f'view "internal" {{ match-clients {{ key "{KEY}"; }};\n'
        f'    zone "open.example." {{ type primary; file "{inside}"; }}; }};\n'
        f'view "other" {{ match-clients {{ key {OTHER}; }};\n'
        f'    zone "open.example." {{ type primary; file "{outside}"; allow-query {{ none; }}; }}; }};\n'
        'view "external" { match-clients { any; };\n'
        f'    zone "open.example." {{ type primary; file "{outside}"; }}; }};\n'
    )
    server = Daemon(directory, config)
    yield server
    server.stop()


def test_view_match_clients_key_picks_the_view(views_daemon):
    port = views_daemon.port
    inside = dns.query.udp(signed_query("www.open.example."), "127.0.0.1", port=port, timeout=3)
    assert inside.had_tsig and inside.answer[0][0].address == "10.0.0.10"
    outside = dns.query.udp(dns.message.make_query("www.open.example.", "A"), "127.0.0.1", port=port, timeout=3)
    assert outside.answer[0][0].address == "192.0.2.10"
    # The other key lands in its own view, whose allow-query refuses: REFUSED, signed.
    other = dns.query.tcp(signed_query("www.open.example.", name=OTHER, secret=OTHER_SECRET), "127.0.0.1",
                          port=port, timeout=3)
    assert other.rcode() == dns.rcode.REFUSED and other.had_tsig
    out = dig(port, "-y", f"hmac-sha256:{KEY}:{SECRET}", "www.open.example.", "A", "+short")
    assert out.strip().splitlines()[0] == "10.0.0.10", out
