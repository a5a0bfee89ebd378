"""Primary/secondary pairs of one server kind (cairnd, named, knotd) on loopback for the transfer benchmark.

Each pair is configured the same way: the primary serves the zone from a file, allows transfers to
127.0.0.1, keeps the differences of a reloaded file for IXFR, and NOTIFYs only the secondary (notify
explicit + also-notify on loopback, no delay); the secondary has one primary and writes its copy to a file.
Nothing reaches out: BIND runs with recursion no and dnssec-validation no, no server has a control channel
on a TCP port (BIND's and cairnd's are disabled, Knot's is a unix socket).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "system"))
import servers  # noqa: E402  (free_port, binaries, spawn, terminate)
from waiting import soa_serial  # noqa: E402,F401  (run.py asks peers.soa_serial)

KINDS = ("cairnd", "named", "knotd")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _q(path: Path | str) -> str:
    return '"' + str(path) + '"'


class Daemon:
    """One server process in its own session and directory; stopped by PID (then its process group)."""

    def __init__(self, name: str, command: list[str], workdir: Path):
        self.name, self.command, self.workdir = name, command, workdir
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self.started_at = time.monotonic()
        self.proc = servers.spawn(command, workdir, self._log)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_seconds(self) -> float:
        """User + system time of the process (all its threads) so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
        return 0.0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        servers.terminate(self.proc, 15)
        self._log.close()


# ---------------------------------------------------------------------------------------------------------
# named.conf for cairnd and BIND (same grammar; BIND gets the options only it needs)


def _named_options(kind: str, workdir: Path, port: int, body: list[str]) -> list[str]:
    lines = [
        "options {",
        f"    directory {_q(workdir)};",
        f"    pid-file {_q(workdir / 'named.pid')};",
        f"    listen-on port {port} {{ 127.0.0.1; }};",
        "    listen-on-v6 { none; };",
        "    recursion no;",
    ]
    if kind == "named":
        lines += [
            "    dnssec-validation no;",
            f"    session-keyfile {_q(workdir / 'session.key')};",
            f"    managed-keys-directory {_q(workdir)};",
            "    automatic-interface-scan no;",
            "    notify-delay 0;",
        ]
    lines += [f"    {line}" for line in body]
    return lines + ["};", "controls { };"]


def _named_command(kind: str, config: Path) -> list[str]:
    if kind == "cairnd":
        return [str(servers.cairnd_binary()), "-c", str(config), "-n", "1"]
    return ["/usr/sbin/named", "-g", "-n", "1", "-c", str(config)]


def named_primary(kind: str, workdir: Path, port: int, origin: str, zone_file: Path, notify_port: int) -> list[str]:
    lines = _named_options(kind, workdir, port, [
        "allow-transfer { 127.0.0.1; };",
        "ixfr-from-differences yes;",
        "notify explicit;",
        f"also-notify {{ 127.0.0.1 port {notify_port}; }};",
    ])
    lines.append(f"zone {_q(origin)} {{ type primary; file {_q(zone_file)}; }};")
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return _named_command(kind, config)


def named_secondary(kind: str, workdir: Path, port: int, origin: str, primary_port: int) -> list[str]:
    lines = _named_options(kind, workdir, port, ["notify no;", "allow-transfer { none; };"])
    lines.append(f"zone {_q(origin)} {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; "
                 f"file {_q(workdir / 'secondary.db')}; }};")
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return _named_command(kind, config)


# ---------------------------------------------------------------------------------------------------------
# knot.conf


def _knot_server(workdir: Path, port: int) -> list[str]:
    storage = workdir / "storage"
    storage.mkdir(exist_ok=True)
    return [
        "server:",
        f"    rundir: {_q(workdir)}",
        f"    pidfile: {_q(workdir / 'knot.pid')}",
        f"    listen: 127.0.0.1@{port}",
        "    udp-workers: 1",
        "    tcp-workers: 1",
        "    background-workers: 1",
        "log:",
        "  - target: stderr",
        "    any: info",
        "database:",
        f"    storage: {_q(storage)}",
        "control:",
        f"    listen: {_q(workdir / 'knot.sock')}",
    ]


def knot_primary(workdir: Path, port: int, origin: str, zone_file: Path, notify_port: int) -> list[str]:
    lines = _knot_server(workdir, port) + [
        "remote:",
        "  - id: secondary",
        f"    address: 127.0.0.1@{notify_port}",
        "acl:",
        "  - id: transfer",
        "    address: 127.0.0.1",
        "    action: transfer",
        "zone:",
        f"  - domain: {_q(origin)}",
        f"    file: {_q(zone_file)}",
        "    notify: secondary",
        "    acl: transfer",
        "    zonefile-sync: -1",
        "    zonefile-load: difference",  # a reloaded file's difference goes to the journal: IXFR
        "    journal-content: changes",
    ]
    config = workdir / "knot.conf"
    config.write_text("\n".join(lines) + "\n")
    return ["/usr/sbin/knotd", "-c", str(config)]


def knot_secondary(workdir: Path, port: int, origin: str, primary_port: int) -> list[str]:
    lines = _knot_server(workdir, port) + [
        "remote:",
        "  - id: primary",
        f"    address: 127.0.0.1@{primary_port}",
        "acl:",
        "  - id: notify",
        "    address: 127.0.0.1",
        "    action: notify",
        "zone:",
        f"  - domain: {_q(origin)}",
        "    master: primary",
        "    acl: notify",
        f"    file: {_q(workdir / 'secondary.zone')}",
    ]
    config = workdir / "knot.conf"
    config.write_text("\n".join(lines) + "\n")
    return ["/usr/sbin/knotd", "-c", str(config)]


# ---------------------------------------------------------------------------------------------------------


def start_primary(kind: str, workdir: Path, port: int, origin: str, zone_file: Path, notify_port: int) -> Daemon:
    workdir.mkdir(parents=True, exist_ok=True)
    if kind == "knotd":
        command = knot_primary(workdir, port, origin, zone_file, notify_port)
    else:
        command = named_primary(kind, workdir, port, origin, zone_file, notify_port)
    return Daemon(f"{kind}-primary", command, workdir)


def start_secondary(kind: str, workdir: Path, port: int, origin: str, primary_port: int) -> Daemon:
    workdir.mkdir(parents=True, exist_ok=True)
    if kind == "knotd":
        command = knot_secondary(workdir, port, origin, primary_port)
    else:
        command = named_secondary(kind, workdir, port, origin, primary_port)
    return Daemon(f"{kind}-secondary", command, workdir)


def reload_primary(kind: str, daemon: Daemon, origin: str) -> None:
    """Asks the primary to read its edited zone file (the way an operator would)."""
    if kind == "knotd":
        subprocess.run(["/usr/sbin/knotc", "-s", str(daemon.workdir / "knot.sock"), "zone-reload", origin],
                       check=True, capture_output=True, timeout=60)
    else:
        daemon.proc.send_signal(signal.SIGHUP)
