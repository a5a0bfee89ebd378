"""cairnd as a primary with a real secondary (BIND 9): AXFR first, then an edited zone + SIGHUP is journaled
(ixfr-from-differences), NOTIFY goes to the also-notify target only (notify explicit, loopback), and the
secondary takes an IXFR answered from the journal; both end up serving the same zone.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import time
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone
import pytest

import servers
from waiting import soa_serial, wait_for

ORIGIN = "xfr.example."


def zone_text(serial: int, www: str, extra: str = "") -> str:
    return (
        "$TTL 300\n"
        f"@ SOA ns1 hostmaster {serial} 3600 600 86400 300\n"
        "  NS ns1\n"
        "ns1 A 192.0.2.1\n"
        f"www A {www}\n"
        "mail MX 10 mx\n"
        "mx A 192.0.2.25\n"
        f"{extra}"
    )


def write_zone(path: Path, text: str) -> None:
    # The reload notices a change by size or modification time: make sure the time moves.
    previous = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(previous + 2_000_000_000, previous + 2_000_000_000))


def axfr_rrs(port: int) -> set[tuple[str, int, str, str]]:
    zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", ORIGIN, port=port, timeout=5, lifetime=10))
    return {
        (name.to_text(), ttl, dns.rdatatype.to_text(rdata.rdtype), rdata.to_text())
        for name, ttl, rdata in zone.iterate_rdatas()
    }


@pytest.fixture
def primary_and_bind(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    primary_dir = tmp_path / "primary"
    secondary_dir = tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port = servers.free_port(ipv6=False)
    secondary_port = servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80"))
    (primary_dir / "named.conf").write_text(
        "options {\n"
        f'    directory "{primary_dir}";\n'
        f"    listen-on port {primary_port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    allow-transfer { 127.0.0.1; };\n"
        "    ixfr-from-differences yes;\n"
        "    notify explicit;\n"  # never the zone's NS addresses: loopback only
        f"    also-notify {{ 127.0.0.1 port {secondary_port}; }};\n"
        "};\n"
        f'zone "{ORIGIN}" {{ type primary; file "{zone_file.name}"; }};\n'
    )
    (secondary_dir / "named.conf").write_text(
        "options {\n"
        f'    directory "{secondary_dir}";\n'
        f'    pid-file "{secondary_dir / "named.pid"}";\n'
        f"    listen-on port {secondary_port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    dnssec-validation no;\n"
        "    notify no;\n"
        "    allow-transfer { 127.0.0.1; };\n"
        f'    session-keyfile "{secondary_dir / "session.key"}";\n'
        f'    managed-keys-directory "{secondary_dir}";\n'
        "    automatic-interface-scan no;\n"
        "};\n"
        "controls { };\n"
        f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; file "sec.db"; }};\n'
    )
    started: list[servers.LoggedProcess] = []
    try:
        cairnd = servers.cairnd_process(primary_dir / "named.conf", primary_dir)
        started.append(cairnd)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 1, 10), cairnd.log()
        named = servers.LoggedProcess(
            ["/usr/sbin/named", "-g", "-n", "1", "-c", str(secondary_dir / "named.conf")], secondary_dir, "named.log"
        )
        started.append(named)
        yield cairnd, named, zone_file, primary_port, secondary_port
    finally:
        for process in reversed(started):
            process.stop()


def test_bind_secondary_takes_axfr_then_ixfr_after_notify(primary_and_bind):
    cairnd, named, zone_file, primary_port, secondary_port = primary_and_bind
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), named.log()
    assert "AXFR started (serial 1" in cairnd.log()
    assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)

    for serial, www, extra in ((2, "192.0.2.81", "new A 192.0.2.99\n"), (3, "192.0.2.82", "")):
        write_zone(zone_file, zone_text(serial, www, extra))
        cairnd.proc.send_signal(signal.SIGHUP)
        # BIND refreshes hourly by the SOA: only the NOTIFY can bring the new serial this soon.
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == serial, 15), cairnd.log() + named.log()
        log = cairnd.log()
        assert f"journaled the difference from serial {serial - 1} to {serial}" in log
        assert f"sent notify for serial {serial} to 127.0.0.1#{secondary_port}" in log
        assert f"IXFR started (serial {serial}, incremental)" in log, log
        assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)
    # BIND's side: it asked for increments and never fell back to AXFR after the first transfer.
    assert "resetting" not in named.log()


BIND_TIMERS = " 2 1 60 300"  # refresh 2, retry 1: cairnd's own schedule finds new serials at once
NOTIFY_TIMERS = " 3600 600 86400 300"  # refresh hourly: only a NOTIFY brings a new serial within the test


@pytest.fixture
def bind_and_secondary(tmp_path):
    yield from start_bind_and_secondary(tmp_path, BIND_TIMERS)


@pytest.fixture
def bind_notifying_secondary(tmp_path):
    yield from start_bind_and_secondary(tmp_path, NOTIFY_TIMERS)


def start_bind_and_secondary(tmp_path, timers: str):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    primary_dir = tmp_path / "primary"
    secondary_dir = tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port = servers.free_port(ipv6=False)
    secondary_port = servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80").replace(" 3600 600 86400 300", timers))
    (primary_dir / "named.conf").write_text(
        "options {\n"
        f'    directory "{primary_dir}";\n'
        f'    pid-file "{primary_dir / "named.pid"}";\n'
        f"    listen-on port {primary_port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    dnssec-validation no;\n"
        "    notify explicit;\n"  # loopback only
        f"    also-notify {{ 127.0.0.1 port {secondary_port}; }};\n"
        "    ixfr-from-differences yes;\n"
        "    allow-transfer { 127.0.0.1; };\n"
        f'    session-keyfile "{primary_dir / "session.key"}";\n'
        f'    managed-keys-directory "{primary_dir}";\n'
        "    automatic-interface-scan no;\n"
        "};\n"
        "controls { };\n"
        f'zone "{ORIGIN}" {{ type primary; file "{zone_file.name}"; }};\n'
    )
    (secondary_dir / "named.conf").write_text(
        "options {\n"
        f'    directory "{secondary_dir}";\n'
        f"    listen-on port {secondary_port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    allow-transfer { 127.0.0.1; };\n"
        "    min-refresh-time 1;\n"  # the SOA's refresh 2 and retry 1 apply as written
        "    min-retry-time 1;\n"
        "};\n"
        f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; file "sec.db"; }};\n'
    )
    started: list[servers.LoggedProcess] = []
    try:
        named = servers.LoggedProcess(
            ["/usr/sbin/named", "-g", "-n", "1", "-c", str(primary_dir / "named.conf")], primary_dir, "named.log"
        )
        started.append(named)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 1, 15), named.log()
        cairnd = servers.cairnd_process(secondary_dir / "named.conf", secondary_dir)
        started.append(cairnd)
        yield named, cairnd, zone_file, primary_port, secondary_port, secondary_dir
    finally:
        for process in reversed(started):
            process.stop()


def test_cairnd_secondary_of_bind_takes_axfr_then_ixfr(bind_and_secondary):
    named, cairnd, zone_file, primary_port, secondary_port, secondary_dir = bind_and_secondary
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), cairnd.log()
    assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)
    assert "AXFR started" in named.log()

    write_zone(zone_file, zone_text(2, "192.0.2.81", "new A 192.0.2.99\n").replace(" 3600 600 86400 300", BIND_TIMERS))
    named.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 2, 10), named.log()
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), cairnd.log()
    assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)
    assert "IXFR started (serial 1 -> 2)" in named.log(), named.log()
    assert "transferred serial 2 (incremental)" in cairnd.log(), cairnd.log()
    # The transferred copy is on disk, so a restart serves it at once.
    assert "192.0.2.81" in (secondary_dir / "sec.db").read_text()


def notify_rcode(port: int, zone: str, source: str) -> str:
    message = dns.message.make_query(zone, "SOA")
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags |= dns.flags.AA
    response = dns.query.udp(message, "127.0.0.1", port=port, timeout=2, source=source)
    return dns.rcode.to_text(response.rcode())


def test_notify_from_bind_makes_cairnd_refresh_at_once_and_others_are_refused(bind_notifying_secondary):
    named, cairnd, zone_file, primary_port, secondary_port, secondary_dir = bind_notifying_secondary
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), cairnd.log()

    write_zone(zone_file, zone_text(2, "192.0.2.81").replace(" 3600 600 86400 300", NOTIFY_TIMERS))
    named.proc.send_signal(signal.SIGHUP)
    # Refresh is an hour away: serving serial 2 within seconds is the NOTIFY's doing.
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 10), cairnd.log() + named.log()
    assert f"received notify for zone {ORIGIN} serial 2" in cairnd.log()
    assert "transferred serial 2 (incremental)" in cairnd.log()

    # A primary's address from any port is accepted; another address is refused and logged; a zone we
    # are not secondary for is NOTAUTH.
    assert notify_rcode(secondary_port, ORIGIN, "127.0.0.1") == "NOERROR"
    assert notify_rcode(secondary_port, ORIGIN, "127.0.0.2") == "REFUSED"
    assert "client 127.0.0.2#" in cairnd.log() and f"notify for zone {ORIGIN} refused" in cairnd.log()
    assert notify_rcode(secondary_port, "other.example.", "127.0.0.1") == "NOTAUTH"


def soa_rcode_and_ede(port: int) -> tuple[str, list[int]]:
    query = dns.message.make_query(ORIGIN, "SOA", use_edns=0)
    response = dns.query.udp(query, "127.0.0.1", port=port, timeout=2)
    codes = [option.code for option in response.options if option.otype == 15]
    return dns.rcode.to_text(response.rcode()), codes


@pytest.fixture
def bind_and_expiring_secondary(tmp_path):
    yield from start_bind_and_secondary(tmp_path, " 2 1 8 300")  # refresh 2, retry 1, expire 8


def test_secondary_expires_to_servfail_and_comes_back(bind_and_expiring_secondary):
    named, cairnd, zone_file, primary_port, secondary_port, secondary_dir = bind_and_expiring_secondary
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), cairnd.log()
    stopped_at = time.monotonic()
    named.stop()
    # Served until EXPIRE after the last successful refresh, then SERVFAIL with EDE 22.
    assert wait_for(lambda: soa_rcode_and_ede(secondary_port)[0] == "SERVFAIL", 15), cairnd.log()
    assert time.monotonic() - stopped_at > 4, "expired long before EXPIRE"
    assert soa_rcode_and_ede(secondary_port) == ("SERVFAIL", [22])
    # The primary returns: served again within refresh + retry.
    named.restart("named2.log")
    assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), cairnd.log()


def cairnd_config(directory: Path, port: int, zone_clause: str, extra: str = "") -> Path:
    config = directory / "named.conf"
    config.write_text(
        "options {\n"
        f'    directory "{directory}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    allow-transfer { 127.0.0.1; };\n"
        "    min-refresh-time 1;\n"
        "    min-retry-time 1;\n"
        f"{extra}"
        "};\n"
        f'zone "{ORIGIN}" {{ {zone_clause} }};\n'
    )
    return config


def expire_option(port: int) -> int | None:
    """The EDNS EXPIRE value (RFC 7314) in the first message of an AXFR that asks for it."""
    query = dns.message.make_query(ORIGIN, "AXFR", use_edns=0, options=[dns.edns.GenericOption(9, b"")])
    wire = query.to_wire()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(struct.pack("!H", len(wire)) + wire)
        length = struct.unpack("!H", sock.recv(2, socket.MSG_WAITALL))[0]
        response = dns.message.from_wire(sock.recv(length, socket.MSG_WAITALL))
    for option in response.options:
        if option.otype == 9:
            return struct.unpack("!I", option.data)[0]
    return None


# Refresh 2: the schedule alone moves serials down the chain. Refresh hourly: only NOTIFY does, A to B
# and then B, as a secondary, to C.
@pytest.mark.parametrize("timers, expire", [(BIND_TIMERS, 60), (NOTIFY_TIMERS, 86400)], ids=["refresh", "notify"])
def test_chain_cairnd_to_cairnd_to_cairnd_carries_ixfr(tmp_path, timers, expire):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    dirs = [tmp_path / name for name in ("a", "b", "c")]
    for directory in dirs:
        directory.mkdir()
    ports = [servers.free_port(ipv6=False) for _ in dirs]
    zone_file = dirs[0] / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80").replace(" 3600 600 86400 300", timers))
    configs = [
        cairnd_config(
            dirs[0],
            ports[0],
            f'type primary; file "{zone_file.name}";',
            f"    ixfr-from-differences yes;\n    notify explicit;\n    also-notify {{ 127.0.0.1 port {ports[1]}; }};\n",
        ),
        cairnd_config(
            dirs[1],
            ports[1],
            f'type secondary; primaries {{ 127.0.0.1 port {ports[0]}; }}; file "b.db";',
            f"    notify explicit;\n    also-notify {{ 127.0.0.1 port {ports[2]}; }};\n",
        ),
        cairnd_config(dirs[2], ports[2], f'type secondary; primaries {{ 127.0.0.1 port {ports[1]}; }}; file "c.db";'),
    ]
    started: list[servers.LoggedProcess] = []
    try:
        for directory, config in zip(dirs, configs):
            started.append(
                servers.cairnd_process(config, directory)
            )
        a, b, c = started
        assert wait_for(lambda: soa_serial(ports[2], ORIGIN) == 1, 15), b.log() + c.log()
        write_zone(zone_file, zone_text(2, "192.0.2.81", "new A 192.0.2.99\n").replace(" 3600 600 86400 300", timers))
        a.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: soa_serial(ports[2], ORIGIN) == 2, 15), a.log() + b.log() + c.log()
        # Each hop was incremental: B answered C's IXFR from the journal it keeps of what A sent.
        assert "transferred serial 2 (incremental)" in b.log(), b.log()
        assert "transferred serial 2 (incremental)" in c.log(), b.log() + c.log()
        # B notifies C once notify-delay (5 s, BIND's default) has passed since its round for serial 1.
        assert wait_for(lambda: f"sent notify for serial 2 to 127.0.0.1#{ports[2]}" in b.log(), 10), b.log()
        assert axfr_rrs(ports[2]) == axfr_rrs(ports[0])
        # EDNS EXPIRE (RFC 7314): the primary gives its SOA EXPIRE (60), a secondary the time its copy has
        # left, so that C's clock runs from A's data, not from its own transfer.
        assert expire_option(ports[0]) == expire
        assert expire - 10 <= expire_option(ports[1]) <= expire
    finally:
        for process in reversed(started):
            process.stop()


def test_knot_secondary_takes_axfr_then_ixfr_after_notify(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "knot"
    primary_dir.mkdir()
    (secondary_dir / "storage").mkdir(parents=True)
    primary_port, secondary_port = servers.free_port(ipv6=False), servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80"))
    config = cairnd_config(
        primary_dir,
        primary_port,
        f'type primary; file "{zone_file.name}";',
        f"    ixfr-from-differences yes;\n    notify explicit;\n    also-notify {{ 127.0.0.1 port {secondary_port}; }};\n",
    )
    knot_conf = secondary_dir / "knot.conf"
    knot_conf.write_text(
        "server:\n"
        f'    rundir: "{secondary_dir}"\n'
        f'    pidfile: "{secondary_dir / "knot.pid"}"\n'
        f"    listen: [ 127.0.0.1@{secondary_port} ]\n"
        "    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
        "log:\n  - target: stderr\n    any: info\n"
        f'database:\n    storage: "{secondary_dir / "storage"}"\n'
        f'control:\n    listen: "{secondary_dir / "knot.sock"}"\n'
        f"remote:\n  - id: cairn\n    address: 127.0.0.1@{primary_port}\n"
        "acl:\n  - id: notify_from_cairn\n    address: 127.0.0.1\n    action: notify\n"
        "  - id: loopback_transfer\n    address: [ 127.0.0.0/8 ]\n    action: transfer\n"
        f'template:\n  - id: default\n    storage: "{secondary_dir}"\n'
        f'zone:\n  - domain: "{ORIGIN}"\n    master: cairn\n    file: "sec.zone"\n'
        "    acl: [ notify_from_cairn, loopback_transfer ]\n"
    )
    started: list[servers.LoggedProcess] = []
    try:
        cairnd = servers.cairnd_process(config, primary_dir)
        started.append(cairnd)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 1, 10), cairnd.log()
        knot = servers.LoggedProcess(["/usr/sbin/knotd", "-c", str(knot_conf)], secondary_dir, "knotd.log")
        started.append(knot)
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), knot.log()
        assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)

        write_zone(zone_file, zone_text(2, "192.0.2.81", "new A 192.0.2.99\n"))
        cairnd.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), cairnd.log() + knot.log()
        assert "IXFR started (serial 2, incremental)" in cairnd.log(), cairnd.log()
        assert "IXFR, incoming" in knot.log(), knot.log()
        assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)
    finally:
        for process in reversed(started):
            process.stop()


def test_journal_survives_a_restart_so_ixfr_still_answers_with_differences(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    port = servers.free_port(ipv6=False)
    zone_file = tmp_path / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80"))
    config = cairnd_config(tmp_path, port, f'type primary; file "{zone_file.name}";',
                           "    ixfr-from-differences yes;\n    notify no;\n")
    cairnd = servers.cairnd_process(config, tmp_path)
    try:
        assert wait_for(lambda: soa_serial(port, ORIGIN) == 1, 10), cairnd.log()
        write_zone(zone_file, zone_text(2, "192.0.2.81"))
        cairnd.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: soa_serial(port, ORIGIN) == 2, 10), cairnd.log()
        cairnd.restart("cairnd2.log")
        assert wait_for(lambda: soa_serial(port, ORIGIN) == 2, 10), cairnd.log()
        messages = list(dns.query.xfr("127.0.0.1", ORIGIN, rdtype=dns.rdatatype.IXFR, serial=1, port=port, timeout=5))
        records = [(rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rd.to_text())
                   for message in messages for rrset in message.answer for rd in rrset]
        # SOA 2, SOA 1, the old www, SOA 2, the new www, SOA 2: the difference, not the zone.
        assert [r[1] for r in records] == ["SOA", "SOA", "A", "SOA", "A", "SOA"], records
        assert ("www", "A", "192.0.2.80") in records and ("www", "A", "192.0.2.81") in records
        assert "IXFR started (serial 2, incremental)" in cairnd.log()
    finally:
        cairnd.stop()


def test_zonestatus_shows_a_secondary_zone_and_its_timers(tmp_path):
    import ctl_daemon

    if servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists():
        pytest.skip("cairnd or cairn is not built")
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port = servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(5, "192.0.2.80"))
    config = cairnd_config(primary_dir, primary_port, f'type primary; file "{zone_file.name}";', "    notify no;\n")
    primary = servers.cairnd_process(config, primary_dir)
    daemon = None
    try:
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 5, 10), primary.log()
        daemon = ctl_daemon.Daemon(
            secondary_dir,
            {"one.test": 1},
            statistics=False,
            extra=f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
            'file "sec.db"; };',
        ).start()
        assert wait_for(lambda: soa_serial(daemon.port, ORIGIN) == 5, 15), daemon.log_text()
        result = daemon.ctl("zonestatus", ORIGIN.rstrip("."))
        assert result.returncode == 0, result.stdout + result.stderr
        status = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines() if ": " in line)
        assert status["type"] == "secondary", result.stdout
        assert status["serial"] == "5", result.stdout
        assert status["last refresh"] == "successful", result.stdout

        def at(text: str) -> float:
            return time.mktime(time.strptime(text, "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone

        # The SOA's REFRESH 3600 (less up to a quarter of jitter) and EXPIRE 86400, counted from the transfer.
        assert 2700 - 2 <= at(status["next refresh"]) - at(status["last refresh time"]) <= 3600 + 2, result.stdout
        assert abs(at(status["expires"]) - at(status["last refresh time"]) - 86400) <= 2, result.stdout
    finally:
        if daemon is not None:
            daemon.stop()
        primary.stop()


def test_zonestatus_timers_move_after_an_up_to_date_check(tmp_path):
    """The SOA check that finds the copy current (no transfer) still moves next refresh and expiry."""
    import ctl_daemon

    if servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists():
        pytest.skip("cairnd or cairn is not built")
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port = servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(5, "192.0.2.80").replace(" 3600 600 86400 300", " 2 1 60 300"))
    config = cairnd_config(primary_dir, primary_port, f'type primary; file "{zone_file.name}";', "    notify no;\n")
    primary = servers.cairnd_process(config, primary_dir)
    daemon = None
    try:
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 5, 10), primary.log()
        daemon = ctl_daemon.Daemon(
            secondary_dir,
            {"one.test": 1},
            statistics=False,
            extra=f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
            'file "sec.db"; min-refresh-time 1; min-retry-time 1; };',
        ).start()
        assert wait_for(lambda: soa_serial(daemon.port, ORIGIN) == 5, 15), daemon.log_text()

        def status() -> dict[str, str]:
            result = daemon.ctl("zonestatus", ORIGIN.rstrip("."))
            assert result.returncode == 0, result.stdout + result.stderr
            return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines() if ": " in line)

        first = status()
        assert first["last refresh"] == "successful", first
        later: dict[str, str] = {}

        def refreshed_again() -> bool:
            nonlocal later
            later = status()
            return later["last refresh time"] != first["last refresh time"]

        # REFRESH 2: within a few seconds the secondary checks again and finds serial 5 current.
        assert wait_for(refreshed_again, 8), (first, daemon.log_text())
        assert later["serial"] == "5" and later["last refresh"] == "successful", later
        assert later["next refresh"] != first["next refresh"], (first, later)
        assert later["expires"] != first["expires"], (first, later)
        assert daemon.log_text().count("transferred serial") == 1, daemon.log_text()
    finally:
        if daemon is not None:
            daemon.stop()
        primary.stop()


def test_primary_does_not_notify_its_own_address_among_the_ns_targets(tmp_path):
    """notify yes: ns2's address is the one cairnd listens on, so only the also-notify target hears."""
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    port = servers.free_port(ipv6=False)
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(5)
    target_port = listener.getsockname()[1]
    zone_file = tmp_path / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80", "@ NS ns2\nns2 A 127.0.0.1\n"))
    config = cairnd_config(
        tmp_path,
        port,
        f'type primary; file "{zone_file.name}";',
        f"    notify yes;\n    also-notify {{ 127.0.0.1 port {target_port}; }};\n",
    )
    cairnd = servers.cairnd_process(config, tmp_path)
    try:
        # The loaded zone is notified at start-up.
        wire, _ = listener.recvfrom(4096)
        notify = dns.message.from_wire(wire)
        assert notify.opcode() == dns.opcode.NOTIFY and notify.answer[0][0].serial == 1
        assert wait_for(lambda: "NS address 127.0.0.1 is this server; not notified" in cairnd.log(), 5), cairnd.log()
        # Port 53 exactly: the server's own (random) port may start with 53.
        assert not re.search(r"127\.0\.0\.1#53\b", cairnd.log()), cairnd.log()
    finally:
        cairnd.stop()
        listener.close()
