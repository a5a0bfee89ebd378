"""Signed zones' signature expiry (issue 17): cairnd finds the earliest RRSIG expiration of every zone it
serves (pre-signed with BIND's dnssec-signzone here) and warns at 14 and 7 days: in the log, zonestatus,
/metrics, /json and the status page (worst zones first). A zone re-signed further out clears the warning.
"""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

import ctl_daemon
import servers
import signed_zones
from ctl_daemon import fields, write_atomically, zone_text
from test_stats_channel import get, parse_prometheus, value
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None
    or shutil.which("dnssec-signzone") is None
    or not ctl_daemon.cairn_binary().exists(),
    reason="cairnd or BIND's dnssec tools are not installed",
)

DAY = 86400


def stamp(t: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def sign(directory, origin: str, serial: int, days: float, target) -> int:
    """Signs `origin` (serial `serial`) with signatures ending `days` from now into `target`; returns the
    expiration as Unix time (to the second, as RRSIGs hold it)."""
    source = directory / f"{origin}.source"
    source.write_text(zone_text(origin, serial))
    end = int(time.time() + days * DAY)
    signed = directory / f"{origin}.signed"
    signed_zones.run(
        [signed_zones.tool("dnssec-signzone"), "-S", "-K", ".", "-s", stamp(time.time() - DAY), "-e", stamp(end),
         "-o", origin, "-f", str(signed), str(source)],
        directory,
    )
    write_atomically(target, signed.read_text())
    return end


def zone_metrics(daemon, origin: str) -> dict[str, float]:
    _, samples = parse_prometheus(get(daemon, "/metrics")[2])
    labels = {"zone": origin + ".", "view": "_default", "role": "primary"}
    return {
        "until": value(samples, "cairn_zone_signatures_seconds_until_expiry", **labels),
        "warning": value(samples, "cairn_zone_signatures_expiry_warning_days", **labels),
    }


def json_zone(daemon, origin: str) -> dict:
    zones = json.loads(get(daemon, "/json")[2])["zones"]
    (zone,) = [z for z in zones if z["name"] == origin + "."]
    return zone


def test_signature_expiry_warnings_at_14_and_7_days(tmp_path):
    zones = {"plain.test": 1, "month.test": 1, "fortnight.test": 1, "week.test": 1}
    daemon = ctl_daemon.Daemon(tmp_path, zones)
    ends = {}
    for origin, days in (("month.test", 30), ("fortnight.test", 10), ("week.test", 5)):
        signed_zones.keygen(tmp_path, origin)
        ends[origin] = sign(tmp_path, origin, 1, days, daemon.zone_path(origin))
    daemon.start()
    try:
        log = daemon.log_text()
        assert re.search(r"zone fortnight\.test/IN: the earliest RRSIG expires .* in (9|10) days \(14-day warning\)", log), log
        assert re.search(r"zone week\.test/IN: the earliest RRSIG expires .* in (4|5) days \(7-day warning\)", log), log
        assert "zone month.test/IN: the earliest RRSIG" not in log

        for origin, level in (("month.test", 0), ("fortnight.test", 14), ("week.test", 7)):
            metrics = zone_metrics(daemon, origin)
            assert metrics["warning"] == level, (origin, metrics)
            assert abs(metrics["until"] - (ends[origin] - time.time())) < 120, (origin, metrics)
            entry = json_zone(daemon, origin)
            assert entry["signatures_expire"] == ends[origin]
            assert entry["signatures_warning_days"] == (level or None)
            status = fields(daemon.ctl("zonestatus", origin).stdout)
            assert status["signatures expire"].startswith(ctl_daemon_date(ends[origin])), status
            assert status["secure"] == "yes"
        plain = json_zone(daemon, "plain.test")
        assert plain["signatures_expire"] is None
        assert fields(daemon.ctl("zonestatus", "plain.test").stdout)["secure"] == "no"
        assert "cairn_zone_signatures_seconds_until_expiry{zone=\"plain.test.\"" not in get(daemon, "/metrics")[2]

        # Worst first: both warned zones before the healthy ones configured before them.
        page = get(daemon, "/")[2]
        rows = re.findall(r'<tr class="zone" data-zone="([^"]+)" data-health="([^"]+)"', page)
        assert set(rows[:2]) == {("week.test.", "signatures expiring"), ("fortnight.test.", "signatures expiring")}
        assert set(rows[2:]) == {("plain.test.", "healthy"), ("month.test.", "healthy")}, rows

        # Re-signed for a month: the warning goes.
        ends["week.test"] = sign(tmp_path, "week.test", 2, 30, daemon.zone_path("week.test"))
        assert daemon.ctl("reload", "week.test").returncode == 0
        assert wait_for(lambda: daemon.soa_serial("week.test") == 2, timeout=10)
        assert wait_for(lambda: zone_metrics(daemon, "week.test")["warning"] == 0, timeout=10)
        assert json_zone(daemon, "week.test")["signatures_expire"] == ends["week.test"]
    finally:
        daemon.stop()


def ctl_daemon_date(at: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(at))
