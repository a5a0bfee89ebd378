"""Real authoritative servers (cairnd, NSD, Knot, BIND) started on loopback for system tests and benchmarks.

Each server kind has one function that writes its configuration; `AuthServer` starts the daemon in the
foreground in its own working directory on a free high port, waits until it answers a SOA query, and stops
it by PID. Nothing here touches a port or a process it did not create.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_KINDS = ("cairnd", "nsd", "knotd", "named")
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0


@dataclasses.dataclass(frozen=True)
class Zone:
    """One zone to serve: its origin and the zone file holding it."""

    origin: str
    file: Path
    # knotd only: the zone is signed by Knot itself (`dnssec-signing: on`) with this policy, defined in the
    # options' `statements` (a `policy:` section).
    dnssec_policy: str = ""

    @property
    def fqdn(self) -> str:
        return self.origin if self.origin.endswith(".") else self.origin + "."


@dataclasses.dataclass
class ServerOptions:
    """Settings every server kind understands, so that configurations stay comparable."""

    workers: int = 1
    ipv6: bool = True
    allow_transfer: bool = False  # AXFR/IXFR to loopback clients
    extra: str = ""  # appended verbatim to the kind's main options block, for one-off needs
    # Appended at the top level: named.conf kinds (a secondary zone, a server statement); knotd (sections such
    # as `policy:`).
    statements: str = ""
    arguments: tuple[str, ...] = ()  # appended to the server's command line
    # An IPv4 address to listen on instead of 127.0.0.1 (then without ::1), and a fixed port instead of a
    # free high one: the loopback hierarchy (hierarchy.py) puts each name server on its own 127.53.x.y#53.
    address: str = ""
    port: int = 0

    @property
    def addresses(self) -> list[str]:
        if self.address:
            return [self.address]
        return ["127.0.0.1"] + (["::1"] if self.ipv6 else [])


def cairn_build_dir() -> Path:
    return Path(os.environ.get("CAIRN_BUILD", REPO_ROOT / "build"))


def cairnd_binary() -> Path:
    return cairn_build_dir() / "src" / "cli" / "cairnd"


def binary_for(kind: str) -> str | None:
    """Path of the server's executable, or None when it is not installed or built."""
    if kind == "cairnd":
        path = cairnd_binary()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    candidates = {"nsd": "/usr/sbin/nsd", "knotd": "/usr/sbin/knotd", "named": "/usr/sbin/named"}
    path = candidates[kind]
    return path if os.access(path, os.X_OK) else None


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def _port_is_free(port: int, ipv6: bool) -> bool:
    families = [(socket.AF_INET, "127.0.0.1")] + ([(socket.AF_INET6, "::1")] if ipv6 else [])
    for family, address in families:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(family, kind) as probe:
                try:
                    probe.bind((address, port))
                except OSError:
                    return False
    return True


def free_port(ipv6: bool = True) -> int:
    """A high port free on 127.0.0.1 (and ::1) for both UDP and TCP right now.

    There is a window between this check and the server binding; AuthServer.start() retries on a new port
    when the server fails to start.
    """
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 1024 and _port_is_free(port, ipv6):
            return port
    raise RuntimeError("no free loopback port found")


# ---------------------------------------------------------------------------------------------------------
# Configuration writers: one per server kind. Each returns the command line that runs the server in the
# foreground with that configuration.


def _quoted(path: Path | str) -> str:
    return '"' + str(path) + '"'


