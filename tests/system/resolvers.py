"""Recursive resolvers over the loopback hierarchy (hierarchy.py): cairnd, BIND's named and Unbound, each
configured with the hierarchy's hints file, listening on 127.0.0.1 at a free port, asking nothing but
127.53.0.0/16.

    resolver = cairnd_resolver(workdir, hierarchy, options_extra="resolver-query-timeout 2;").start()
    resolver.query("www.glue.test.", "A", rd=True)
    resolver.rndc("flushname", "www.glue.test")   # BIND's rndc against cairnd (ctl_daemon.Daemon)

`named_resolver` and `unbound_resolver` return PeerResolver objects with the same query(), for differential
tests; all are stopped by PID.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Sequence
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode

import ctl_daemon
import servers
from hierarchy import Hierarchy


def make_query(name: str, rdtype: str, rd: bool = True, do: bool = False) -> dns.message.Message:
    request = dns.message.make_query(name, rdtype, use_edns=0, payload=1232, want_dnssec=do)
    if not rd:
        request.flags &= ~dns.flags.RD
    return request


def ask(port: int, name: str, rdtype: str = "A", rd: bool = True, tcp: bool = False, timeout: float = 15,
        source: str | None = None, host: str = "127.0.0.1") -> dns.message.Message:
    request = make_query(name, rdtype, rd)
    if tcp:
        return dns.query.tcp(request, host, port=port, timeout=timeout, source=source)
    return dns.query.udp(request, host, port=port, timeout=timeout, source=source, raise_on_truncation=False)


class CairndResolver(ctl_daemon.Daemon):
    """cairnd with `recursion yes`, the hierarchy's hints, a control channel (rndc and cairn ctl) and a
    statistics channel."""

    def query(self, name: str, rdtype: str = "A", tcp: bool = False, rd: bool = True, timeout: float = 15,
              source: str | None = None) -> dns.message.Message:
        return ask(self.port, name, rdtype, rd=rd, tcp=tcp, timeout=timeout, source=source)

    def metrics(self) -> str:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as page:
            return page.read().decode()


def cairnd_resolver(workdir: Path, hierarchy: Hierarchy, options_extra: str = "", extra: str = "",
                    hints: bool = True, querylog: bool = True,
                    validation: str = "dnssec-validation no;") -> CairndResolver:
    """A cairnd resolver (not started) using the hierarchy's hints; `extra` adds top-level statements (views:
    then give each view its own hint zone and leave `hints` False). Validation is off unless `validation`
    says otherwise (the shared hierarchy is unsigned: with the built-in root anchors every answer is bogus)."""
    workdir.mkdir(parents=True, exist_ok=True)
    statements = [extra]
    if hints:
        statements.insert(0, f'zone "." {{ type hint; file "{hierarchy.hints_file}"; }};')
    return CairndResolver(
        workdir,
        zones={},
        recursion=True,
        options_extra=("querylog yes; " if querylog else "") + validation + " " + options_extra,
        extra="\n".join(statements),
    )


@dataclasses.dataclass
class PeerResolver:
    kind: str
    workdir: Path
    port: int = 0
    process: servers.LoggedProcess | None = None
    address: str = "127.0.0.1"

    def query(self, name: str, rdtype: str = "A", tcp: bool = False, rd: bool = True,
              timeout: float = 15, source: str | None = None) -> dns.message.Message:
        return ask(self.port, name, rdtype, rd=rd, tcp=tcp, timeout=timeout, host=self.address, source=source)

    def wait_ready(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.process.log()[-3000:]}")
            try:
                response = ask(self.port, "localhost.", "A", rd=False, timeout=0.5, host=self.address)
                if response is not None:
                    return
            except Exception:  # noqa: BLE001 (not listening yet)
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start: {self.process.log()[-3000:] if self.process else ''}")

    def log_text(self) -> str:
        return self.process.log() if self.process is not None else ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


def named_resolver(workdir: Path, hierarchy: Hierarchy, validation: str = "dnssec-validation no;",
                   extra: str = "", options_extra: str = "") -> PeerResolver:
    """BIND as a resolver: the hierarchy's hints, no validation unless `validation` (with `extra`'s
    trust-anchors) says so (the shared test tree is unsigned), no control channel, nothing but loopback.
    `options_extra` goes inside options { }."""
    workdir.mkdir(parents=True, exist_ok=True)
    peer = PeerResolver("named", workdir, servers.free_port(False))
    config = workdir / "named.conf"
    config.write_text(
        "options {\n"
        f'    directory "{workdir}";\n'
        f'    pid-file "{workdir}/named.pid";\n'
        f"    listen-on port {peer.port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion yes;\n"
        "    allow-recursion { 127.0.0.0/8; };\n"
        f"    {validation}\n"
        "    notify no;\n"
        "    qname-minimization relaxed;\n"
        f'    session-keyfile "{workdir}/session.key";\n'
        f'    managed-keys-directory "{workdir}";\n'
        "    automatic-interface-scan no;\n"
        f"    {options_extra}\n"
        "};\n"
        "controls { };\n"
        f'zone "." {{ type hint; file "{hierarchy.hints_file}"; }};\n' + extra
    )
    peer.process = servers.LoggedProcess(["/usr/sbin/named", "-g", "-n", "1", "-c", str(config)], workdir, "named.log")
    peer.wait_ready()
    return peer


def unbound_resolver(workdir: Path, hierarchy: Hierarchy, address: str = "127.0.0.1", port: int | None = None,
                     trust_anchors: Sequence[str] = (), sections: str = "") -> PeerResolver:
    """Unbound as a resolver: the hierarchy's hints, loopback upstreams allowed (do-not-query-localhost: no),
    no remote control. On 127.0.0.1 at a free port, or on `address`#`port` (Unbound binds any loopback
    address, which BIND cannot: it listens only on addresses its interface scan finds). No validation unless
    `trust_anchors` are given (DNSKEY or DS records as presentation text): then it validates from them.
    `sections` adds clauses after the server's (stub-zone:, forward-zone:)."""
    workdir.mkdir(parents=True, exist_ok=True)
    peer = PeerResolver("unbound", workdir, port or servers.free_port(False), address=address)
    validation = "".join(f'    trust-anchor: "{anchor.strip()}"\n' for anchor in trust_anchors)
    config = workdir / "unbound.conf"
    config.write_text(
        "server:\n"
        f"    interface: {address}@{peer.port}\n"
        "    do-ip6: no\n"
        "    do-daemonize: no\n"
        '    username: ""\n'
        '    chroot: ""\n'
        f'    directory: "{workdir}"\n'
        '    pidfile: ""\n'
        "    use-syslog: no\n"
        "    verbosity: 1\n"
        "    num-threads: 1\n"
        "    access-control: 127.0.0.0/8 allow\n"
        "    do-not-query-localhost: no\n"
        f'    root-hints: "{hierarchy.hints_file}"\n'
        "    qname-minimisation: yes\n"
        + (validation + '    module-config: "validator iterator"\n' if validation else '    module-config: "iterator"\n')
        + "    harden-referral-path: no\n"
        # Unbound answers test. itself (RFC 6761 local zone) unless told not to; the hierarchy serves it.
        '    local-zone: "test." nodefault\n'
        "remote-control:\n"
        "    control-enable: no\n"
        + sections
    )
    peer.process = servers.LoggedProcess(["/usr/sbin/unbound", "-d", "-c", str(config)], workdir, "unbound.log")
    peer.wait_ready()
    return peer


def metric(text: str, name: str, view: str = "_default") -> int:
    """A per-view counter in /metrics text (CairndResolver.metrics()); -1 when absent."""
    found = re.search(rf'^{name}\{{view="{view}"\}} (\d+)', text, re.M)
    return int(found.group(1)) if found else -1


def ede(response: dns.message.Message) -> tuple[int, str] | None:
    """The first Extended DNS Error (code, EXTRA-TEXT) of a response, or None."""
    for option in response.options:
        if option.otype == 15:
            return int(option.code), option.text or ""
    return None


def rcode_name(response: dns.message.Message) -> str:
    return dns.rcode.to_text(response.rcode())
