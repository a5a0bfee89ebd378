"""A scripted, hostile authoritative server for hostile.test. (127.53.4.1#53 in the loopback hierarchy) that
tries what an attacker on the path or an evil zone operator would: records outside its bailiwick, forged
replies ahead of the real one, CNAME and referral loops, an NXNS-style delegation to many glueless names. It
records every query it gets (name, type, source port, ID) so that tests can count and inspect them.

    with HostileAuthority() as evil:
        resolver.query("www.hostile.test.", "A")
        evil.queries_for("nxvictim.hostile.test.")

Behaviour by query name (below hostile.test.):
  www            A 192.0.2.66, plus `www.glue.test. A 6.6.6.6` in additional and `glue.test. NS ns.evil.`
                 in authority: out of bailiwick, never to be cached or used
  spoof          two forged replies first (wrong ID, then wrong question, both A 6.6.6.6), then A 192.0.2.67
  loop1, loop2   CNAME to each other
  *.ref          a referral to ref.hostile.test. NS ns.ref.hostile.test. with glue pointing back here: the
                 same referral again and again
  *.nxns         a referral to NS_FANOUT glueless names n<i>.nxvictim.hostile.test. (which do not exist)
  badcookie      BADCOOKIE (with BAD_COOKIE_FRESH as the server cookie) until a query brings that cookie back,
                 then A 192.0.2.68
  wrongcookie    a forged reply first whose COOKIE carries another client cookie (A 6.6.6.6), then A 192.0.2.69
  anything else  A 192.0.2.99 (p<i>.hostile.test. for counting ports and IDs)

DNS Cookies (RFC 7873): a query with a COOKIE gets its client cookie back with SERVER_COOKIE; every query's
COOKIE is recorded (Seen.cookie).
"""

from __future__ import annotations

import dataclasses
import select
import socket
import threading

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

ADDRESS = "127.53.4.1"
SERVER_COOKIE = bytes.fromhex("01000000") + b"cairn-hostile"[:12]
BAD_COOKIE_FRESH = bytes.fromhex("01000000") + b"fresh-cookie"[:12]
ZONE = dns.name.from_text("hostile.test.")
NS_FANOUT = 40


@dataclasses.dataclass
class Seen:
    name: str
    rdtype: str
    port: int
    id: int
    cookie: bytes = b""


