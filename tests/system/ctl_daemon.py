"""cairnd with a control channel and a statistics channel, for test_ctl_*.py and test_stats_*.py.

Writes its own named.conf (a `controls` and a `statistics-channels` statement on free loopback ports, an
rndc.key), runs cairnd in the foreground in the test's directory, waits for it to answer, and stops it by PID.
Also `cairn ctl` and BIND's `rndc` runners, and a minimal independent implementation of the control
protocol's message encoding for tests that forge messages (stale, replayed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

import servers

KEY_NAME = "rndc-key"
SECRET = base64.b64encode(b"cairn control channel test key!!").decode()
WRONG_SECRET = base64.b64encode(b"this is not the key cairnd uses!").decode()
RNDC = "/usr/sbin/rndc"


def cairn_binary() -> Path:
    return servers.cairn_build_dir() / "src" / "cli" / "cairn"


def fields(text: str) -> dict[str, str]:
    """The `name: value` lines of a `cairn ctl` / rndc answer."""
    return dict(line.split(": ", 1) for line in text.strip().splitlines() if ": " in line)


def key_file(path: Path, secret: str = SECRET, algorithm: str = "hmac-sha256") -> Path:
    path.write_text(f'key "{KEY_NAME}" {{\n\talgorithm {algorithm};\n\tsecret "{secret}";\n}};\n')
    return path


def zone_text(origin: str, serial: int, address: str = "192.0.2.1") -> str:
    return (
        "$TTL 300\n"
        f"@ IN SOA ns1.{origin}. hostmaster.{origin}. ( {serial} 3600 600 86400 300 )\n"
        "  IN NS ns1\n"
        "ns1 IN A 127.0.0.1\n"
        f"www IN A {address}\n"
    )


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


@dataclass
class Daemon:
    workdir: Path
    zones: dict[str, int]  # origin -> serial of the zone file written at start
    statistics: bool = True
    statistics_allow: str = "127.0.0.1;"
    zone_options: dict[str, str] = field(default_factory=dict)
    algorithm: str = "hmac-sha256"  # of the control key  # origin -> more statements in its zone block
    extra: str = ""  # more top-level statements
    options_extra: str = ""  # more statements inside options {}
    controls: str | None = None  # the controls statement; None: an inet channel on control_port
    args: list[str] = field(default_factory=list)  # more cairnd arguments
    wait_control: bool = True  # start() waits for control_port to accept connections
    recursion: bool = False  # recursion yes (a resolver: see resolvers.py); without zones it waits for localhost.
    port: int = 0
    control_port: int = 0
    http_port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self):
        self.log_path = self.workdir / "cairnd.log"
        self.key = key_file(self.workdir / "rndc.key", algorithm=self.algorithm)
        for origin, serial in self.zones.items():
            write_atomically(self.zone_path(origin), zone_text(origin, serial))

    def zone_path(self, origin: str) -> Path:
        return self.workdir / f"{origin}.zone"

    def write_config(self, zones: list[str] | None = None) -> None:
        zones = list(self.zones) if zones is None else zones
        lines = [
            f'include "{self.key}";',
        ]
        if self.controls is None:
            lines.append(
                f'controls {{ inet 127.0.0.1 port {self.control_port} allow {{ 127.0.0.1; }} keys {{ "{KEY_NAME}"; }}; }};'
            )
        else:
            lines.append(self.controls)
        if self.statistics:
            lines.append(f"statistics-channels {{ inet 127.0.0.1 port {self.http_port} allow {{ {self.statistics_allow} }}; }};")
        lines += [
            "options {",
            f'    directory "{self.workdir}";',
            f"    listen-on port {self.port} {{ 127.0.0.1; }};",
            "    listen-on-v6 { none; };",
            "    recursion yes;" if self.recursion else "    recursion no;",
            self.options_extra,
            "};",
            self.extra,
        ]
        lines += [
            f'zone "{origin}" {{ type primary; file "{self.zone_path(origin)}"; {self.zone_options.get(origin, "")} }};'
            for origin in zones
        ]
        write_atomically(self.workdir / "named.conf", "\n".join(lines) + "\n")

    @property
    def config(self) -> Path:
        return self.workdir / "named.conf"

    def start(self) -> "Daemon":
        self.port = self.port or servers.free_port(False)  # preset when a peer must know it beforehand
        self.control_port = self.control_port or servers.free_port(False)
        self.http_port = servers.free_port(False)
        self.write_config()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            # The query log on stderr too, where the tests read it.
            [str(servers.cairnd_binary()), "-c", str(self.config), "-n", "2", "--log-queries-to-stderr", *self.args],
            cwd=self.workdir,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        first = next(iter(self.zones), None)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cairnd exited: {self.log_text()}")
            try:
                if first:
                    answers = self.soa_serial(first) is not None
                else:
                    probe = dns.message.make_query("localhost.", "A")
                    answers = dns.query.udp(probe, "127.0.0.1", port=self.port, timeout=0.5).answer
                if answers and (not self.wait_control or self.control_ready()):
                    return self
            except (OSError, dns.exception.DNSException):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"cairnd did not start: {self.log_text()}")

    def restart(self, pause: float = 0.0) -> "Daemon":
        """`rndc stop` (cairnd writes what it keeps on disk as it stops), `pause` seconds down, then start
        again on the same ports for DNS and control."""
        assert self.rndc("stop").returncode == 0
        self.proc.wait(timeout=15)
        self.log.close()
        time.sleep(max(0.0, pause))
        return self.start()

    def control_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.control_port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def query(self, name: str, rdtype: str = "SOA", tcp: bool = False) -> dns.message.Message:
        request = dns.message.make_query(name, rdtype)
        if tcp:
            return dns.query.tcp(request, "127.0.0.1", port=self.port, timeout=2)
        return dns.query.udp(request, "127.0.0.1", port=self.port, timeout=2)

    def soa_serial(self, origin: str) -> int | None:
        response = self.query(origin)
        if response.rcode() != dns.rcode.NOERROR or not response.answer:
            return None
        return response.answer[0][0].serial

    def ctl(self, *command: str, key: Path | None = None, timeout: float = 20) -> subprocess.CompletedProcess:
        args = [str(cairn_binary()), "ctl", "-s", "127.0.0.1", "-p", str(self.control_port)]
        args += ["-k", str(key or self.key), *command]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout)

    def rndc(self, *command: str, key: Path | None = None) -> subprocess.CompletedProcess:
        args = [RNDC, "-s", "127.0.0.1", "-p", str(self.control_port), "-k", str(key or self.key), *command]
        return subprocess.run(args, capture_output=True, text=True, timeout=20)


# ---------------------------------------------------------------------------------------------------------
# The control protocol, written from the message layout (independent of src/ctl), for forged messages.


def _entries(table: dict) -> bytes:
    out = b""
    for key, value in table.items():
        out += bytes([len(key)]) + key.encode()
        if isinstance(value, dict):
            inner = _entries(value)
            out += b"\x02" + struct.pack(">I", len(inner)) + inner
        else:
            data = value if isinstance(value, bytes) else str(value).encode()
            out += b"\x01" + struct.pack(">I", len(data)) + data
    return out


def signed_frame(ctrl: dict, data: dict, secret: str = SECRET) -> bytes:
    signed = _entries({"_ctrl": ctrl, "_data": data})
    digest = hmac.new(base64.b64decode(secret), signed, hashlib.sha256).digest()
    mac = bytes([163]) + base64.b64encode(digest).ljust(88, b"\x00")
    body = struct.pack(">I", 1) + _entries({"_auth": {"hsha": mac}}) + signed
    return struct.pack(">I", len(body)) + body


def exchange(port: int, frame: bytes, timeout: float = 3.0) -> bytes:
    """Sends one frame; returns the answer frame, or b"" when the server closes without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(frame)
        received = b""
        while True:
            if len(received) >= 4 and len(received) >= 4 + struct.unpack(">I", received[:4])[0]:
                return received
            chunk = connection.recv(65536)
            if not chunk:
                return received
            received += chunk
