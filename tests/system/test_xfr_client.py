"""cairn's zone transfer code against real primaries and real clients.

Inbound: tests/tools/xfr_tool pulls zones from BIND 9 and Knot by AXFR and IXFR (xfr/client.hpp, the code
a cairn secondary runs) and prints them canonically; the result must equal what the server serves, as an
independent client (dnspython) sees it. A damaged transfer (tests/system/proxy.py) must fail with a clear
cause, and TSIG-signed transfers from BIND must verify.

Outbound: `xfr_tool serve` answers with cairn's AXFR/IXFR producer (xfr/outbound.hpp); dnspython, kdig and
a BIND 9 secondary must accept what it sends.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import time
from pathlib import Path

import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
import dns.tsigkeyring
import dns.xfr
import dns.zone
import pytest

import servers
from proxy import TcpProxy
from waiting import responds, soa_serial, wait_for

TOOL = servers.cairn_build_dir() / "tests" / "tools" / "xfr_tool"
ORIGIN = "xfr.example."
HOSTS = 600  # enough for several transfer messages
KEY_NAME = "xfr-key."
KEY_SECRET = base64.b64encode(b"cairn-xfr-test-secret-0123456789").decode()
KEY_SPEC = f"hmac-sha256:{KEY_NAME}:{KEY_SECRET}"


def zone_text(serial: int, *, hosts: int = HOSTS, edit: bool = False) -> str:
    lines = [
        "$TTL 3600",
        f"@ SOA ns1 hostmaster {serial} 3600 600 86400 300",
        "  NS ns1",
        "  NS ns2.example.net.",
        "ns1 A 192.0.2.1",
        "mail MX 10 mx.example.net.",
        'txt TXT "one" "two"',
    ]
    for i in range(hosts):
        if edit and i % 100 == 7:
            lines.append(f"host{i} A 203.0.113.{i % 250}")  # changed address
        elif edit and i == hosts - 1:
            continue  # removed
        else:
            lines.append(f"host{i} A 198.51.{i // 250}.{i % 250}")
    if edit:
        lines += ['added TXT "new in this version"', "mail 7200 MX 10 mx.example.net."]
        lines.remove("mail MX 10 mx.example.net.")
    return "\n".join(lines) + "\n"


def tool(*args: str, expect_ok: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built (ninja -C build xfr_tool, or set CAIRN_BUILD)")
    done = subprocess.run([str(TOOL), *args], capture_output=True, text=True, timeout=timeout)
    if expect_ok:
        assert done.returncode == 0, done.stderr
    return done


def as_zone(canonical: str) -> dns.zone.Zone:
    """xfr_tool's canonical lines as a dnspython zone (so comparison is by RR sets, not by spelling)."""
    return dns.zone.from_text(canonical, origin=ORIGIN, relativize=False, check_origin=True)


def file_zone(path: Path) -> dns.zone.Zone:
    return dns.zone.from_file(str(path), origin=ORIGIN, relativize=False)


def dnspython_axfr(host: str, port: int, keyring=None, keyname=None) -> dns.zone.Zone:
    return dns.zone.from_xfr(
        dns.query.xfr(
            host, ORIGIN, port=port, timeout=10, lifetime=30, keyring=keyring, keyname=keyname, relativize=False
        ),
        relativize=False,
    )


def summary(stderr: str) -> dict[str, str]:
    line = [l for l in stderr.splitlines() if l.startswith("kind=")][-1]
    return dict(item.split("=", 1) for item in line.split())


