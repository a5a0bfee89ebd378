"""cairnd resolves like Unbound and BIND: the three resolve the same names through the same loopback hierarchy
and must agree on the rcode, the header flags a client relies on (QR, AA, TC, RA) and the answer RRsets
(owner, type, class and records; TTLs differ by when each asked), and, for negative answers, on the SOA in
the authority section."""

from __future__ import annotations

import dns.flags
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server

QUESTIONS = [
    ("www.glue.test.", "A", False),
    ("www.glue.test.", "AAAA", False),  # NODATA
    ("nothing.glue.test.", "A", False),  # NXDOMAIN
    ("mail.glue.test.", "MX", False),
    ("alias.glue.test.", "A", False),  # CNAME inside the zone
    ("deep.sub.glue.test.", "A", False),  # an empty non-terminal on the way
    ("sub.glue.test.", "A", False),  # the empty non-terminal itself: NODATA
    ("glue.test.", "NS", False),
    ("www.glueless.test.", "A", False),
    ("www.lame.test.", "A", False),
    ("big.tc.test.", "TXT", True),  # truncated upstream: TCP there, and TCP to the client
    ("small.tc.test.", "A", False),
    ("www.cname.test.", "A", False),  # CNAME into example.
    ("chain.cname.test.", "A", False),  # CNAME to a CNAME to another zone
    ("www.sub.dname.test.", "A", False),
    ("nothing.sub.dname.test.", "A", False),  # DNAME to a name that does not exist
    ("anything.wild.test.", "A", False),
    ("anything.wild.test.", "TXT", False),
    ("host.wild.test.", "TXT", False),  # a wildcard does not apply where the name exists
    ("www.example.", "AAAA", False),
    ("nothing.example.", "A", False),
    ("no-such-tld.", "A", False),  # NXDOMAIN from the root
]

FLAGS = dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RA


@pytest.fixture(scope="module")
def peers(hierarchy, tmp_path_factory):
    require_server("cairnd")
    cairnd = resolvers.cairnd_resolver(tmp_path_factory.mktemp("diff-cairnd"), hierarchy, querylog=False).start()
    named = resolvers.named_resolver(tmp_path_factory.mktemp("diff-named"), hierarchy)
    unbound = resolvers.unbound_resolver(tmp_path_factory.mktemp("diff-unbound"), hierarchy)
    yield {"cairnd": cairnd, "named": named, "unbound": unbound}
    for peer in (cairnd, named, unbound):
        peer.stop()


def summary(response) -> dict:
    """What must agree: rcode, flags, the answer's RRsets without TTLs, and the negative answer's SOA."""
    answer = sorted(
        (rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype), tuple(sorted(r.to_text() for r in rrset)))
        for rrset in response.answer
    )
    negative = not any(rrset.rdtype not in (dns.rdatatype.CNAME, dns.rdatatype.DNAME) for rrset in response.answer)
    soa = sorted(rrset.name.to_text().lower() for rrset in response.authority if rrset.rdtype == dns.rdatatype.SOA)
    return {
        "rcode": response.rcode(),
        "flags": dns.flags.to_text(response.flags & FLAGS),
        "answer": answer,
        "soa": soa if negative else None,
    }


@pytest.mark.parametrize("name,rdtype,tcp", QUESTIONS, ids=[f"{q[0]}{q[1]}" for q in QUESTIONS])
def test_same_answers_as_unbound_and_bind(peers, name, rdtype, tcp):
    seen = {kind: summary(peer.query(name, rdtype, tcp=tcp)) for kind, peer in peers.items()}
    assert seen["cairnd"] == seen["unbound"], seen
    assert seen["cairnd"] == seen["named"], seen
