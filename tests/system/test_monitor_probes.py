"""Synthetic probes (issue 17; cairn's own `probe "NAME" { ... };` statement, beyond BIND): cairnd asks a
question of given servers, or of itself, every few seconds, checks the answer (rcode, records of the type,
the `expect`ed rdata), exports latency, runs and failures in /metrics (cairn_probe_*), /json ("probes") and
on the status page (failing first), and logs a line when a probe starts failing (with the doctor's likely
failure type and the command to confirm it) and when it passes again. named-checkconf refuses the
statement: it is cairn's own.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess

import pytest

import ctl_daemon
import servers
from ctl_daemon import write_atomically, zone_text
from test_stats_channel import get, parse_prometheus, value
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(),
    reason="cairnd is not installed",
)


def probe_rows(daemon) -> dict[tuple[str, str, str], dict]:
    return {(p["probe"], p["type"], p["server"]): p for p in json.loads(get(daemon, "/json")[2])["probes"]}


def test_probes_pass_fail_and_recover_in_every_output(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1#{silent.getsockname()[1]}"
        daemon = ctl_daemon.Daemon(
            tmp_path, {"probe.test": 1},
            extra=(
                # Asks cairnd itself (no servers): passes while www has 192.0.2.1.
                'probe "www.probe.test" { every 1; timeout 1; expect { 192.0.2.1; }; };\n'
                # A server that never answers: fails from the first run.
                f'probe "www.probe.test" {{ type AAAA; every 1; timeout 1; servers {{ 127.0.0.1 port '
                f'{silent.getsockname()[1]}; }}; }};\n'
            ),
        )
        daemon.start()
        try:
            own = f"127.0.0.1#{daemon.port}"
            a, aaaa = ("www.probe.test", "A", own), ("www.probe.test", "AAAA", dead)
            assert wait_for(lambda: all(probe_rows(daemon).get(k, {}).get("runs", 0) >= 2 for k in (a, aaaa)), 15), \
                probe_rows(daemon)
            rows = probe_rows(daemon)
            assert rows[a]["ok"] is True and rows[a]["rcode"] == "NOERROR" and rows[a]["answer"] == ["192.0.2.1"]
            assert rows[a]["rtt_ms"] is not None and rows[a]["failures"] == 0 and rows[a]["failing_since"] is None
            assert rows[aaaa]["ok"] is False and rows[aaaa]["rcode"] is None and rows[aaaa]["rtt_ms"] is None
            assert rows[aaaa]["problem"] == "no answer: timeout"
            assert rows[aaaa]["failures"] == rows[aaaa]["runs"]

            types, samples = parse_prometheus(get(daemon, "/metrics")[2])
            assert types["cairn_probe_up"] == "gauge" and types["cairn_probe_runs_total"] == "counter"
            assert value(samples, "cairn_probe_up", probe="www.probe.test", type="A", server=own) == 1
            assert value(samples, "cairn_probe_up", probe="www.probe.test", type="AAAA", server=dead) == 0
            latency = value(samples, "cairn_probe_latency_seconds", probe="www.probe.test", type="A", server=own)
            assert 0 < latency < 1
            assert ("cairn_probe_latency_seconds", tuple(sorted({"probe": "www.probe.test", "type": "AAAA",
                                                                  "server": dead}.items()))) not in samples
            assert value(samples, "cairn_probe_failures_total", probe="www.probe.test", type="AAAA", server=dead) >= 2
            assert value(samples, "cairn_probe_failing_since_seconds", probe="www.probe.test", type="AAAA",
                         server=dead) > 0

            page = get(daemon, "/")[2]
            assert page.index(f'data-server="{dead}" data-state="failing"') < page.index(
                f'data-server="{own}" data-state="ok"'), "failing probes first"

            log = daemon.log_text()
            line = next(l for l in log.splitlines() if f"probe www.probe.test AAAA at {dead}: failing" in l)
            assert "no answer: timeout" in line and "likely resolver-down" in line, line
            assert f"cairn doctor www.probe.test. AAAA --resolver {dead}" in line, line
            assert log.count(f"probe www.probe.test AAAA at {dead}: failing") == 1, "logged when it starts failing"
            assert f"probe www.probe.test A at {own}: failing" not in log

            # The answer changes: the probe that expects 192.0.2.1 fails, says why, and is logged once.
            write_atomically(daemon.zone_path("probe.test"), zone_text("probe.test", 2, address="192.0.2.9"))
            assert daemon.rndc("reload").returncode == 0
            assert wait_for(lambda: probe_rows(daemon)[a]["ok"] is False, 10), probe_rows(daemon)
            assert probe_rows(daemon)[a]["problem"] == "the answer lacks 192.0.2.1"
            assert wait_for(lambda: f"probe www.probe.test A at {own}: failing: the answer lacks 192.0.2.1"
                            in daemon.log_text(), 5)
            # Back: it passes again, the streak ends, and that is logged.
            write_atomically(daemon.zone_path("probe.test"), zone_text("probe.test", 3))
            assert daemon.rndc("reload").returncode == 0
            assert wait_for(lambda: probe_rows(daemon)[a]["ok"] is True, 10), probe_rows(daemon)
            assert probe_rows(daemon)[a]["failing_since"] is None
            assert wait_for(lambda: f"probe www.probe.test A at {own}: passes again" in daemon.log_text(), 5)
            # The reload kept the probes' counters (the same probes).
            assert probe_rows(daemon)[aaaa]["runs"] >= rows[aaaa]["runs"]
        finally:
            daemon.stop()


@pytest.mark.skipif(shutil.which("named-checkconf") is None, reason="BIND's named-checkconf is not installed")
def test_named_checkconf_refuses_the_probe_statement_cairn_checkconf_accepts(tmp_path):
    conf = tmp_path / "named.conf"
    conf.write_text('options { directory "%s"; };\nprobe "www.example.com" { type A; every 60; };\n' % tmp_path)
    named = subprocess.run(["named-checkconf", str(conf)], capture_output=True, text=True, timeout=30)
    assert named.returncode != 0, named.stdout + named.stderr
    cairn = subprocess.run([str(ctl_daemon.cairn_binary()), "checkconf", str(conf)], capture_output=True, text=True,
                           timeout=30)
    assert cairn.returncode == 0, cairn.stdout + cairn.stderr