def write_nsd_config(workdir: Path, port: int, zones: Sequence[Zone], options: ServerOptions) -> list[str]:
    lines = ["server:"]
    lines += [f"    ip-address: {address}@{port}" for address in options.addresses]
    lines += [
        f"    port: {port}",
        f"    server-count: {options.workers}",
        '    username: ""',
        '    chroot: ""',
        f"    zonesdir: {_quoted(workdir)}",
        '    database: ""',
        f"    zonelistfile: {_quoted(workdir / 'zone.list')}",
        f"    xfrdfile: {_quoted(workdir / 'xfrd.state')}",
        f"    xfrdir: {_quoted(workdir)}",
        f"    pidfile: {_quoted(workdir / 'nsd.pid')}",
        f"    cookie-secret-file: {_quoted(workdir / 'cookiesecrets.txt')}",
        "    verbosity: 1",
        "    hide-version: no",
        "    reuseport: no",
        # Debian's NSD limits responses to 200/s per /24 by default (RRL): off, like the other servers.
        "    rrl-ratelimit: 0",
        "    rrl-whitelist-ratelimit: 0",
    ]
    if options.extra:
        lines.append(options.extra)
    lines += ["remote-control:", "    control-enable: no"]
    for zone in zones:
        lines += ["zone:", f"    name: {_quoted(zone.fqdn)}", f"    zonefile: {_quoted(zone.file)}"]
        if options.allow_transfer:
            lines += ["    provide-xfr: 127.0.0.0/8 NOKEY", "    provide-xfr: ::1 NOKEY"]
    config = workdir / "nsd.conf"
    config.write_text("\n".join(lines) + "\n")
    return ["/usr/sbin/nsd", "-d", "-c", str(config)]


def write_knot_config(workdir: Path, port: int, zones: Sequence[Zone], options: ServerOptions) -> list[str]:
    storage = workdir / "storage"
    storage.mkdir(exist_ok=True)
    listen = [f"{address}@{port}" for address in options.addresses]
    lines = [
        "server:",
        f"    rundir: {_quoted(workdir)}",
        f"    pidfile: {_quoted(workdir / 'knot.pid')}",
        f"    listen: [ {', '.join(listen)} ]",
        f"    udp-workers: {options.workers}",
        f"    tcp-workers: {options.workers}",
        "    background-workers: 1",
    ]
    if options.extra:
        lines.append(options.extra)
    lines += [
        "log:",
        "  - target: stderr",
        "    any: info",
        "database:",
        f"    storage: {_quoted(storage)}",
        "control:",
        f"    listen: {_quoted(workdir / 'knot.sock')}",
        "acl:",
        "  - id: loopback_transfer",
        "    address: [ 127.0.0.0/8, ::1 ]",
        "    action: transfer",
    ]
    if options.statements:
        lines.append(options.statements.rstrip("\n"))
    lines += [
        "template:",
        "  - id: default",
        f"    storage: {_quoted(workdir)}",
        "    zonefile-sync: -1",
        "    journal-content: none",
        "zone:",
    ]
    for zone in zones:
        lines += [f"  - domain: {_quoted(zone.fqdn)}", f"    file: {_quoted(zone.file)}"]
        if zone.dnssec_policy:
            lines += ["    dnssec-signing: on", f"    dnssec-policy: {zone.dnssec_policy}"]
        if options.allow_transfer:
            lines.append("    acl: loopback_transfer")
    config = workdir / "knot.conf"
    config.write_text("\n".join(lines) + "\n")
    return ["/usr/sbin/knotd", "-c", str(config)]


def _named_conf_options(workdir: Path, port: int, options: ServerOptions, extra_lines: Sequence[str]) -> list[str]:
    lines = [
        "options {",
        f"    directory {_quoted(workdir)};",
        f"    pid-file {_quoted(workdir / 'named.pid')};",
        f"    listen-on port {port} {{ {options.addresses[0]}; }};",
        f"    listen-on-v6 port {port} {{ {'::1;' if options.ipv6 and not options.address else 'none;'} }};",
        "    recursion no;",
        "    notify no;",
        f"    allow-transfer {{ {'127.0.0.0/8; ::1;' if options.allow_transfer else 'none;'} }};",
    ]
    lines += [f"    {line}" for line in extra_lines]
    if options.extra:
        lines.append(options.extra)
    lines.append("};")
    return lines


def _named_conf_zones(zones: Sequence[Zone]) -> list[str]:
    lines = []
    for zone in zones:
        lines += [f"zone {_quoted(zone.fqdn)} {{", "    type primary;", f"    file {_quoted(zone.file)};", "};"]
    return lines


