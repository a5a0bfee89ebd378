"""A cairnd secondary zone's life with seconds-long SOA timers (refresh 2, retry 1, expire 8).

`xfr_tool serve` is the primary, started and stopped on one port; cairnd is the secondary, with
min-refresh-time and min-retry-time lowered to 1 so that the zone's own timers apply. Checked: the zone is
served until EXPIRE after the last successful refresh, then answers SERVFAIL (EDE 22); restarting the
secondary does not reset the expire clock nor serve an expired copy; a returning primary brings the zone
back within refresh + retry; serial arithmetic (RFC 1982) decides what is newer.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

import servers
from waiting import soa_serial, wait_for

TOOL = servers.cairn_build_dir() / "tests" / "tools" / "xfr_tool"
ORIGIN = "timers.example."
ZONE = "$TTL 60\n@ SOA ns1 hostmaster 5 2 1 8 60\n  NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.80\n"
EDE = 15


class Setup:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.primary_port = servers.free_port(ipv6=False)
        self.port = servers.free_port(ipv6=False)
        self.http_port = servers.free_port(ipv6=False)
        self.primary_file = tmp_path / "primary.zone"
        self.started: list = []
        (tmp_path / "secondary").mkdir()
        self.config = tmp_path / "secondary" / "named.conf"
        self.config.write_text(
            f'statistics-channels {{ inet 127.0.0.1 port {self.http_port} allow {{ 127.0.0.1; }}; }};\n'
            "options {\n"
            f'    directory "{tmp_path / "secondary"}";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n    recursion no;\n    notify no;\n"
            "    min-refresh-time 1; min-retry-time 1;\n"
            "};\n"
            f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {self.primary_port}; }}; '
            'file "secondary.zone"; };\n'
        )

    def primary(self, text: str = ZONE) -> subprocess.Popen:
        self.primary_file.write_text(text)
        log = open(self.tmp_path / "serve.log", "a")
        proc = subprocess.Popen(
            [str(TOOL), "serve", str(self.primary_port), ORIGIN, str(self.primary_file), "--seconds", "60"],
            stdout=log, stderr=log,
        )
        self.started.append(proc)
        time.sleep(0.3)  # bound before the secondary's next retry
        return proc

    def secondary(self, log: str) -> servers.LoggedProcess:
        process = servers.cairnd_process(self.config, self.tmp_path / "secondary", log)
        self.started.append(process)
        return process

    def json_zone(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/json", timeout=2) as response:
            return json.loads(response.read())["zones"][0]

    def rcode_and_ede(self) -> tuple[int | None, list[int]]:
        try:
            response = dns.query.udp(dns.message.make_query(ORIGIN, "SOA", use_edns=0), "127.0.0.1",
                                     port=self.port, timeout=0.5)
        except Exception:  # noqa: BLE001 (not answering at all)
            return None, []
        return response.rcode(), [o.code for o in response.options if o.otype == EDE]

    def stop(self) -> None:
        for process in self.started:
            if isinstance(process, subprocess.Popen):
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=10)
            else:
                process.stop()


@pytest.fixture
def setup(tmp_path):
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built (ninja -C build xfr_tool)")
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    s = Setup(tmp_path)
    yield s
    s.stop()


def test_expiry_restart_and_recovery(setup):
    first_primary = setup.primary()
    first = setup.secondary("first.log")
    assert wait_for(lambda: soa_serial(setup.port, ORIGIN) == 5, 5), first.log()
    assert wait_for(lambda: (setup.tmp_path / "secondary" / "secondary.zone").exists(), 5)  # saved for a restart

    first_primary.terminate()
    first_primary.wait(timeout=10)
    assert wait_for(lambda: setup.json_zone()["state"] == "refresh failing", 8), first.log()
    zone = setup.json_zone()
    assert soa_serial(setup.port, ORIGIN) == 5  # still served while retrying
    assert "refresh failing" in zone["problem"]
    expire_at = zone["expires"]
    assert expire_at - zone["last_refresh_at"] <= 8  # counted from the last success

    # A restart of the secondary meanwhile: serves the copy from disk at once, keeps the old deadline.
    first.stop()
    second = setup.secondary("second.log")
    assert wait_for(lambda: soa_serial(setup.port, ORIGIN) == 5, 3), second.log()
    assert setup.json_zone()["expires"] == expire_at
    assert wait_for(lambda: setup.rcode_and_ede()[0] == dns.rcode.SERVFAIL, expire_at - time.time() + 3), second.log()
    gone = time.time()
    assert expire_at - 0.5 <= gone < expire_at + 1.5  # the restart did not reset the clock
    assert setup.rcode_and_ede()[1] == [22]  # No Reachable Authority
    assert setup.json_zone()["state"] == "expired"

    # A restart after expiry does not serve the expired copy.
    second.stop()
    third = setup.secondary("third.log")
    assert wait_for(lambda: setup.rcode_and_ede()[0] is not None, 3), third.log()
    assert setup.rcode_and_ede()[0] == dns.rcode.SERVFAIL

    # The primary returns: served again within refresh + retry.
    setup.primary()
    assert wait_for(lambda: soa_serial(setup.port, ORIGIN) == 5, 2 + 1 + 2.5), third.log()


def test_serial_arithmetic_end_to_end(setup):
    """RFC 1982: 4294967295 -> 1 is an increase and transfers; 1 -> 2147483650 is a decrease and does not."""
    at_top = setup.primary(ZONE.replace(" 5 2 1 8 60", " 4294967295 2 1 8 60"))
    secondary = setup.secondary("secondary.log")
    assert wait_for(lambda: soa_serial(setup.port, ORIGIN) == 4294967295, 5), secondary.log()
    at_top.terminate()
    at_top.wait(timeout=10)
    wrapped = setup.primary(ZONE.replace(" 5 2 1 8 60", " 1 2 1 8 60"))
    assert wait_for(lambda: soa_serial(setup.port, ORIGIN) == 1, 5), secondary.log()
    wrapped.terminate()
    wrapped.wait(timeout=10)
    setup.primary(ZONE.replace(" 5 2 1 8 60", " 2147483650 2 1 8 60"))
    # Checks keep succeeding (the primary answers) but nothing newer is taken: a lower serial, with the
    # warning that says so and the fix.
    assert wait_for(lambda: setup.json_zone()["primary_serial"] == 2147483650, 6), secondary.log()
    zone = setup.json_zone()
    assert zone["serial"] == 1 and zone["state"] == "loaded"
    assert "lower than ours (1)" in zone["serial_warning"] and "retransfer" in zone["serial_warning"]
    time.sleep(2.5)  # another check or two
    assert soa_serial(setup.port, ORIGIN) == 1
