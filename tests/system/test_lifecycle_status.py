"""`rndc status` counts the zone lifecycle's work as BIND counts its own: `soa queries in progress` while a
refresh's SOA query waits for a primary that swallows everything, `xfers running` for the transfers under
way and `xfers deferred` for those waiting for `transfers-in` (here 1, three new zones transferring at once
from a primary that accepts the connection and never answers).
"""

from __future__ import annotations

import pytest

import ctl_daemon
import servers
from proxy import TcpProxy
from test_lifecycle_journal import ORIGIN, zone_text
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

NEW_ZONES = ("a.test", "b.test", "c.test")


def status(daemon: ctl_daemon.Daemon) -> dict[str, str]:
    done = daemon.ctl("status")
    assert done.returncode == 0, done.stderr
    return ctl_daemon.fields(done.stdout)


def test_rndc_status_counts_the_lifecycles_soa_queries_and_transfers(tmp_path):
    (tmp_path / "primary").mkdir()
    (tmp_path / "secondary").mkdir()
    primary = ctl_daemon.Daemon(tmp_path / "primary", {}, zone_options={ORIGIN: "allow-transfer { 127.0.0.1; };"})
    ctl_daemon.write_atomically(primary.zone_path(ORIGIN), zone_text(1))
    primary.zones = {ORIGIN: 1}
    primary.start()
    proxy = TcpProxy("127.0.0.1", primary.port, udp=True).start()
    secondary_zone = f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {proxy.port}; }}; }};\n'
    secondary = ctl_daemon.Daemon(
        tmp_path / "secondary",
        {"other.test": 1},
        statistics=False,
        options_extra="transfers-in 1;",
        extra=secondary_zone,
    )
    try:
        secondary.start()
        assert wait_for(lambda: secondary.soa_serial(ORIGIN) == 1, 15), secondary.log_text()[-2000:]
        idle = status(secondary)
        assert (idle["xfers running"], idle["xfers deferred"], idle["soa queries in progress"]) == ("0", "0", "0")

        # The primary's packets vanish from now on: the refresh's SOA query waits (UDP tries, then TCP).
        proxy.swallow = True
        assert secondary.ctl("refresh", ORIGIN).returncode == 0
        assert wait_for(lambda: status(secondary)["soa queries in progress"] == "1", 5), status(secondary)

        # Three new zones with no copy transfer at once: one runs (and hangs), two wait for transfers-in 1.
        secondary.extra = secondary_zone + "".join(
            f'zone "{name}" {{ type secondary; primaries {{ 127.0.0.1 port {proxy.port}; }}; }};\n'
            for name in NEW_ZONES
        )
        secondary.write_config()
        assert secondary.ctl("reload").returncode == 0
        assert wait_for(
            lambda: (status(secondary)["xfers running"], status(secondary)["xfers deferred"]) == ("1", "2"), 5
        ), status(secondary)
    finally:
        secondary.stop()
        proxy.stop()
        primary.stop()
