"""A signed zone transfer damaged on the way (one octet flipped by tests/system/proxy.py) is rejected by a
cairnd secondary daemon, which keeps serving its current version, says why in its log, and takes the new
version once the path is clean again.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import threading
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype
import pytest

import servers
from waiting import soa_serial, wait_for
from proxy import TcpProxy

ORIGIN = "tamper.example."
KEY = "xfr.tamper."
SECRET = base64.b64encode(bytes(range(7, 39))).decode()
# Well inside the third message of the transfer, where nearly every octet is TXT text: flipping one leaves a
# message that still parses, so only the TSIG MAC can notice.
FLIP_AT = 40000


def zone_text(serial: int) -> str:
    lines = ["$TTL 300", f"@ SOA ns1 hostmaster {serial} 2 1 600 300", "  NS ns1", "ns1 A 192.0.2.1",
             f"www A 192.0.2.{serial}"]
    lines += [f't{i} TXT "{"x" * 200}"' for i in range(300)]  # about 65 KB: several messages
    return "\n".join(lines) + "\n"


def write_zone(path: Path, text: str) -> None:
    previous = path.stat().st_mtime_ns if path.exists() else time.time_ns()
    path.write_text(text)
    os.utime(path, ns=(previous + 2_000_000_000, previous + 2_000_000_000))


class UdpRelay:
    """Forwards UDP queries on one port to the primary, so that SOA queries reach it beside the TCP proxy."""

    def __init__(self, port: int, upstream: tuple[str, int]):
        self.upstream = upstream
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                query, client = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
                out.settimeout(1)
                try:
                    out.sendto(query, self.upstream)
                    self.sock.sendto(out.recv(65535), client)
                except OSError:
                    pass

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


def start_cairnd(directory: Path, config: str, name: str) -> servers.LoggedProcess:
    (directory / "named.conf").write_text(config)
    return servers.cairnd_process(directory / "named.conf", directory, f"{name}.log")


def options(directory: Path, port: int) -> str:
    return (
        f'key "{KEY}" {{ algorithm hmac-sha256; secret "{SECRET}"; }};\n'
        "options {\n"
        f'    directory "{directory}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify no;\n"
        "    min-refresh-time 1;\n"
        "    min-retry-time 1;\n"
        "};\n"
    )


def test_tampered_signed_transfer_is_rejected_and_the_old_zone_keeps_serving(tmp_path):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port, secondary_port = servers.free_port(ipv6=False), servers.free_port(ipv6=False)
    zone_file = primary_dir / "tamper.zone"
    write_zone(zone_file, zone_text(1))
    started = []
    proxy = TcpProxy("127.0.0.1", primary_port).start()
    relay = UdpRelay(proxy.port, ("127.0.0.1", primary_port))
    try:
        primary = start_cairnd(primary_dir, options(primary_dir, primary_port)
                         + f'zone "{ORIGIN}" {{ type primary; file "{zone_file.name}"; allow-transfer {{ key {KEY}; }}; }};\n',
                         "primary")
        started.append(primary)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 1, 10), primary.log()
        secondary = start_cairnd(secondary_dir, options(secondary_dir, secondary_port)
                           + f'zone "{ORIGIN}" {{ type secondary; file "tamper.db";'
                           f' primaries {{ 127.0.0.1 port {proxy.port} key "{KEY}"; }}; }};\n', "secondary")
        started.append(secondary)
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), secondary.log() + primary.log()

        # From now on every transfer arrives with one octet flipped.
        proxy.flip_at = FLIP_AT
        write_zone(zone_file, zone_text(2))
        primary.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 2, 10), primary.log()
        assert wait_for(lambda: "failed" in secondary.log().split("transferred serial 1")[-1], 15), secondary.log()
        time.sleep(1.5)  # a retry or two more, all damaged
        failures = [line for line in secondary.log().splitlines() if "refresh of" in line and "failed" in line]
        assert failures, secondary.log()
        # The cause: the MAC of the damaged message (the third) does not verify.
        assert all("TSIG BADSIG" in line for line in failures), failures
        assert soa_serial(secondary_port, ORIGIN) == 1
        www = dns.query.udp(dns.message.make_query(f"www.{ORIGIN}", "A"), "127.0.0.1", port=secondary_port, timeout=2)
        assert www.answer[0][0].address == "192.0.2.1"
        assert "transferred serial 2" not in secondary.log()
        assert "tamper.db" in os.listdir(secondary_dir)
        assert "192.0.2.2" not in (secondary_dir / "tamper.db").read_text()

        # A clean path again: the same secondary takes serial 2 (the test could have passed all along).
        proxy.flip_at = None
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), secondary.log()
    finally:
        for daemon in reversed(started):
            daemon.stop()
        relay.stop()
        proxy.stop()
