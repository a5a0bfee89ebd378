"""cairnd as a daemon: answering over UDP and TCP on IPv4 and IPv6, SIGHUP reloads (edited zones, broken
zones keeping the old version, uninterrupted service through repeated reloads), clean SIGTERM exit with the
pid-file removed, clear start-up errors, malformed packets and allow-query.

Uses the harness fixtures (conftest.py: start_server) for the common case, and runs cairnd directly where a
test needs a configuration of its own.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

import dnsclient
import servers
from waiting import wait_for

ORIGIN = "reload.test"


def zone_text(serial: int, address: str, broken_line: str | None = None) -> str:
    lines = [
        "$TTL 300",
        f"@ IN SOA ns1.{ORIGIN}. hostmaster.{ORIGIN}. ( {serial} 3600 600 86400 300 )",
        "  IN NS ns1",
        "ns1 IN A 127.0.0.1",
        f"www IN A {address}",
    ]
    if broken_line is not None:
        lines.append(broken_line)
    return "\n".join(lines) + "\n"


def write_zone(path: Path, text: str) -> None:
    """Replaces the file atomically, as editors and deployment tools do, so a reload never sees half."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def www_address(server, **kwargs) -> str:
    response = dnsclient.query(server, f"www.{ORIGIN}", "A", **kwargs)
    assert response.rcode() == dns.rcode.NOERROR, dnsclient.describe(response)
    assert len(response.answer) == 1, dnsclient.describe(response)
    return response.answer[0][0].address


@pytest.fixture
def reload_zone(tmp_path) -> servers.Zone:
    path = tmp_path / f"{ORIGIN}.zone"
    write_zone(path, zone_text(1, "192.0.2.1"))
    return servers.Zone(ORIGIN, path)


@pytest.fixture
def cairnd(start_server, reload_zone):
    return start_server("cairnd", [reload_zone], servers.ServerOptions(workers=2))


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize("ipv6", [False, True], ids=["v4", "v6"])
def test_answers_over_udp_and_tcp_on_ipv4_and_ipv6(cairnd, tcp, ipv6):
    if ipv6 and cairnd.host6 is None:
        pytest.skip("no IPv6 loopback on this machine")
    response = dnsclient.query(cairnd, f"www.{ORIGIN}", "A", tcp=tcp, ipv6=ipv6)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert [rdata.address for rdata in response.answer[0]] == ["192.0.2.1"]


def test_sighup_picks_up_an_edited_zone(cairnd, reload_zone):
    assert www_address(cairnd) == "192.0.2.1"
    write_zone(reload_zone.file, zone_text(2, "192.0.2.2"))
    cairnd.reload()
    assert wait_for(lambda: www_address(cairnd) == "192.0.2.2"), cairnd.stderr_text()
    assert www_address(cairnd, tcp=True) == "192.0.2.2"


def test_broken_zone_on_reload_keeps_the_old_version_and_names_file_and_line(cairnd, reload_zone):
    write_zone(reload_zone.file, zone_text(2, "192.0.2.2", broken_line="bad IN A 999.1.2.3"))
    cairnd.reload()
    location = f"{reload_zone.file}:6"  # the sixth line holds the bad address
    assert wait_for(lambda: location in cairnd.stderr_text()), cairnd.stderr_text()
    assert www_address(cairnd) == "192.0.2.1"
    # Fixed again, the zone reloads normally.
    write_zone(reload_zone.file, zone_text(3, "192.0.2.3"))
    cairnd.reload()
    assert wait_for(lambda: www_address(cairnd) == "192.0.2.3"), cairnd.stderr_text()


def test_sighup_rereads_the_configuration_and_survives_a_broken_one(cairnd, tmp_path):
    config = cairnd.workdir / "named.conf"
    added = tmp_path / "added.test.zone"
    added.write_text("$TTL 300\n@ SOA ns1.added.test. h.added.test. 5 3600 600 86400 300\n NS ns1\nns1 A 127.0.0.5\n")
    good = config.read_text()
    config.write_text(good + f'zone "added.test" {{ type primary; file "{added}"; }};\n')
    cairnd.reload()

    def added_answers() -> bool:
        response = dnsclient.query(cairnd, "ns1.added.test", "A")
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    assert wait_for(added_answers), cairnd.stderr_text()
    config.write_text(good + "zone {\n")  # a syntax error on the last line
    cairnd.reload()
    assert wait_for(lambda: "named.conf:" in cairnd.stderr_text().split("reloading")[-1]), cairnd.stderr_text()
    assert added_answers() and www_address(cairnd) == "192.0.2.1"
    assert cairnd.proc.poll() is None


