"""A cairnd primary watching its secondaries (issue 17, "Secondary lag"): after each NOTIFY round and every
secondary-check-interval it asks each NOTIFY target for the zone's SOA, and shows each one's serial, lag in
serials and seconds and EDNS EXPIRE left in zonestatus, /metrics, /json and the status page (worst zones
first), with a warning once one stays behind longer than secondary-lag-warning.

The secondary is BIND's named. Blocking its transfers (the primary's allow-transfer { none; }) while the
primary moves to a new serial shows the lag and the warning; allowing them again and moving on clears it.
A NOTIFY target nobody listens on shows as silent.
"""

from __future__ import annotations

import json
import re

import pytest

import ctl_daemon
import servers
from ctl_daemon import fields, write_atomically, zone_text
from test_stats_channel import get, parse_prometheus, value
from waiting import soa_serial, wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None
    or servers.binary_for("named") is None
    or not ctl_daemon.cairn_binary().exists(),
    reason="cairnd or BIND's named is not installed",
)

ZONE = "lag.test"
LAG_WARNING = 3  # seconds behind before a secondary is reported


def zone_options(bind_port: int, dead: int, transfers: bool) -> str:
    allow = "127.0.0.1;" if transfers else "none;"
    return (
        f"notify explicit; also-notify {{ 127.0.0.1 port {bind_port}; 127.0.0.1 port {dead}; }}; "
        f"allow-transfer {{ {allow} }}; secondary-check-interval 1; secondary-lag-warning {LAG_WARNING};"
    )


@pytest.fixture
def lab(tmp_path):
    (tmp_path / "primary").mkdir()
    (tmp_path / "bind").mkdir()
    bind_port, dead, primary_port = (servers.free_port(False) for _ in range(3))
    # calm.test (configured first, notifying nobody) stays healthy: the status page must list lag.test first.
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {"calm.test": 1, ZONE: 1},
        zone_options={ZONE: zone_options(bind_port, dead, True), "calm.test": "notify no;"},
        port=primary_port,
    ).start()
    ready = tmp_path / "bind" / "ready.test.zone"
    ready.write_text(zone_text("ready.test", 1))
    secondary = servers.AuthServer(
        "named",
        tmp_path / "bind",
        [servers.Zone("ready.test", ready)],
        servers.ServerOptions(
            ipv6=False,
            port=bind_port,
            statements=(
                f'zone "{ZONE}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
                f'file "{tmp_path / "bind" / "lag.test.copy"}"; }};'
            ),
        ),
    ).start()
    yield primary, secondary, bind_port, dead
    secondary.stop()
    primary.stop()


def secondary_metrics(primary, address: str) -> dict[str, float]:
    _, samples = parse_prometheus(get(primary, "/metrics")[2])
    labels = {"zone": ZONE + ".", "view": "_default", "secondary": address}
    return {
        what: value(samples, f"cairn_zone_secondary_{what}", **labels)
        for what in ("serial", "serials_behind", "seconds_behind", "lagging", "up", "seconds_until_expiry")
    }


def json_secondaries(primary) -> dict[str, dict]:
    zones = json.loads(get(primary, "/json")[2])["zones"]
    (zone,) = [z for z in zones if z["name"] == ZONE + "."]
    return {s["address"]: s for s in zone["secondaries"]}


def status_line(primary, address: str) -> str:
    return fields(primary.ctl("zonestatus", ZONE).stdout).get(f"secondary {address}", "")


def move_to(primary, serial: int, transfers: bool, bind_port: int, dead: int) -> None:
    primary.zone_options[ZONE] = zone_options(bind_port, dead, transfers)
    write_atomically(primary.zone_path(ZONE), zone_text(ZONE, serial))
    primary.write_config()
    assert primary.ctl("reload").returncode == 0
    assert wait_for(lambda: primary.soa_serial(ZONE) == serial, timeout=10)


def test_secondary_lag_is_shown_warned_and_cleared(lab):
    primary, secondary, bind_port, dead = lab
    bind, silent = f"127.0.0.1#{bind_port}", f"127.0.0.1#{dead}"

    # In step: BIND took serial 1; the primary's checks see it, with BIND's EDNS EXPIRE (the SOA's 86400).
    assert wait_for(lambda: soa_serial(bind_port, ZONE) == 1, timeout=15), secondary.stderr_text()
    assert wait_for(lambda: "serial 1 (in step)" in status_line(primary, bind), timeout=15), primary.log_text()
    metrics = secondary_metrics(primary, bind)
    assert metrics["serial"] == 1 and metrics["serials_behind"] == 0 and metrics["lagging"] == 0
    assert metrics["up"] == 1
    assert 86400 - 120 < metrics["seconds_until_expiry"] <= 86400
    assert json_secondaries(primary)[bind]["expires"] is not None

    # Transfers blocked, serial 2 served: BIND cannot follow. After secondary-lag-warning it is lagging.
    move_to(primary, 2, False, bind_port, dead)
    warning = re.compile(rf"{re.escape(bind)} has serial 1, 1 behind ours \(2\), for \d+ s")
    assert wait_for(lambda: warning.search(primary.log_text()), timeout=20), primary.log_text()
    assert soa_serial(bind_port, ZONE) == 1
    line = status_line(primary, bind)
    assert re.match(r"serial 1, 1 behind for \d+ s \(since .+\), lagging, expires in \d+ s$", line), line
    metrics = secondary_metrics(primary, bind)
    assert metrics["serials_behind"] == 1 and metrics["lagging"] == 1
    assert metrics["seconds_behind"] >= LAG_WARNING
    entry = json_secondaries(primary)[bind]
    assert entry["serial"] == 1 and entry["serials_behind"] == 1 and entry["lagging"] is True
    assert entry["behind_since"] is not None and entry["seconds_behind"] >= LAG_WARNING
    # The status page: the lagging zone first, its secondary marked.
    page = get(primary, "/")[2]
    rows = re.findall(r'<tr class="zone" data-zone="([^"]+)" data-health="([^"]+)"', page)
    assert rows[0] == (ZONE + ".", "secondary lagging"), rows
    assert ("calm.test.", "healthy") in rows
    assert f'class="secondary lagging" data-secondary="{bind}"' in page

    # The silent target: never answered, reported once it has been silent for the threshold.
    assert wait_for(lambda: f"secondary {silent} has not answered for" in primary.log_text(), timeout=20)
    metrics = secondary_metrics(primary, silent)
    assert metrics["up"] == 0 and metrics["lagging"] == 1
    assert json_secondaries(primary)[silent]["serial"] is None

    # Unblocked and moved on: BIND transfers serial 3, the warning clears.
    move_to(primary, 3, True, bind_port, dead)
    assert wait_for(lambda: soa_serial(bind_port, ZONE) == 3, timeout=20), secondary.stderr_text()
    assert wait_for(lambda: f"secondary {bind} caught up (serial 3)" in primary.log_text(), timeout=20)
    assert wait_for(lambda: "serial 3 (in step)" in status_line(primary, bind), timeout=10)
    metrics = secondary_metrics(primary, bind)
    assert metrics["serials_behind"] == 0 and metrics["lagging"] == 0 and metrics["seconds_behind"] == 0
    assert json_secondaries(primary)[bind]["lagging"] is False