def write_named_config(workdir: Path, port: int, zones: Sequence[Zone], options: ServerOptions) -> list[str]:
    bind_only = [
        "dnssec-validation no;",  # no trust anchor fetches, nothing leaves the machine
        f"session-keyfile {_quoted(workdir / 'session.key')};",
        f"managed-keys-directory {_quoted(workdir)};",
        f"dump-file {_quoted(workdir / 'named_dump.db')};",
        f"statistics-file {_quoted(workdir / 'named.stats')};",
        "automatic-interface-scan no;",
        "allow-query { any; };",
    ]
    # An empty controls statement disables rndc: no control channel to collide with other servers.
    lines = _named_conf_options(workdir, port, options, bind_only) + ["controls { };"] + _named_conf_zones(zones)
    if options.statements:
        lines.append(options.statements)
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return ["/usr/sbin/named", "-g", "-n", str(options.workers), "-c", str(config)]


def write_cairnd_config(workdir: Path, port: int, zones: Sequence[Zone], options: ServerOptions) -> list[str]:
    lines = _named_conf_options(workdir, port, options, []) + _named_conf_zones(zones)
    config = workdir / "named.conf"
    config.write_text("\n".join(lines) + "\n")
    return [str(cairnd_binary()), "-c", str(config), "-n", str(options.workers)]


CONFIG_WRITERS: dict[str, Callable[[Path, int, Sequence[Zone], ServerOptions], list[str]]] = {
    "cairnd": write_cairnd_config,
    "nsd": write_nsd_config,
    "knotd": write_knot_config,
    "named": write_named_config,
}


# ---------------------------------------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


class AuthServer:
    """One authoritative server process on 127.0.0.1 (and ::1) at `port`, owned by this object."""

    def __init__(
        self,
        kind: str,
        workdir: Path,
        zones: Sequence[Zone],
        options: ServerOptions | None = None,
        cpu: int | None = None,
        start_timeout: float = START_TIMEOUT_S,
    ):
        if kind not in CONFIG_WRITERS:
            raise ValueError(f"unknown server kind {kind!r}; known: {', '.join(SERVER_KINDS)}")
        if not zones:
            raise ValueError("a server needs at least one zone (the readiness probe queries its SOA)")
        self.kind = kind
        self.workdir = Path(workdir)
        self.zones = list(zones)
        self.options = options or ServerOptions()
        if (self.options.ipv6 and not ipv6_loopback_available()) or self.options.address:
            self.options = dataclasses.replace(self.options, ipv6=False)
        self.cpu = cpu  # pin to this core with taskset (benchmarks)
        self.start_timeout = start_timeout
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.command: list[str] = []
        self._stderr_file = None

    # -- addresses
    @property
    def host(self) -> str:
        return self.options.addresses[0]

    @property
    def host6(self) -> str | None:
        return "::1" if self.options.ipv6 else None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def stderr_path(self) -> Path:
        return self.workdir / f"{self.kind}.stderr"

    def stderr_text(self, limit: int = 8000) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-limit:]

    # -- lifecycle
    def start(self, attempts: int = 3, same_port: bool = False) -> "AuthServer":
        """`same_port`: restart on the port it had (its peers are configured with it); one attempt."""
        if binary_for(self.kind) is None:
            raise ServerStartError(f"{self.kind}: executable not found")
        self.workdir.mkdir(parents=True, exist_ok=True)
        last_error: Exception | None = None
        for _ in range(1 if same_port else attempts):
            if not (same_port and self.port):
                self.port = self.options.port or free_port(self.options.ipv6)
            self.command = CONFIG_WRITERS[self.kind](self.workdir, self.port, self.zones, self.options)
            self.command += self.options.arguments
            if self.cpu is not None:
                self.command = ["taskset", "-c", str(self.cpu)] + self.command
            try:
                self._spawn_and_wait()
                return self
            except ServerStartError as error:
                last_error = error
                self.stop()
                if "in use" not in str(error).lower():
                    break  # only a lost race for the port is worth another try
        assert last_error is not None
        raise last_error

    def _spawn_and_wait(self) -> None:
        self._stderr_file = open(self.stderr_path, "ab")
        self.proc = spawn(self.command, self.workdir, self._stderr_file)
        deadline = time.monotonic() + self.start_timeout
        probe_zone = self.zones[0].fqdn
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(
                    f"{self.kind} exited with status {self.proc.returncode} during start-up\n"
                    f"command: {' '.join(self.command)}\n--- stderr ---\n{self.stderr_text()}"
                )
            if self._answers_soa(probe_zone):
                return
            time.sleep(0.05)
        raise ServerStartError(
            f"{self.kind} did not answer SOA {probe_zone} on {self.host}#{self.port} within {self.start_timeout}s\n"
            f"command: {' '.join(self.command)}\n--- stderr ---\n{self.stderr_text()}"
        )

    def _answers_soa(self, zone: str) -> bool:
        request = dns.message.make_query(zone, dns.rdatatype.SOA)
        request.flags &= ~dns.flags.RD
        try:
            response = dns.query.udp(request, self.host, port=self.port, timeout=0.2)
        except (dns.exception.DNSException, OSError):
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the server's own process group after STOP_TIMEOUT_S."""
        proc, self.proc = self.proc, None
        if proc is not None:
            terminate(proc, STOP_TIMEOUT_S)
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def reload(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)

    def __enter__(self) -> "AuthServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{self.kind} {self.host}#{self.port} pid={self.proc.pid if self.proc else None}>"


