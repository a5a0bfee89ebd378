"""NOTIFY counts and zone status of a cairnd primary: per-zone notifies sent / failed / pending in /metrics,
/json and the status page, and zonestatus's journal size and notifies pending, with a live target (a cairnd
secondary of the zones) and a dead one (a loopback port nobody listens on).
"""

from __future__ import annotations

import json

import pytest

import ctl_daemon
import servers
from ctl_daemon import fields
from waiting import wait_for
from test_stats_channel import get, parse_prometheus, value

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)


@pytest.fixture
def pair(tmp_path):
    """A primary of alpha.test (notifying the secondary and a dead port) and beta.test (the secondary only),
    started before its secondary, so that the first NOTIFYs to the secondary fail too."""
    (tmp_path / "primary").mkdir()
    (tmp_path / "secondary").mkdir()
    secondary_port, dead = servers.free_port(False), servers.free_port(False)
    common = "notify explicit; allow-transfer { 127.0.0.1; }; ixfr-from-differences yes;"
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {"alpha.test": 1, "beta.test": 1},
        zone_options={
            "alpha.test": f"{common} also-notify {{ 127.0.0.1 port {secondary_port}; 127.0.0.1 port {dead}; }};",
            "beta.test": f"{common} also-notify {{ 127.0.0.1 port {secondary_port}; }};",
        },
    ).start()
    secondary = ctl_daemon.Daemon(
        tmp_path / "secondary",
        {"other.test": 1},
        statistics=False,
        port=secondary_port,
        extra="".join(
            f'zone "{origin}" {{ type secondary; primaries {{ 127.0.0.1 port {primary.port}; }}; file "{origin}.copy"; '
            f"notify explicit; also-notify {{ 127.0.0.1 port {dead}; }}; }};\n"
            for origin in ("alpha.test", "beta.test")
        ),
    )
    yield primary, secondary, dead
    secondary.stop()
    primary.stop()


def notify_metrics(daemon, origin: str) -> dict[str, float]:
    _, samples = parse_prometheus(get(daemon, "/metrics")[2])
    labels = {"zone": origin + ".", "view": "_default", "role": "primary"}
    return {
        what: value(samples, f"cairn_zone_notifies_{what}", **labels)
        for what in ("sent_total", "failed_total", "pending")
    }


def test_notify_counts_and_zone_status(pair):
    primary, secondary, dead = pair
    # Nobody answers yet: every target of both zones is still pending.
    assert wait_for(lambda: notify_metrics(primary, "alpha.test")["failed_total"] >= 2, timeout=8)
    alpha = fields(primary.ctl("zonestatus", "alpha.test").stdout)
    assert alpha["notifies pending"] == "2"
    assert alpha["journal size"] == "0 bytes"
    assert alpha["journal entries"] == "0"
    assert fields(primary.ctl("zonestatus", "beta.test").stdout)["notifies pending"] == "1"

    secondary.start()
    assert wait_for(lambda: secondary.soa_serial("alpha.test") == 1 and secondary.soa_serial("beta.test") == 1, timeout=8)
    for origin in ("alpha.test", "beta.test"):
        assert primary.ctl("notify", origin).returncode == 0
    # The secondary answers; the dead port never does.
    assert wait_for(lambda: notify_metrics(primary, "beta.test")["pending"] == 0, timeout=8)
    assert wait_for(lambda: notify_metrics(primary, "alpha.test")["pending"] == 1, timeout=8)
    assert fields(primary.ctl("zonestatus", "alpha.test").stdout)["notifies pending"] == "1"
    assert fields(primary.ctl("zonestatus", "beta.test").stdout)["notifies pending"] == "0"
    alpha, beta = notify_metrics(primary, "alpha.test"), notify_metrics(primary, "beta.test")
    assert alpha["failed_total"] >= 3  # dead twice, the secondary before it started
    assert beta["failed_total"] >= 1
    assert beta["sent_total"] - beta["failed_total"] >= 1  # acknowledged
    assert alpha["sent_total"] - alpha["failed_total"] >= 1

    # The same numbers in /json and on the status page (beta's round is over: they stay still).
    zones = {z["name"]: z for z in json.loads(get(primary, "/json")[2])["zones"]}
    assert zones["beta.test."]["notifies_sent"] == beta["sent_total"]
    assert zones["beta.test."]["notifies_failed"] == beta["failed_total"]
    assert zones["beta.test."]["notifies_pending"] == 0
    assert zones["alpha.test."]["notifies_pending"] == 1
    page = get(primary, "/")[2]
    assert f'{int(beta["sent_total"])} sent, {int(beta["failed_total"])} failed, 0 pending' in page

    # A new serial: journaled, and the secondary notified of it (its refresh is hourly: only NOTIFY moves it).
    sent_before = notify_metrics(primary, "alpha.test")["sent_total"]
    ctl_daemon.write_atomically(primary.zone_path("alpha.test"), ctl_daemon.zone_text("alpha.test", 2))
    assert primary.ctl("reload", "alpha.test").returncode == 0
    alpha = fields(primary.ctl("zonestatus", "alpha.test").stdout)
    assert int(alpha["journal size"].split()[0]) > 0
    assert alpha["journal entries"] == "1"
    assert wait_for(lambda: secondary.soa_serial("alpha.test") == 2, timeout=8)
    assert notify_metrics(primary, "alpha.test")["sent_total"] >= sent_before + 2
    assert fields(primary.ctl("zonestatus", "beta.test").stdout)["journal size"] == "0 bytes"

    # The secondary notifies its own secondaries (here the dead port) of its copy, also when told to.
    result = secondary.ctl("notify", "beta.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "zone notify queued"
    assert fields(secondary.ctl("zonestatus", "beta.test").stdout)["notifies pending"] == "1"
    assert wait_for(lambda: secondary.log_text().count(f"zone beta.test/IN: notify for serial 1 to 127.0.0.1#{dead}") >= 2, timeout=8)
