"""Bounded floods of identical UDP queries from a chosen loopback source address, for the hardening tests
(response rate limiting, logs under NOTIFY floods). Every loop is bounded in count and in time.
"""

from __future__ import annotations

import dataclasses
import select
import socket
import struct
import time

import dns.message


@dataclasses.dataclass
class Tally:
    sent: int = 0
    answered: int = 0  # replies without TC (and not BADCOOKIE)
    truncated: int = 0  # TC set
    truncated_with_records: int = 0  # TC replies that still carried answer records (a slip should not)
    badcookie: int = 0
    rcodes: dict[int, int] = dataclasses.field(default_factory=dict)

    @property
    def replies(self) -> int:
        return self.answered + self.truncated + self.badcookie


def source_socket(source: str) -> socket.socket:
    """A UDP socket bound to `source` (any 127.0.0.0/8 address is local on Linux), non-blocking."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    sock.setblocking(False)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return sock


def query_wire(name: str, rdtype: str = "A", **kwargs) -> bytes:
    return dns.message.make_query(name, rdtype, **kwargs).to_wire()


def count_reply(tally: Tally, wire: bytes) -> None:
    if len(wire) < 12:
        return
    flags, ancount = struct.unpack(">H", wire[2:4])[0], struct.unpack(">H", wire[6:8])[0]
    rcode = flags & 0xF
    tally.rcodes[rcode] = tally.rcodes.get(rcode, 0) + 1
    if rcode == 7 and _extended_rcode(wire) == 23:  # BADCOOKIE's low bits, 23 with the OPT's
        tally.badcookie += 1
    elif flags & 0x0200:
        tally.truncated += 1
        if ancount:
            tally.truncated_with_records += 1
    else:
        tally.answered += 1


def _extended_rcode(wire: bytes) -> int:
    try:
        return dns.message.from_wire(wire).rcode()
    except Exception:  # noqa: BLE001 (a reply that does not parse has no extended rcode)
        return -1


def drain(sock: socket.socket, tally: Tally) -> None:
    while True:
        try:
            wire = sock.recv(4096)
        except BlockingIOError:
            return
        count_reply(tally, wire)


def flood(
    port: int,
    wire: bytes,
    source: str,
    rate: int,
    seconds: float,
    host: str = "127.0.0.1",
    beside: tuple[socket.socket, bytes, float, Tally] | None = None,
) -> Tally:
    """Sends `wire` (its ID changed each time) at `rate` per second for `seconds` from `source`, counting the
    replies that come back within the flood and half a second after. `beside`: another socket, a query and a
    period, for a polite client asking now and then during the flood, tallied separately."""
    sock = source_socket(source)
    tally = Tally()
    total = int(rate * seconds)
    started = time.monotonic()
    next_polite = started
    try:
        for i in range(total):
            due = started + i / rate
            now = time.monotonic()
            if due > now:
                select.select([sock], [], [], due - now)
            drain(sock, tally)
            packet = struct.pack(">H", i & 0xFFFF) + wire[2:]
            try:
                sock.sendto(packet, (host, port))
                tally.sent += 1
            except BlockingIOError:
                pass
            if beside is not None and time.monotonic() >= next_polite:
                other, other_wire, period, other_tally = beside
                other.sendto(other_wire, (host, port))
                other_tally.sent += 1
                next_polite += period
            if beside is not None:
                drain(beside[0], beside[3])
            if time.monotonic() - started > seconds * 3:
                break  # a machine too loaded to keep the pace: stop rather than run on
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            select.select([sock], [], [], 0.05)
            drain(sock, tally)
            if beside is not None:
                drain(beside[0], beside[3])
    finally:
        sock.close()
    return tally


def burst(port: int, wires: list[bytes], source: str, wait: float, host: str = "127.0.0.1") -> Tally:
    """Sends every query of `wires` at once from `source` (IDs made distinct), then counts the replies until
    one came back for each or `wait` seconds passed (slow answers, such as those a resolver must look up,
    have that long)."""
    sock = source_socket(source)
    tally = Tally()
    try:
        for i, wire in enumerate(wires):
            sock.sendto(struct.pack(">H", i & 0xFFFF) + wire[2:], (host, port))
            tally.sent += 1
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and sum(tally.rcodes.values()) < tally.sent:
            select.select([sock], [], [], 0.05)
            drain(sock, tally)
    finally:
        sock.close()
    return tally
