"""`startup-notify-rate` and `notify-rate` (BIND's: NOTIFY messages sent per second over all zones, 20 each by
default; the first for the NOTIFYs of each zone's first load, the second afterwards), seen by the secondary's
side: cairnd is the primary of 30 zones that all notify one listener (proxy.py answering every NOTIFY at
once, on 127.61.0.1) which timestamps each datagram as the kernel received it.

At start-up the 30 NOTIFYs leave at `startup-notify-rate 5` while `notify-rate` is 100 (so a server pacing
them by the wrong clause, or not at all, sends them within a second); after the configuration swaps the two
and every zone is reloaded with a new serial by one `rndc reload`, the 30 NOTIFYs of the new serial leave at
`notify-rate 5`.
"""

from __future__ import annotations

import time

import pytest

import ctl_daemon
import servers
from proxy import TcpProxy
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

ZONES = 30
RATE = 5
FAST = 100


def rates(startup: int, later: int) -> str:
    return f"startup-notify-rate {startup}; notify-rate {later};"


def notifies_paced(listener: TcpProxy, what: str) -> None:
    """The listener got one NOTIFY per zone, at most RATE in any second, spread as RATE a second allows."""
    assert wait_for(lambda: len(listener.datagrams) >= ZONES, 60), f"{len(listener.datagrams)} NOTIFYs"
    time.sleep(1.5)  # nothing more should come: each was answered at once
    times = sorted(listener.datagrams)
    most = listener.most_in_window(1.0)
    span = times[-1] - times[0]
    print(f"{what}: {len(times)} NOTIFYs over {span:.2f} s, at most {most} within one second (rate {RATE})")
    assert len(times) == ZONES
    # At most the rate a second, with BIND's tick of a tenth of it (at least one) and one for timestamps on a
    # loaded machine. The other rate (100) sends all 30 within a second.
    burst = max(1, RATE // 10)
    assert most <= RATE + burst + 1
    assert span >= (ZONES - RATE - burst - 1) / RATE


def test_startup_notify_rate_then_notify_rate_after_a_mass_reload(tmp_path):
    origins = [f"z{i}.notify-rate.test" for i in range(ZONES)]
    listener = TcpProxy("127.0.0.1", 9, answer_udp=True, host="127.61.0.1").start()
    (tmp_path / "primary").mkdir()
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {origin: 1 for origin in origins},
        statistics=False,
        zone_options={
            # The listener is no secondary to watch: no SOA queries of cairn's secondary check among the NOTIFYs.
            origin: f"notify explicit; also-notify {{ {listener.host} port {listener.port}; }}; "
            "secondary-check-interval 0;"
            for origin in origins
        },
        options_extra=rates(RATE, FAST),
    )
    try:
        primary.start()
        notifies_paced(listener, "start-up")
        assert all(primary.soa_serial(origin) == 1 for origin in origins)

        # The rates swap; every zone gets a new serial; one reload of everything.
        listener.clear_datagrams()
        primary.options_extra = rates(FAST, RATE)
        primary.write_config()
        for origin in origins:
            ctl_daemon.write_atomically(primary.zone_path(origin), ctl_daemon.zone_text(origin, 2))
        reload = primary.rndc("reload")
        assert reload.returncode == 0, reload.stderr
        notifies_paced(listener, "after rndc reload")
        assert all(primary.soa_serial(origin) == 2 for origin in origins)
        assert primary.log_text().count("sent notify for serial 2") == ZONES
    finally:
        primary.stop()
        listener.stop()
