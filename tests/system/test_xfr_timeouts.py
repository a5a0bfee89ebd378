"""`max-transfer-time-in` and `max-transfer-idle-in` against real primaries that go slow: Knot behind proxies
on addresses of their own (127.60.4.1 trickles every transfer at 1,000 octets a second; 127.60.4.2 stops
sending in the middle of the first message, holding the connection open). Both limits are in minutes, as
BIND's (1 = 60 s), so both run side by side in one scenario of about seventy seconds:
- each transfer is given up within its limit, with BIND's log line (`transfer of 'ZONE/IN' from ADDRESS:
  maximum transfer time exceeded: timed out`, `... maximum idle time exceeded ...`) and counted failed;
- the version served meanwhile and afterwards is the previous one, whole;
- another zone from the same primary keeps its two-second refresh schedule and takes two new versions while
  both transfers hang.
"""

from __future__ import annotations

import re
import time

import dns.exception
import dns.message
import dns.opcode
import dns.query
import pytest

import servers
from proxy import TcpProxy
from waiting import soa_serial, wait_for

pytestmark = pytest.mark.skipif(servers.binary_for("cairnd") is None, reason="cairnd is not built")

HOSTS = 5000  # an AXFR of two messages (~110 kB): 110 s at the trickle, longer than the limit
LIMIT = 60  # `max-transfer-time-in 1`, `max-transfer-idle-in 1`: minutes


def served_whole(secondary: servers.CairndSecondary, origin: str, serial: int) -> bool:
    """It answers the SOA of `serial` and the version's last host."""
    try:
        answer = dns.query.udp(dns.message.make_query(f"h{HOSTS - 1}.{origin}", "A"), "127.0.0.1",
                               port=secondary.port, timeout=2)
    except (dns.exception.DNSException, OSError):
        return False  # not listening yet
    return secondary.serial(origin) == serial and bool(answer.answer)


def test_slow_and_stalled_transfers_are_given_up_at_their_limits(tmp_path):
    origins = ["slow.test", "idle.test"]
    started: list = []
    try:
        (tmp_path / "knot").mkdir()
        zones = []
        for origin in origins:
            path = tmp_path / "knot" / f"{origin}.zone"
            path.write_text(servers.zone_text(origin, 1, HOSTS))
            zones.append(servers.Zone(origin, path))
        other = tmp_path / "knot" / "other.test.zone"
        other.write_text(servers.zone_text("other.test", 1, refresh=2, retry=1))
        zones.append(servers.Zone("other.test", other))
        knot = servers.AuthServer("knotd", tmp_path / "knot", zones,
                                  servers.ServerOptions(allow_transfer=True, ipv6=False))
        started.append(knot)
        knot.start()
        slow = TcpProxy(knot.host, knot.port, udp=True, host="127.60.4.1").start()
        started.append(slow)
        stalled = TcpProxy(knot.host, knot.port, udp=True, host="127.60.4.2").start()
        started.append(stalled)
        secondary = servers.CairndSecondary(
            tmp_path / "cairnd",
            [
                servers.SecondaryZone("slow.test", f"{slow.host} port {slow.port};", "max-transfer-time-in 1;"),
                servers.SecondaryZone("idle.test", f"{stalled.host} port {stalled.port};", "max-transfer-idle-in 1;"),
                servers.SecondaryZone("other.test", f"127.0.0.1 port {knot.port};"),
            ],
            options_extra="min-refresh-time 1; min-retry-time 1;",
        ).start()
        started.append(secondary)
        assert wait_for(lambda: all(served_whole(secondary, o, 1) for o in origins), 60), secondary.log()[-3000:]

        # New versions on the primary; from now on one link trickles and the other stops mid-transfer.
        slow.trickle = 1000
        # Inside the first message: the idle limit holds from the first octet on, not only between messages.
        stalled.stall_after = 30_000
        for origin in origins:
            (knot.workdir / f"{origin}.zone").write_text(servers.zone_text(origin, 2, HOSTS, first_address=1))
            servers.knot_reload(knot, origin)
        assert wait_for(lambda: all(soa_serial(knot.port, o) == 2 for o in origins), 20)
        began = time.monotonic()
        for origin, proxy in zip(origins, (slow, stalled)):
            request = dns.message.make_query(origin, "SOA")
            request.set_opcode(dns.opcode.NOTIFY)
            dns.query.udp(request, "127.0.0.1", port=secondary.port, timeout=2, source=proxy.host)
        assert wait_for(lambda: slow.connections >= 2 and stalled.connections >= 2, 20), secondary.log()[-3000:]

        # Another zone of the same primary refreshes on schedule meanwhile: two new versions come through.
        for serial in (2, 3):
            other.write_text(servers.zone_text("other.test", serial, refresh=2, retry=1))
            servers.knot_reload(knot, "other.test")
            assert wait_for(lambda: secondary.serial("other.test") == serial, 15), secondary.log()[-3000:]
            assert all(served_whole(secondary, o, 1) for o in origins)  # the old versions, whole
            time.sleep(10)

        def failed(origin: str) -> bool:
            return secondary.zone(origin).get("transfers_in", {}).get("failure", 0) >= 1

        ended = {}
        deadline = began + LIMIT + 30
        while time.monotonic() < deadline and len(ended) < 2:
            for origin in origins:
                if origin not in ended and failed(origin):
                    ended[origin] = time.monotonic() - began
            time.sleep(0.2)
        print("given up after " + ", ".join(f"{o} {t:.1f} s" for o, t in ended.items()))
        assert set(ended) == set(origins), secondary.log()[-3000:]
        # Within the limit (plus the SOA query before it and a loaded machine's slack), not before it.
        assert all(LIMIT - 5 <= took <= LIMIT + 20 for took in ended.values()), ended

        log = secondary.log()
        assert re.search(rf"transfer of 'slow\.test/IN' from 127\.60\.4\.1#{slow.port}: maximum transfer time "
                         r"exceeded.*: timed out", log), log[-3000:]
        assert re.search(rf"transfer of 'idle\.test/IN' from 127\.60\.4\.2#{stalled.port}: maximum idle time "
                         r"exceeded.*: timed out", log), log[-3000:]
        # The served zones are intact: the previous version, whole; the zone says why it is behind.
        for origin in origins:
            assert served_whole(secondary, origin, 1)
            zone = secondary.zone(origin)
            assert zone["serial"] == 1 and "exceeded" in zone["last_transfer"]["detail"], zone
        assert secondary.serial("other.test") == 3
    finally:
        for thing in reversed(started):
            thing.stop()
