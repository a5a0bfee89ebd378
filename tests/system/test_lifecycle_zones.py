"""Never all or nothing: zones that cannot load, and reloads that must not be taken.

- A missing and a broken zone file at start-up: the other zones answer; those two answer SERVFAIL with an
  EDE saying why (`zone not loaded: FILE:LINE: ...`); zonestatus, /json and /metrics say so; fixing the
  files and reloading serves them, and the reload replies say what failed until then.
- A primary reload with a lower serial (or a changed zone under the same serial) is refused: the old
  version keeps serving and the reply says why; a secondary (cairnd) of a real primary (BIND) whose serial
  went backwards warns with both serials and the fix, in zonestatus and in the metrics, until retransfer.
"""

from __future__ import annotations

import json
import os
import signal
import time

import dns.message
import dns.query
import dns.rcode
import pytest

import ctl_daemon
import servers
from ctl_daemon import fields
from test_stats_channel import get, parse_prometheus, value
from waiting import soa_serial, wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

EDE = 15
NOT_READY = 14


def servfail_text(daemon, origin: str) -> str | None:
    """The EDE text of a SERVFAIL answer for the zone's SOA, or None when it answers otherwise."""
    response = dns.query.udp(dns.message.make_query(origin, "SOA", use_edns=0), "127.0.0.1", port=daemon.port,
                             timeout=2)
    if response.rcode() != dns.rcode.SERVFAIL:
        return None
    texts = [o.text for o in response.options if o.otype == EDE and o.code == NOT_READY]
    return texts[0] if texts else ""


def metrics(daemon) -> dict:
    return parse_prometheus(get(daemon, "/metrics")[2])[1]


def zone_labels(origin: str, role: str = "primary") -> dict[str, str]:
    return {"zone": origin + ".", "view": "_default", "role": role}


def test_missing_and_broken_zone_files_at_start(tmp_path):
    daemon = ctl_daemon.Daemon(tmp_path, {"good.test": 1, "corp.test": 5, "gone.test": 3})
    broken = ctl_daemon.zone_text("corp.test", 5).splitlines()
    broken.insert(5, "mail IN MX 10")  # line 6: MX without its exchange
    ctl_daemon.write_atomically(daemon.zone_path("corp.test"), "\n".join(broken) + "\n")
    os.remove(daemon.zone_path("gone.test"))
    daemon.start()
    try:
        assert daemon.soa_serial("good.test") == 1
        corp = servfail_text(daemon, "corp.test")
        assert corp is not None and corp.startswith(f"zone not loaded: {daemon.zone_path('corp.test')}:6: "), corp
        gone = servfail_text(daemon, "gone.test")
        assert gone is not None and str(daemon.zone_path("gone.test")) in gone, gone
        assert "not loaded" in daemon.log_text() and ":6:" in daemon.log_text()

        status = fields(daemon.ctl("zonestatus", "corp.test").stdout)
        assert status["state"] == "failed" and status["serial"] == "(not loaded)", status
        assert f"{daemon.zone_path('corp.test')}:6:" in status["reason"], status
        zones = {z["name"]: z for z in json.loads(get(daemon, "/json")[2])["zones"]}
        assert zones["corp.test."]["state"] == "failed" and ":6:" in zones["corp.test."]["problem"]
        assert zones["gone.test."]["state"] == "failed" and zones["good.test."]["state"] == "loaded"
        samples = metrics(daemon)
        assert value(samples, "cairn_zone_state", **zone_labels("corp.test"), state="failed") == 1
        assert value(samples, "cairn_zone_state", **zone_labels("good.test"), state="loaded") == 1
        assert value(samples, "cairn_zone_load_failures_total", **zone_labels("corp.test")) == 1
        assert value(samples, "cairn_config_last_reload_successful") == 0
        assert any(key[0] == "cairn_build_info" and ("version", "cairn 0.1.0") in key[1] for key in samples)

        # A reload while corp.test is still broken: the reply says which zone and why.
        ctl_daemon.write_atomically(daemon.zone_path("gone.test"), ctl_daemon.zone_text("gone.test", 3))
        reply = daemon.ctl("reload")
        assert reply.returncode != 0
        assert f"1 zone failed: corp.test ({daemon.zone_path('corp.test')}:6: " in reply.stderr, reply.stderr
        assert daemon.soa_serial("gone.test") == 3  # the fixed one serves
        # Fixed: `reload ZONE` serves it, and the next full reload is a success.
        ctl_daemon.write_atomically(daemon.zone_path("corp.test"), ctl_daemon.zone_text("corp.test", 5))
        assert daemon.ctl("reload", "corp.test").stdout.strip() == "zone reload successful"
        assert daemon.soa_serial("corp.test") == 5
        assert daemon.ctl("reload").stdout.strip() == "server reload successful"
        samples = metrics(daemon)
        assert value(samples, "cairn_config_last_reload_successful") == 1
        assert value(samples, "cairn_zone_state", **zone_labels("corp.test"), state="loaded") == 1
        assert value(samples, "cairn_zone_load_failures_total", **zone_labels("corp.test")) == 2
    finally:
        daemon.stop()