def test_queries_see_no_gap_through_repeated_reloads(cairnd, reload_zone):
    """One client queries back to back for the whole time (bounded: 8 s or 20000 queries) while the zone
    flips between two versions with 20 SIGHUPs: every query gets a complete, correct answer in time."""
    versions = {"192.0.2.1", "192.0.2.2"}
    stop = threading.Event()
    failures: list[str] = []
    seen: set[str] = set()
    counts = {"queries": 0}

    def query_loop():
        request = dnsclient.make_query(f"www.{ORIGIN}", "A")
        deadline = time.monotonic() + 8.0
        while not stop.is_set() and time.monotonic() < deadline and counts["queries"] < 20000:
            try:
                response = dns.query.udp(request, cairnd.host, port=cairnd.port, timeout=1.0)
            except Exception as error:  # a timeout is exactly the gap this test looks for
                failures.append(f"query {counts['queries']}: {error!r}")
                continue
            counts["queries"] += 1
            if response.rcode() != dns.rcode.NOERROR or len(response.answer) != 1:
                failures.append(f"query {counts['queries']}: {dnsclient.describe(response)}")
                continue
            address = response.answer[0][0].address
            if address not in versions:
                failures.append(f"query {counts['queries']}: unexpected {address}")
            seen.add(address)

    worker = threading.Thread(target=query_loop)
    worker.start()
    try:
        for serial in range(2, 22):
            write_zone(reload_zone.file, zone_text(serial, "192.0.2.2" if serial % 2 == 0 else "192.0.2.1"))
            cairnd.reload()
            time.sleep(0.2)
    finally:
        stop.set()
        worker.join(timeout=15)
    print(f"{counts['queries']} queries through 20 reloads")
    assert not failures, failures[:10]
    assert counts["queries"] > 1000
    assert seen == versions, "the reloads never took effect"
    assert cairnd.proc.poll() is None


def test_sigterm_exits_promptly_and_removes_the_pid_file(cairnd):
    pid_file = cairnd.workdir / "named.pid"
    assert wait_for(pid_file.exists)
    assert int(pid_file.read_text().strip()) == cairnd.pid
    proc = cairnd.proc
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 3.0
    assert not pid_file.exists()


def test_malformed_packets_get_formerr_or_nothing_and_service_continues(cairnd):
    generator = random.Random(20261122)
    valid = dnsclient.make_query(f"www.{ORIGIN}", "A").to_wire()
    packets = [bytes(generator.randrange(256) for _ in range(generator.randrange(1, 80))) for _ in range(300)]
    packets += [valid[:cut] for cut in range(1, len(valid))]  # every truncation of a valid query
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.connect((cairnd.host, cairnd.port))
        client.settimeout(0.05)
        for packet in packets:
            client.send(packet)
            try:
                reply = client.recv(65535)
            except socket.timeout:
                continue
            assert len(reply) >= 12, reply
            assert reply[2] & 0x80, "a reply must have QR set"
            assert reply[3] & 0x0F in (dns.rcode.FORMERR, dns.rcode.NOTIMP, dns.rcode.REFUSED), reply
    assert www_address(cairnd) == "192.0.2.1"
    assert www_address(cairnd, tcp=True) == "192.0.2.1"
    assert cairnd.proc.poll() is None


def send_stream(server, sockets: int, per_socket: int) -> dict[int, dns.message.Message]:
    """Sends `per_socket` queries for www from each of `sockets` UDP sockets without waiting, then reads
    the replies: a stream the UDP thread sees in batches. Returns the replies by query id."""
    clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(sockets)]
    replies: dict[int, dns.message.Message] = {}
    try:
        for client in clients:
            client.connect((server.host, server.port))
            client.settimeout(5)
        for n in range(per_socket):
            for k, client in enumerate(clients):
                query = dns.message.make_query(f"www.{ORIGIN}", "A")
                query.id = k * per_socket + n
                client.send(query.to_wire())
        for client in clients:
            for _ in range(per_socket):
                reply = dns.message.from_wire(client.recv(4096))
                replies[reply.id] = reply
    finally:
        for client in clients:
            client.close()
    return replies


