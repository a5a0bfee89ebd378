"""Logging by category (BIND's logging {} block): two file channels and a query log with categories routed
differently, each file gets only its categories at its channel's severity; query logging follows the
configuration (`querylog`, or the queries category named) and `querylog on|off` at run time.
"""

from __future__ import annotations

import re
import time

import dns.message
import dns.query
import dns.rdatatype
import pytest

import ctl_daemon
import servers
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

LOGGING = """logging {
    channel main_log { file "main.log"; severity info; print-time yes; print-category yes; print-severity yes; };
    channel alerts { file "alerts.log" versions 2 size 1m; severity warning; print-category yes; print-severity yes; };
    channel query_log { file "queries.log"; severity info; print-category yes; };
    category default { main_log; };
    category security { alerts; };
    category notify { alerts; };
    category queries { query_log; };
    category xfer-out { null; };
};
"""


def read(path) -> str:
    return path.read_text() if path.exists() else ""


@pytest.fixture
def routed(tmp_path):
    dead = servers.free_port(False)  # nothing listens there: NOTIFYs to it fail (category notify, info)
    running = ctl_daemon.Daemon(
        tmp_path,
        {"alpha.test": 1},
        statistics=False,
        extra=LOGGING,
        zone_options={"alpha.test": f"also-notify {{ 127.0.0.1 port {dead}; }};"},
    ).start()
    yield running
    running.stop()


def test_each_channel_gets_only_its_categories_at_its_severity(routed, tmp_path):
    main, alerts = tmp_path / "main.log", tmp_path / "alerts.log"
    # security, at warning (a command signed with the wrong key) and error (a transfer allow-transfer denies)
    wrong = ctl_daemon.key_file(tmp_path / "wrong.key", ctl_daemon.WRONG_SECRET)
    assert routed.ctl("status", key=wrong).returncode != 0
    request = dns.message.make_query("alpha.test.", dns.rdatatype.AXFR)
    assert dns.query.tcp(request, "127.0.0.1", port=routed.port, timeout=3).rcode() != 0
    # notify, at info only: the dead target does not answer
    assert routed.ctl("notify", "alpha.test").returncode == 0
    assert wait_for(lambda: "alpha.test" in routed.log_text() and "notify for serial 1 to" in routed.log_text())
    assert wait_for(lambda: "transfer denied" in read(alerts) and "refused command" in read(alerts))

    alert_lines = read(alerts).splitlines()
    assert any(line.startswith("security: warning: control channel: refused command") for line in alert_lines)
    assert any(line.startswith("security: error: ") and "transfer denied" in line for line in alert_lines)
    assert all(line.startswith("security: ") for line in alert_lines), alert_lines  # notify's info filtered

    main_text = read(main)
    assert "general: info: zone alpha.test/IN: loaded serial 1" in main_text
    assert "general: info: control channel: received 'notify alpha.test'" in main_text
    # "22-Nov-2026 06:09:16.123 general: info: ..."
    first = main_text.splitlines()[0]
    time.strptime(first[:20], "%d-%b-%Y %H:%M:%S")
    for foreign in ("security:", "notify:", "queries:", "xfer-out:", "refused command", "transfer denied"):
        assert foreign not in main_text, foreign
    # stderr gets every category whatever the routing
    for everywhere in ("transfer denied", "refused command", "notify for serial 1 to", "loaded serial 1"):
        assert everywhere in routed.log_text(), everywhere


def test_query_log_follows_the_configuration_and_the_control_channel(routed, tmp_path):
    queries = tmp_path / "queries.log"
    # Naming the queries category turns query logging on, as in BIND.
    assert "query logging is ON" in routed.ctl("status").stdout
    routed.query("www.alpha.test", "A")
    # (the query log is flushed every second, not per line)
    assert wait_for(lambda: "query: www.alpha.test IN A" in read(queries))
    assert re.search(r"queries: client @0x[0-9a-f]+ 127\.0\.0\.1#\d+ \(www\.alpha\.test\): query: ", read(queries))
    assert routed.ctl("querylog", "off").returncode == 0
    routed.query("off.alpha.test", "A")
    assert routed.ctl("querylog", "on").returncode == 0
    routed.query("on.alpha.test", "TXT")
    assert wait_for(lambda: "query: on.alpha.test IN TXT" in read(queries))
    assert "off.alpha.test" not in read(queries)
    assert "off.alpha.test" not in routed.log_text()
    assert "query: www.alpha.test " not in read(tmp_path / "main.log")
    # A reload goes back to what the configuration says.
    assert routed.ctl("querylog", "off").returncode == 0
    assert routed.ctl("reload").returncode == 0
    assert "query logging is ON" in routed.ctl("status").stdout


def test_querylog_option(tmp_path):
    running = ctl_daemon.Daemon(tmp_path, {"beta.test": 5}, statistics=False, options_extra="querylog yes;").start()
    try:
        running.query("www.beta.test", "A")
        assert wait_for(lambda: "query: www.beta.test IN A" in running.log_text())
    finally:
        running.stop()
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    running = ctl_daemon.Daemon(
        quiet, {"beta.test": 5}, statistics=False, options_extra="querylog no;", extra=LOGGING
    ).start()
    try:
        running.query("www.beta.test", "A")
        time.sleep(1.5)  # the query log is flushed every second
        assert "www.beta.test" not in read(quiet / "queries.log")
        assert "www.beta.test" not in running.log_text()
        assert "query logging is OFF" in running.ctl("status").stdout
    finally:
        running.stop()


def test_reload_reroutes_the_categories(routed, tmp_path):
    main, alerts = tmp_path / "main.log", tmp_path / "alerts.log"
    routed.extra = LOGGING.replace("category security { alerts; };", "category security { main_log; };")
    routed.write_config()
    assert routed.ctl("reload").returncode == 0
    wrong = ctl_daemon.key_file(tmp_path / "wrong.key", ctl_daemon.WRONG_SECRET)
    assert routed.ctl("status", key=wrong).returncode != 0
    assert wait_for(lambda: "security: warning: control channel: refused command" in read(main))
    assert "refused command" not in read(alerts)
