"""TSIG (RFC 8945) against independent implementations: dnspython's dns.tsig, BIND's dig and tsig-keygen, Knot's kdig.

cairn's side runs through tests/tools/tsig_tool (the dns/tsig.hpp codec on hex messages) and
`cairn tsig-keygen`. Every algorithm is signed by one side and verified by the other, both ways, for
single messages, error answers and multi-message (zone transfer) streams.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import pytest

import servers

TOOL = servers.cairn_build_dir() / "tests" / "tools" / "tsig_tool"
CAIRN = servers.cairn_build_dir() / "src" / "cli" / "cairn"
KEY_NAME = "transfer-key.example."
# (named.conf name, wire name, digest octets)
ALGORITHMS = [
    ("hmac-md5", "HMAC-MD5.SIG-ALG.REG.INT.", 16),
    ("hmac-sha1", "hmac-sha1.", 20),
    ("hmac-sha224", "hmac-sha224.", 28),
    ("hmac-sha256", "hmac-sha256.", 32),
    ("hmac-sha384", "hmac-sha384.", 48),
    ("hmac-sha512", "hmac-sha512.", 64),
]
ALGORITHM_IDS = [a[0] for a in ALGORITHMS]


def tool(*args: str, stdin: str | None = None) -> list[str]:
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built (ninja -C build tsig_tool, or set CAIRN_BUILD)")
    done = subprocess.run([str(TOOL), *args], input=stdin, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


class Key:
    def __init__(self, config_name: str, wire_name: str, length: int, name: str = KEY_NAME, secret=None):
        self.config_name = config_name
        self.wire_name = dns.name.from_text(wire_name)
        self.name = dns.name.from_text(name)
        self.secret = secret if secret is not None else os.urandom(length)

    @property
    def spec(self) -> str:
        return f"{self.config_name}:{self.name}:{base64.b64encode(self.secret).decode()}"

    @property
    def keyring(self) -> dict:
        return {self.name: dns.tsig.Key(self.name, self.secret, self.wire_name)}


def now() -> str:
    return str(int(time.time()))


def query(key: Key | None = None, qname: str = "www.example.") -> dns.message.Message:
    q = dns.message.make_query(qname, "A", use_edns=True)
    if key is not None:
        q.use_tsig(key.keyring, keyname=key.name, algorithm=key.wire_name)
    return q


def answer_to(q: dns.message.Message, addresses: int = 2) -> dns.message.Message:
    plain = dns.message.make_query(q.question[0].name, "A")
    plain.id = q.id
    r = dns.message.make_response(plain)
    r.answer.append(
        dns.rrset.from_text(q.question[0].name, 300, "IN", "A", *[f"192.0.2.{i + 1}" for i in range(addresses)])
    )
    return r


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_dnspython_signs_cairn_verifies_and_answers(algorithm):
    key = Key(*algorithm)
    q = query(key)
    wire = q.to_wire()
    status, mac = tool("verify-request", key.spec, now(), wire.hex())
    assert status == "NOERROR"
    assert mac == q.mac.hex()

    status, signed = tool("respond", key.spec, now(), wire.hex(), answer_to(q).to_wire().hex())
    assert status == "NOERROR"
    parsed = dns.message.from_wire(bytes.fromhex(signed), keyring=key.keyring, request_mac=q.mac)
    assert parsed.had_tsig
    assert parsed.answer == answer_to(q).answer


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_cairn_signs_dnspython_verifies_and_answers(algorithm):
    key = Key(*algorithm)
    signed, mac = tool("sign", key.spec, now(), "-", query().to_wire().hex())
    parsed = dns.message.from_wire(bytes.fromhex(signed), keyring=key.keyring)
    assert parsed.had_tsig
    assert parsed.mac.hex() == mac
    assert len(parsed.mac) == algorithm[2]

    response = dns.message.make_response(parsed)  # signed by dnspython with our MAC as request MAC
    response.answer = answer_to(parsed).answer
    assert tool("verify-response", key.spec, now(), mac, response.to_wire().hex()) == ["NOERROR", "0"]
    # Against another request MAC the same answer must not verify.
    other_mac = bytes(len(bytes.fromhex(mac))).hex()
    assert tool("verify-response", key.spec, now(), other_mac, response.to_wire().hex())[0] == "BADSIG"


def test_dnspython_rejects_tampered_cairn_signature():
    key = Key(*ALGORITHMS[3])
    signed, _ = tool("sign", key.spec, now(), "-", query().to_wire().hex())
    tampered = bytearray(bytes.fromhex(signed))
    tampered[14] ^= 0x20  # the case of a qname letter: the name compares equal, the MAC must not
    with pytest.raises(dns.tsig.BadSignature):
        dns.message.from_wire(bytes(tampered), keyring=key.keyring)


def test_wrong_secret_gives_unsigned_badsig_answer():
    key = Key(*ALGORITHMS[3])
    impostor = Key(*ALGORITHMS[3])  # same name and algorithm, another secret
    q = query(impostor)
    wire = q.to_wire()
    status, signed = tool("respond", key.spec, now(), wire.hex(), answer_to(q).to_wire().hex())
    assert status == "BADSIG"
    answer = bytes.fromhex(signed)
    assert answer[3] & 0x0F == dns.rcode.NOTAUTH
    with pytest.raises(dns.tsig.PeerBadSignature):
        dns.message.from_wire(answer, keyring=impostor.keyring, request_mac=q.mac)


def test_unknown_key_gives_badkey_answer():
    key = Key(*ALGORITHMS[3])
    stranger = Key(*ALGORITHMS[3], name="someone-else.example.")
    q = query(stranger)
    status, signed = tool("respond", key.spec, now(), q.to_wire().hex(), answer_to(q).to_wire().hex())
    assert status == "BADKEY"
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.message.from_wire(bytes.fromhex(signed), keyring=stranger.keyring, request_mac=q.mac)
    # Right name, other algorithm: BADKEY as well.
    sha1 = Key(*ALGORITHMS[1], secret=key.secret)
    assert tool("verify-request", key.spec, now(), query(sha1).to_wire().hex())[0] == "BADKEY"


def test_clock_skew_gives_signed_badtime_answer():
    key = Key(*ALGORITHMS[4])
    q = query(key)
    server_now = int(time.time()) + 3600
    status, signed = tool("respond", key.spec, str(server_now), q.to_wire().hex(), answer_to(q).to_wire().hex())
    assert status == "BADTIME"
    with pytest.raises(dns.tsig.PeerBadTime):
        dns.message.from_wire(bytes.fromhex(signed), keyring=key.keyring, request_mac=q.mac)
    # dnspython stops at the error code; check the signature and the Other Data by hand with its digest.
    wire = bytes.fromhex(signed)
    tsig_start = wire.rindex(key.name.to_wire())
    parsed = dns.message.from_wire(wire[:tsig_start], ignore_trailing=True, question_only=True)
    rdata = _tsig_rdata(wire, tsig_start, key)
    assert rdata.error == dns.rcode.BADTIME
    assert int.from_bytes(rdata.other, "big") == server_now
    assert rdata.time_signed == q.tsig[0].time_signed
    unsigned = wire[:10] + (int.from_bytes(wire[10:12], "big") - 1).to_bytes(2, "big") + wire[12:tsig_start]
    ctx = dns.tsig._digest(unsigned, key.keyring[key.name], rdata, None, q.mac)
    ctx.verify(rdata.mac)  # raises BadSignature when wrong
    assert parsed.id == q.id


def _tsig_rdata(wire: bytes, tsig_start: int, key: Key):
    import dns.rdata
    import dns.wire

    parser = dns.wire.Parser(wire, tsig_start)
    parser.get_name()
    rdtype, rdclass, _ttl, rdlen = parser.get_struct("!HHIH")
    assert rdtype == dns.rdatatype.TSIG
    with parser.restrict_to(rdlen):
        return dns.rdata.from_wire_parser(rdclass, rdtype, parser)


def transfer_messages(count: int) -> list[dns.message.Message]:
    messages = []
    for i in range(count):
        m = dns.message.make_response(dns.message.make_query("example.", "AXFR"))
        m.id = 0x4242
        m.answer.append(dns.rrset.from_text(f"host{i}.example.", 300, "IN", "A", f"198.51.100.{i + 1}"))
        messages.append(m)
    return messages


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_cairn_signed_stream_verifies_in_dnspython(algorithm):
    key = Key(*algorithm)
    q = query(key, "example.")
    q.to_wire()
    pattern = "ssuusuus"
    plain = [m.to_wire().hex() for m in transfer_messages(len(pattern))]
    signed = tool("sign-stream", key.spec, now(), q.mac.hex(), pattern, *plain)
    assert len(signed) == len(pattern)

    def read_all(wires: list[bytes]) -> list[dns.message.Message]:
        ctx = None
        out = []
        for w in wires:
            m = dns.message.from_wire(
                w, keyring=key.keyring, request_mac=q.mac, xfr=True, tsig_ctx=ctx, multi=True
            )
            ctx = m.tsig_ctx
            out.append(m)
        return out

    got = read_all([bytes.fromhex(s) for s in signed])
    assert [m.had_tsig for m in got] == [c == "s" for c in pattern]

    tampered = [bytearray(bytes.fromhex(s)) for s in signed]
    tampered[3][-1] ^= 1  # last address octet of an unsigned message
    with pytest.raises(dns.tsig.BadSignature):
        read_all([bytes(t) for t in tampered])


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_dnspython_signed_stream_verifies_in_cairn(algorithm):
    key = Key(*algorithm)
    q = query(key, "example.")
    q.to_wire()
    wires = []
    ctx = None
    for m in transfer_messages(5):
        m.use_tsig(key.keyring, keyname=key.name, algorithm=key.wire_name)
        m.request_mac = q.mac
        wires.append(m.to_wire(multi=True, tsig_ctx=ctx).hex())
        ctx = m.tsig_ctx
    assert tool("verify-stream", key.spec, now(), q.mac.hex(), *wires) == ["NOERROR"] * 5 + ["complete"]
    # Swapping two messages breaks the chain.
    swapped = [wires[0], wires[2], wires[1], wires[3], wires[4]]
    result = tool("verify-stream", key.spec, now(), q.mac.hex(), *swapped)
    assert result[0] == "NOERROR" and result[1] == "BADSIG" and result[-1] == "incomplete"


# --- BIND: dig -y with truncated MACs against cairn answering on loopback ---------------------------------


class OneShotResponder:
    """Answers each UDP query on 127.0.0.1 with tsig_tool `respond` (cairn verifies and signs)."""

    def __init__(self, key_spec: str):
        self.key_spec = key_spec
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.statuses: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            wire, peer = self.sock.recvfrom(65535)
        except socket.timeout:
            return
        q = dns.message.from_wire(wire, ignore_trailing=True, question_only=True)
        status, signed = tool("respond", self.key_spec, now(), wire.hex(), answer_to(q).to_wire().hex())
        self.statuses.append(status)
        self.sock.sendto(bytes.fromhex(signed), peer)

    def close(self):
        self.thread.join(10)
        self.sock.close()


@pytest.mark.parametrize(
    "bind_algorithm,cairn_algorithm,expect",
    [
        ("hmac-sha256", "hmac-sha256", "NOERROR"),
        ("hmac-sha256-128", "hmac-sha256-128", "NOERROR"),
        ("hmac-sha512-256", "hmac-sha512-256", "NOERROR"),
        ("hmac-sha1-80", "hmac-sha1-80", "NOERROR"),
        ("hmac-sha256-128", "hmac-sha256", "BADTRUNC"),  # our policy wants the full MAC
    ],
)
def test_dig_truncated_tsig_against_cairn(bind_algorithm, cairn_algorithm, expect):
    dig = shutil.which("dig")
    assert dig, "dig is installed with bind9-dnsutils"
    tool("verify-request", f"hmac-sha256:{KEY_NAME}:AAAA", now(), "-")  # skips here, not in the thread, if unbuilt
    secret = base64.b64encode(os.urandom(32)).decode()
    responder = OneShotResponder(f"{cairn_algorithm}:{KEY_NAME}:{secret}")
    try:
        done = subprocess.run(
            [dig, "@127.0.0.1", "-p", str(responder.port), "-y", f"{bind_algorithm}:{KEY_NAME}:{secret}",
             "+tries=1", "+time=3", "www.example.", "A"],
            capture_output=True, text=True, timeout=20,
        )
    finally:
        responder.close()
    assert responder.statuses == [expect]
    output = done.stdout + done.stderr
    if expect == "NOERROR":
        assert "status: NOERROR" in output, output
        assert "192.0.2.1" in output
        assert not re.search(r"(?i)couldn't verify|could not be validated|failure|expected a TSIG", output), output
    else:
        assert "status: NOTAUTH" in output, output
        assert re.search(r"TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ BADTRUNC", output), output


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_kdig_tsig_against_cairn(algorithm):
    """Knot's kdig signs the query (its own TSIG code) and verifies cairn's signed answer."""
    kdig = shutil.which("kdig")
    assert kdig, "kdig is installed with knot-dnsutils"
    tool("verify-request", f"hmac-sha256:{KEY_NAME}:AAAA", now(), "-")  # skips here, not in the thread, if unbuilt
    secret = base64.b64encode(os.urandom(algorithm[2])).decode()

    def ask(server_secret: str) -> tuple[list[str], str]:
        responder = OneShotResponder(f"{algorithm[0]}:{KEY_NAME}:{server_secret}")
        try:
            done = subprocess.run(
                [kdig, "@127.0.0.1", "-p", str(responder.port), "-y", f"{algorithm[0]}:{KEY_NAME}:{secret}",
                 "+retry=0", "+time=3", "www.example.", "A"],
                capture_output=True, text=True, timeout=20,
            )
        finally:
            responder.close()
        return responder.statuses, done.stdout + done.stderr

    statuses, output = ask(secret)
    assert statuses == ["NOERROR"]
    assert "status: NOERROR" in output and "192.0.2.1" in output, output
    assert "WARNING" not in output, output
    # The same check notices a failure: with another server secret cairn answers BADSIG, unsigned.
    statuses, output = ask(base64.b64encode(os.urandom(algorithm[2])).decode())
    assert statuses == ["BADSIG"]
    assert "failed to verify TSIG" in output, output


# --- zone transfers: BIND signs a real AXFR stream, cairn verifies it; cairn signs one, dig verifies it ---


def big_zone(directory: Path, origin: str, hosts: int) -> servers.Zone:
    lines = [f"$ORIGIN {origin}", "$TTL 300", "@ IN SOA ns1 hostmaster 1 3600 900 604800 300", "@ IN NS ns1",
             "ns1 IN A 192.0.2.53"]
    for i in range(hosts):
        lines.append(f"host{i} IN A 198.51.{i // 256}.{i % 256}")
        lines.append(f'host{i} IN TXT "{"padding-" * 8}{i}"')
    path = directory / f"{origin}zone"
    path.write_text("\n".join(lines) + "\n")
    return servers.Zone(origin, path)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed mid-message")
        data += chunk
    return data


def read_signed_axfr(host: str, port: int, key: Key, origin: str) -> tuple[bytes, list[bytes]]:
    """Sends a TSIG-signed AXFR and returns the request MAC and every answer message as received.
    dnspython verifies the stream on the way (an independent check of what the server sent)."""
    q = dns.message.make_query(origin, "AXFR")
    q.use_tsig(key.keyring, keyname=key.name, algorithm=key.wire_name)
    wire = q.to_wire()
    wires: list[bytes] = []
    soas = 0
    ctx = None
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(len(wire).to_bytes(2, "big") + wire)
        while soas < 2 and len(wires) < 1000:
            message = recv_exact(sock, int.from_bytes(recv_exact(sock, 2), "big"))
            wires.append(message)
            parsed = dns.message.from_wire(
                message, keyring=key.keyring, request_mac=q.mac, xfr=True, tsig_ctx=ctx, multi=True,
                one_rr_per_rrset=True,
            )
            ctx = parsed.tsig_ctx
            soas += sum(1 for rrset in parsed.answer if rrset.rdtype == dns.rdatatype.SOA)
    return q.mac, wires


def test_named_signed_axfr_verifies_in_cairn(start_server, tmp_path: Path, monkeypatch):
    key = Key(*ALGORITHMS[3], name="axfr-key.example.")
    key_block = 'key "%s" { algorithm hmac-sha256; secret "%s"; };\n' % (
        key.name, base64.b64encode(key.secret).decode())

    def named_with_key(workdir, port, zones, options):
        command = servers.write_named_config(workdir, port, zones, options)
        conf = Path(command[command.index("-c") + 1])
        conf.write_text(conf.read_text() + key_block)
        return command

    monkeypatch.setitem(servers.CONFIG_WRITERS, "named", named_with_key)
    zone = big_zone(tmp_path, "big.example.", 1500)
    named = start_server("named", [zone], servers.ServerOptions(allow_transfer=True, ipv6=False))
    request_mac, wires = read_signed_axfr(named.host, named.port, key, zone.origin)
    assert len(wires) >= 3, "the zone should need several messages"

    stream = "\n".join(w.hex() for w in wires)
    result = tool("verify-stream", key.spec, now(), request_mac.hex(), stdin=stream)
    assert result[-1] == "complete", result
    assert result[0] == "NOERROR" and result[-2] == "NOERROR"
    assert set(result[:-1]) <= {"NOERROR", "UNSIGNED"}

    # One changed address in the middle of the stream: the chain breaks there or at the next signed message.
    middle = len(wires) // 2
    tampered = bytearray(wires[middle])
    address = tampered.index(bytes([198, 51]))
    tampered[address + 3] ^= 0xFF
    bad = wires[:middle] + [bytes(tampered)] + wires[middle + 1:]
    result = tool("verify-stream", key.spec, now(), request_mac.hex(), stdin="\n".join(w.hex() for w in bad))
    assert result[-1] == "incomplete"
    assert "BADSIG" in result[middle:-1]
    assert set(result[:middle]) <= {"NOERROR", "UNSIGNED"}


class AxfrResponder:
    """Answers one TCP AXFR on 127.0.0.1 with `count` messages signed by cairn as `pattern` says."""

    def __init__(self, key: Key, pattern: str, tamper=None):
        self.key = key
        self.pattern = pattern
        self.tamper = tamper  # changes the signed messages before they are sent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.request_status: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _messages(self, q: dns.message.Message) -> list[bytes]:
        origin = q.question[0].name
        soa = dns.rrset.from_text(origin, 300, "IN", "SOA", f"ns1.{origin} hostmaster.{origin} 7 3600 900 604800 300")
        out = []
        for i in range(len(self.pattern)):
            m = dns.message.make_response(dns.message.make_query(origin, "AXFR"))
            m.id = q.id
            m.flags |= dns.flags.AA
            if i == 0:
                m.answer.append(soa)
            for j in range(20):
                m.answer.append(dns.rrset.from_text(f"h{i}-{j}.{origin}", 300, "IN", "A", f"198.51.100.{j + 1}"))
            if i == len(self.pattern) - 1:
                m.answer.append(soa)
            out.append(m.to_wire())
        return out

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except socket.timeout:
            return
        with conn:
            conn.settimeout(10)
            wire = recv_exact(conn, int.from_bytes(recv_exact(conn, 2), "big"))
            status, request_mac = tool("verify-request", self.key.spec, now(), wire.hex())
            self.request_status.append(status)
            q = dns.message.from_wire(wire, ignore_trailing=True, question_only=True)
            stream = "\n".join(m.hex() for m in self._messages(q))
            signed = [bytes.fromhex(m) for m in tool("sign-stream", self.key.spec, now(), request_mac, self.pattern,
                                                     stdin=stream)]
            if self.tamper is not None:
                self.tamper(signed)
            for message in signed:
                conn.sendall(len(message).to_bytes(2, "big") + message)

    def close(self):
        self.thread.join(15)
        self.sock.close()


@pytest.mark.parametrize("pattern", ["ssss", "suusuuus", "s" + "u" * 98 + "s"], ids=["all", "sparse", "99-unsigned"])
def test_dig_verifies_cairn_signed_axfr(pattern):
    dig = shutil.which("dig")
    assert dig
    tool("verify-request", f"hmac-sha256:{KEY_NAME}:AAAA", now(), "-")  # skips here, not in the thread, if unbuilt
    key = Key(*ALGORITHMS[3])
    responder = AxfrResponder(key, pattern)
    try:
        done = subprocess.run(
            [dig, "@127.0.0.1", "-p", str(responder.port), "-y", f"hmac-sha256:{key.name}:"
             f"{base64.b64encode(key.secret).decode()}", "+tries=1", "+time=5", "xfr.example.", "AXFR"],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        responder.close()
    output = done.stdout + done.stderr
    assert responder.request_status == ["NOERROR"]
    assert not re.search(r"(?i)couldn't verify|could not be validated|failed|expected a TSIG", output), output
    assert output.count("h%d-19.xfr.example." % (len(pattern) - 1)) == 1, output
    assert f"XFR size: {len(pattern) * 20 + 2} records (messages {len(pattern)}" in output, output


def test_dig_rejects_tampered_cairn_axfr():
    """The check above can fail: one changed address in an unsigned message makes dig refuse the transfer."""
    dig = shutil.which("dig")
    assert dig
    tool("verify-request", f"hmac-sha256:{KEY_NAME}:AAAA", now(), "-")

    def tamper(messages: list[bytes]) -> None:
        second = bytearray(messages[1])  # unsigned: the last octet is the last address's
        second[-1] ^= 0xFF
        messages[1] = bytes(second)

    key = Key(*ALGORITHMS[3])
    responder = AxfrResponder(key, "susss", tamper)
    try:
        done = subprocess.run(
            [dig, "@127.0.0.1", "-p", str(responder.port), "-y", f"hmac-sha256:{key.name}:"
             f"{base64.b64encode(key.secret).decode()}", "+tries=1", "+time=5", "xfr.example.", "AXFR"],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        responder.close()
    output = done.stdout + done.stderr
    assert "Couldn't verify signature: tsig verify failure" in output, output


# --- cairn tsig-keygen ----------------------------------------------------------------------------------


def keygen(*args: str) -> str:
    if not CAIRN.is_file():
        pytest.skip(f"{CAIRN} is not built (or set CAIRN_BUILD)")
    done = subprocess.run([str(CAIRN), "tsig-keygen", *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


SECRET_LINE = re.compile(r'^\tsecret "([A-Za-z0-9+/=]+)";$', re.M)


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=ALGORITHM_IDS)
def test_keygen_matches_bind_layout_and_loads(algorithm, tmp_path: Path):
    config_name, _, length = algorithm
    ours = keygen("-a", config_name, "xfr.example.")
    bind = subprocess.run(
        ["tsig-keygen", "-a", config_name, "xfr.example."], capture_output=True, text=True, check=True
    ).stdout
    assert SECRET_LINE.sub("SECRET", ours) == SECRET_LINE.sub("SECRET", bind)
    secret = base64.b64decode(SECRET_LINE.search(ours).group(1), validate=True)
    assert len(secret) == length
    assert len(base64.b64decode(SECRET_LINE.search(bind).group(1))) == length

    conf = tmp_path / "named.conf"
    conf.write_text(ours + 'options { directory "%s"; recursion no; };\n' % tmp_path)
    checked = subprocess.run(["named-checkconf", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The key works: cairn signs with it, dnspython verifies with the same block's secret.
    key = Key(*algorithm, name="xfr.example.", secret=secret)
    signed, _ = tool("sign", key.spec, now(), "-", query().to_wire().hex())
    assert dns.message.from_wire(bytes.fromhex(signed), keyring=key.keyring).had_tsig


def test_keygen_defaults_and_fresh_secrets():
    first = keygen("tsig.example")
    assert first.startswith('key "tsig.example" {\n\talgorithm hmac-sha256;\n')
    assert len(base64.b64decode(SECRET_LINE.search(first).group(1))) == 32
    assert SECRET_LINE.search(first).group(1) != SECRET_LINE.search(keygen("tsig.example")).group(1)
    assert keygen().startswith('key "tsig-key" {')


def test_keygen_rejects_bad_input():
    if not CAIRN.is_file():
        pytest.skip(f"{CAIRN} is not built")
    for args in (["-a", "hmac-sha3", "k."], ["bad..name"], ["-a", "hmac-sha256", "a", "b"]):
        done = subprocess.run([str(CAIRN), "tsig-keygen", *args], capture_output=True, text=True, timeout=30)
        assert done.returncode != 0, args
        assert done.stderr.strip(), args
        assert done.stdout == "", args