# Coalescing (net/udp_coalescing.hpp) changes when the UDP thread reads, never what it answers: a stream
# of queries gets every answer, right, with the pause at its default, off, or long.
@pytest.mark.parametrize("coalesce", [None, "0", "200"], ids=["default", "off", "200us"])
def test_a_stream_of_udp_queries_is_answered_whatever_the_coalescing(start_server, reload_zone, coalesce):
    arguments = ("--udp-coalesce", coalesce) if coalesce is not None else ()
    server = start_server("cairnd", [reload_zone], servers.ServerOptions(workers=1, arguments=arguments))
    replies = send_stream(server, sockets=8, per_socket=100)
    assert sorted(replies) == list(range(800))
    for reply in replies.values():
        assert reply.rcode() == dns.rcode.NOERROR and reply.flags & dns.flags.AA, dnsclient.describe(reply)
        assert [rdata.address for rdata in reply.answer[0]] == ["192.0.2.1"]
    expected = coalesce if coalesce is not None else "10"
    assert f"UDP batches coalesce for {expected} µs" in server.stderr_text(limit=100_000)


# ---------------------------------------------------------------------------------------------------------
# cairnd with configurations of the test's own


def run_cairnd(args: list[str], workdir: Path, timeout: float = 10.0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(servers.cairnd_binary())] + args, cwd=workdir, capture_output=True, text=True, timeout=timeout
    )


def config_text(port: int, zones: str, options: str = "") -> str:
    return (
        "options {\n"
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        f"{options}"
        "};\n" + zones
    )


