"""`cairn ctl` and BIND's own `rndc` driving cairnd over the control channel (BIND's rndc protocol), and
`cairn ctl` driving BIND's named: status, reload (edited, added and removed zones), zonestatus against the
SOA, querylog, stop, and the refusals (wrong key, stale and replayed messages, unknown zone or command).
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import dns.rcode
import pytest

import ctl_daemon
import servers
from ctl_daemon import fields
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)


@pytest.fixture
def daemon(tmp_path):
    running = ctl_daemon.Daemon(tmp_path, {"one.test": 2024010101, "two.test": 7}).start()
    yield running
    running.stop()


def test_status(daemon):
    result = daemon.ctl("status")
    assert result.returncode == 0, result.stderr
    status = fields(result.stdout)
    assert status["number of zones"] == "2 (0 automatic)"
    assert status["configuration file"] == str(daemon.config)
    assert "server is up and running" in result.stdout
    # The UDP threads' reads: the daemon's own readiness probes came over UDP, one at a time.
    udp = re.fullmatch(r"(\d+) datagrams in (\d+) reads \((\d+\.\d) per read\), (\d+) coalescing pauses", status["UDP reads"])
    assert udp, status["UDP reads"]
    datagrams, reads = int(udp.group(1)), int(udp.group(2))
    assert 1 <= reads <= datagrams
    assert float(udp.group(3)) == round(datagrams / reads, 1)


def test_zonestatus_matches_the_soa(daemon):
    result = daemon.ctl("zonestatus", "one.test")
    assert result.returncode == 0, result.stderr
    status = fields(result.stdout)
    assert status["name"] == "one.test"
    assert status["type"] == "primary"
    assert int(status["serial"]) == daemon.soa_serial("one.test") == 2024010101
    assert status["files"] == str(daemon.zone_path("one.test"))
    loaded = time.mktime(time.strptime(status["last loaded"], "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
    assert abs(loaded - time.time()) < 120


def test_reload_picks_up_an_edited_zone(daemon):
    ctl_daemon.write_atomically(daemon.zone_path("one.test"), ctl_daemon.zone_text("one.test", 2024010102))
    result = daemon.ctl("reload")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "server reload successful"
    assert daemon.soa_serial("one.test") == 2024010102  # answered right after the command returned
    assert fields(daemon.ctl("zonestatus", "one.test").stdout)["serial"] == "2024010102"
    assert daemon.soa_serial("two.test") == 7


def test_reload_rereads_the_configuration(daemon):
    ctl_daemon.write_atomically(daemon.zone_path("three.test"), ctl_daemon.zone_text("three.test", 3))
    daemon.write_config(zones=["one.test", "three.test"])
    result = daemon.ctl("reload")
    assert result.returncode == 0, result.stderr
    assert daemon.soa_serial("three.test") == 3  # new zone appears
    assert daemon.query("two.test").rcode() == dns.rcode.REFUSED  # removed zone goes
    assert daemon.ctl("zonestatus", "two.test").returncode != 0
    assert fields(daemon.ctl("status").stdout)["number of zones"] == "2 (0 automatic)"


def test_reload_of_one_zone_leaves_the_others_alone(daemon):
    ctl_daemon.write_atomically(daemon.zone_path("one.test"), ctl_daemon.zone_text("one.test", 2024010109))
    ctl_daemon.write_atomically(daemon.zone_path("two.test"), ctl_daemon.zone_text("two.test", 8))
    result = daemon.ctl("reload", "two.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "zone reload successful"
    assert daemon.soa_serial("two.test") == 8
    assert daemon.soa_serial("one.test") == 2024010101  # edited too, but not asked for
    assert fields(daemon.ctl("zonestatus", "one.test").stdout)["serial"] == "2024010101"
    assert daemon.ctl("reload", "two.test").stdout.strip() == "zone reload up-to-date"
    # A zone reload does not read the configuration again either.
    daemon.write_config(zones=["one.test"])
    assert daemon.ctl("reload", "one.test").stdout.strip() == "zone reload successful"
    assert daemon.soa_serial("one.test") == 2024010109
    assert daemon.soa_serial("two.test") == 8
    # A broken file keeps the version served, and the reply says which file and line.
    ctl_daemon.write_atomically(daemon.zone_path("two.test"), "this is not a zone\n")
    broken = daemon.ctl("reload", "two.test")
    assert broken.returncode != 0
    assert f"1 zone failed: two.test ({daemon.zone_path('two.test')}:1: " in broken.stderr, broken.stderr
    assert daemon.soa_serial("two.test") == 8


def test_unknown_zone_and_command_fail_clearly(daemon):
    missing = daemon.ctl("zonestatus", "nosuch.test")
    assert missing.returncode != 0
    assert "'zonestatus' failed: not found" in missing.stderr
    assert "no matching zone 'nosuch.test' in any view" in missing.stderr
    unknown = daemon.ctl("frobnicate")
    assert unknown.returncode != 0
    assert "unknown command" in unknown.stderr


def test_transfer_commands_on_a_primary_say_why_not(daemon):
    for command in ("refresh", "retransfer"):
        result = daemon.ctl(command, "one.test")
        assert result.returncode != 0
        assert "not a secondary" in result.stderr, result.stderr


def test_wrong_key_is_refused_and_logged(daemon, tmp_path):
    wrong = ctl_daemon.key_file(tmp_path / "wrong.key", ctl_daemon.WRONG_SECRET)
    result = daemon.ctl("stop", key=wrong)
    assert result.returncode != 0
    assert "key" in result.stderr
    assert wait_for(lambda: "refused command from 127.0.0.1" in daemon.log_text())
    assert "bad signature" in daemon.log_text()
    assert daemon.proc.poll() is None  # the stop was not obeyed
    rndc = daemon.rndc("status", key=wrong)
    assert rndc.returncode != 0


def test_stale_and_replayed_messages_are_refused(daemon):
    now = int(time.time())
    stale = ctl_daemon.signed_frame({"_ser": 1, "_tim": now - 3600, "_exp": now - 3540}, {"type": "null"})
    assert ctl_daemon.exchange(daemon.control_port, stale) == b""
    assert wait_for(lambda: "clock skew" in daemon.log_text())

    fresh = ctl_daemon.signed_frame({"_ser": 99, "_tim": now, "_exp": now + 60}, {"type": "null"})
    assert ctl_daemon.exchange(daemon.control_port, fresh) != b""  # our own encoder is accepted...
    assert ctl_daemon.exchange(daemon.control_port, fresh) == b""  # ...once
    assert wait_for(lambda: "duplicate message (replay)" in daemon.log_text())

    forged = ctl_daemon.signed_frame({"_ser": 5, "_tim": now, "_exp": now + 60}, {"type": "null"}, ctl_daemon.WRONG_SECRET)
    assert ctl_daemon.exchange(daemon.control_port, forged) == b""


def test_querylog_switches_at_run_time(daemon):
    daemon.query("www.one.test", "A")
    assert "query: www.one.test " not in daemon.log_text()
    assert daemon.ctl("querylog", "on").stdout.strip() == "query logging is now on"
    assert "query logging is ON" in daemon.ctl("status").stdout
    daemon.query("www.one.test", "A")
    assert wait_for(lambda: "query: www.one.test IN A" in daemon.log_text())
    daemon.ctl("querylog", "off")
    daemon.query("ns1.one.test", "A")
    time.sleep(0.3)
    assert "query: ns1.one.test " not in daemon.log_text()


def test_stop(daemon):
    result = daemon.ctl("stop")
    assert result.returncode == 0, result.stderr
    assert daemon.proc.wait(timeout=5) == 0


# ---- BIND's rndc against cairnd


@pytest.mark.skipif(not os.access(ctl_daemon.RNDC, os.X_OK), reason="BIND's rndc is not installed")
def test_bind_rndc_drives_cairnd(daemon):
    status = daemon.rndc("status")
    assert status.returncode == 0, status.stderr
    assert "server is up and running" in status.stdout

    zone = daemon.rndc("zonestatus", "one.test")
    assert zone.returncode == 0, zone.stderr
    assert fields(zone.stdout)["serial"] == str(daemon.soa_serial("one.test"))

    ctl_daemon.write_atomically(daemon.zone_path("two.test"), ctl_daemon.zone_text("two.test", 8))
    reload = daemon.rndc("reload")
    assert reload.returncode == 0, reload.stderr
    assert reload.stdout.strip() == "server reload successful"
    assert daemon.soa_serial("two.test") == 8

    missing = daemon.rndc("zonestatus", "nosuch.test")
    assert missing.returncode != 0
    assert "rndc: 'zonestatus' failed: not found" in missing.stderr


# ---- cairn ctl against BIND's named


@pytest.mark.skipif(servers.binary_for("named") is None, reason="BIND is not installed")
def test_cairn_ctl_drives_bind_named(tmp_path):
    port, control_port = servers.free_port(False), servers.free_port(False)
    key = ctl_daemon.key_file(tmp_path / "rndc.key")
    ctl_daemon.write_atomically(tmp_path / "one.test.zone", ctl_daemon.zone_text("one.test", 42))
    config = tmp_path / "named.conf"
    config.write_text(
        f'include "{key}";\n'
        f'controls {{ inet 127.0.0.1 port {control_port} allow {{ 127.0.0.1; }} keys {{ "{ctl_daemon.KEY_NAME}"; }}; }};\n'
        f'options {{ directory "{tmp_path}"; pid-file "{tmp_path}/named.pid"; listen-on port {port} {{ 127.0.0.1; }};\n'
        "  listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };\n"
        f'zone "one.test" {{ type primary; file "{tmp_path}/one.test.zone"; }};\n'
    )
    log = open(tmp_path / "named.log", "wb")
    named = subprocess.Popen(["/usr/sbin/named", "-g", "-c", str(config)], stdout=log, stderr=log, start_new_session=True)
    try:
        ctl = [str(ctl_daemon.cairn_binary()), "ctl", "-c", str(config)]
        deadline = time.monotonic() + 15
        status = None
        while time.monotonic() < deadline:
            status = subprocess.run(ctl + ["status"], capture_output=True, text=True, timeout=20)
            if status.returncode == 0:
                break
            time.sleep(0.2)
        assert status is not None and status.returncode == 0, status.stderr
        assert "server is up and running" in status.stdout
        zone = subprocess.run(ctl + ["zonestatus", "one.test"], capture_output=True, text=True, timeout=20)
        assert zone.returncode == 0, zone.stderr
        assert fields(zone.stdout)["serial"] == "42"
        missing = subprocess.run(ctl + ["zonestatus", "nosuch.test"], capture_output=True, text=True, timeout=20)
        assert missing.returncode != 0 and "not found" in missing.stderr
    finally:
        named.send_signal(15)
        try:
            named.wait(timeout=10)
        except subprocess.TimeoutExpired:
            named.kill()
            named.wait()
        log.close()


# ---- a unix socket control channel


def test_unix_socket_channel(tmp_path):
    socket_path = tmp_path / "cairnd.ctl"
    extra = f'controls {{ unix "{socket_path}" perm 0600 owner 0 group 0 keys {{ "{ctl_daemon.KEY_NAME}"; }}; }};'
    running = ctl_daemon.Daemon(tmp_path, {"one.test": 5}, statistics=False)
    running.extra = extra
    running.start()
    try:
        assert wait_for(socket_path.exists)
        assert oct(socket_path.stat().st_mode & 0o777) == "0o600"
        result = subprocess.run(
            [str(ctl_daemon.cairn_binary()), "ctl", "-s", str(socket_path), "-k", str(running.key), "zonestatus", "one.test"],
            capture_output=True, text=True, timeout=20,
        )
        assert result.returncode == 0, result.stderr
        assert fields(result.stdout)["serial"] == "5"
    finally:
        running.stop()
    assert not socket_path.exists()  # removed at exit


@pytest.mark.skipif(not os.access(ctl_daemon.RNDC, os.X_OK), reason="BIND's rndc is not installed")
@pytest.mark.parametrize("algorithm", ["hmac-md5", "hmac-sha1", "hmac-sha512"])
def test_bind_rndc_with_other_algorithms(tmp_path, algorithm):
    running = ctl_daemon.Daemon(tmp_path, {"one.test": 9}, statistics=False, algorithm=algorithm).start()
    try:
        zone = running.rndc("zonestatus", "one.test")
        assert zone.returncode == 0, zone.stderr
        assert fields(zone.stdout)["serial"] == "9"
        assert running.ctl("status").returncode == 0
    finally:
        running.stop()


def test_reload_reopens_changed_channels(daemon, tmp_path):
    import urllib.request

    old_http, old_key = daemon.http_port, tmp_path / "old.key"
    old_key.write_text(daemon.key.read_text())
    daemon.http_port = servers.free_port(False)
    ctl_daemon.key_file(daemon.key, ctl_daemon.WRONG_SECRET)  # the included key file gets a new secret
    daemon.write_config()
    result = daemon.ctl("reload", key=old_key)
    assert result.returncode == 0, result.stderr  # answered before the channel was reopened
    assert wait_for(lambda: "reopening them" in daemon.log_text())

    def metrics_on(port):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    assert wait_for(lambda: metrics_on(daemon.http_port))
    assert not metrics_on(old_http)
    assert wait_for(lambda: daemon.ctl("status").returncode == 0)  # the new key
    assert daemon.ctl("status", key=old_key).returncode != 0


def test_notify_sends_notify_to_the_zone_targets(tmp_path):
    import socket as socketlib

    import dns.message
    import dns.opcode

    listener = socketlib.socket(socketlib.AF_INET, socketlib.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.2)
    target_port = listener.getsockname()[1]
    running = ctl_daemon.Daemon(
        tmp_path, {"one.test": 31}, statistics=False,
        zone_options={"one.test": f"notify explicit; also-notify {{ 127.0.0.1 port {target_port}; }};"},
    )
    running.start()

    def notifies_within(seconds: float) -> list[dns.message.Message]:
        seen = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                wire, peer = listener.recvfrom(65535)
            except socketlib.timeout:
                continue
            message = dns.message.from_wire(wire)
            if message.opcode() == dns.opcode.NOTIFY:
                seen.append(message)
                listener.sendto(dns.message.make_response(message).to_wire(), peer)  # ends the retries
        return seen

    try:
        notifies_within(1.5)  # whatever the start-up load sent
        result = running.ctl("notify", "one.test")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "zone notify queued"
        seen = notifies_within(5)
        assert seen, running.log_text()
        assert str(seen[0].question[0].name) == "one.test."
    finally:
        running.stop()
        listener.close()


def test_reload_of_a_broken_configuration_fails_and_keeps_serving(daemon):
    daemon.config.write_text(daemon.config.read_text() + "\nthis is not named.conf\n")
    result = daemon.ctl("reload")
    assert result.returncode != 0
    assert "reload failed" in result.stderr
    assert daemon.soa_serial("one.test") == 2024010101
    assert daemon.ctl("status").returncode == 0
