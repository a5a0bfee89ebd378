"""Validators accept what cairnd signs: Unbound, BIND 9 and cairnd's own resolver, each given the zone's
key-signing key as its trust anchor, validate answers from zones cairnd signs inline (AD set) - positive
answers, NXDOMAIN and NODATA proven by NSEC and by NSEC3, and a wildcard expansion - and fail a zone whose
anchor is a key the zone does not hold (SERVFAIL), so an AD bit that passed through unchecked would fail
the test.

The signing cairnd listens on 127.0.0.1 at a free port; the validators reach it through a stub zone
(Unbound) or a forward zone (BIND, cairnd), so no root or TLD is needed. Nothing leaves loopback: the
hints file names 127.0.0.9, which nothing here asks.
"""

from __future__ import annotations

import subprocess
import types

import dns.dnssec
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

import ctl_daemon
import resolvers
import servers
from test_signer import HOST, zone_text

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

POLICIES = """
dnssec-policy "nsec3" {
    keys { ksk lifetime unlimited algorithm ecdsap256sha256; zsk lifetime unlimited algorithm 13; };
    nsec3param iterations 0 optout no salt-length 8;
};
"""
# origin -> policy; wrong.test is signed as well, but its validators are given another key as anchor.
ZONES = {"nsec.test": "default", "nsec3.test": "nsec3", "wrong.test": "default"}
SECURE = ("nsec.test", "nsec3.test")


def ksk_anchor(port: int, origin: str) -> tuple[int, int, int, str]:
    """(flags, protocol, algorithm, base64 key) of the zone's key-signing key as served."""
    response = dns.query.tcp(dns.message.make_query(origin + ".", "DNSKEY", want_dnssec=True), HOST, port=port,
                             timeout=10)
    keys = [rdata for rrset in response.answer if rrset.rdtype == dns.rdatatype.DNSKEY for rdata in rrset]
    ksks = [key for key in keys if key.flags & 1]
    assert len(ksks) == 1, keys
    key = ksks[0]
    return key.flags, key.protocol, key.algorithm, dns.rdata._base64ify(key.key, chunksize=0)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """The signing cairnd, and the trust anchors: each secure zone's own KSK, and for wrong.test a key made
    by dnssec-keygen outside the key directory (so the zone never holds it)."""
    workdir = tmp_path_factory.mktemp("signer-validators")
    keys = workdir / "keys"
    keys.mkdir()
    rogue = workdir / "rogue"
    rogue.mkdir()
    keygen = subprocess.run(["dnssec-keygen", "-q", "-K", str(rogue), "-a", "ECDSAP256SHA256", "-f", "KSK",
                             "wrong.test"], capture_output=True, text=True, timeout=60)
    assert keygen.returncode == 0, keygen.stderr
    rogue_fields = (rogue / f"{keygen.stdout.strip()}.key").read_text().split("DNSKEY", 1)[1].split()
    options = {origin: f'dnssec-policy "{policy}"; inline-signing yes;' for origin, policy in ZONES.items()}
    daemon = ctl_daemon.Daemon(workdir, {origin: 1 for origin in ZONES}, zone_options=options, extra=POLICIES,
                               options_extra=f'    key-directory "{keys}"; notify no;')
    for origin in ZONES:
        ctl_daemon.write_atomically(daemon.zone_path(origin), zone_text(origin, 1))
    daemon.start()
    try:
        anchors = {origin: ksk_anchor(daemon.port, origin) for origin in SECURE}
        anchors["wrong.test"] = (int(rogue_fields[0]), int(rogue_fields[1]), int(rogue_fields[2]),
                                 "".join(rogue_fields[3:]))
        assert anchors["wrong.test"][3] != ksk_anchor(daemon.port, "wrong.test")[3]
        hints = workdir / "root.hints"
        hints.write_text(". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.9\n")
        yield daemon, anchors, types.SimpleNamespace(hints_file=hints)
    finally:
        daemon.stop()


def bind_style_anchors(anchors) -> str:
    lines = "".join(f'    "{origin}." static-key {flags} {protocol} {algorithm} "{key}";\n'
                    for origin, (flags, protocol, algorithm, key) in anchors.items())
    return "trust-anchors {\n" + lines + "};\n"


def forward_zones(port: int) -> str:
    return "".join(f'zone "{origin}" {{ type forward; forward only; forwarders {{ {HOST} port {port}; }}; }};\n'
                   for origin in ZONES)


@pytest.fixture(scope="module", params=["unbound", "named", "cairnd"])
def validator(request, signed, tmp_path_factory):
    daemon, anchors, hints = signed
    workdir = tmp_path_factory.mktemp(f"validator-{request.param}")
    if request.param == "unbound":
        stubs = "".join(f"stub-zone:\n    name: {origin}.\n    stub-addr: {HOST}@{daemon.port}\n" for origin in ZONES)
        trust = [f"{origin}. DNSKEY {flags} {protocol} {algorithm} {key}"
                 for origin, (flags, protocol, algorithm, key) in anchors.items()]
        peer = resolvers.unbound_resolver(workdir, hints, trust_anchors=trust, sections=stubs)
        try:
            yield peer
        finally:
            peer.stop()
    elif request.param == "named":
        peer = resolvers.named_resolver(workdir, hints, validation="dnssec-validation yes;",
                                        extra=bind_style_anchors(anchors) + forward_zones(daemon.port))
        try:
            yield peer
        finally:
            peer.stop()
    else:
        resolver = resolvers.cairnd_resolver(workdir, hints, validation="dnssec-validation yes;",
                                             extra=bind_style_anchors(anchors) + forward_zones(daemon.port))
        resolver.start()
        try:
            yield resolver
        finally:
            resolver.stop()


def ask(validator, name: str, rdtype: str) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=True)
    query.flags |= dns.flags.AD
    return dns.query.udp(query, HOST if not hasattr(validator, "address") else validator.address,
                         port=validator.port, timeout=15)


@pytest.mark.parametrize("origin", SECURE)
def test_positive_answers_validate(validator, origin):
    response = ask(validator, f"www.{origin}.", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert [rdata.address for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset] == \
        ["192.0.2.1"]
    assert response.flags & dns.flags.AD, response


@pytest.mark.parametrize("origin", SECURE)
def test_nxdomain_and_nodata_proofs_validate(validator, origin):
    nxdomain = ask(validator, f"no-such-name.{origin}.", "A")
    assert nxdomain.rcode() == dns.rcode.NXDOMAIN, nxdomain
    assert nxdomain.flags & dns.flags.AD, nxdomain
    nodata = ask(validator, f"www.{origin}.", "TXT")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer, nodata
    assert nodata.flags & dns.flags.AD, nodata
    # Between two names of the zone (a.b.c exists, so b.c is an empty non-terminal: NODATA, not NXDOMAIN).
    empty = ask(validator, f"b.c.{origin}.", "A")
    assert empty.rcode() == dns.rcode.NOERROR and not empty.answer, empty
    assert empty.flags & dns.flags.AD, empty


@pytest.mark.parametrize("origin", SECURE)
def test_wildcard_expansion_validates(validator, origin):
    response = ask(validator, f"anything.wild.{origin}.", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    texts = [b"".join(rdata.strings) for rrset in response.answer if rrset.rdtype == dns.rdatatype.TXT
             for rdata in rrset]
    assert texts == [b"wildcard"], response
    assert response.flags & dns.flags.AD, response


def test_a_zone_not_signed_by_its_anchor_is_bogus(validator):
    response = ask(validator, "www.wrong.test.", "A")
    assert response.rcode() == dns.rcode.SERVFAIL, response
    assert not response.answer
