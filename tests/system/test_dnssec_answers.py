"""Signed answers: cairnd serving zones signed by BIND's dnssec-signzone (NSEC, and NSEC3 with opt-out)
answers as Knot and BIND serving the same files do, and its answers validate.

The zones are the differential answer corpus signed by signed_zones.py. Each case is asked with DO (and a
few without): cairnd's response is compared with Knot's in every section and with BIND's (minimal-responses
yes) in the answer and authority sections, RRsets with TTLs, rcode and flags. BIND adds addresses for
MX/SRV targets only without minimal-responses, Knot always: the additional section follows Knot.

Then BIND's delv, a validating stub with the test's own trust anchor, checks that cairnd's answers validate:
positive answers, CNAME chains, NXDOMAIN, NODATA, wildcard answers and wildcard NODATA, and the proof that a
delegation is insecure (its DS denied), for the NSEC and the NSEC3 zone.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import subprocess

import dns.flags
import dns.name
import dns.rdatatype
import pytest

import dnsclient
import servers
import signed_zones

BIND_OPTIONS = servers.ServerOptions(extra="    minimal-responses yes;")


@dataclasses.dataclass(frozen=True)
class Case:
    qname: str
    qtype: str
    do: bool = True
    tcp: bool = False

    @property
    def id(self) -> str:
        return f"{self.qname}-{self.qtype}{'' if self.do else '-nodo'}{'-tcp' if self.tcp else ''}"


def cases_for(z: str) -> list[Case]:
    return [
        Case(z, "SOA"),
        Case(z, "NS"),
        Case(z, "MX"),
        Case(z, "DNSKEY"),
        Case(z, "AAAA"),  # NODATA at the apex
        Case("www." + z, "A"),
        Case("www." + z, "A", do=False),
        Case("www." + z, "MX"),  # NODATA
        Case("www." + z, "RRSIG"),
        Case("www." + z, "ANY", tcp=True),
        Case("txt." + z, "TXT"),
        Case("srv." + z, "SRV"),
        Case("nothing." + z, "A"),  # NXDOMAIN
        Case("nothing." + z, "A", do=False),
        Case("a.b.nothing." + z, "A"),
        Case("zzzz." + z, "A"),  # after the last name: the chain wraps
        Case("ent." + z, "A"),  # empty non-terminal
        Case("deep.ent." + z, "TXT"),
        Case("x.deep.ent." + z, "A"),  # closest encloser deep.ent (no wildcard of its own)
        Case("x.y.ent." + z, "A"),  # *.ent answers
        Case("host.wild." + z, "A"),
        Case("x.wild." + z, "A"),  # wildcard answer
        Case("a.b.wild." + z, "TXT"),
        Case("x.wild." + z, "AAAA"),  # wildcard NODATA
        Case("x.host.wild." + z, "A"),  # NXDOMAIN below an existing name under a wildcard
        Case("x.wcname." + z, "A"),  # wildcard CNAME
        Case("alias." + z, "A"),
        Case("chain1." + z, "A"),
        Case("to-missing." + z, "A"),  # CNAME to NXDOMAIN
        Case("to-wild." + z, "A"),
        Case("to-org." + z, "A"),
        Case("x.dname." + z, "A"),
        Case("www.dname." + z, "A"),
        Case("www.child." + z, "A"),  # insecure referral
        Case("www.outside." + z, "A"),
        Case("www.secure." + z, "A"),  # secure referral: DS
        Case("secure." + z, "DS"),
        Case("child." + z, "DS"),  # DS NODATA from the parent side
        Case("sub." + z, "DS"),
        Case("www.sub." + z, "A"),
        Case("big." + z, "TXT", tcp=True),
    ]


def nsec3_owner(name: str, zone: str, salt: str = "aabb", iterations: int = 0) -> str:
    """The hashed owner name of `name` in an NSEC3 chain (RFC 5155 5)."""
    digest = dns.name.from_text(name).canonicalize().to_wire()
    for _ in range(iterations + 1):
        digest = hashlib.sha1(digest + bytes.fromhex(salt)).digest()
    return base64.b32hexencode(digest).decode().lower() + "." + zone


def more_cases(z: str) -> list[Case]:
    return [
        Case(z, "DS"),  # the apex of a zone whose parent is not served: answered from the zone itself
        Case("www." + z, "NSEC"),
        Case(z, "NSEC3PARAM"),
        Case("*.wild." + z, "A"),
        Case("alias." + z, "CNAME"),
        Case("dname." + z, "DNAME"),
        Case("to-child." + z, "A"),  # CNAME into an insecure delegation
        Case("to-sub." + z, "A"),
        Case("x.child." + z, "DS"),  # below a cut: a referral
        Case("ns1.child." + z, "A"),  # glue: a referral
    ]


NSEC3_HASHED = [
    Case(nsec3_owner("www.nsec3.test.", "nsec3.test."), "NSEC3"),  # NXDOMAIN: hashed owners are no names
    Case(nsec3_owner("www.nsec3.test.", "nsec3.test."), "A"),
    Case("x." + nsec3_owner("www.nsec3.test.", "nsec3.test."), "A"),
    Case("www.nsec3.test.", "NSEC3"),
]

CASES = cases_for("example.test.") + cases_for("nsec3.test.") + more_cases("example.test.") + more_cases(
    "nsec3.test.") + NSEC3_HASHED + [
    Case("sub.example.test.", "DNSKEY"),
    Case("www.sub.example.test.", "A"),
    Case("nothing.sub.example.test.", "A"),
]


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    for name in ("dnssec-keygen", "dnssec-signzone", "delv"):
        if subprocess.run(["which", name], capture_output=True).returncode != 0:
            pytest.fail(f"{name} is not installed (scripts/install-deps.sh installs it)", pytrace=False)
    return signed_zones.sign_answer_zones(tmp_path_factory.mktemp("signed-zones"))


@pytest.fixture(scope="module")
def cairnd(module_server, signed):
    return module_server("cairnd", signed.zones)


@pytest.fixture(scope="module")
def knotd(module_server, signed):
    return module_server("knotd", signed.zones)


@pytest.fixture(scope="module")
def named(module_server, signed):
    return module_server("named", signed.zones, BIND_OPTIONS)


def ask(server, case: Case):
    request = dnsclient.make_query(case.qname, case.qtype, do=case.do, edns=4096 if case.do else None)
    return dnsclient.send(request, server, tcp=case.tcp)


def report(case: Case, found: list[str], **responses) -> str:
    text = [f"{case.id}:"] + [f"  {line}" for line in found]
    for label, response in responses.items():
        text += [f"--- {label}", dnsclient.describe(response)]
    return "\n".join(text)


# Where cairnd follows BIND rather than Knot (docs/differences.md): Knot answers these with one RRset, as
# for ANY over UDP; BIND (and cairnd) give every RRSIG of the name, and over TCP every RRset of an ANY.
FOLLOWS_BIND = {"RRSIG", "ANY"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_like_knot(case, cairnd, knotd):
    actual, expected = ask(cairnd, case), ask(knotd, case)
    if case.qtype in FOLLOWS_BIND:
        found = dnsclient.compare_responses(actual, expected, sections=("authority", "additional"))
        missing = dnsclient.section_keys(expected, "answer") - dnsclient.section_keys(actual, "answer")
        found += [f"answer: missing {key}" for key in sorted(missing)]
    else:
        found = dnsclient.compare_responses(actual, expected)
    assert not found, report(case, found, cairnd=actual, knotd=expected)


# Where BIND differs from Knot and cairnd follows Knot (as test_answers_differential.py does unsigned).
BIND_DIVERGES = {
    "to-sub.example.test.-A": "a CNAME into a child zone the server also serves: BIND stops after the CNAME, "
    "Knot (and cairnd) add the parent's referral (signed: NS, DS and its RRSIG)",
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(reason=BIND_DIVERGES[c.id], strict=True)) if c.id in BIND_DIVERGES
     else c for c in CASES],
    ids=lambda c: c.id)
def test_like_bind(case, cairnd, named):
    actual, expected = ask(cairnd, case), ask(named, case)
    found = dnsclient.compare_responses(actual, expected, sections=("answer", "authority"))
    assert not found, report(case, found, cairnd=actual, named=expected)


def test_without_do_nothing_of_dnssec(cairnd):
    for case in CASES:
        response = ask(cairnd, dataclasses.replace(case, do=False))
        types = {rrset.rdtype for section in (response.answer, response.authority, response.additional)
                 for rrset in section}
        if case.qtype in ("RRSIG", "DNSKEY", "DS", "NSEC", "NSEC3PARAM"):
            continue  # asked for by name: data, not proof
        assert not types & {dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3}, case.id


# --- validation with delv


def delv(server, signed, zone: str, qname: str, qtype: str) -> str:
    anchor_file = server.workdir / f"anchor-{zone}.conf"
    flags, protocol, algorithm, key = signed.anchors[zone].split(" ", 3)
    anchor_file.write_text(
        f'trust-anchors {{ "{zone}." static-key {flags} {protocol} {algorithm} "{key.replace(" ", "")}"; }};\n')
    result = subprocess.run(
        ["delv", "@127.0.0.1", "-p", str(server.port), "-a", str(anchor_file), f"+root={zone}", qname, qtype],
        capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


VALIDATED = [
    # (name below the zone, type, what delv says)
    ("www", "A", "; fully validated"),
    ("alias", "A", "; fully validated"),
    ("chain1", "AAAA", "; fully validated"),
    ("x.wild", "A", "; fully validated"),  # the NSEC3 zone: see below
    ("x.wcname", "A", "; fully validated"),
    ("x.dname", "A", "; fully validated"),
    ("nothing", "A", "; negative response, fully validated"),
    ("a.b.nothing", "A", "; negative response, fully validated"),
    ("x.host.wild", "A", "; negative response, fully validated"),
    ("www", "MX", "; negative response, fully validated"),
    ("ent", "A", "; negative response, fully validated"),
    ("x.wild", "AAAA", "; negative response, fully validated"),
    ("secure", "DS", "; fully validated"),
]


@pytest.mark.parametrize("zone", ["example.test", "nsec3.test"])
@pytest.mark.parametrize("name,qtype,verdict", VALIDATED, ids=[f"{n}-{t}" for n, t, _ in VALIDATED])
def test_delv_validates(cairnd, signed, zone, name, qtype, verdict):
    if zone == "nsec3.test" and (name, qtype) == ("x.wild", "A"):
        # An opt-out span covers the next closer name: the wildcard answer is proven, but only as insecure
        # (RFC 5155 9.2; BIND's validator says so for BIND's and Knot's identical answer too).
        verdict = "; unsigned answer"
    out = delv(cairnd, signed, zone, f"{name}.{zone}", qtype)
    assert verdict in out, out


@pytest.mark.parametrize("zone", ["example.test", "nsec3.test"])
def test_delv_validates_insecure_delegation(cairnd, signed, zone):
    """The DS of an unsigned child is denied with a proof delv accepts (NSEC, or the opt-out span)."""
    out = delv(cairnd, signed, zone, f"child.{zone}", "DS")
    assert "; negative response, fully validated" in out, out


@pytest.mark.parametrize("zone", ["example.test", "nsec3.test"])
def test_delv_rejects_a_tampered_zone(start_server, signed, tmp_path, zone):
    """The validation above means something: the same zone with one signed record changed fails."""
    text = re.sub(r"\b192\.0\.2\.10\b", "192.0.2.99", signed.files[zone].read_text())
    tampered = tmp_path / f"{zone}.tampered"
    tampered.write_text(text)
    server = start_server("cairnd", [servers.Zone(zone, tampered)])
    out = delv(server, signed, zone, f"www.{zone}", "A")
    assert "; fully validated" not in out, out
    assert "resolution failed" in out or "validation failure" in out or "SERVFAIL" in out, out
