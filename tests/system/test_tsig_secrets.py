"""Key secrets stay secret: never in cairnd's log, even at debug severity after every kind of signed traffic,
and a configuration file holding a secret that every local user can read is warned about at start-up and by
`cairn checkconf`.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time

import dns.message
import dns.opcode
import dns.query
import dns.tsig
import dns.tsigkeyring
import dns.zone
import pytest

import servers
from waiting import responds, wait_for

KEY = "secret-test.example."
SECRET_BYTES = bytes(range(200, 232))
SECRET = base64.b64encode(SECRET_BYTES).decode()
ORIGIN = "logs.example."


def keyring(secret: str = SECRET) -> dict:
    return dns.tsigkeyring.from_text({KEY: ("hmac-sha256", secret)})


def test_secret_never_appears_in_the_debug_log(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    port, dead_port = servers.free_port(ipv6=False), servers.free_port(ipv6=False)
    zone = tmp_path / "logs.zone"
    zone.write_text("$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n  NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n")
    log_file = tmp_path / "debug.log"
    config = tmp_path / "named.conf"
    config.write_text(
        f'key "{KEY}" {{ algorithm hmac-sha256; secret "{SECRET}"; }};\n'
        "options {\n"
        f'    directory "{tmp_path}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify explicit;\n"
        "};\n"
        "logging {\n"
        f'    channel everything {{ file "{log_file}"; severity debug; print-category yes; print-severity yes; }};\n'
        "    category default { everything; };\n"
        "    category security { everything; };\n"
        "    category notify { everything; };\n"
        "    category xfer-in { everything; };\n"
        "    category xfer-out { everything; };\n"
        "    category queries { everything; };\n"
        "};\n"
        # Signed NOTIFY out (to nobody, retried), signed transfers out, and a secondary that asks this very
        # server with the key (signed SOA queries in and out).
        f'zone "{ORIGIN}" {{ type primary; file "{zone}"; allow-transfer {{ key {KEY}; }};\n'
        f"    also-notify {{ 127.0.0.1 port {dead_port} key {KEY}; }}; }};\n"
        f'zone "loop.example." {{ type secondary; file "loop.db"; primaries {{ 127.0.0.1 port {port} key {KEY}; }}; }};\n'
    )
    os.chmod(config, 0o600)
    stderr_path = tmp_path / "stderr.log"
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen([str(servers.cairnd_binary()), "-c", str(config), "-n", "1", "--log-level", "debug",
                                 "--log-queries-to-stderr"],
                                cwd=tmp_path, stdout=stderr, stderr=stderr, start_new_session=True)
        try:
            assert wait_for(lambda: responds(port, f"www.{ORIGIN}", "A"), 10), stderr_path.read_text()
            signed = dns.message.make_query(f"www.{ORIGIN}", "A")
            signed.use_tsig(keyring(), keyname=KEY)
            assert dns.query.udp(signed, "127.0.0.1", port=port, timeout=2).had_tsig
            dns.zone.from_xfr(dns.query.xfr("127.0.0.1", ORIGIN, port=port, keyring=keyring(), keyname=KEY, timeout=5))
            wrong = dns.message.make_query(f"www.{ORIGIN}", "A")
            wrong.use_tsig(keyring(base64.b64encode(b"z" * 32).decode()), keyname=KEY)
            with pytest.raises(dns.tsig.PeerBadSignature):
                dns.query.tcp(wrong, "127.0.0.1", port=port, timeout=2)
            notify = dns.message.make_query("loop.example.", "SOA")
            notify.set_opcode(dns.opcode.NOTIFY)
            notify.use_tsig(keyring(), keyname=KEY)
            dns.query.udp(notify, "127.0.0.1", port=port, timeout=2)
            assert wait_for(lambda: "sent notify" in log_file.read_text() or "no answer to NOTIFY" in log_file.read_text(),
                            10), log_file.read_text()
            time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    log = log_file.read_bytes() + stderr_path.read_bytes()
    text = log.decode(errors="replace")
    # The debug log did see the signed traffic, by key name ...
    assert f"TSIG key {KEY}" in text and "debug" in text and "BADSIG" in text, text
    # The query log names the key and flags signed queries, as BIND: "client @0x... 127.0.0.1#N/key secret-test.example
    # (www.logs.example): query: www.logs.example IN A +S (127.0.0.1)".
    assert f"/key {KEY.rstrip('.')} (www.{ORIGIN.rstrip('.')}): query: www.{ORIGIN.rstrip('.')} IN A +S (" in text, text
    # ... and never its secret, in any spelling.
    for spelling in (SECRET, SECRET.rstrip("="), SECRET_BYTES.hex(), SECRET_BYTES.hex().upper()):
        assert spelling.encode() not in log, spelling
    assert SECRET_BYTES not in log


def test_world_readable_key_file_is_warned_at_start_and_by_checkconf(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    port = servers.free_port(ipv6=False)
    keys = tmp_path / "keys.conf"
    keys.write_text(f'key "{KEY}" {{ algorithm hmac-sha256; secret "{SECRET}"; }};\n')
    config = tmp_path / "named.conf"
    config.write_text(
        f'include "{keys}";\n'
        f'options {{ directory "{tmp_path}"; listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; }};\n'
    )
    os.chmod(config, 0o644)  # no secret in it: no warning for this one
    cairn = servers.cairn_build_dir() / "src" / "cli" / "cairn"

    def checkconf() -> str:
        done = subprocess.run([str(cairn), "checkconf", str(config)], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    os.chmod(keys, 0o644)
    out = checkconf()
    assert f"{keys}:1: warning: key '{KEY}': this file holds its secret and is readable by all users" in out, out
    assert "named.conf" not in out and SECRET not in out, out
    os.chmod(keys, 0o640)
    assert "readable by all" not in checkconf()

    os.chmod(keys, 0o604)
    stderr_path = tmp_path / "stderr.log"
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen([str(servers.cairnd_binary()), "-c", str(config), "-n", "1"], cwd=tmp_path,
                                stdout=stderr, stderr=stderr, start_new_session=True)
        try:
            assert wait_for(lambda: "readable by all users" in stderr_path.read_text(), 10), stderr_path.read_text()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    log = stderr_path.read_text()
    assert "warn" in log.split("readable by all users")[0].splitlines()[-1], log
    assert SECRET not in log