class LoggedProcess:
    """A daemon a test runs itself (its own command line and configuration), in its own session, with stdout
    and stderr in one log file in `workdir`; stopped by PID: SIGTERM, then SIGKILL to its process group."""

    STOP_TIMEOUT_S = 10.0

    def __init__(self, args: list[str], workdir: Path, log_name: str):
        self.args, self.workdir = list(args), Path(workdir)
        self.log_path = self.workdir / log_name
        self._log = open(self.log_path, "wb")
        self.proc = spawn(self.args, self.workdir, self._log)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def restart(self, log_name: str) -> None:
        """Stops the process and runs the same command again, logging to `log_name`."""
        self.stop()
        LoggedProcess.__init__(self, self.args, self.workdir, log_name)

    def stop(self) -> None:
        terminate(self.proc, self.STOP_TIMEOUT_S)
        self._log.close()


def cairnd_process(
    config: Path | str, workdir: Path, log_name: str = "cairnd.log", workers: int = 1, extra_args: Sequence[str] = ()
) -> LoggedProcess:
    """cairnd in the foreground on a configuration the test wrote itself."""
    command = [str(cairnd_binary()), "-c", str(config), "-n", str(workers), *extra_args]
    return LoggedProcess(command, workdir, log_name)


def spawn(command: Sequence[str], workdir: Path, log_file) -> subprocess.Popen:
    """Runs `command` in `workdir` with stdout and stderr into `log_file`, in a session of its own so that
    terminate() can reach the worker children a daemon forks (NSD)."""
    return subprocess.Popen(
        list(command),
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=log_file,
        start_new_session=True,
    )


