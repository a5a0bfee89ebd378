"""Differential answer test: cairnd must answer the corpus (answer_corpus.py) exactly as Knot DNS does,
except for the cases in CAIRND_FOLLOWS_BIND, where BIND is the reference.

The same zones (tests/data/answers/) are served by cairnd, Knot, NSD and BIND. Knot is the reference: the
project's reference behaviour is BIND 9 and Knot, and of the two Knot is the one whose default responses are
minimal the way ours are (docs/differences.md). NSD runs with `minimal-responses: yes` so that it is
comparable; the test that NSD and Knot agree validates the corpus itself, and where they legitimately differ
(REFERENCE_DIVERGENCES) it asserts that they still do, so the list cannot go stale.

Compared per query: rcode, the QR/AA/TC/RD/RA/AD/CD flags, EDNS version, DO and option codes, and the
answer, authority and additional sections as sets of RRsets with TTLs. ANY is compared by RFC 8482's rule
instead (any non-empty subset of the node's RRsets is a correct answer), and two truncated responses by
their header only.
"""

from __future__ import annotations

import shutil
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

import dnsclient
import servers
from answer_corpus import CASES, Z, Case

REFERENCE = "knotd"
NSD_OPTIONS = servers.ServerOptions(extra="    minimal-responses: yes")
BIND_OPTIONS = servers.ServerOptions(extra="    minimal-responses yes;")

# Cases where NSD (even with minimal-responses) and Knot answer differently (which one cairnd follows:
# docs/differences.md).
REFERENCE_DIVERGENCES = {
    "apex-mx": "NSD's minimal-responses drops the MX target's addresses; Knot keeps them (RFC 1035 3.3.9)",
    "wild-mx": "NSD's minimal-responses drops the MX target's addresses; Knot keeps them (RFC 1035 3.3.9)",
    "srv-srv": "NSD's minimal-responses drops the SRV target's addresses; Knot keeps them (RFC 2782)",
    "sip-srv": "NSD's minimal-responses drops the SRV target's addresses; Knot keeps them (RFC 2782)",
    "cname-to-served-zone": "NSD follows the CNAME into another zone it serves; Knot (and BIND) stop at the "
    "zone's edge, so the AA bit and the authority section speak for one zone only",
    "dname-to-served-zone": "NSD follows the synthesized CNAME into another zone it serves; Knot stops",
    "cname-to-served-child": "NSD answers the target from the served child zone; Knot gives the parent's "
    "referral after the CNAME",
    "class-any": "NSD clears AA on a QCLASS ANY answer; Knot sets it (the data is the zone's own)",
    "qtype-0-nodata": "Knot answers NOTIMP to type 0; NSD (and BIND) answer NODATA",
    "ixfr-over-udp-refused": "Knot answers NOTAUTH, NSD (and BIND) REFUSED when transfers are not allowed",
    "referral-big-glue-noedns": "NSD (and BIND) send the glue that fits without TC; Knot sets TC as RFC 9471 "
    "3 requires when in-domain glue is left out",
    "qdcount-2-formerr": "Knot drops a query with two questions; NSD (and BIND) answer FORMERR",
    "qdcount-2-formerr-tcp": "Knot drops a query with two questions; NSD (and BIND) answer FORMERR",
}

# Cases where cairnd follows BIND rather than Knot (docs/differences.md has the table); for them BIND,
# with `minimal-responses yes`, is the reference.
CAIRND_FOLLOWS_BIND = {
    "qtype-0-nodata": "type 0 is reserved, not a meta type: there is simply no data of that type",
    "qtype-opt-formerr": "OPT is a pseudo-RR that exists only in a message (RFC 6891 6.1.1): asking for it is "
    "a malformed query",
    "qtype-mailb-notimp": "MAILB is an obsolete meta query (RFC 883) we do not implement",
    "ixfr-over-udp-refused": "REFUSED is the rcode for a transfer the ACL does not allow; NOTAUTH belongs to "
    "TSIG (RFC 8945)",
    "qdcount-2-formerr": "a client gets an answer it can act on (RFC 9619: QDCOUNT must be 1) instead of a "
    "timeout",
    "qdcount-2-formerr-tcp": "as over UDP",
    "edns-cookie": "cairnd answers DNS cookies (RFC 7873 5.2.3), as BIND does by default; Knot needs a module",
    "flag-cd-in-query": "RFC 4035 3.1.6: the CD bit is copied from the query to the response",
}