def wait_for_serial(server: servers.AuthServer, serial: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            r = dns.query.udp(dns.message.make_query(ORIGIN, "SOA"), server.host, port=server.port, timeout=0.5)
            if r.answer:
                last = r.answer[0][0].serial
                if last == serial:
                    return
        except Exception:  # noqa: BLE001 - the server may be reloading
            pass
        time.sleep(0.1)
    pytest.fail(f"{server.kind} still at serial {last}, expected {serial}\n{server.stderr_text()}")


@pytest.fixture
def zone_dir(tmp_path: Path) -> Path:
    (tmp_path / "zones").mkdir()
    return tmp_path / "zones"


def knot_with_ixfr(monkeypatch) -> None:
    """Knot keeps differences when it reloads an edited zone file (journal + zonefile-load: difference)."""
    original = servers.CONFIG_WRITERS["knotd"]

    def writer(workdir, port, zones, options):
        command = original(workdir, port, zones, options)
        config = workdir / "knot.conf"
        text = config.read_text().replace(
            "    journal-content: none", "    journal-content: changes\n    zonefile-load: difference"
        )
        config.write_text(text)
        return command

    monkeypatch.setitem(servers.CONFIG_WRITERS, "knotd", writer)


def named_with_key(monkeypatch) -> None:
    """BIND that allows transfers only to holders of KEY_NAME."""
    original = servers.CONFIG_WRITERS["named"]

    def writer(workdir, port, zones, options):
        command = original(workdir, port, zones, options)
        config = workdir / "named.conf"
        text = config.read_text().replace("allow-transfer { 127.0.0.0/8; ::1; };", f"allow-transfer {{ key {KEY_NAME}; }};")
        text = f'key "{KEY_NAME}" {{ algorithm hmac-sha256; secret "{KEY_SECRET}"; }};\n' + text
        config.write_text(text)
        return command

    monkeypatch.setitem(servers.CONFIG_WRITERS, "named", writer)


PRIMARY_KINDS = ["named", "knotd"]


@pytest.mark.parametrize("kind", PRIMARY_KINDS)
def test_axfr_from_primary_equals_the_served_zone(kind, start_server, zone_dir):
    path = zone_dir / "xfr.example.zone"
    path.write_text(zone_text(10))
    server = start_server(kind, [servers.Zone(ORIGIN, path)], servers.ServerOptions(allow_transfer=True))
    done = tool("axfr", server.host, str(server.port), ORIGIN)
    info = summary(done.stderr)
    assert info["kind"] == "full" and info["serial"] == "10"
    assert int(info["messages"]) >= 1
    ours = as_zone(done.stdout)
    assert ours == dnspython_axfr(server.host, server.port)
    assert ours == file_zone(path)
    assert len(done.stdout.splitlines()) == HOSTS + 6  # SOA, 2 NS, A, MX, TXT and the hosts


@pytest.mark.parametrize("kind", PRIMARY_KINDS)
def test_ixfr_after_an_edit_is_incremental_and_applies(kind, start_server, zone_dir, tmp_path, monkeypatch):
    if kind == "knotd":
        knot_with_ixfr(monkeypatch)
    path = zone_dir / "xfr.example.zone"
    old = tmp_path / "old.zone"
    old.write_text(zone_text(10))
    path.write_text(zone_text(10))
    options = servers.ServerOptions(allow_transfer=True, extra="ixfr-from-differences yes;" if kind == "named" else "")
    server = start_server(kind, [servers.Zone(ORIGIN, path)], options)

    up_to_date = tool("ixfr", server.host, str(server.port), ORIGIN, str(old))
    assert summary(up_to_date.stderr)["kind"] == "uptodate"

    time.sleep(1.1)  # a new mtime, so both servers see the file changed
    path.write_text(zone_text(11, edit=True))
    server.reload()
    wait_for_serial(server, 11)

    done = tool("ixfr", server.host, str(server.port), ORIGIN, str(old))
    info = summary(done.stderr)
    assert info["kind"] == "incremental", done.stderr
    assert info["serial"] == "11"
    assert int(info["diffs"]) >= 1
    assert as_zone(done.stdout) == file_zone(path)
    assert as_zone(done.stdout) == dnspython_axfr(server.host, server.port)

    # refresh_zone: the secondary's whole step (SOA check, then IXFR) gives the same.
    refreshed = tool("refresh", server.host, str(server.port), ORIGIN, str(old))
    assert summary(refreshed.stderr)["kind"] == "incremental"
    assert as_zone(refreshed.stdout) == file_zone(path)


def test_a_cut_transfer_fails_cleanly(start_server, zone_dir):
    path = zone_dir / "xfr.example.zone"
    path.write_text(zone_text(10))
    server = start_server("named", [servers.Zone(ORIGIN, path)], servers.ServerOptions(allow_transfer=True))
    with TcpProxy(server.host, server.port, cut_after=5000) as proxy:
        done = tool("axfr", proxy.host, str(proxy.port), ORIGIN, expect_ok=False)
    assert done.returncode == 1
    assert "error kind=network" in done.stderr, done.stderr
    assert "closed" in done.stderr or "ended before" in done.stderr, done.stderr
    assert done.stdout == ""


def test_a_damaged_transfer_fails_cleanly(start_server, zone_dir):
    path = zone_dir / "xfr.example.zone"
    path.write_text(zone_text(10))
    server = start_server("named", [servers.Zone(ORIGIN, path)], servers.ServerOptions(allow_transfer=True))
    # Octet 2 is the high byte of the first message's ID (after the TCP length): an answer to another query.
    with TcpProxy(server.host, server.port, flip_at=2) as proxy:
        done = tool("axfr", proxy.host, str(proxy.port), ORIGIN, expect_ok=False)
    assert done.returncode == 1
    assert "error kind=malformed" in done.stderr and "wrong message ID" in done.stderr, done.stderr
    # A flipped octet inside the records of a later message: it still parses, but the SOA check or the
    # record structure catches it, or at worst the zone differs; with TSIG (below) it never passes.


def test_tsig_signed_transfer_from_bind_verifies(start_server, zone_dir, monkeypatch):
    named_with_key(monkeypatch)
    path = zone_dir / "xfr.example.zone"
    path.write_text(zone_text(10))
    server = start_server("named", [servers.Zone(ORIGIN, path)], servers.ServerOptions(allow_transfer=True))

    done = tool("axfr", server.host, str(server.port), ORIGIN, KEY_SPEC)
    assert as_zone(done.stdout) == file_zone(path)
    assert int(summary(done.stderr)["messages"]) > 1  # several signed messages, each verified

    unsigned = tool("axfr", server.host, str(server.port), ORIGIN, expect_ok=False)
    assert "error kind=refused" in unsigned.stderr and "REFUSED" in unsigned.stderr, unsigned.stderr

    wrong = f"hmac-sha256:{KEY_NAME}:{base64.b64encode(b'not-the-right-secret-at-all-0000').decode()}"
    bad = tool("axfr", server.host, str(server.port), ORIGIN, wrong, expect_ok=False)
    assert "error kind=tsig" in bad.stderr or "error kind=refused" in bad.stderr, bad.stderr
    assert bad.stdout == ""

    # A damaged octet deep in the signed stream: TSIG catches what the DNS checks alone cannot.
    with TcpProxy(server.host, server.port, flip_at=9000) as proxy:
        damaged = tool("axfr", proxy.host, str(proxy.port), ORIGIN, KEY_SPEC, expect_ok=False)
    assert damaged.returncode == 1
    assert "error kind=tsig" in damaged.stderr or "error kind=malformed" in damaged.stderr, damaged.stderr


# ---- the producer's side: cairn serving transfers to independent clients


class Served(servers.LoggedProcess):
    def __init__(self, zone_dir: Path, files: list[Path], *extra: str, port: int | None = None):
        self.port = port or servers.free_port(ipv6=False)
        current, *older = files
        command = [str(TOOL), "serve", str(self.port), ORIGIN, str(current), *map(str, older), "--seconds", "120", *extra]
        super().__init__(command, zone_dir, f"serve-{self.port}-{len(files)}.log")
        if not wait_for(lambda: responds(self.port, ORIGIN, timeout=0.2), 10):
            self.stop()
            pytest.fail("xfr_tool serve did not start: " + self.log())


@pytest.fixture
def served_versions(zone_dir):
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built")
    v1, v2 = zone_dir / "v1.zone", zone_dir / "v2.zone"
    v1.write_text(zone_text(10))
    v2.write_text(zone_text(11, edit=True))
    served = Served(zone_dir, [v2, v1])
    yield served, v1, v2
    served.stop()


def test_dnspython_accepts_cairns_axfr_and_ixfr(served_versions):
    served, v1, v2 = served_versions
    assert dnspython_axfr("127.0.0.1", served.port) == file_zone(v2)

    # IXFR from serial 10 with dnspython's inbound state machine applying it to the old version.
    zone = file_zone(v1)
    query, _ = dns.xfr.make_query(zone, serial=10)
    dns.query.inbound_xfr("127.0.0.1", zone, query, port=served.port, timeout=10, lifetime=30)
    assert zone == file_zone(v2)
    assert "served IXFR form=incremental" in served.log()


@pytest.mark.skipif(shutil.which("kdig") is None, reason="kdig not installed")
def test_kdig_parses_cairns_transfers(served_versions):
    served, _, _ = served_versions
    for qtype in ("axfr", "ixfr=10"):
        done = subprocess.run(
            ["kdig", "-p", str(served.port), "@127.0.0.1", ORIGIN, qtype, "+noall", "+answer", "+stats"],
            capture_output=True, text=True, timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert "WARNING" not in done.stdout + done.stderr and "failed" not in done.stderr, done.stdout + done.stderr
        soas = [l for l in done.stdout.splitlines() if "\tSOA\t" in l]
        assert soas[0].split()[6] == "11" and soas[-1].split()[6] == "11"
        if qtype == "ixfr=10":
            assert any(l.split()[6] == "10" for l in soas)  # the old SOA of the difference


class BindSecondary(servers.LoggedProcess):
    """BIND 9 as a secondary of `primary_port` on 127.0.0.1, refreshing only when notified."""

    def __init__(self, workdir: Path, primary_port: int):
        workdir.mkdir()
        self.port = servers.free_port(ipv6=False)
        conf = workdir / "named.conf"
        conf.write_text(
            "\n".join([
                "options {",
                f'    directory "{workdir}";',
                f'    pid-file "{workdir}/named.pid";',
                f"    listen-on port {self.port} {{ 127.0.0.1; }};",
                "    listen-on-v6 { none; };",
                "    recursion no; notify no; dnssec-validation no;",
                f'    session-keyfile "{workdir}/session.key";',
                f'    managed-keys-directory "{workdir}";',
                "    automatic-interface-scan no;",
                "};",
                "controls { };",
                f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; file "sec.db"; }};',
            ]) + "\n"
        )
        super().__init__(["/usr/sbin/named", "-g", "-n", "1", "-c", str(conf)], workdir, "named.stderr")

    def wait_serial(self, serial: int, timeout: float = 20) -> None:
        if not wait_for(lambda: soa_serial(self.port, ORIGIN, timeout=0.3) == serial, timeout):
            pytest.fail(f"{self.args[0]} did not reach serial {serial}:\n" + self.log()[-4000:])

    def check_serves(self, expected: dns.zone.Zone) -> None:
        """Every RRset but the SOA, asked one by one (BIND allows no transfers by default)."""
        checked = 0
        for name, node in expected.nodes.items():
            for rdataset in node.rdatasets:
                if rdataset.rdtype == dns.rdatatype.SOA:
                    continue
                r = dns.query.udp(dns.message.make_query(name, rdataset.rdtype), "127.0.0.1", port=self.port, timeout=2)
                got = r.get_rrset(r.answer, name, dns.rdataclass.IN, rdataset.rdtype) or r.get_rrset(
                    r.authority, name, dns.rdataclass.IN, rdataset.rdtype
                )
                assert got is not None and set(got) == set(rdataset), (name, rdataset, r)
                checked += 1
        assert checked == sum(len(node.rdatasets) for node in expected.nodes.values()) - 1