def test_port_in_use_is_a_clear_error(cairnd_binary, tmp_path, reload_zone):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        port = squatter.getsockname()[1]
        config = tmp_path / "named.conf"
        config.write_text(
            config_text(port, f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n')
        )
        result = run_cairnd(["-c", str(config)], tmp_path)
    assert result.returncode != 0
    assert "in use" in result.stderr and f"127.0.0.1#{port}" in result.stderr, result.stderr


def test_udp_coalesce_out_of_range_is_a_clear_error(cairnd_binary, tmp_path, reload_zone):
    config = tmp_path / "named.conf"
    config.write_text(config_text(servers.free_port(False), f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n'))
    result = run_cairnd(["-c", str(config), "--udp-coalesce", "5000"], tmp_path)
    assert result.returncode != 0
    assert "--udp-coalesce" in result.stderr and "5000" in result.stderr, result.stderr


def test_missing_zone_file_is_a_clear_error_of_the_check_mode(cairnd_binary, tmp_path):
    """`cairnd -C -z` fails on it; the daemon itself serves the other zones (test_lifecycle_zones.py)."""
    config = tmp_path / "named.conf"
    missing = tmp_path / "nowhere.zone"
    config.write_text(config_text(servers.free_port(False), f'zone "{ORIGIN}" {{ type primary; file "{missing}"; }};\n'))
    result = run_cairnd(["-C", "-z", "-c", str(config)], tmp_path)
    assert result.returncode != 0
    assert str(missing) in result.stderr + result.stdout, result.stderr


def test_bad_configuration_is_a_clear_error(cairnd_binary, tmp_path, reload_zone):
    config = tmp_path / "named.conf"
    config.write_text(f'options {{\n    listen-on port 1 {{ 127.0.0.1; }}\n}};\nzone "{ORIGIN}" {{ type primary; }};\n')
    result = run_cairnd(["-c", str(config)], tmp_path)
    assert result.returncode != 0
    assert "named.conf" in result.stderr, result.stderr
    checked = run_cairnd(["-C", "-c", str(config)], tmp_path)
    assert checked.returncode == 1
    assert "named.conf" in checked.stderr + checked.stdout


def test_unreadable_directory_is_a_clear_error(cairnd_binary, tmp_path, reload_zone):
    config = tmp_path / "named.conf"
    config.write_text(
        config_text(
            servers.free_port(False),
            f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n',
            options=f'    directory "{tmp_path / "missing-dir"}";\n',
        )
    )
    result = run_cairnd(["-c", str(config)], tmp_path)
    assert result.returncode != 0
    assert "missing-dir" in result.stderr, result.stderr


def test_checkconf_mode_accepts_a_good_configuration_and_loads_zones(cairnd_binary, tmp_path, reload_zone):
    config = tmp_path / "named.conf"
    config.write_text(
        config_text(servers.free_port(False), f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n')
    )
    assert run_cairnd(["-C", "-c", str(config)], tmp_path).returncode == 0
    loaded = run_cairnd(["-C", "-z", "-c", str(config)], tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded serial 1" in loaded.stdout
    write_zone(reload_zone.file, zone_text(2, "192.0.2.2", broken_line="bad IN A 999.1.2.3"))
    broken = run_cairnd(["-C", "-z", "-c", str(config)], tmp_path)
    assert broken.returncode == 1
    assert f"{reload_zone.file}:6" in broken.stderr + broken.stdout


class DirectServer(servers.LoggedProcess):
    """cairnd started from a configuration of the test's own; looks like servers.AuthServer to dnsclient."""

    host = "127.0.0.1"
    host6 = None

    def __init__(self, config: Path, port: int, workdir: Path):
        self.port = port
        # The query log on stderr too, where the tests read it.
        super().__init__([str(servers.cairnd_binary()), "-c", str(config), "-n", "2", "--log-queries-to-stderr"],
                         workdir, "cairnd.stderr")


def test_allow_query_refuses_clients_outside_the_acl(cairnd_binary, tmp_path, reload_zone):
    closed = tmp_path / "closed.test.zone"
    closed.write_text(
        "$TTL 300\n@ SOA ns1.closed.test. h.closed.test. 1 3600 600 86400 300\n NS ns1\nns1 A 127.0.0.1\n"
    )
    port = servers.free_port(False)
    config = tmp_path / "named.conf"
    config.write_text(
        config_text(
            port,
            f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n'
            f'zone "closed.test" {{ type primary; file "{closed}"; allow-query {{ 192.0.2.0/24; }}; }};\n',
        )
    )
    server = DirectServer(config, port, tmp_path)
    try:
        assert wait_for(lambda: _answers(server)), (tmp_path / "cairnd.stderr").read_text()
        refused = dnsclient.query(server, "ns1.closed.test", "A")
        assert refused.rcode() == dns.rcode.REFUSED
        assert not refused.answer
        assert dnsclient.query(server, "ns1.closed.test", "A", tcp=True).rcode() == dns.rcode.REFUSED
        assert www_address(server) == "192.0.2.1"
    finally:
        server.stop()


def _answers(server) -> bool:
    try:
        return www_address(server) == "192.0.2.1"
    except Exception:
        return False


def test_logging_channels_receive_the_log_besides_stderr(cairnd_binary, tmp_path, reload_zone):
    port = servers.free_port(False)
    log_file = tmp_path / "cairnd.log"
    config = tmp_path / "named.conf"
    config.write_text(
        config_text(port, f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; }};\n')
        + "logging {\n"
        f'    channel to_file {{ file "{log_file}"; severity info; print-time yes; print-severity yes; }};\n'
        "    category default { to_file; default_stderr; };\n"
        "};\n"
    )
    server = DirectServer(config, port, tmp_path)
    try:
        assert wait_for(lambda: _answers(server)), (tmp_path / "cairnd.stderr").read_text()
        text = log_file.read_text()
        assert f"zone {ORIGIN}/IN: loaded serial 1" in text, text
        assert "info: " in text
    finally:
        server.stop()
    assert "exiting" in log_file.read_text()
    assert "loaded serial 1" in (tmp_path / "cairnd.stderr").read_text()


def test_axfr_streams_the_zone_to_allowed_clients_and_refuses_others(start_server, tmp_path):
    import dns.query
    import dns.zone

    big = tmp_path / "big.test.zone"
    lines = ["$TTL 300", "@ SOA ns1.big.test. h.big.test. 9 3600 600 86400 300", "  NS ns1", "ns1 A 127.0.0.1"]
    lines += [f"host{i} A 10.0.{i // 256}.{i % 256}" for i in range(20000)]  # ~20 messages of 16 KiB
    big.write_text("\n".join(lines) + "\n")
    zones = [servers.Zone("big.test", big)]
    allowed = start_server("cairnd", zones, servers.ServerOptions(allow_transfer=True))
    expected = dns.zone.from_file(str(big), origin="big.test.", relativize=False)
    transferred = dns.zone.from_xfr(dns.query.xfr(allowed.host, "big.test.", port=allowed.port, timeout=10,
                                                   relativize=False), relativize=False)
    assert transferred == expected
    # The worker kept answering other clients meanwhile; and a closed server refuses.
    assert dnsclient.query(allowed, "host7.big.test", "A").answer[0][0].address == "10.0.0.7"
    closed = start_server("cairnd", zones, servers.ServerOptions(allow_transfer=False))
    request = dns.message.make_query("big.test.", dns.rdatatype.AXFR)
    response = dns.query.tcp(request, closed.host, port=closed.port, timeout=5)
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.answer


def test_wildcard_listener_answers_from_the_queried_address_and_allow_query_on_applies(
    cairnd_binary, tmp_path, reload_zone
):
    """listen-on { any; } binds 0.0.0.0: replies must come from the address queried (dnspython rejects
    others), and allow-query-on sees that address."""
    port = servers.free_port(False)
    config = tmp_path / "named.conf"
    config.write_text(
        "options {\n"
        f"    listen-on port {port} {{ any; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "};\n"
        f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; allow-query-on {{ 127.0.0.2; }}; }};\n'
    )
    server = DirectServer(config, port, tmp_path)
    try:
        server.host = "127.0.0.2"
        assert wait_for(lambda: _answers(server)), (tmp_path / "cairnd.stderr").read_text()
        assert www_address(server, tcp=True) == "192.0.2.1"
        server.host = "127.0.0.1"
        assert dnsclient.query(server, f"www.{ORIGIN}", "A").rcode() == dns.rcode.REFUSED
    finally:
        server.stop()


def test_tsig_signed_axfr_for_allow_transfer_key(cairnd_binary, tmp_path, reload_zone):
    """The lecture's allow-transfer { key ...; }: a transfer signed with the key is served and every message
    of it signed (dnspython verifies the chain); unsigned or wrongly signed requests are not."""
    import base64

    import dns.query
    import dns.tsig
    import dns.tsigkeyring
    import dns.zone

    secret = base64.b64encode(bytes(range(32))).decode()
    port = servers.free_port(False)
    config = tmp_path / "named.conf"
    config.write_text(
        config_text(
            port,
            f'key "group19.tsig." {{ algorithm hmac-sha256; secret "{secret}"; }};\n'
            f'zone "{ORIGIN}" {{ type primary; file "{reload_zone.file}"; allow-transfer {{ key "group19.tsig."; }}; }};\n',
        )
    )
    server = DirectServer(config, port, tmp_path)
    try:
        assert wait_for(lambda: _answers(server)), (tmp_path / "cairnd.stderr").read_text()
        keyring = dns.tsigkeyring.from_text({"group19.tsig.": ("hmac-sha256", secret)})
        transferred = dns.zone.from_xfr(
            dns.query.xfr(server.host, f"{ORIGIN}.", port=port, keyring=keyring, keyname="group19.tsig.",
                          timeout=5, relativize=False),
            relativize=False,
        )
        expected = dns.zone.from_file(str(reload_zone.file), origin=f"{ORIGIN}.", relativize=False)
        assert transferred == expected

        unsigned = dns.query.tcp(dns.message.make_query(f"{ORIGIN}.", "AXFR"), server.host, port=port, timeout=5)
        assert unsigned.rcode() == dns.rcode.REFUSED

        wrong = dns.tsigkeyring.from_text({"group19.tsig.": ("hmac-sha256", base64.b64encode(b"x" * 32).decode())})
        request = dns.message.make_query(f"{ORIGIN}.", "AXFR")
        request.use_tsig(wrong, keyname="group19.tsig.")
        with pytest.raises(dns.tsig.PeerBadSignature):
            dns.query.tcp(request, server.host, port=port, timeout=5)
    finally:
        server.stop()
