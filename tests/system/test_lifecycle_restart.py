"""A secondary killed (kill -9) in the middle of a transfer refreshes at once after its restart, instead of
waiting for its next refresh (an hour here): the refresh that was about to transfer had written its timers
first, with the next refresh due now.
"""

from __future__ import annotations

import time

import pytest

import ctl_daemon
import servers
from proxy import TcpProxy
from test_lifecycle_journal import ORIGIN, zone_text
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)


def test_a_secondary_killed_mid_transfer_refreshes_at_once_after_restart(tmp_path):
    (tmp_path / "primary").mkdir()
    (tmp_path / "secondary").mkdir()
    primary = ctl_daemon.Daemon(tmp_path / "primary", {}, zone_options={ORIGIN: "allow-transfer { 127.0.0.1; };"})
    ctl_daemon.write_atomically(primary.zone_path(ORIGIN), zone_text(1))
    primary.zones = {ORIGIN: 1}
    primary.start()
    proxy = TcpProxy("127.0.0.1", primary.port, udp=True).start()
    secondary = ctl_daemon.Daemon(
        tmp_path / "secondary",
        {"other.test": 1},
        statistics=False,
        extra=f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {proxy.port}; }}; '
        f'file "{ORIGIN}.copy"; }};\n',
    )
    try:
        secondary.start()
        assert wait_for(lambda: secondary.soa_serial(ORIGIN) == 1, 15), secondary.log_text()[-2000:]

        # Serial 2 on the primary (no NOTIFY reaches the secondary); its transfer trickles at 100 octets a second.
        ctl_daemon.write_atomically(primary.zone_path(ORIGIN), zone_text(2))
        assert primary.ctl("reload", ORIGIN).stdout.strip() == "zone reload successful"
        proxy.trickle = 100
        connections = proxy.connections
        assert secondary.ctl("refresh", ORIGIN).returncode == 0
        assert wait_for(lambda: proxy.connections > connections, 10), secondary.log_text()[-2000:]
        time.sleep(1)
        assert secondary.soa_serial(ORIGIN) == 1  # still transferring
        secondary.proc.kill()
        secondary.proc.wait(timeout=10)

        # The link is healthy again; the restarted secondary's refresh is due now, not in an hour.
        proxy.trickle = None
        secondary.start()
        restarted = time.monotonic()
        assert wait_for(lambda: secondary.soa_serial(ORIGIN) == 2, 15), secondary.log_text()[-3000:]
        print(f"serial 2 served {time.monotonic() - restarted:.2f} s after the restart")
    finally:
        secondary.stop()
        proxy.stop()
        primary.stop()
