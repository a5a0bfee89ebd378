"""The control channel cairnd opens without a `controls` statement (BIND's: 127.0.0.1 and ::1, the key of
rndc.key; its port moved off 953 with --control-port, never touching the host's), `controls { };` turning it
off, -k naming another key file, a unix socket's perm/owner/group, and every statistics-channels entry served.
"""

from __future__ import annotations

import base64
import os
import socket
import stat
import subprocess
import urllib.request

import pytest

import ctl_daemon
import servers

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)


def ctl(server: str, port: int, key, *command: str) -> subprocess.CompletedProcess:
    args = [str(ctl_daemon.cairn_binary()), "ctl", "-s", server, "-p", str(port), "-k", str(key), *command]
    return subprocess.run(args, capture_output=True, text=True, timeout=20)


def listening(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def test_without_controls_the_default_channel_listens_on_loopback_with_rndc_key(tmp_path):
    port = servers.free_port(True)
    running = ctl_daemon.Daemon(
        tmp_path, {"one.test": 1}, statistics=False, controls="", control_port=port, args=["--control-port", str(port)]
    ).start()
    try:
        result = ctl("127.0.0.1", port, running.key, "status")
        assert result.returncode == 0, result.stderr
        assert "server is up and running" in result.stdout
        if servers.ipv6_loopback_available():
            assert ctl("::1", port, running.key, "zonestatus", "one.test").returncode == 0
        # cairn ctl finds the same rndc.key beside a configuration that has neither controls nor keys.
        client_conf = tmp_path / "client.conf"
        client_conf.write_text("options { };\n")
        found = subprocess.run(
            [str(ctl_daemon.cairn_binary()), "ctl", "-c", str(client_conf), "-p", str(port), "status"],
            capture_output=True, text=True, timeout=20,
        )
        assert found.returncode == 0, found.stderr
        wrong = ctl_daemon.key_file(tmp_path / "wrong.key", ctl_daemon.WRONG_SECRET)
        assert ctl("127.0.0.1", port, wrong, "status").returncode != 0
        # Not on other addresses of the host.
        assert not listening("127.0.0.2", port)
    finally:
        running.stop()


def test_key_file_option_and_empty_controls(tmp_path):
    port = servers.free_port(True)
    other_secret = base64.b64encode(b"the key named with -k, not beside").decode()
    other = ctl_daemon.key_file(tmp_path / "other.key", other_secret)
    running = ctl_daemon.Daemon(
        tmp_path,
        {"one.test": 1},
        statistics=False,
        controls="",
        control_port=port,
        args=["--control-port", str(port), "-k", str(other)],
    ).start()
    try:
        assert ctl("127.0.0.1", port, other, "status").returncode == 0
        assert ctl("127.0.0.1", port, running.key, "status").returncode != 0  # rndc.key beside: not used
    finally:
        running.stop()

    off = tmp_path / "off"
    off.mkdir()
    port = servers.free_port(True)
    running = ctl_daemon.Daemon(
        off, {"one.test": 1}, statistics=False, controls="controls { };", control_port=port,
        args=["--control-port", str(port)], wait_control=False,
    ).start()
    try:
        assert running.soa_serial("one.test") == 1
        assert not listening("127.0.0.1", port)
        assert "no control channel" not in running.log_text()  # disabled on purpose, not for want of a key
        assert "control channel open" not in running.log_text()
    finally:
        running.stop()


def test_no_rndc_key_means_no_default_channel(tmp_path):
    port = servers.free_port(True)
    running = ctl_daemon.Daemon(
        tmp_path, {"one.test": 1}, statistics=False, controls="", control_port=port,
        args=["--control-port", str(port), "-k", str(tmp_path / "missing.key")], wait_control=False,
    ).start()
    try:
        assert not listening("127.0.0.1", port)
        assert "no control channel" in running.log_text()
    finally:
        running.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="setting a socket's owner needs root")
def test_unix_socket_perm_owner_group(tmp_path):
    path = tmp_path / "cairnd.ctl"
    running = ctl_daemon.Daemon(
        tmp_path, {"one.test": 1}, statistics=False, wait_control=False,
        controls=f'controls {{ unix "{path}" perm 0640 owner 4242 group 4343 keys {{ "{ctl_daemon.KEY_NAME}"; }}; }};',
    ).start()
    try:
        info = path.stat()
        assert stat.S_ISSOCK(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o640
        assert (info.st_uid, info.st_gid) == (4242, 4343)
        result = subprocess.run(
            [str(ctl_daemon.cairn_binary()), "ctl", "-s", str(path), "-k", str(running.key), "status"],
            capture_output=True, text=True, timeout=20,
        )
        assert result.returncode == 0, result.stderr
    finally:
        running.stop()


def test_every_statistics_channel_is_served(tmp_path):
    second, third = servers.free_port(False), servers.free_port(False)
    running = ctl_daemon.Daemon(
        tmp_path, {"one.test": 1},
        extra=f"statistics-channels {{ inet 127.0.0.1 port {second}; inet 127.0.0.1 port {third} allow {{ none; }}; }};",
    ).start()
    try:
        for port in (running.http_port, second):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                assert response.status == 200
                assert 'cairn_zone_serial{zone="one.test.",view="_default",role="primary"} 1' in response.read().decode()
        with pytest.raises(OSError):  # refused by its allow list (or the connection dropped)
            with urllib.request.urlopen(f"http://127.0.0.1:{third}/metrics", timeout=5) as response:
                assert response.status != 200
    finally:
        running.stop()