def test_bind_secondary_takes_cairns_axfr_then_ixfr_on_notify(zone_dir, tmp_path):
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built")
    v1, v2 = zone_dir / "v1.zone", zone_dir / "v2.zone"
    v1.write_text(zone_text(10))
    v2.write_text(zone_text(11, edit=True))
    first = Served(zone_dir, [v1])
    secondary = BindSecondary(tmp_path / "bind-secondary", first.port)
    try:
        secondary.wait_serial(10)
        assert "Transfer status: success" in secondary.log()
        secondary.check_serves(file_zone(v1))

        # The primary moves to serial 11, journaled from 10, and notifies.
        first.stop()
        second = Served(zone_dir, [v2, v1], port=first.port)
        try:
            done = tool("notify", "127.0.0.1", str(secondary.port), ORIGIN, str(v2))
            assert done.stdout.strip() == "NOERROR"
            secondary.wait_serial(11)
            secondary.check_serves(file_zone(v2))
            assert "served IXFR form=incremental" in second.log(), second.log()
            completed = re.findall(r"Transfer completed: \d+ messages, (\d+) records", secondary.log())
            assert len(completed) == 2, secondary.log()[-3000:]
            assert int(completed[0]) == HOSTS + 7  # the whole zone with the SOA twice
            assert int(completed[1]) < 50  # the difference, not the zone
        finally:
            second.stop()
    finally:
        secondary.stop()
        first.stop()


