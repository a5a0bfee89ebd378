"""The lecture's TSIG configurations, as written, between a cairnd primary and a cairnd secondary.

tests/data/config/lecture-primary-tsig.conf and lecture-secondary-tsig.conf are the lecture's snippets verbatim
(the `group19.tsig.` key, `server ... { keys { group19.tsig.; }; };`, `allow-transfer { localhost; key
"group19.tsig."; };`). The test only puts an options block in front (loopback ports, notify no) and replaces
the lecture's primary addresses with the test primary's. Then the secondary must transfer the zone signed with
the key (it sends everything to that server signed), and `dig -y` with the lecture's key line must be allowed
where an unsigned client from another address is not.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.tsigkeyring
import pytest

import servers
from waiting import soa_serial, wait_for

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "tests" / "data" / "config"
ZONE = REPO / "examples" / "zones" / "dnskurz.cz.zone"
KEY_NAME = "group19.tsig."
SECRET = "PO4MJJzLde8u+4Eu7PJoBvUfkfhjOSRdfLYz1rZwRoQ="

pytestmark = pytest.mark.skipif(not servers.cairnd_binary().exists(), reason="cairnd is not built")


def options(port: int) -> str:
    return (
        "options {\n"
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify no;\n"
        "};\n"
        "controls { };\n"
    )


class Cairnd(servers.LoggedProcess):
    def __init__(self, workdir: Path, config: str, port: int):
        self.port = port
        (workdir / "named.conf").write_text(config)
        command = [str(servers.cairnd_binary()), "-c", "named.conf", "-n", "1", "--log-level", "debug"]
        super().__init__(command, workdir, "cairnd.log")

    def serial(self) -> int | None:
        return soa_serial(self.port, "dnskurz.cz.")


@pytest.fixture
def lecture_pair(tmp_path):
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    shutil.copy(ZONE, primary_dir / "dnskurz.cz")  # the lecture's `file "dnskurz.cz";`
    primary_port, secondary_port = servers.free_port(False), servers.free_port(False)

    primary_snippet = (CONFIGS / "lecture-primary-tsig.conf").read_text()
    secondary_snippet = (CONFIGS / "lecture-secondary-tsig.conf").read_text()
    assert "primaries { 192.2.0.10; };" in secondary_snippet and "server 192.0.2.10 {" in secondary_snippet
    secondary_snippet = secondary_snippet.replace(
        "primaries { 192.2.0.10; };", f"primaries {{ 127.0.0.1 port {primary_port}; }};"
    ).replace("server 192.0.2.10 {", "server 127.0.0.1 {")

    started = []
    try:
        primary = Cairnd(primary_dir, options(primary_port) + primary_snippet, primary_port)
        started.append(primary)
        assert wait_for(lambda: primary.serial() == 2025070401, 10), primary.log()
        secondary = Cairnd(secondary_dir, options(secondary_port) + secondary_snippet, secondary_port)
        started.append(secondary)
        yield primary, secondary
    finally:
        for daemon in reversed(started):
            daemon.stop()


def test_lecture_tsig_configurations_transfer_signed(lecture_pair):
    primary, secondary = lecture_pair
    assert wait_for(lambda: secondary.serial() == 2025070401, 15), secondary.log() + primary.log()
    # The `server` statement made the secondary sign what it sent: the primary names the key it verified.
    signed_axfr = f"AXFR started (serial 2025070401, full, TSIG {KEY_NAME})"
    assert wait_for(lambda: signed_axfr in primary.log(), 10), primary.log()
    # Its copy is saved where the lecture's `file` says, in text.
    saved = secondary.workdir / "dnskurz.cz"
    assert wait_for(saved.exists, 10)
    assert "2025070401" in saved.read_text()

    # The secondary's allow-transfer { localhost; key "group19.tsig."; }: the lecture's dig -y line is allowed
    # from an address that is not one of the host's, where an unsigned request from there is refused.
    keyring = dns.tsigkeyring.from_text({KEY_NAME: ("hmac-sha256", SECRET)})
    signed = dns.message.make_query("dnskurz.cz.", "AXFR")
    signed.use_tsig(keyring, keyname=KEY_NAME)
    answer = dns.query.tcp(signed, "127.0.0.1", port=secondary.port, source="127.0.0.2", timeout=5)
    assert answer.rcode() == dns.rcode.NOERROR and answer.answer, answer
    assert answer.had_tsig

    unsigned = dns.query.tcp(
        dns.message.make_query("dnskurz.cz.", "AXFR"), "127.0.0.1", port=secondary.port, source="127.0.0.2", timeout=5
    )
    assert unsigned.rcode() == dns.rcode.REFUSED

    dig = shutil.which("dig")
    if dig:
        result = subprocess.run(
            [dig, "-y", f"hmac-sha256:{KEY_NAME}:{SECRET}", "-b", "127.0.0.2", "-p", str(secondary.port),
             "@127.0.0.1", "dnskurz.cz.", "AXFR", "+tries=1", "+time=5"],
            capture_output=True, text=True, timeout=30,
        )
        assert "Transfer failed" not in result.stdout and "XFR size" in result.stdout, result.stdout
    # The secret never reaches the logs, even at debug severity.
    for daemon in (primary, secondary):
        assert SECRET not in daemon.log()
        assert base64.b64decode(SECRET).hex() not in daemon.log()
