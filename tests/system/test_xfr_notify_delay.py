"""`notify-delay` seen by a real secondary: BIND, secondary of a cairnd primary (NOTIFY by also-notify to
BIND's port), logs each NOTIFY it receives with its time. A burst of reloads, one every half second
for eight seconds, yields one NOTIFY per delay (7 s here, more than BIND's default of 5 so that a primary
ignoring the clause fails too), each at least the delay after the one before, and the last version reaches
the secondary by the NOTIFY sent after the delay.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest

import ctl_daemon
import servers
from waiting import soa_serial, wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

ORIGIN = "delay.test"
DELAY = 7
SECONDARY = "127.0.0.1"  # BIND listens on interface addresses only
RECEIVED = re.compile(r"^(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d{3}) .*received notify for zone '" + ORIGIN + "'", re.M)


def notify_times(log: str) -> list[float]:
    """The times (seconds, from BIND's log timestamps) at which BIND received a NOTIFY for ORIGIN."""
    return [
        datetime.datetime.strptime(stamp, "%d-%b-%Y %H:%M:%S.%f").timestamp() for stamp in RECEIVED.findall(log)
    ]


def test_a_burst_of_reloads_yields_one_notify_per_delay(tmp_path):
    (tmp_path / "primary").mkdir()
    bind_port = servers.free_port(False)
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {ORIGIN: 1},
        statistics=False,
        zone_options={
            ORIGIN: f"notify explicit; also-notify {{ {SECONDARY} port {bind_port}; }}; notify-delay {DELAY}; "
            "allow-transfer { 127.0.0.0/8; };"
        },
    )
    primary.start()
    bind = servers.named_with_statements(
        tmp_path / "bind",
        f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary.port}; }}; file "{ORIGIN}.bk"; }};',
        port=bind_port,
    )
    try:
        bind.start()
        assert wait_for(lambda: soa_serial(bind_port, ORIGIN, host=SECONDARY) == 1, 20), bind.stderr_text()
        # The start-up round (sent before BIND listened, retried) has ended: BIND answered one of its NOTIFYs.
        assert wait_for(lambda: "sent notify for serial 1" in primary.log_text(), 40), primary.log_text()[-2000:]
        before = len(bind.stderr_path.read_text(errors="replace"))

        serial, began = 1, time.monotonic()
        while time.monotonic() - began < 8 and serial < 20:
            serial += 1
            ctl_daemon.write_atomically(primary.zone_path(ORIGIN), ctl_daemon.zone_text(ORIGIN, serial))
            assert primary.ctl("reload", ORIGIN).returncode == 0
            time.sleep(0.5)
        burst = time.monotonic() - began

        # The last version arrives, carried by the NOTIFY sent a delay after the previous one (BIND's refresh
        # is an hour away).
        assert wait_for(lambda: soa_serial(bind_port, ORIGIN, host=SECONDARY) == serial, DELAY + 15), (
            bind.stderr_text()[-3000:]
        )
        times = notify_times(bind.stderr_path.read_text(errors="replace")[before:])
        gaps = [b - a for a, b in zip(times, times[1:])]
        print(f"{serial - 1} reloads over {burst:.1f} s: {len(times)} NOTIFYs at BIND, gaps "
              + ", ".join(f"{g:.2f}" for g in gaps) + " s")
        assert 2 <= len(times) <= burst // DELAY + 2
        assert all(gap >= DELAY - 0.5 for gap in gaps), gaps
        sent = [int(n) for n in re.findall(r"sent notify for serial (\d+)", primary.log_text()) if int(n) > 1]
        assert len(sent) == len(times) and sent[-1] == serial  # what BIND saw is all that went out
    finally:
        bind.stop()
        primary.stop()