# Cases where cairnd is known to differ from Knot, with the reason: each one is a bug to fix (or, once
# decided, a deliberate difference to move to docs/differences.md). Strict xfail: a fixed case must be
# taken off this list.
CAIRND_KNOWN_DIFFERENCES: dict[str, str] = {}


def reference_kind(case: Case) -> str:
    return "named" if case.id in CAIRND_FOLLOWS_BIND else REFERENCE


def case_id(case: Case) -> str:
    return case.id


def ask(server: servers.AuthServer, case: Case) -> dns.message.Message | None:
    """The server's response to the case's query; None when it sends none (a dropped malformed query)."""
    if case.ipv6 and server.host6 is None:
        pytest.skip("no IPv6 loopback on this machine")
    options = case.query_options()
    if case.edns_option is not None:
        options["edns_options"] = [dns.edns.GenericOption(case.edns_option, b"cairn")]
    if case.cookie:
        options["cookie"] = bytes.fromhex("0123456789abcdef")  # a client cookie alone (RFC 7873 4.1)
    request = dnsclient.make_query(case.qname, case.qtype, **options)
    request.set_opcode(dns.opcode.from_text(case.opcode))
    if case.flags:
        request.flags |= dns.flags.from_text(case.flags)
    if case.questions == 0:
        request.question = []
    elif case.questions == 2:
        request.question.append(dns.rrset.RRset(dns.name.from_text("mail." + Z), dns.rdataclass.IN, dns.rdatatype.A))
    if case.needs_raw_wire:
        return dnsclient.send_wire(request.to_wire(), server, tcp=case.tcp, timeout=1.0)
    return dnsclient.send(request, server, tcp=case.tcp, ipv6=case.ipv6)


@pytest.fixture(scope="module")
def knotd(module_server, answers_zones):
    return module_server("knotd", answers_zones)


@pytest.fixture(scope="module")
def nsd(module_server, answers_zones):
    return module_server("nsd", answers_zones, NSD_OPTIONS)


@pytest.fixture(scope="module")
def named(module_server, answers_zones):
    return module_server("named", answers_zones, BIND_OPTIONS)


@pytest.fixture(scope="module")
def cairnd(module_server, answers_zones):
    return module_server("cairnd", answers_zones)


@pytest.fixture(scope="module")
def zone_nodes(answers_zones):
    """Every RRset of the served zones, by owner, straight from the zone files (for ANY)."""
    nodes: dict[dns.name.Name, set[dnsclient.RRsetKey]] = {}
    for zone in answers_zones:
        parsed = dns.zone.from_file(str(zone.file), origin=zone.fqdn, relativize=False)
        for owner, rdataset in parsed.iterate_rdatasets():
            rrset = dns.rrset.from_rdata_list(owner, rdataset.ttl, list(rdataset))
            nodes.setdefault(owner, set()).add(dnsclient.rrset_key(rrset))
    return nodes


def differences(actual, expected, case: Case, zone_nodes) -> list[str]:
    if actual is None or expected is None:
        return [] if actual is expected else [f"response: {'none' if actual is None else 'one'} != "
                                              f"{'none' if expected is None else 'one'} from the reference"]
    if actual.flags & expected.flags & dns.flags.TC:
        # What a truncated response still carries is the server's choice: the client retries over TCP
        # (RFC 2181 9, RFC 9471 3). Knot keeps what fits; cairnd sends the header and question alone.
        return dnsclient.compare_responses(actual, expected, sections=())
    if dns.rdatatype.from_text(case.qtype) != dns.rdatatype.ANY:
        return dnsclient.compare_responses(actual, expected)
    # RFC 8482: which RRsets a server picks for ANY is its choice; each must be real and the rest must match.
    found = dnsclient.compare_responses(actual, expected, sections=("authority",))
    node = zone_nodes.get(dns.name.from_text(case.qname), set())
    answer = dnsclient.section_keys(actual, "answer")
    if expected.answer and not answer:
        found.append("answer: empty, the reference answered")
    found += [f"answer: {key} is not an RRset of the node" for key in sorted(answer - node)]
    return found


