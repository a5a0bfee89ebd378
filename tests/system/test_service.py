"""cairnd as a service: systemd's notification protocol (Type=notify), `-u USER` dropping root after binding
port 53, syslog channels with their facility, and the operator's front door: -V, the nearest subcommand or
option on a typo, `cairn checkconf` saying what `cairnd -C` says, and man pages that document every
subcommand, control command and option there is.
"""

from __future__ import annotations

import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype
import pytest

import servers
from waiting import wait_for

ZONE = "$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n"


def cairn_binary() -> Path:
    return servers.cairn_build_dir() / "src" / "cli" / "cairn"


def answers(address: str, port: int, name: str = "www.example.test") -> bool:
    try:
        response = dns.query.udp(dns.message.make_query(name, "A"), address, port=port, timeout=0.5)
    except Exception:  # noqa: BLE001 (no answer yet)
        return False
    return any(rrset.rdtype == dns.rdatatype.A for rrset in response.answer)


class NotifySocket:
    """The listening end of $NOTIFY_SOCKET, as systemd holds it: one datagram per state change."""

    def __init__(self, path: str):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + path[1:] if path.startswith("@") else path)
        if not path.startswith("@"):
            os.chmod(path, 0o777)
        self.sock.settimeout(0.2)

    def receive(self, timeout: float) -> list[str]:
        """Every message that arrives within `timeout` seconds (returns early once one has)."""
        deadline = time.monotonic() + timeout
        messages: list[str] = []
        while time.monotonic() < deadline:
            try:
                messages.append(self.sock.recv(4096).decode())
                self.sock.settimeout(0.2)
                break
            except socket.timeout:
                continue
        return messages

    def close(self) -> None:
        self.sock.close()