class HostileAuthority:
    def __init__(self, address: str = ADDRESS, port: int = 53):
        self.address, self.port = address, port
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> "HostileAuthority":
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((self.address, self.port))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> "HostileAuthority":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what was asked

    def queries_for(self, suffix: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.seen if seen.name.endswith(suffix)]

    # -- serving

    def _serve(self) -> None:
        assert self._socket is not None
        while not self._stop.is_set():
            readable, _, _ = select.select([self._socket], [], [], 0.1)
            if not readable:
                continue
            wire, peer = self._socket.recvfrom(65535)
            try:
                query = dns.message.from_wire(wire)
            except Exception:  # noqa: BLE001 (garbage: ignored, as a server would)
                continue
            if not query.question:
                continue
            question = query.question[0]
            with self._lock:
                self.seen.append(
                    Seen(question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype), peer[1], query.id,
                         _cookie(query))
                )
            for reply in self._replies(query):
                _give_cookie(query, reply)
                self._socket.sendto(reply.to_wire(), peer)

    def _replies(self, query: dns.message.Message) -> list[dns.message.Message]:
        question = query.question[0]
        name = question.name
        relative = name.relativize(ZONE).to_text().lower() if name.is_subdomain(ZONE) else None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if relative is None:
            response.set_rcode(dns.rcode.REFUSED)
            response.flags &= ~dns.flags.AA
            return [response]

        def add(section, owner, rdtype, *rdatas, ttl=300):
            section.append(dns.rrset.from_text(owner, ttl, "IN", rdtype, *rdatas))

        if name == ZONE:
            if question.rdtype == dns.rdatatype.NS:
                add(response.answer, ZONE, "NS", "ns1.hostile.test.")
            else:
                add(response.answer if question.rdtype == dns.rdatatype.SOA else response.authority,
                    ZONE, "SOA", "ns1.hostile.test. hostmaster.hostile.test. 1 3600 600 86400 300")
            return [response]
        if relative == "ns1":
            if question.rdtype == dns.rdatatype.A:
                add(response.answer, name, "A", ADDRESS)
            return [response]
        if relative == "www":
            if question.rdtype == dns.rdatatype.A:
                add(response.answer, name, "A", "192.0.2.66")
            add(response.authority, "glue.test.", "NS", "ns.evil.")
            add(response.additional, "www.glue.test.", "A", "6.6.6.6")
            add(response.additional, "ns.evil.", "A", "6.6.6.7")
            return [response]
        if relative == "spoof":
            wrong_id = dns.message.make_response(query)
            wrong_id.id = (query.id + 1) % 65536
            wrong_id.flags |= dns.flags.AA
            add(wrong_id.answer, name, "A", "6.6.6.6")
            wrong_question = dns.message.make_response(query)
            wrong_question.question = [dns.rrset.RRset(dns.name.from_text("other.hostile.test."), question.rdclass,
                                                       question.rdtype)]
            wrong_question.flags |= dns.flags.AA
            add(wrong_question.answer, "other.hostile.test.", "A", "6.6.6.6")
            if question.rdtype == dns.rdatatype.A:
                add(response.answer, name, "A", "192.0.2.67")
            return [wrong_id, wrong_question, response]
        if relative == "badcookie":
            if _cookie(query)[8:] != BAD_COOKIE_FRESH:
                response.use_edns(0, payload=1232, options=[
                    dns.edns.GenericOption(dns.edns.COOKIE, _cookie(query)[:8] + BAD_COOKIE_FRESH)])
                response.set_rcode(dns.rcode.BADCOOKIE)
                response.flags &= ~dns.flags.AA
                return [response]
            if question.rdtype == dns.rdatatype.A:
                add(response.answer, name, "A", "192.0.2.68")
            return [response]
        if relative == "wrongcookie":
            forged = dns.message.make_response(query)
            forged.flags |= dns.flags.AA
            forged.use_edns(0, payload=1232, options=[
                dns.edns.GenericOption(dns.edns.COOKIE, bytes(b ^ 0xFF for b in _cookie(query)[:8]) + SERVER_COOKIE)])
            add(forged.answer, name, "A", "6.6.6.6")
            if question.rdtype == dns.rdatatype.A:
                add(response.answer, name, "A", "192.0.2.69")
            return [forged, response]
        if relative in ("loop1", "loop2"):
            other = "loop2" if relative == "loop1" else "loop1"
            add(response.answer, name, "CNAME", f"{other}.hostile.test.")
            return [response]
        if relative == "ref" or relative.endswith(".ref"):
            response.flags &= ~dns.flags.AA
            add(response.authority, "ref.hostile.test.", "NS", "ns.ref.hostile.test.")
            add(response.additional, "ns.ref.hostile.test.", "A", ADDRESS)
            return [response]
        if relative == "nxns" or relative.endswith(".nxns"):
            response.flags &= ~dns.flags.AA
            add(response.authority, "nxns.hostile.test.", "NS",
                *[f"n{i}.nxvictim.hostile.test." for i in range(NS_FANOUT)])
            return [response]
        if relative.endswith("nxvictim"):
            response.set_rcode(dns.rcode.NXDOMAIN)
            add(response.authority, ZONE, "SOA", "ns1.hostile.test. hostmaster.hostile.test. 1 3600 600 86400 300")
            return [response]
        if question.rdtype == dns.rdatatype.A:
            add(response.answer, name, "A", "192.0.2.99")
        else:
            add(response.authority, ZONE, "SOA", "ns1.hostile.test. hostmaster.hostile.test. 1 3600 600 86400 300")
        return [response]


def _cookie(message: dns.message.Message) -> bytes:
    """The COOKIE option's data (client cookie, then any server cookie); b"" without one."""
    for option in message.options:
        if option.otype == dns.edns.COOKIE:
            return option.to_wire()
    return b""


def _give_cookie(query: dns.message.Message, reply: dns.message.Message) -> None:
    """A reply to a query with a COOKIE carries its client cookie and SERVER_COOKIE, unless it has one."""
    sent = _cookie(query)
    if len(sent) < 8 or any(option.otype == dns.edns.COOKIE for option in reply.options):
        return
    rcode = reply.rcode()
    reply.use_edns(0, payload=1232, options=[dns.edns.GenericOption(dns.edns.COOKIE, sent[:8] + SERVER_COOKIE)])
    reply.set_rcode(rcode)