def intent_violations(response: dns.message.Message, case: Case) -> list[str]:
    """How the response misses what the case is meant to exercise (rcode, AA, TC)."""
    if response is None:
        return ["no response"]
    found = []
    if dns.rcode.to_text(response.rcode()) != case.rcode:
        found.append(f"rcode {dns.rcode.to_text(response.rcode())}, the case expects {case.rcode}")
    if bool(response.flags & dns.flags.AA) != case.aa:
        found.append(f"AA {'set' if case.aa is False else 'clear'}, the case expects the opposite")
    if bool(response.flags & dns.flags.TC) != case.tc:
        found.append(f"TC {'set' if case.tc is False else 'clear'}, the case expects the opposite")
    return found


def report(title: str, lines: list[str], *responses: tuple[str, dns.message.Message | None]) -> str:
    text = [title] + [f"  {line}" for line in lines]
    for label, response in responses:
        text += [f"--- {label}", "(no response)" if response is None else dnsclient.describe(response)]
    return "\n".join(text)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_references_agree(case: Case, knotd, nsd, zone_nodes, request):
    """NSD agrees with Knot except where REFERENCE_DIVERGENCES says, and the reference cairnd follows for the
    case shows what the case is for."""
    reference = request.getfixturevalue(reference_kind(case))
    chosen = ask(reference, case)
    assert not intent_violations(chosen, case), report(
        f"{case.id}: {reference.kind} does not show what the case is for",
        intent_violations(chosen, case),
        (reference.kind, chosen),
    )
    expected, actual = ask(knotd, case), ask(nsd, case)
    found = differences(actual, expected, case, zone_nodes)
    if case.id in REFERENCE_DIVERGENCES:
        assert found, f"{case.id}: NSD and Knot now agree; take it off REFERENCE_DIVERGENCES"
    else:
        assert not found, report(f"{case.id}: NSD differs from Knot", found, ("nsd", actual), ("knotd", expected))


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=CAIRND_KNOWN_DIFFERENCES[c.id], strict=True))
        if c.id in CAIRND_KNOWN_DIFFERENCES
        else c
        for c in CASES
    ],
    ids=case_id,
)
def test_cairnd_matches_reference(case: Case, cairnd, zone_nodes, request):
    reference = request.getfixturevalue(reference_kind(case))
    expected, actual = ask(reference, case), ask(cairnd, case)
    found = intent_violations(actual, case) + differences(actual, expected, case, zone_nodes)
    assert not found, report(
        f"{case.id}: cairnd differs from {reference.kind}", found, ("cairnd", actual), (reference.kind, expected)
    )


@pytest.mark.parametrize("kind", ["knotd", "nsd", "cairnd"])
def test_question_echoes_qname_case(kind, request):
    """0x20: the question comes back byte for byte, mixed case included (RFC 1034 3.1, RFC 4343)."""
    server = request.getfixturevalue(kind)
    for case in CASES:
        if not case.id.startswith("case-"):
            continue
        response = ask(server, case)
        assert len(response.question) == 1
        echoed = response.question[0].name.to_text()
        assert echoed == case.qname, f"{kind} {case.id}: question {echoed!r}, sent {case.qname!r}"


CHECKERS = {
    "nsd-checkzone": lambda zone: ["nsd-checkzone", zone.fqdn, str(zone.file)],
    "kzonecheck": lambda zone: ["kzonecheck", "-o", zone.fqdn, str(zone.file)],
    "named-checkzone": lambda zone: ["named-checkzone", "-i", "none", zone.fqdn, str(zone.file)],
    "cairn": lambda zone: [str(servers.cairn_build_dir() / "src" / "cli" / "cairn"), "checkzone", zone.fqdn, str(zone.file)],
}


@pytest.mark.parametrize("checker", CHECKERS)
def test_corpus_zones_are_valid(checker, answers_zones):
    """The corpus zones are accepted by every implementation's checker, ours included."""
    command_of = CHECKERS[checker]
    program = command_of(answers_zones[0])[0]
    if shutil.which(program) is None:
        if checker == "cairn":
            pytest.skip(f"cairn is not built: {program} does not exist")
        pytest.fail(f"{program} is not installed (scripts/install-deps.sh installs it)", pytrace=False)
    for zone in answers_zones:
        result = subprocess.run(command_of(zone), capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{checker} rejects {zone.file.name}:\n{result.stdout}{result.stderr}"