def terminate(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to a process started in a session of its own, then SIGKILL to its process group after `timeout`
    seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The main process is not reaped yet, so its group id is still ours: this reaches the children it
        # forked and nothing else.
        _kill_group(proc.pid)
        proc.wait(timeout=timeout)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------------------------------------
# A cairnd secondary on a configuration written from a list of zones, for the transfer clauses' tests.


@dataclasses.dataclass
class SecondaryZone:
    """One zone a cairnd secondary takes: from `primaries` (a named.conf list body, "127.0.0.1 port 53;"),
    with `extra` statements in its zone block."""

    origin: str
    primaries: str
    extra: str = ""


class CairndSecondary:
    """cairnd as a secondary of the given zones (each saved to ORIGIN.db in `workdir`), listening on
    127.0.0.1 at a free port, with a statistics channel (/json) and `options_extra` in its options block;
    `statements` are appended at the top level (server statements)."""

    def __init__(self, workdir: Path, zones: Sequence[SecondaryZone], options_extra: str = "", statements: str = ""):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port(False)
        self.http_port = free_port(False)
        lines = [
            f"statistics-channels {{ inet 127.0.0.1 port {self.http_port} allow {{ 127.0.0.1; }}; }};",
            "options {",
            f"    directory {_quoted(self.workdir)};",
            f"    listen-on port {self.port} {{ 127.0.0.1; }};",
            "    listen-on-v6 { none; };",
            "    recursion no;",
            "    notify no;",
            f"    {options_extra}",
            "};",
            statements,
        ]
        lines += [
            f'zone "{zone.origin}" {{ type secondary; primaries {{ {zone.primaries} }}; '
            f'file "{zone.origin}.db"; {zone.extra} }};'
            for zone in zones
        ]
        self.config = self.workdir / "named.conf"
        self.config.write_text("\n".join(lines) + "\n")
        self.process: LoggedProcess | None = None

    def start(self, log_name: str = "cairnd.log") -> "CairndSecondary":
        self.process = cairnd_process(self.config, self.workdir, log_name, workers=1)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def log(self) -> str:
        return self.process.log() if self.process else ""

    def json_zones(self) -> dict[str, dict]:
        """Every zone of /json by name (with the final dot); empty while the channel is not open yet."""
        import json
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/json", timeout=5) as response:
                return {zone["name"]: zone for zone in json.loads(response.read())["zones"]}
        except (OSError, ValueError):
            return {}

    def zone(self, origin: str) -> dict:
        return self.json_zones().get(origin.rstrip(".") + ".", {})

    def serial(self, origin: str) -> int | None:
        """The SOA serial it answers for `origin` (None: no answer, or not served)."""
        request = dns.message.make_query(origin, dns.rdatatype.SOA)
        try:
            response = dns.query.udp(request, "127.0.0.1", port=self.port, timeout=1)
        except (dns.exception.DNSException, OSError):
            return None
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.SOA:
                return rrset[0].serial
        return None


def zone_text(origin: str, serial: int, hosts: int = 1, refresh: int = 3600, retry: int = 600,
              expire: int = 86400, first_address: int = 0) -> str:
    """A small zone: SOA (with these timers), one NS, `hosts` A records h0..hN (10.x.y.z from
    `first_address` on, so that a test can change every address of a version)."""
    lines = [
        "$TTL 300",
        f"@ IN SOA ns1.{origin}. hostmaster.{origin}. ( {serial} {refresh} {retry} {expire} 300 )",
        "  IN NS ns1",
        "ns1 IN A 192.0.2.1",
    ]
    for i in range(hosts):
        n = first_address + i
        lines.append(f"h{i} IN A 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
    return "\n".join(lines) + "\n"


def primary_server(kind: str, workdir: Path, origins: Sequence[str], hosts: int = 1, serial: int = 1,
                   options: ServerOptions | None = None, start_timeout: float = START_TIMEOUT_S) -> AuthServer:
    """`kind` started as the primary of `origins` (each with `hosts` A records), transfers allowed to
    loopback unless `options` say otherwise."""
    workdir.mkdir(parents=True, exist_ok=True)
    zones = []
    for origin in origins:
        path = workdir / f"{origin}.zone"
        path.write_text(zone_text(origin, serial, hosts))
        zones.append(Zone(origin, path))
    options = options or ServerOptions(allow_transfer=True, ipv6=False)
    return AuthServer(kind, workdir, zones, options, start_timeout=start_timeout).start()


def knot_reload(knot: AuthServer, origin: str) -> None:
    """knotc zone-reload of one zone of a knotd the harness started (its control socket is in its workdir)."""
    subprocess.run(["/usr/sbin/knotc", "-s", str(knot.workdir / "knot.sock"), "zone-reload", origin],
                   check=True, capture_output=True, timeout=20)


def named_with_statements(workdir: Path, statements: str, port: int = 0) -> AuthServer:
    """BIND on 127.0.0.1 (not started) with a zone of its own, probe.test (its readiness probe), and
    `statements` at the top level of named.conf: the secondary or primary zones a test configures itself."""
    workdir.mkdir(parents=True, exist_ok=True)
    probe = workdir / "probe.test.zone"
    probe.write_text(zone_text("probe.test", 1))
    options = ServerOptions(ipv6=False, port=port, statements=statements)
    return AuthServer("named", workdir, [Zone("probe.test", probe)], options)
