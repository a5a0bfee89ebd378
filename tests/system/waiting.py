"""Bounded waits and the probes system tests wait on: a condition polled until a deadline, the SOA serial a
server answers, whether it answers at all.
"""

from __future__ import annotations

import time
from typing import Callable

import dns.message
import dns.query
import dns.rdatatype

LOOPBACK = "127.0.0.1"


def wait_for(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Polls `condition` until it is true or `timeout` seconds have passed; it is asked once more at the
    deadline, so that a slow last poll does not turn a condition that holds into a failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def soa_serial(port: int, origin: str, timeout: float = 1.0, host: str = LOOPBACK) -> int | None:
    """The serial of the SOA that host#port answers for `origin` over UDP, or None (no answer, no SOA)."""
    try:
        response = dns.query.udp(dns.message.make_query(origin, "SOA"), host, port=port, timeout=timeout)
    except Exception:  # noqa: BLE001 (whatever went wrong, there is no serial yet)
        return None
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def responds(port: int, qname: str, rdtype: str = "SOA", timeout: float = 0.3, host: str = LOOPBACK) -> bool:
    """Whether host#port answers a UDP query for qname/rdtype at all, whatever the rcode."""
    try:
        dns.query.udp(dns.message.make_query(qname, rdtype), host, port=port, timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 (whatever went wrong, it did not answer)
        return False
