"""Transfers that recover by themselves, against BIND.

- An IXFR whose differences do not fit the secondary's copy (BIND's history was rebuilt from another
  version with the same serial) is followed at once by an AXFR, as BIND's own secondaries do, instead of
  the same IXFR failing at every refresh.
- A cairnd primary restarted ten times, each time with a new serial, with BIND as its waiting secondary:
  every start's NOTIFY is answered and BIND's SOA query that follows finds cairnd listening (NOTIFY goes
  out only once the listeners are open), so BIND serves each new serial within seconds.
"""

from __future__ import annotations

import signal

import dns.message
import dns.query

from test_xfr_daemon import (  # noqa: F401  (fixtures)
    ORIGIN,
    bind_notifying_secondary,
    primary_and_bind,
    write_zone,
    zone_text,
)
from waiting import soa_serial, wait_for

NOTIFY_TIMERS = " 3600 600 86400 300"


def www(port: int) -> str | None:
    try:
        response = dns.query.udp(dns.message.make_query(f"www.{ORIGIN}", "A"), "127.0.0.1", port=port, timeout=1)
    except Exception:  # noqa: BLE001 (not answering yet)
        return None
    return response.answer[0][0].address if response.answer else None


def test_an_inconsistent_ixfr_falls_back_to_axfr(bind_notifying_secondary):
    named, cairnd, zone_file, primary_port, secondary_port, _ = bind_notifying_secondary
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), cairnd.log()
    assert www(secondary_port) == "192.0.2.80"

    # BIND starts over from another version of serial 1 (its journal gone), then journals 1 -> 2 from it.
    named.stop()
    for journal in zone_file.parent.glob("*.jnl"):
        journal.unlink()
    write_zone(zone_file, zone_text(1, "192.0.2.81").replace(" 3600 600 86400 300", NOTIFY_TIMERS))
    named.restart("named2.log")
    assert wait_for(lambda: www(primary_port) == "192.0.2.81", 15), named.log()
    write_zone(zone_file, zone_text(2, "192.0.2.82").replace(" 3600 600 86400 300", NOTIFY_TIMERS))
    named.proc.send_signal(signal.SIGHUP)

    # The IXFR removes www 192.0.2.81, which our copy never had: AXFR at once, and serial 2 is served.
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), cairnd.log() + named.log()
    assert www(secondary_port) == "192.0.2.82"
    log = cairnd.log()
    assert "IXFR from 127.0.0.1" in log and "do not fit our copy" in log and "trying AXFR" in log, log
    assert "transferred serial 2 (full)" in log, log
    assert "IXFR started" in named.log() and "AXFR started" in named.log(), named.log()


def test_every_notify_of_ten_primary_restarts_is_answered(primary_and_bind):
    cairnd, named, zone_file, primary_port, secondary_port = primary_and_bind
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), named.log()
    for serial in range(2, 12):
        write_zone(zone_file, zone_text(serial, f"192.0.2.{serial}"))
        cairnd.restart(f"cairnd{serial}.log")
        # BIND's refresh is hourly: only the start-up NOTIFY, answered by BIND and followed by its SOA query
        # to a listening cairnd, brings the new serial this fast.
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == serial, 10), cairnd.log() + named.log()[-3000:]
        assert wait_for(lambda: f"sent notify for serial {serial} to 127.0.0.1#{secondary_port}" in cairnd.log(), 5)
    assert "refused" not in named.log().lower(), named.log()[-3000:]