def test_a_lower_serial_is_refused_on_reload_and_a_secondary_warns_of_one(tmp_path):
    # The primary side: cairnd refuses its own zone file going backwards.
    (tmp_path / "cairnd").mkdir()
    primary = ctl_daemon.Daemon(tmp_path / "cairnd", {"down.test": 10}).start()
    try:
        ctl_daemon.write_atomically(primary.zone_path("down.test"), ctl_daemon.zone_text("down.test", 9, "192.0.2.9"))
        reply = primary.ctl("reload", "down.test")
        assert reply.returncode != 0
        assert "serial 9 is not newer than the served 10" in reply.stderr, reply.stderr
        assert primary.soa_serial("down.test") == 10
        ctl_daemon.write_atomically(primary.zone_path("down.test"), ctl_daemon.zone_text("down.test", 10, "192.0.2.9"))
        assert "its serial 10 did not" in primary.ctl("reload", "down.test").stderr
        assert primary.query("www.down.test", "A").answer[0][0].address == "192.0.2.1"
        assert value(metrics(primary), "cairn_zone_load_failures_total", **zone_labels("down.test")) == 2
    finally:
        primary.stop()

    # The secondary side: BIND, the primary, is restarted with a lower serial.
    (tmp_path / "bind").mkdir()
    (tmp_path / "secondary").mkdir()
    zone_file = tmp_path / "bind" / "down.test.zone"
    zone_file.write_text(ctl_daemon.zone_text("down.test", 20))
    bind = servers.AuthServer("named", tmp_path / "bind", [servers.Zone("down.test", zone_file)],
                              servers.ServerOptions(allow_transfer=True, ipv6=False)).start()
    secondary = ctl_daemon.Daemon(
        tmp_path / "secondary", {"own.test": 1},
        extra=f'zone "down.test" {{ type secondary; primaries {{ 127.0.0.1 port {bind.port}; }}; file "down.db"; }};\n',
    )
    secondary.start()
    try:
        assert wait_for(lambda: secondary.soa_serial("down.test") == 20, 10), secondary.log_text()
        bind.stop()
        zone_file.write_text(ctl_daemon.zone_text("down.test", 19))
        bind.start(same_port=True)
        assert secondary.ctl("refresh", "down.test").returncode == 0
        labels = zone_labels("down.test", "secondary")
        assert wait_for(lambda: value(metrics(secondary), "cairn_zone_primary_serial_lower", **labels) == 1, 10)
        status = fields(secondary.ctl("zonestatus", "down.test").stdout)
        assert status["serial"] == "20" and status["primary serial"].startswith("19 (")
        assert "serial 19, lower than ours (20)" in status["warning"] and "retransfer" in status["warning"], status
        assert "lower than ours (20)" in secondary.log_text()
        # The fix it names: retransfer takes the primary's copy, and the warning goes.
        assert secondary.ctl("retransfer", "down.test").returncode == 0
        assert wait_for(lambda: secondary.soa_serial("down.test") == 19, 10), secondary.log_text()
        assert wait_for(lambda: value(metrics(secondary), "cairn_zone_primary_serial_lower", **labels) == 0, 10)
    finally:
        secondary.stop()
        bind.stop()