def big_zone(path: Path, records: int) -> None:
    """A zone that takes cairnd a noticeable time to load, so that READY=1 cannot come too early unseen."""
    lines = [ZONE]
    lines += [f"h{i} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(records)]
    path.write_text("\n".join(lines) + "\n")


def notify_config(workdir: Path, port: int, control_port: int) -> Path:
    (workdir / "rndc.key").write_text('key "rndc-key" { algorithm hmac-sha256; secret "c2VydmljZS10ZXN0LWtleS0wMTIzNDU2Nzg5MDEyMw=="; };\n')
    os.chmod(workdir / "rndc.key", 0o600)
    config = workdir / "named.conf"
    config.write_text(
        "options {\n"
        f'    directory "{workdir}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n    recursion no;\n    notify no;\n"
        "};\n"
        f'zone "example.test" {{ type primary; file "{workdir}/example.test.zone"; }};\n'
        f'zone "other.test" {{ type primary; file "{workdir}/other.test.zone"; }};\n'
    )
    return config


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_notify_protocol(cairnd_binary, tmp_path, abstract):
    port, control_port = servers.free_port(False), servers.free_port(False)
    big_zone(tmp_path / "example.test.zone", 200_000)
    (tmp_path / "other.test.zone").write_text(ZONE)
    config = notify_config(tmp_path, port, control_port)
    path = f"@cairn-test-notify-{os.getpid()}-{random.randrange(1 << 30)}" if abstract else str(tmp_path / "notify")
    listener = NotifySocket(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    proc = subprocess.Popen([str(cairnd_binary), "-c", str(config), "-n", "1", "--control-port", str(control_port)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "log", "wb"),
                            start_new_session=True)
    try:
        # READY=1 only once the zones answer: the moment it arrives, the big zone's names must resolve.
        messages: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("READY=1" in m for m in messages):
            messages += listener.receive(0.5)
            assert proc.poll() is None, (tmp_path / "log").read_text()
        ready = next(m for m in messages if "READY=1" in m)
        assert answers("127.0.0.1", port, "h199999.example.test"), "READY=1 before the zones answer"
        assert "STATUS=serving 2 zones" in ready.split("\n"), ready

        # A reload through the control channel, as ExecReload runs it: RELOADING=1, then READY=1 again.
        ctl = subprocess.run([str(cairn_binary()), "ctl", "-s", "127.0.0.1", "-p", str(control_port), "-k",
                              str(tmp_path / "rndc.key"), "reload"], capture_output=True, text=True, timeout=60)
        assert ctl.returncode == 0, ctl.stderr
        reload_messages = []
        assert wait_for(lambda: reload_messages.extend(listener.receive(0.3)) or
                        any("READY=1" in m for m in reload_messages), 20), reload_messages
        reloading = next(m for m in reload_messages if "RELOADING=1" in m)
        assert re.search(r"^MONOTONIC_USEC=\d+$", reloading, re.M), reloading
        assert reload_messages.index(reloading) < next(i for i, m in enumerate(reload_messages) if "READY=1" in m)

        # SIGHUP reloads as well; SIGTERM says STOPPING=1.
        proc.send_signal(signal.SIGHUP)
        hup = []
        assert wait_for(lambda: hup.extend(listener.receive(0.3)) or any("READY=1" in m for m in hup), 20), hup
        assert any("RELOADING=1" in m for m in hup)
        proc.send_signal(signal.SIGTERM)
        stopping = []
        assert wait_for(lambda: stopping.extend(listener.receive(0.3)) or any("STOPPING=1" in m for m in stopping),
                        20), stopping
        assert proc.wait(timeout=20) == 0
    finally:
        servers.terminate(proc, 10)
        listener.close()


def test_no_notify_socket_no_notifications(cairnd_binary, tmp_path):
    """Without $NOTIFY_SOCKET (not under systemd) nothing is sent and nothing fails."""
    port = servers.free_port(False)
    (tmp_path / "example.test.zone").write_text(ZONE)
    (tmp_path / "other.test.zone").write_text(ZONE)
    config = notify_config(tmp_path, port, servers.free_port(False))
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    proc = subprocess.Popen([str(cairnd_binary), "-c", str(config), "-n", "1"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: answers("127.0.0.1", port), 20)
    finally:
        servers.terminate(proc, 10)


# --- cairnd -u USER ----------------------------------------------------------------------------------------


@pytest.fixture
def low_port_address():
    """An address of 127.57.0.0/16 added to lo for the test (removed after), where cairnd may bind port 53
    without meeting anything of the host's."""
    if os.geteuid() != 0:
        pytest.skip("binding port 53 and changing user need root")
    address = f"127.57.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
    added = subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], capture_output=True, text=True)
    if added.returncode != 0:
        pytest.skip(f"cannot add {address} to lo: {added.stderr.strip()}")
    try:
        yield address
    finally:
        subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], capture_output=True)


def capabilities(status: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2), 16) for m in re.finditer(r"^Cap(\w+):\s+([0-9a-f]+)$", status, re.M)}


CAP_NET_BIND_SERVICE = 1 << 10


