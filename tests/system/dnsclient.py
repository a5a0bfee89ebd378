"""Queries to a test server with dnspython, and RRset-level comparison of two responses."""

from __future__ import annotations

import dataclasses
import socket
import struct
from typing import Iterable, Sequence

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

DEFAULT_TIMEOUT_S = 2.0
COOKIE_OPTION = 10  # RFC 7873


def make_query(
    name: str,
    rdtype: str | int,
    *,
    rdclass: str | int = "IN",
    edns: int | None = None,
    do: bool = False,
    edns_version: int = 0,
    cookie: bytes | None = None,
    edns_options: Sequence[dns.edns.Option] = (),
    rd: bool = False,
) -> dns.message.QueryMessage:
    """A query; EDNS is absent unless a payload size, DO, a version, a cookie or options ask for it.

    The qname keeps the case it is given: 0x20 case tests rely on it.
    """
    options = list(edns_options)
    if cookie is not None:
        options.append(dns.edns.GenericOption(COOKIE_OPTION, cookie))
    wants_edns = edns is not None or do or edns_version != 0 or options
    request = dns.message.make_query(
        dns.name.from_text(name),
        dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype,
        dns.rdataclass.from_text(rdclass) if isinstance(rdclass, str) else rdclass,
    )
    if wants_edns:
        request.use_edns(
            edns_version,
            dns.flags.DO if do else 0,
            payload=edns if edns is not None else 1232,
            options=options or None,
        )
    if not rd:
        request.flags &= ~dns.flags.RD
    return request


def send(
    request: dns.message.Message,
    server,
    *,
    tcp: bool = False,
    ipv6: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> dns.message.Message:
    """Sends `request` to `server` (anything with host, host6 and port) and returns the response."""
    address = server.host6 if ipv6 else server.host
    if address is None:
        raise ValueError(f"{server!r} does not listen on IPv6")
    if tcp:
        return dns.query.tcp(request, address, port=server.port, timeout=timeout)
    return dns.query.udp(request, address, port=server.port, timeout=timeout, raise_on_truncation=False)


def send_wire(wire: bytes, server, *, tcp: bool = False, timeout: float = DEFAULT_TIMEOUT_S) -> dns.message.Message | None:
    """Sends a raw message (one dnspython would not build, such as two questions) over UDP or TCP; returns
    the parsed response, or None when the server sends nothing back within `timeout`."""
    family = socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((server.host, server.port))
            if tcp:
                sock.sendall(struct.pack("!H", len(wire)) + wire)
                length = struct.unpack("!H", _receive_exactly(sock, 2))[0]
                data = _receive_exactly(sock, length)
            else:
                sock.send(wire)
                data = sock.recv(65535)
        except (socket.timeout, EOFError, ConnectionError):
            return None
    return dns.message.from_wire(data)


def _receive_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def query(server, name: str, rdtype: str | int, *, tcp: bool = False, ipv6: bool = False, **query_options):
    """One query to `server`; query_options are make_query's (edns, do, edns_version, cookie, rd, ...)."""
    return send(make_query(name, rdtype, **query_options), server, tcp=tcp, ipv6=ipv6)


# ---------------------------------------------------------------------------------------------------------
# Comparison


COMPARED_FLAGS = ("QR", "AA", "TC", "RD", "RA", "AD", "CD")
SECTIONS = ("answer", "authority", "additional")


@dataclasses.dataclass(frozen=True, order=True)
class RRsetKey:
    """An RRset reduced to what must match between two servers: owner (case-folded), class, type, TTL and
    the set of rdatas in canonical wire form (RFC 4034 6.2: names inside NS, CNAME, MX, SRV, ... rdata are
    case-folded, TXT keeps its case), since servers may compress a target against the qname and so echo its
    case."""

    owner: str
    rdclass: str
    rdtype: str
    ttl: int
    canonical_rdatas: tuple[bytes, ...]
    rdata_texts: tuple[str, ...] = dataclasses.field(compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.owner} {self.ttl} {self.rdclass} {self.rdtype} {' | '.join(self.rdata_texts)}"


def rrset_key(rrset: dns.rrset.RRset, with_ttl: bool = True) -> RRsetKey:
    rdtype = dns.rdatatype.to_text(rrset.rdtype)
    if rrset.covers != dns.rdatatype.NONE:
        rdtype += "(" + dns.rdatatype.to_text(rrset.covers) + ")"
    rdatas = sorted((rdata.to_digestable(), rdata.to_text()) for rdata in rrset)
    return RRsetKey(
        owner=rrset.name.to_text().lower(),
        rdclass=dns.rdataclass.to_text(rrset.rdclass),
        rdtype=rdtype,
        ttl=rrset.ttl if with_ttl else 0,
        canonical_rdatas=tuple(wire for wire, _ in rdatas),
        rdata_texts=tuple(text for _, text in rdatas),
    )


def section_keys(response: dns.message.Message, section: str, with_ttl: bool = True) -> frozenset[RRsetKey]:
    return frozenset(rrset_key(rrset, with_ttl) for rrset in getattr(response, section))


def flag_names(response: dns.message.Message) -> set[str]:
    return set(dns.flags.to_text(response.flags).split()) & set(COMPARED_FLAGS)


def compare_responses(
    actual: dns.message.Message,
    expected: dns.message.Message,
    *,
    sections: Iterable[str] = SECTIONS,
    flags: Iterable[str] = COMPARED_FLAGS,
    with_ttl: bool = True,
    compare_edns: bool = True,
) -> list[str]:
    """Differences between two responses, as readable lines; empty when they match.

    Compared: opcode, rcode (extended included), the given header flags, the EDNS presence, version, DO
    bit and the set of option codes (not their contents: cookies and the like differ by design), and each
    given section as a set of RRsets (order inside a section is not significant).
    """
    differences = []
    if actual.opcode() != expected.opcode():
        differences.append(
            f"opcode {dns.opcode.to_text(actual.opcode())} != {dns.opcode.to_text(expected.opcode())}"
        )
    if actual.rcode() != expected.rcode():
        differences.append(f"rcode {dns.rcode.to_text(actual.rcode())} != {dns.rcode.to_text(expected.rcode())}")
    wanted_flags = set(flags)
    actual_flags, expected_flags = flag_names(actual) & wanted_flags, flag_names(expected) & wanted_flags
    if actual_flags != expected_flags:
        differences.append(f"flags {sorted(actual_flags)} != {sorted(expected_flags)}")
    if compare_edns:
        actual_edns, expected_edns = edns_summary(actual), edns_summary(expected)
        if actual_edns != expected_edns:
            differences.append(f"EDNS (version, DO, option codes) {actual_edns} != {expected_edns}")
    for section in sections:
        actual_keys = section_keys(actual, section, with_ttl)
        expected_keys = section_keys(expected, section, with_ttl)
        for key in sorted(actual_keys - expected_keys):
            differences.append(f"{section}: unexpected {key}")
        for key in sorted(expected_keys - actual_keys):
            differences.append(f"{section}: missing {key}")
    return differences


def edns_summary(response: dns.message.Message) -> tuple[int, bool, tuple[int, ...]] | None:
    if response.edns < 0:
        return None
    codes = tuple(sorted(int(option.otype) for option in response.options))
    return response.edns, bool(response.ednsflags & dns.flags.DO), codes


def describe(response: dns.message.Message) -> str:
    """The response in presentation form, for assertion messages."""
    return response.to_text()