class KnotSecondary(servers.LoggedProcess):
    """Knot DNS as a secondary of `primary_port` on 127.0.0.1, accepting NOTIFY from it."""

    def __init__(self, workdir: Path, primary_port: int):
        workdir.mkdir()
        (workdir / "storage").mkdir()
        self.port = servers.free_port(ipv6=False)
        conf = workdir / "knot.conf"
        conf.write_text(
            "\n".join([
                "server:",
                f'    rundir: "{workdir}"',
                f'    pidfile: "{workdir}/knot.pid"',
                f"    listen: 127.0.0.1@{self.port}",
                "    background-workers: 1",
                "log:",
                "  - target: stderr",
                "    any: info",
                "database:",
                f'    storage: "{workdir / "storage"}"',
                "control:",
                f'    listen: "{workdir}/knot.sock"',
                "remote:",
                "  - id: cairn",
                f"    address: 127.0.0.1@{primary_port}",
                "acl:",
                "  - id: notify_from_cairn",
                "    address: 127.0.0.1",
                "    action: notify",
                "template:",
                "  - id: default",
                f'    storage: "{workdir}"',
                "    zonefile-sync: -1",
                "zone:",
                f'  - domain: "{ORIGIN}"',
                "    master: cairn",
                "    acl: notify_from_cairn",
            ]) + "\n"
        )
        super().__init__(["/usr/sbin/knotd", "-c", str(conf)], workdir, "knotd.stderr")

    wait_serial = BindSecondary.wait_serial
    check_serves = BindSecondary.check_serves


def test_knot_secondary_takes_cairns_axfr_then_ixfr_on_notify(zone_dir, tmp_path):
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built")
    v1, v2 = zone_dir / "v1.zone", zone_dir / "v2.zone"
    v1.write_text(zone_text(10))
    v2.write_text(zone_text(11, edit=True))
    first = Served(zone_dir, [v1])
    secondary = KnotSecondary(tmp_path / "knot-secondary", first.port)
    try:
        secondary.wait_serial(10)
        secondary.check_serves(file_zone(v1))
        first.stop()
        second = Served(zone_dir, [v2, v1], port=first.port)
        try:
            done = tool("notify", "127.0.0.1", str(secondary.port), ORIGIN, str(v2))
            assert done.stdout.strip() == "NOERROR"
            secondary.wait_serial(11)
            secondary.check_serves(file_zone(v2))
            assert "served IXFR form=incremental" in second.log(), second.log()
            assert re.search(r"IXFR, incoming, remote [^,]+, finished", secondary.log()), secondary.log()[-3000:]
        finally:
            second.stop()
    finally:
        secondary.stop()
        first.stop()