def test_user_option_drops_root_but_keeps_the_low_port(cairnd_binary, low_port_address):
    nobody = pwd.getpwnam("nobody")
    workdir = Path(tempfile.mkdtemp(prefix="cairn-user-test-"))  # not under root's private pytest directory
    try:
        os.chmod(workdir, 0o755)
        (workdir / "example.test.zone").write_text(ZONE)
        key = 'key "rndc-key" { algorithm hmac-sha256; secret "dXNlci10ZXN0LWtleS0wMTIzNDU2Nzg5MDEyMzQ1Ng=="; };\n'
        (workdir / "rndc.key").write_text(key)
        os.chmod(workdir / "rndc.key", 0o644)  # read again by nobody at the reconfig

        def write_config(control_port: int) -> None:
            (workdir / "named.conf").write_text(
                f'include "{workdir}/rndc.key";\n'
                "options {\n"
                f'    directory "{workdir}";\n'
                f"    listen-on port 53 {{ {low_port_address}; }};\n"
                "    listen-on-v6 { none; };\n    recursion no;\n    notify no;\n"
                "};\n"
                f"controls {{ inet {low_port_address} port {control_port} allow {{ any; }} keys {{ rndc-key; }}; }};\n"
                f'zone "example.test" {{ type primary; file "{workdir}/example.test.zone"; }};\n'
            )
            os.chmod(workdir / "named.conf", 0o644)

        write_config(953)
        process = servers.LoggedProcess([str(cairnd_binary), "-c", str(workdir / "named.conf"), "-n", "2", "-u",
                                         "nobody"], workdir, "cairnd.log")
        try:
            assert wait_for(lambda: answers(low_port_address, 53), 20), process.log()

            def ctl(port: int, *words: str) -> subprocess.CompletedProcess:
                return subprocess.run([str(cairn_binary()), "ctl", "-s", low_port_address, "-p", str(port), "-k",
                                       str(workdir / "rndc.key"), *words], capture_output=True, text=True, timeout=30)

            assert wait_for(lambda: ctl(953, "status").returncode == 0, 10), process.log()
            status = Path(f"/proc/{process.pid}/status").read_text()
            ids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", status, re.M).groups()
            assert set(map(int, ids)) == {nobody.pw_uid}, status
            gids = re.search(r"^Gid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", status, re.M).groups()
            assert set(map(int, gids)) == {nobody.pw_gid}, status
            caps = capabilities(status)
            assert caps["Eff"] == caps["Prm"] == caps["Bnd"] == CAP_NET_BIND_SERVICE, status
            assert caps["Inh"] == caps["Amb"] == 0, status
            # Every thread: those started before the change have nothing left, the others the one capability.
            for task in Path(f"/proc/{process.pid}/task").iterdir():
                thread = capabilities((task / "status").read_text())
                assert thread["Prm"] & ~CAP_NET_BIND_SERVICE == 0 and thread["Eff"] & ~CAP_NET_BIND_SERVICE == 0

            # A reconfig moves the control channel to another low port: bound as nobody, thanks to the one
            # capability kept.
            write_config(954)
            assert ctl(953, "reconfig").returncode == 0
            assert wait_for(lambda: ctl(954, "status").returncode == 0, 10), process.log()
            assert answers(low_port_address, 53)
        finally:
            process.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_user_option_refuses_an_unknown_user(cairnd_binary, tmp_path):
    port = servers.free_port(False)
    (tmp_path / "example.test.zone").write_text(ZONE)
    (tmp_path / "other.test.zone").write_text(ZONE)
    config = notify_config(tmp_path, port, servers.free_port(False))
    done = subprocess.run([str(cairnd_binary), "-c", str(config), "-n", "1", "-u", "no-such-user-here"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "user 'no-such-user-here' unknown" in done.stderr


# --- syslog facilities ------------------------------------------------------------------------------------


def test_syslog_channels_use_their_facility(cairnd_binary, tmp_path):
    """Two syslog channels with different facilities; cairnd runs in a mount namespace of its own whose /dev/log
    is the test's socket, so that the host's syslog sees nothing."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private /dev")
    dev = tmp_path / "dev"
    dev.mkdir()
    log_socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log_socket.bind(str(dev / "log"))
    log_socket.settimeout(0.5)
    port = servers.free_port(False)
    (tmp_path / "example.test.zone").write_text(ZONE)
    config = tmp_path / "named.conf"
    config.write_text(
        "options {\n"
        f'    directory "{tmp_path}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n    recursion no;\n    notify no;\n"
        "};\n"
        "controls { };\n"
        "logging {\n"
        "    channel local { syslog local3; severity info; };\n"
        "    channel plain { syslog; severity info; print-category yes; };\n"
        "    category default { local; };\n"
        "    category queries { plain; };\n"
        "};\n"
        f'zone "example.test" {{ type primary; file "{tmp_path}/example.test.zone"; }};\n'
    )
    nodes = " ".join(f"touch {dev}/{name} && mount --bind /dev/{name} {dev}/{name} &&"
                     for name in ("null", "zero", "random", "urandom"))
    script = f"{nodes} mount --bind {dev} /dev && exec {cairnd_binary} -c {config} -n 1"
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "stderr.log", "wb"), start_new_session=True)
    try:
        assert wait_for(lambda: answers("127.0.0.1", port), 20), (tmp_path / "stderr.log").read_text()
        dns.query.udp(dns.message.make_query("www.example.test", "A"), "127.0.0.1", port=port, timeout=2)
        received: list[str] = []

        def got(text: str) -> bool:
            try:
                while True:
                    received.append(log_socket.recv(8192).decode(errors="replace"))
            except socket.timeout:
                pass
            return any(text in line for line in received)

        assert wait_for(lambda: got("loaded serial 1") and got("query: www.example.test IN A"), 15), received
        loaded = next(line for line in received if "zone example.test/IN: loaded serial 1" in line)
        query = next(line for line in received if "query: www.example.test IN A" in line)
        # <PRI> = facility * 8 + severity: local3 (19) and info (6) = 158; daemon (3), info = 30.
        assert loaded.startswith("<158>") and "cairnd[" in loaded, loaded
        assert query.startswith("<30>") and "queries: client @0x" in query, query
    finally:
        servers.terminate(proc, 10)
        log_socket.close()


# --- the command line --------------------------------------------------------------------------------------


def run(*args: str, binary: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary or cairn_binary()), *args], capture_output=True, text=True, timeout=60)


def test_version_on_both_binaries(cairnd_binary):
    cmake = (servers.REPO_ROOT / "CMakeLists.txt").read_text()
    version = re.search(r"project\(cairn VERSION ([0-9.]+)", cmake).group(1)
    for binary, name in ((cairnd_binary, "cairnd"), (cairn_binary(), "cairn")):
        for flag in ("-V", "--version"):
            done = run(flag, binary=binary)
            assert done.returncode == 0, done.stderr
            lines = done.stdout.splitlines()
            assert lines[0] == f"{name} {version}"
            assert any(line.startswith("built as ") for line in lines) and any("OpenSSL" in line for line in lines)


def test_a_typo_gets_the_nearest_subcommand_or_option(cairnd_binary):
    done = run("checkzon", "example.test", "zone.db")
    assert done.returncode == 1
    assert "unknown subcommand 'checkzon'; did you mean 'checkzone'?" in done.stderr
    done = run("check")
    assert "unknown subcommand 'check'; did you mean 'checkzone' or 'checkconf'?" in done.stderr
    done = run("ctl", "--sever", "127.0.0.1", "status")
    assert done.returncode == 1 and "unknown option '--sever'; did you mean '--server'?" in done.stderr
    done = run("--confg", "x", binary=cairnd_binary)
    assert done.returncode == 1 and "unknown option '--confg'; did you mean '--config'?" in done.stderr


def test_checkconf_says_what_cairnd_check_says(cairnd_binary, tmp_path):
    (tmp_path / "example.test.zone").write_text(ZONE)
    (tmp_path / "broken.test.zone").write_text(ZONE + "bad A 999.1.2.3\n")
    config = tmp_path / "named.conf"
    config.write_text(
        'key "k" { algorithm hmac-sha256; secret "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleTA="; };\n'
        "options {\n"
        f'    directory "{tmp_path}";\n'
        "    listen-on port 5399 { 127.0.0.1; };\n"
        "    recursion no;\n"
        "    dialup yes;\n"          # deprecated: a grammar warning
        "    attach-cache yes;\n"  # not implemented: a grammar warning
        "};\n"
        'zone "example.test" { type primary; file "example.test.zone"; };\n'
        'zone "broken.test" { type primary; file "broken.test.zone"; };\n'
        'zone "stubbed.test" { type stub; primaries { 192.0.2.1; }; };\n'  # not served: a server warning
    )
    os.chmod(config, 0o644)  # a key readable by all: the server's own warning
    ours = run("checkconf", str(config))
    daemon = run("-C", "-c", str(config), binary=cairnd_binary)
    assert ours.returncode == daemon.returncode == 0
    warnings = ours.stdout.splitlines()
    assert len(warnings) >= 4 and all("warning: " in line for line in warnings), ours.stdout
    assert sorted(warnings) == sorted(daemon.stderr.splitlines())
    # -z, as named-checkconf -z: every primary zone loaded, with BIND's label.
    zoned = run("checkconf", "-z", str(config))
    assert zoned.returncode == 1
    assert "zone example.test/IN: loaded serial 1" in zoned.stdout
    assert "zone broken.test/IN: not loaded due to errors." in zoned.stdout
    quiet = run("checkconf", "-z", "-q", str(config))
    assert quiet.returncode == 1 and quiet.stdout == ""


# --- man pages ---------------------------------------------------------------------------------------------


def man_page(name: str) -> str:
    path = servers.cairn_build_dir() / "man" / name
    if not path.exists():
        pytest.skip(f"{path} is not built")
    return path.read_text()


def rendered(name: str) -> str:
    """The page as man shows it; groff's warnings fail the test."""
    done = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(servers.cairn_build_dir() / "man" / name)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", str(servers.cairn_build_dir() / "man" / name)],
                          capture_output=True, text=True, timeout=60).stdout
    return re.sub(r"\s+", " ", text)


def help_words(*args: str, binary: Path | None = None) -> str:
    return run(*args, "--help", binary=binary).stdout


def test_man_pages_document_every_subcommand_option_and_control_command(cairnd_binary):
    man_page("cairn.8")
    cairn = rendered("cairn.8")
    subcommands = re.findall(r"^  (\S+)\s", help_words().split("Subcommands:")[1], re.M)
    assert {"checkzone", "compilezone", "checkconf", "tsig-keygen", "ctl"} <= set(subcommands)
    for subcommand in subcommands:
        assert f"cairn {subcommand}" in cairn, subcommand
        for option in re.findall(r"^  (-\w)\b", help_words(subcommand), re.M):
            assert option == "-h" or option in cairn, (subcommand, option)
    for command in ("status", "reload", "reconfig", "zonestatus", "refresh", "retransfer", "notify", "querylog",
                    "trace", "notrace", "sync", "dumpdb", "stats", "tsig-list", "stop"):
        assert re.search(rf"\b{re.escape(command)}\b", cairn), command
    cairnd = rendered("cairnd.8")
    for option in re.findall(r"(--[a-z][a-z-]+)", help_words(binary=cairnd_binary)):
        assert option in cairnd, option
    named_conf = rendered("cairn-named.conf.5")
    # The statement lists come from the grammar table: what cairnd reads, and what it ignores with a warning.
    assert "listen-on" in named_conf and "allow-transfer" in named_conf and "statistics-channels" in named_conf
    assert "Accepted and ignored, with a warning" in named_conf


def test_descriptions_say_cairnd_resolves_as_well_as_serves(cairnd_binary):
    """What `systemctl status`, `apt show`, `man cairnd` and `cairnd --help` call cairnd: both of its roles,
    not "authoritative" alone now that views recurse and zones are signed."""
    unit = (servers.cairn_build_dir() / "dist" / "cairnd.service").read_text()
    description = re.search(r"^Description=(.+)$", unit, re.M).group(1)
    package = (servers.REPO_ROOT / "debian" / "control").read_text()
    synopsis = re.search(r"^Description: (.+)$", package, re.M).group(1)
    name_line = rendered("cairnd.8").split(" NAME ")[1].split(" SYNOPSIS ")[0]
    first_help_line = help_words(binary=cairnd_binary).splitlines()[0]
    for text in (description, synopsis, name_line, first_help_line):
        assert "authoritative" in text and "recursive" in text and "DNSSEC sign" in text, text
