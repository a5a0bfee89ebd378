"""DNS messages against an independent implementation: dnspython builds messages, cairn's full parser and
MessageBuilder (through tests/tools/message_tool) read and re-encode them, and dnspython must read back the
same message; cairn's query parser must accept what dnspython sends and refuse what is malformed.
"""

from __future__ import annotations

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
import pytest

import servers

TOOL = servers.cairn_build_dir() / "tests" / "tools" / "message_tool"
SOA = "ns1.example.com. hostmaster.example.com. 2025070401 21600 7200 604800 3600"

# (type, rdata texts) covering the compressible RFC 1035 types and the common newer ones.
RECORDS = [
    ("A", ["192.0.2.1", "192.0.2.2"]),
    ("AAAA", ["2001:db8::1"]),
    ("NS", ["ns1.example.com.", "NS2.Example.NET."]),
    ("CNAME", ["web.example.com."]),
    ("SOA", [SOA]),
    ("MX", ["10 mail.example.com.", "20 mail2.example.org."]),
    ("TXT", ['"v=spf1 -all"', '"two" "strings with \\"quotes\\""']),
    ("PTR", ["host.example.com."]),
    ("SRV", ["10 5 5060 sip.example.com."]),
    ("CAA", ['0 issue "letsencrypt.org"']),
    ("NAPTR", ['100 10 "S" "SIP+D2U" "" _sip._udp.example.com.']),
    ("DS", ["60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"]),
    ("DNSKEY", ["257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="]),
    ("NSEC", ["a.example.com. A MX RRSIG NSEC"]),
    ("TLSA", ["3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"]),
    ("SSHFP", ["4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789"]),
    ("HINFO", ['"PC" "Linux"']),
    ("DNAME", ["example.net."]),
    ("HTTPS", ['1 . alpn="h2,h3"']),
]


