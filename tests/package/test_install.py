"""`cmake --install` into a temporary prefix: the programs in sbin/ and bin/, the man pages, the example
configuration and zones, a service configuration in etc/cairn, the systemd unit (which systemd-analyze
verifies) and the tmpfiles.d and sysusers.d entries; then the installed binaries run the installed example.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.message
import dns.query
import pytest

from conftest import REPO_ROOT, project_version

BUILD = REPO_ROOT / "build-install"  # kept between runs: only what the prefix changes is built again


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    env = dict(os.environ, CCACHE_BASEDIR=str(REPO_ROOT), CCACHE_NOHASHDIR="1")
    configure = subprocess.run(["cmake", "-S", str(REPO_ROOT), "-B", str(BUILD), "-G", "Ninja",
                                "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCAIRN_BUILD_TESTS=OFF",
                                f"-DCMAKE_INSTALL_PREFIX={prefix}"], capture_output=True, text=True, env=env)
    assert configure.returncode == 0, configure.stderr
    build = subprocess.run(["ninja", "-C", str(BUILD), f"-j{os.cpu_count()}"], capture_output=True, text=True,
                           env=env, timeout=3600)
    assert build.returncode == 0, build.stdout[-5000:]
    install = subprocess.run(["cmake", "--install", str(BUILD)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return prefix


def test_the_files_go_where_they_belong(prefix):
    for program in ("sbin/cairnd", "bin/cairn"):
        assert os.access(prefix / program, os.X_OK), program
    for page in ("share/man/man8/cairnd.8", "share/man/man8/cairn.8", "share/man/man5/cairn-named.conf.5"):
        text = (prefix / page).read_text()
        assert f"cairn {project_version()}" in text and "@CAIRN" not in text, page
    examples = prefix / "share/doc/cairn/examples"
    assert (examples / "named.conf").is_file() and (examples / "zones/dnskurz.cz.zone").is_file()
    assert (examples / "named.conf.service").is_file()
    config = (prefix / "etc/cairn/named.conf").read_text()
    assert "listen-on { 127.0.0.1; }" in config and f'directory "{prefix}/var/lib/cairn";' in config
    assert (prefix / "var/lib/cairn").is_dir() and (prefix / "var/run/cairn").is_dir()
    assert "d /run/cairn 0755 cairn cairn -" in (prefix / "lib/tmpfiles.d/cairn.conf").read_text().splitlines()
    assert "u cairn" in (prefix / "lib/sysusers.d/cairn.conf").read_text()
    unit = (prefix / "lib/systemd/system/cairnd.service").read_text()
    assert f"ExecStart={prefix}/sbin/cairnd -c ${{CAIRND_CONFIG}}" in unit
    assert f"Environment=CAIRND_CONFIG={prefix}/etc/cairn/named.conf" in unit


def test_an_existing_configuration_is_kept(prefix):
    config = prefix / "etc/cairn/named.conf"
    original = config.read_text()
    config.write_text(original + "// the operator's\n")
    again = subprocess.run(["cmake", "--install", str(BUILD)], capture_output=True, text=True)
    assert again.returncode == 0 and "Keeping:" in again.stdout
    assert config.read_text().endswith("// the operator's\n")
    config.write_text(original)


def test_systemd_analyze_verifies_the_unit(prefix):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is not installed (scripts/install-deps.sh installs systemd)")
    unit = prefix / "lib/systemd/system/cairnd.service"
    # verify also looks up the Documentation= man pages: in the prefix's man directory here.
    env = dict(os.environ, MANPATH=str(prefix / "share/man") + ":")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cairnd.service" not in done.stdout + done.stderr, done.stdout + done.stderr
    text = unit.read_text()
    for setting in ("Type=notify", "User=cairn", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "StateDirectory=cairn", "RuntimeDirectory=cairn",
                    "ProtectSystem=strict", "NoNewPrivileges=yes", "ExecReload="):
        assert re.search(rf"^{re.escape(setting)}", text, re.M), setting


def test_the_installed_programs_run_the_installed_example(prefix, tmp_path):
    cairnd, cairn = prefix / "sbin/cairnd", prefix / "bin/cairn"
    version = subprocess.run([str(cairnd), "-V"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith(f"cairnd {project_version()}\n")
    # Without -c the installed programs read the prefix's configuration.
    checked = subprocess.run([str(cairn), "checkconf"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    checked = subprocess.run([str(cairnd), "-C"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    # The README's example, run from a copy with ports of the test's own.
    shutil.copytree(prefix / "share/doc/cairn/examples", tmp_path / "examples")
    port, control = free_port(), free_port()
    config = tmp_path / "examples/named.conf"
    config.write_text(config.read_text().replace("port 5300", f"port {port}").replace("port 5301", f"port {control}"))
    with open(tmp_path / "examples/rndc.key", "w") as key:
        subprocess.run([str(cairn), "tsig-keygen", "example-rndc"], stdout=key, check=True)
    os.chmod(tmp_path / "examples/rndc.key", 0o600)
    log = open(tmp_path / "cairnd.log", "wb")
    proc = subprocess.Popen([str(cairnd), "-c", "examples/named.conf", "-n", "1"], cwd=tmp_path, stdout=log,
                            stderr=log, start_new_session=True)
    try:
        answer = None
        deadline = time.monotonic() + 30
        while answer is None and time.monotonic() < deadline:
            try:
                answer = dns.query.udp(dns.message.make_query("www.dnskurz.cz", "AAAA"), "127.0.0.1", port=port,
                                       timeout=0.5)
            except Exception:  # noqa: BLE001 (not up yet)
                assert proc.poll() is None, (tmp_path / "cairnd.log").read_text()
        assert answer is not None and answer.answer, (tmp_path / "cairnd.log").read_text()
        status = subprocess.run([str(cairn), "ctl", "-c", "examples/named.conf", "status"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=30)
        assert status.returncode == 0, status.stderr
        assert "number of zones: 2" in status.stdout and "server is up and running" in status.stdout
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
