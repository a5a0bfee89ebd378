"""The query corpus of the differential answer test: one Case per behaviour worth comparing.

Zones: tests/data/answers/ (example.test, its served child sub.example.test, and example.org).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    qname: str
    qtype: str
    tcp: bool = False
    ipv6: bool = False
    edns: int | None = None
    do: bool = False
    edns_version: int = 0
    rd: bool = False
    qclass: str = "IN"
    opcode: str = "QUERY"
    flags: str = ""  # header flags to set in the query besides RD, e.g. "AD CD"
    questions: int = 1  # 0 or 2 make a malformed question section
    edns_option: int | None = None  # an option code to send, with a few octets of data
    cookie: bool = False  # send a client cookie (RFC 7873)
    # What the corpus means the case to exercise; every server, references included, must show it.
    rcode: str = "NOERROR"
    aa: bool = True
    tc: bool = False

    def query_options(self) -> dict:
        return dict(edns=self.edns, do=self.do, edns_version=self.edns_version, rd=self.rd, rdclass=self.qclass)

    @property
    def needs_raw_wire(self) -> bool:
        """dnspython's query functions check the question; these cases get a reply without one."""
        return self.questions != 1


Z = "example.test."

CASES = [
    # The apex and plain answers, with the additional section for NS, MX and SRV targets.
    Case("apex-soa", Z, "SOA"),
    Case("apex-ns", Z, "NS"),
    Case("apex-mx", Z, "MX"),
    Case("apex-txt", Z, "TXT"),
    Case("apex-dnskey-nodata", Z, "DNSKEY"),
    Case("www-a", "www." + Z, "A"),
    Case("www-aaaa", "www." + Z, "AAAA"),
    Case("www-a-tcp", "www." + Z, "A", tcp=True),
    Case("www-a-ipv6", "www." + Z, "A", ipv6=True),
    Case("www-a-rd", "www." + Z, "A", rd=True),
    Case("www-mx-nodata", "www." + Z, "MX"),
    Case("soa-below-apex-nodata", "www." + Z, "SOA"),
    Case("ns-below-apex-nodata", "www." + Z, "NS"),
    Case("ns1-aaaa", "ns1." + Z, "AAAA"),
    Case("txt-txt", "txt." + Z, "TXT"),
    Case("srv-srv", "srv." + Z, "SRV"),
    Case("sip-srv", "_sip._udp." + Z, "SRV"),
    Case("sip-ent-nodata", "_udp." + Z, "A"),
    Case("unknown-type", "unknown." + Z, "TYPE65400"),
    Case("unknown-type-nodata", "www." + Z, "TYPE65401"),
    Case("unknown-owner-a-nodata", "unknown." + Z, "A"),
    Case("nxdomain", "nothing." + Z, "A", rcode="NXDOMAIN"),
    Case("nxdomain-deep", "a.b.nothing." + Z, "A", rcode="NXDOMAIN"),
    Case("nxdomain-tcp", "nothing." + Z, "A", tcp=True, rcode="NXDOMAIN"),
    # Case of the qname: matching ignores it, the question is echoed as sent (0x20).
    Case("case-www", "WwW.ExAmPlE.TeSt.", "A"),
    Case("case-owner-mixed", "MIXED-CASE.example.test.", "A"),
    Case("case-nxdomain", "NoThInG.eXaMpLe.TeSt.", "A", rcode="NXDOMAIN"),
    Case("case-wildcard", "X.WILD.example.test.", "A"),
    Case("case-referral", "WWW.CHILD.example.test.", "A", aa=False),
    # Wildcards (RFC 4592).
    Case("wild-a", "anything.wild." + Z, "A"),
    Case("wild-txt", "anything.wild." + Z, "TXT"),
    Case("wild-mx", "anything.wild." + Z, "MX"),
    Case("wild-nodata", "anything.wild." + Z, "AAAA"),
    Case("wild-two-labels", "a.b.wild." + Z, "A"),
    Case("wild-literal-star", "*.wild." + Z, "A"),
    Case("wild-explicit-name", "host.wild." + Z, "A"),
    Case("wild-explicit-name-nodata", "host.wild." + Z, "TXT"),
    Case("wild-below-explicit-nxdomain", "x.host.wild." + Z, "A", rcode="NXDOMAIN"),
    Case("wild-parent-ent-nodata", "wild." + Z, "A"),
    Case("wild-cname", "foo.wcname." + Z, "A"),
    Case("wild-cname-cname", "foo.wcname." + Z, "CNAME"),
    Case("ent-nodata", "ent." + Z, "A"),
    Case("ent-deep-nodata", "deep.ent." + Z, "A"),
    Case("ent-wildcard", "x.ent." + Z, "A"),
    Case("ent-closest-encloser-nxdomain", "x.deep.ent." + Z, "A", rcode="NXDOMAIN"),
    Case("ent-leaf", "a.deep.ent." + Z, "A"),
    # DNAME (RFC 6672).
    Case("dname-a", "www.dname." + Z, "A"),
    Case("dname-owner-dname", "dname." + Z, "DNAME"),
    Case("dname-owner-a", "dname." + Z, "A"),
    Case("dname-nxdomain", "nothing.dname." + Z, "A", rcode="NXDOMAIN"),
    Case("dname-deep-nxdomain", "a.www.dname." + Z, "A", rcode="NXDOMAIN"),
    Case("dname-to-served-zone", "www.dname-org." + Z, "A"),
    Case("dname-to-unserved-zone", "www.dname-out." + Z, "A"),
    Case("dname-case", "WWW.DNAME.example.test.", "A"),
    Case("dname-cname-query", "www.dname." + Z, "CNAME"),
    # Delegations, glue (RFC 9471) and DS at the cut.
    Case("referral", "www.child." + Z, "A", aa=False),
    Case("referral-at-cut-ns", "child." + Z, "NS", aa=False),
    Case("referral-at-cut-a", "child." + Z, "A", aa=False),
    Case("referral-glue-name", "ns1.child." + Z, "A", aa=False),
    Case("referral-tcp", "www.child." + Z, "A", tcp=True, aa=False),
    Case("ds-unsigned-cut-nodata", "child." + Z, "DS"),
    Case("referral-sibling-glue", "www.sibling." + Z, "A", aa=False),
    Case("referral-no-glue", "www.outside." + Z, "A", aa=False),
    Case("referral-big-glue-noedns", "www.bigdeleg." + Z, "A", aa=False, tc=True),
    Case("referral-big-glue-edns1232", "www.bigdeleg." + Z, "A", edns=1232, aa=False),
    Case("ds-at-cut", "secure." + Z, "DS"),
    Case("ds-at-cut-do", "secure." + Z, "DS", edns=1232, do=True),
    Case("referral-with-ds", "www.secure." + Z, "A", aa=False),
    Case("referral-with-ds-do", "www.secure." + Z, "A", edns=1232, do=True, aa=False),
    Case("served-child-a", "www.sub." + Z, "A"),
    Case("served-child-soa", "sub." + Z, "SOA"),
    Case("served-child-ns", "sub." + Z, "NS"),
    Case("served-child-ds", "sub." + Z, "DS"),
    Case("served-child-nxdomain", "nothing.sub." + Z, "A", rcode="NXDOMAIN"),
    Case("served-child-ds-below-apex", "www.sub." + Z, "DS"),
    Case("referral-below-glue-name", "x.ns1.child." + Z, "A", aa=False),
    # CNAME chains (RFC 1034 4.3.2).
    Case("cname-a", "alias." + Z, "A"),
    Case("cname-cname", "alias." + Z, "CNAME"),
    Case("cname-chain", "chain1." + Z, "A"),
    Case("cname-to-served-zone", "to-org." + Z, "A"),
    Case("cname-to-unserved-zone", "to-outside." + Z, "A"),
    Case("cname-to-missing", "to-missing." + Z, "A", rcode="NXDOMAIN"),
    Case("cname-into-delegation", "to-child." + Z, "A"),
    Case("cname-to-wildcard", "to-wild." + Z, "A"),
    Case("cname-to-served-child", "to-sub." + Z, "A"),
    Case("cname-loop", "loop1." + Z, "A"),
    Case("cname-to-dname", "to-dname." + Z, "A"),
    # Names in no served zone.
    Case("refused-other-tld", "www.example.net.", "A", rcode="REFUSED", aa=False),
    Case("refused-root", ".", "SOA", rcode="REFUSED", aa=False),
    Case("refused-parent", "test.", "SOA", rcode="REFUSED", aa=False),
    # EDNS and truncation.
    Case("big-noedns-tc", "big." + Z, "TXT", tc=True),
    Case("big-noedns-tcp", "big." + Z, "TXT", tcp=True),
    Case("big-edns512-tc", "big." + Z, "TXT", edns=512, tc=True),
    Case("big-edns1232", "big." + Z, "TXT", edns=1232),
    Case("big-edns4096", "big." + Z, "TXT", edns=4096),
    Case("huge-edns1232-tc", "huge." + Z, "TXT", edns=1232, tc=True),
    Case("huge-edns4096-tc", "huge." + Z, "TXT", edns=4096, tc=True),
    Case("huge-edns4096-tcp", "huge." + Z, "TXT", edns=4096, tcp=True),
    Case("www-edns512", "www." + Z, "A", edns=512),
    Case("www-edns4096-do", "www." + Z, "A", edns=4096, do=True),
    Case("nxdomain-edns-do", "nothing." + Z, "A", edns=1232, do=True, rcode="NXDOMAIN"),
    Case("edns-version-1-badvers", "www." + Z, "A", edns_version=1, rcode="BADVERS", aa=False),
    # ANY (RFC 8482 allows a minimal answer).
    Case("any-www", "www." + Z, "ANY"),
    Case("any-www-tcp", "www." + Z, "ANY", tcp=True),
    Case("any-apex", Z, "ANY"),
    Case("any-nxdomain", "nothing." + Z, "ANY", rcode="NXDOMAIN"),
    # Other classes.
    Case("class-chaos-zone", Z, "SOA", qclass="CH", rcode="REFUSED", aa=False),
    Case("class-any", "www." + Z, "A", qclass="ANY"),
    # Meta and DNSSEC types in an unsigned zone, transfers over UDP.
    Case("rrsig-unsigned-nodata", "www." + Z, "RRSIG"),
    Case("nsec-unsigned-nodata", "www." + Z, "NSEC"),
    Case("qtype-0-nodata", "www." + Z, "TYPE0"),
    Case("qtype-opt-formerr", "www." + Z, "OPT", rcode="FORMERR", aa=False),
    Case("qtype-mailb-notimp", "www." + Z, "MAILB", rcode="NOTIMP", aa=False),
    Case("axfr-over-udp-notimp", Z, "AXFR", rcode="NOTIMP", aa=False),
    Case("ixfr-over-udp-refused", Z, "IXFR", rcode="REFUSED", aa=False),
    # Opcodes, header flags and malformed questions.
    Case("opcode-status-notimp", "www." + Z, "A", opcode="STATUS", rcode="NOTIMP", aa=False),
    Case("opcode-iquery-notimp", "www." + Z, "A", opcode="IQUERY", rcode="NOTIMP", aa=False),
    Case("qdcount-0-formerr", "www." + Z, "A", questions=0, rcode="FORMERR", aa=False),
    Case("qdcount-2-formerr", "www." + Z, "A", questions=2, rcode="FORMERR", aa=False),
    Case("qdcount-2-formerr-tcp", "www." + Z, "A", questions=2, tcp=True, rcode="FORMERR", aa=False),
    Case("flag-ad-in-query", "www." + Z, "A", flags="AD"),
    Case("flag-cd-in-query", "www." + Z, "A", flags="CD"),
    Case("escaped-dot-label-nxdomain", "a\\.b." + Z, "A", rcode="NXDOMAIN"),
    # EDNS options: unknown ones are ignored (RFC 6891 6.1.2); a client cookie gets a server cookie.
    Case("edns-unknown-option", "www." + Z, "A", edns_option=65001),
    Case("edns-cookie", "www." + Z, "A", cookie=True),
]