def run_tool(command: str, messages: list[bytes]) -> list[str]:
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built (ninja -C build message_tool, or set CAIRN_BUILD)")
    stdin = "".join(m.hex() + "\n" for m in messages)
    done = subprocess.run([str(TOOL), command], input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def make_query(qname: str, rdtype: str, **kwargs) -> dns.message.Message:
    query = dns.message.make_query(qname, rdtype, **kwargs)
    query.id = 0x2B2B
    return query


def responses() -> list[dns.message.Message]:
    out = []
    # Every type of RECORDS; then the same without SRV and NAPTR, for the compression comparison.
    for qname, skipped in (("www.Example.COM.", ()), ("mail.Example.COM.", ("SRV", "NAPTR"))):
        full = dns.message.make_response(make_query(qname, "A", use_edns=0, want_dnssec=True, payload=1232))
        full.flags |= dns.flags.AA
        for rdtype, rdatas in RECORDS:
            if rdtype in skipped:
                continue
            owner = qname.lower() if rdtype != "CNAME" else "alias.example.com."
            full.answer.append(dns.rrset.from_text(owner, 300, "IN", rdtype, *rdatas))
        full.authority.append(dns.rrset.from_text("example.com.", 3600, "IN", "NS", "ns1.example.com."))
        full.additional.append(dns.rrset.from_text("ns1.example.com.", 3600, "IN", "A", "192.0.2.53"))
        full.use_edns(0, dns.flags.DO, 1232, options=[dns.edns.GenericOption(15, b"\x00\x03stale")])
        out.append(full)

    nxdomain = dns.message.make_response(make_query("nope.example.com.", "A", use_edns=0))
    nxdomain.set_rcode(dns.rcode.NXDOMAIN)
    nxdomain.authority.append(dns.rrset.from_text("example.com.", 3600, "IN", "SOA", SOA))
    out.append(nxdomain)

    badvers = dns.message.make_response(make_query("example.com.", "SOA", use_edns=0))
    badvers.set_rcode(dns.rcode.BADVERS)
    out.append(badvers)

    referral = dns.message.make_response(make_query("a.b.sub.example.com.", "A"))
    targets = [f"ns{i}.sub.example.com." for i in range(8)]
    referral.authority.append(dns.rrset.from_text("sub.example.com.", 3600, "IN", "NS", *targets))
    for i in range(8):
        referral.additional.append(dns.rrset.from_text(f"ns{i}.sub.example.com.", 3600, "IN", "A", f"192.0.2.{i + 1}"))
    out.append(referral)

    # An AXFR-sized message: several hundred names, past the reach of 14-bit compression pointers.
    axfr = dns.message.make_response(make_query("example.com.", "AXFR", use_edns=False))
    axfr.answer.append(dns.rrset.from_text("example.com.", 3600, "IN", "SOA", SOA))
    for i in range(700):
        owner = f"host{i}.zone{i % 7}.example.com."
        axfr.answer.append(dns.rrset.from_text(owner, 60, "IN", "MX", f"{i} mx{i % 13}.example.com."))
    axfr.answer.append(dns.rrset.from_text("example.com.", 3600, "IN", "SOA", SOA))
    out.append(axfr)

    escaped = dns.message.make_response(make_query("odd\\.label\\032x.Example.", "TXT"))
    escaped.answer.append(dns.rrset.from_text("odd\\.label\\032x.example.", 1, "IN", "TXT", '"\\000\\255"'))
    out.append(escaped)
    return out


def queries() -> list[dns.message.Message]:
    cookie = dns.edns.GenericOption(10, bytes(range(8)))
    nsid = dns.edns.GenericOption(3, b"")
    expire = dns.edns.GenericOption(9, b"")
    out = [
        make_query("www.example.com.", "A", use_edns=False),
        make_query("www.Example.COM.", "AAAA", use_edns=0, want_dnssec=True, payload=1232, options=[cookie]),
        make_query("example.com.", "SOA", use_edns=0, payload=4096, options=[nsid, expire]),
        make_query(".", "NS", use_edns=False),
    ]
    out[-1].use_edns(1, 0, 512)
    return out


def same_edns(a: dns.message.Message, b: dns.message.Message) -> bool:
    return (a.edns, a.payload, a.ednsflags, a.rcode(), [o.to_wire() for o in a.options]) == (
        b.edns, b.payload, b.ednsflags, b.rcode(), [o.to_wire() for o in b.options])


def message_id(message: dns.message.Message) -> str:
    return f"{message.question[0].name}-{dns.rdatatype.to_text(message.question[0].rdtype)}"


@pytest.mark.parametrize("message", responses() + queries(), ids=message_id)
def test_rebuilt_message_reads_back_equal_in_dnspython(message: dns.message.Message) -> None:
    original = message.to_wire(max_size=65535)
    (line,) = run_tool("rebuild", [original])
    assert not line.startswith("error"), line
    rebuilt = bytes.fromhex(line)
    back = dns.message.from_wire(rebuilt)
    assert back == message
    assert same_edns(back, message)
    # cairn compresses at least as well as dnspython. dnspython also compresses SRV and NAPTR targets, which
    # RFC 2782, RFC 3403 and RFC 3597 §4 forbid (BIND does not either), so those messages may come out longer.
    types = {rrset.rdtype for section in message.sections for rrset in section}
    if not types & {dns.rdatatype.SRV, dns.rdatatype.NAPTR}:
        assert len(rebuilt) <= len(original)


def test_dig_like_text_matches_dnspython_records() -> None:
    message = responses()[0]
    (text,) = ["\n".join(run_tool("print", [message.to_wire()]))]
    ours = {"".join(line.split()).lower() for line in text.splitlines() if line and not line.startswith(";")}
    ours.discard("--")
    theirs = set()
    for section in (message.answer, message.authority, message.additional):
        for rrset in section:
            for line in rrset.to_text().splitlines():
                theirs.add("".join(line.split()).lower())
    assert ours == theirs


def test_query_parser_reads_what_dnspython_sends() -> None:
    sent = queries()
    lines = run_tool("query", [q.to_wire() for q in sent])
    assert lines == [
        "ok www.example.com. A IN 0 0 0 0 -",
        "ok www.Example.COM. AAAA IN 1 1232 1 0 0001020304050607",
        "ok example.com. SOA IN 1 4096 0 0 -",
        "ok . NS IN 1 512 0 1 -",
    ]


def test_query_parser_refuses_malformed_queries() -> None:
    good = make_query("example.com.", "A", use_edns=0).to_wire()
    two_questions = make_query("a.example.com.", "A", use_edns=False)
    second = dns.rrset.RRset(dns.name.from_text("b.example.com."), dns.rdataclass.IN, dns.rdatatype.A)
    two_questions.question.append(second)
    two_opts = bytearray(good)
    two_opts[11] = 2  # arcount 2, and a second copy of the OPT record
    two_opts += good[-11:]
    response = dns.message.make_response(make_query("example.com.", "A")).to_wire()
    cases = {
        "truncated": (good[:-3], "formerr 11051"),
        "trailing": (good + b"\x00", "formerr 11051"),
        "two questions": (two_questions.to_wire(), "formerr 11051"),
        "two opts": (bytes(two_opts), "formerr 11051"),
        "response": (response, "drop"),
        "short": (good[:11], "drop"),
    }
    lines = run_tool("query", [packet for packet, _ in cases.values()])
    assert dict(zip(cases, lines)) == {name: verdict for name, (_, verdict) in cases.items()}
