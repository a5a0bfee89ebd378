"""The loopback hierarchy (hierarchy.py) is a real DNS tree: walked by hand from the hints, as a resolver
walks it, it leads to every answer the resolver tests rely on, through referrals with glue, a glueless
delegation, a lame server, a truncated answer, a CNAME into another zone, a DNAME and a wildcard."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import hierarchy as hier


def final(steps):
    return steps[-1][1]


def answer_texts(response, rdtype):
    return sorted(
        rdata.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.from_text(rdtype) for rdata in rrset
    )


def test_hints_point_at_the_test_root(hierarchy):
    text = hierarchy.hints_file.read_text()
    assert ". 3600000 NS a.root-servers." in text
    assert "a.root-servers. 3600000 A 127.53.0.1" in text
    for address in ("127.53.0.1", "127.53.0.2"):
        request = dns.message.make_query(".", "NS")
        response = dns.query.udp(request, address, port=53, timeout=2)
        assert response.flags & dns.flags.AA
        assert answer_texts(response, "NS") == ["a.root-servers.", "b.root-servers."]


def test_referrals_with_glue_lead_to_the_answer(hierarchy):
    steps = hier.iterate(hierarchy, "www.glue.test.", "A")
    assert [address for address, _ in steps] == ["127.53.0.1", "127.53.1.1", "127.53.2.1"]
    assert answer_texts(final(steps), "A") == ["192.0.2.1"]
    referral = steps[0][1]
    assert not referral.flags & dns.flags.AA and not referral.answer
    assert any(rrset.rdtype == dns.rdatatype.A for rrset in referral.additional), "glue for ns1.test."


def test_glueless_delegation_needs_the_name_servers_address_first(hierarchy):
    steps = hier.iterate(hierarchy, "www.glueless.test.", "A")
    referral = steps[1][1]
    assert [rdata.target.to_text() for rdata in referral.authority[0]] == ["ns.glueless-host.example."]
    assert not referral.additional, "no glue: the name server is named outside test."
    assert "127.53.1.3" in [address for address, _ in steps], "example.'s server was asked for its address"
    assert answer_texts(final(steps), "A") == ["192.0.2.2"]


def test_lame_server_refuses_beside_a_good_one(hierarchy):
    request = dns.message.make_query("www.lame.test.", "A")
    request.flags &= ~dns.flags.RD
    assert dns.query.udp(request, "127.53.2.1", port=53, timeout=2).rcode() == dns.rcode.REFUSED
    good = dns.query.udp(request, "127.53.2.4", port=53, timeout=2)
    assert good.flags & dns.flags.AA and answer_texts(good, "A") == ["192.0.2.5"]
    steps = hier.iterate(hierarchy, "www.lame.test.", "A")
    assert answer_texts(final(steps), "A") == ["192.0.2.5"]


def test_big_answer_is_truncated_over_udp_and_whole_over_tcp(hierarchy):
    request = dns.message.make_query("big.tc.test.", "TXT", use_edns=0, payload=1232)
    udp = dns.query.udp(request, "127.53.2.4", port=53, timeout=2, raise_on_truncation=False)
    assert udp.flags & dns.flags.TC
    tcp = dns.query.tcp(request, "127.53.2.4", port=53, timeout=2)
    assert not tcp.flags & dns.flags.TC
    assert len(answer_texts(tcp, "TXT")) == len(hier.BIG_TXT)


def test_cname_into_another_zone_dname_wildcard_nxdomain_nodata(hierarchy):
    cname = final(hier.iterate(hierarchy, "www.cname.test.", "A"))
    assert answer_texts(cname, "CNAME") == ["www.example."]
    assert not answer_texts(cname, "A"), "the target is in example.: the resolver must ask there"
    target = final(hier.iterate(hierarchy, "www.example.", "A"))
    assert answer_texts(target, "A") == ["192.0.2.3"]

    dname = final(hier.iterate(hierarchy, "www.sub.dname.test.", "A"))
    assert answer_texts(dname, "DNAME") == ["glue.test."]
    assert answer_texts(dname, "CNAME") == ["www.glue.test."]

    wild = final(hier.iterate(hierarchy, "anything.wild.test.", "A"))
    assert answer_texts(wild, "A") == ["192.0.2.4"]

    nx = final(hier.iterate(hierarchy, "nothing.glue.test.", "A"))
    assert nx.rcode() == dns.rcode.NXDOMAIN
    assert any(rrset.rdtype == dns.rdatatype.SOA for rrset in nx.authority)

    nodata = final(hier.iterate(hierarchy, "www.glue.test.", "AAAA"))
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert any(rrset.rdtype == dns.rdatatype.SOA for rrset in nodata.authority)


def test_zones_left_to_tests_are_delegated_but_not_served(hierarchy):
    steps = hier.iterate(hierarchy, "www.outage.test.", "A", max_steps=2)
    referral = steps[1][1]
    assert sorted(rdata.target.to_text() for rdata in referral.authority[0]) == [
        "ns1.outage.test.",
        "ns2.outage.test.",
    ]
    started = hierarchy.start_zone("outage.test.")
    try:
        assert answer_texts(final(hier.iterate(hierarchy, "www.outage.test.", "A")), "A") == ["192.0.2.7"]
    finally:
        hierarchy.stop_zone("outage.test.")
    assert len(started) == 2
