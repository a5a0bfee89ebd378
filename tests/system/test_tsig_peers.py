"""TSIG between cairnd and BIND 9 / Knot, both directions, on every HMAC algorithm.

One cairnd and one peer per peer kind (module-scoped) serve 12 zones: for each algorithm ALG,
  p-ALG.example.  cairnd primary -> peer secondary: the peer transfers with key k-ALG (cairnd's
                  allow-transfer names only that key) and cairnd's NOTIFY is signed with it (also-notify ...
                  key k-ALG; for hmac-sha256 the key comes from `server 127.0.0.1 { keys { ... }; }`);
  s-ALG.example.  peer primary -> cairnd secondary: cairnd signs its SOA queries and transfers with k-ALG
                  (the peer's allow-transfer, and for BIND allow-query, name only that key), and the peer's
                  NOTIFY is signed (cairnd's log names the key).
Refresh timers are an hour: a new serial arriving within seconds proves the NOTIFY went through.
"""

from __future__ import annotations

import base64
import os
import signal
import time
from pathlib import Path

import pytest

import servers
from waiting import soa_serial, wait_for

ALGORITHMS = [("hmac-md5", 16), ("hmac-sha1", 20), ("hmac-sha224", 28), ("hmac-sha256", 32), ("hmac-sha384", 48),
              ("hmac-sha512", 64)]
IDS = [name for name, _ in ALGORITHMS]
SERVER_STATEMENT_ALGORITHM = "hmac-sha256"  # its zones name no key: the server statement supplies it


def key_name(algorithm: str) -> str:
    return f"k-{algorithm}.example."


def zone_text(origin: str, serial: int) -> str:
    return (
        "$TTL 300\n"
        f"@ SOA ns1.{origin} hostmaster.{origin} {serial} 3600 600 86400 300\n"
        f"  NS ns1.{origin}\n"
        "ns1 A 192.0.2.1\n"
        f"www A 192.0.2.{serial}\n"
        + "".join(f"host{i} A 198.51.100.{i}\n" for i in range(serial))
    )


def write_zone(path: Path, text: str) -> None:
    # Reloads notice a change by modification time: make sure it moves.
    previous = path.stat().st_mtime_ns if path.exists() else time.time_ns()
    path.write_text(text)
    os.utime(path, ns=(previous + 2_000_000_000, previous + 2_000_000_000))


class Setup:
    def __init__(self, kind: str, directory: Path):
        self.kind = kind
        self.directory = directory
        self.cairnd_dir = directory / "cairnd"
        self.peer_dir = directory / kind
        self.cairnd_dir.mkdir()
        self.peer_dir.mkdir()
        self.cairnd_port = servers.free_port(ipv6=False)
        self.peer_port = servers.free_port(ipv6=False)
        self.secrets = {name: base64.b64encode(os.urandom(length)).decode() for name, length in ALGORITHMS}
        self.processes: list[servers.LoggedProcess] = []

    def primary_file(self, algorithm: str) -> Path:
        return self.cairnd_dir / f"p-{algorithm}.zone"

    def peer_primary_file(self, algorithm: str) -> Path:
        return self.peer_dir / f"s-{algorithm}.zone"

    def write_cairnd_config(self) -> Path:
        lines = [f'key "{key_name(a)}" {{ algorithm {a}; secret "{self.secrets[a]}"; }};' for a, _ in ALGORITHMS]
        lines += [
            "options {",
            f'    directory "{self.cairnd_dir}";',
            f"    listen-on port {self.cairnd_port} {{ 127.0.0.1; }};",
            "    listen-on-v6 { none; };",
            "    recursion no;",
            "    notify explicit;",
            "};",
            f'server 127.0.0.1 {{ keys {{ "{key_name(SERVER_STATEMENT_ALGORITHM)}"; }}; }};',
        ]
        for algorithm, _ in ALGORITHMS:
            key = "" if algorithm == SERVER_STATEMENT_ALGORITHM else f' key "{key_name(algorithm)}"'
            write_zone(self.primary_file(algorithm), zone_text(f"p-{algorithm}.example.", 1))
            lines.append(
                f'zone "p-{algorithm}.example." {{ type primary; file "{self.primary_file(algorithm).name}";'
                f' allow-transfer {{ key {key_name(algorithm)}; }};'
                f" also-notify {{ 127.0.0.1 port {self.peer_port}{key}; }}; }};"
            )
            lines.append(
                f'zone "s-{algorithm}.example." {{ type secondary; file "s-{algorithm}.db";'
                f" primaries {{ 127.0.0.1 port {self.peer_port}{key}; }};"
                f' allow-notify {{ key "{key_name(algorithm)}"; }}; }};'
            )
        config = self.cairnd_dir / "named.conf"
        config.write_text("\n".join(lines) + "\n")
        return config

    def write_named_config(self) -> Path:
        lines = [f'key "{key_name(a)}" {{ algorithm {a}; secret "{self.secrets[a]}"; }};' for a, _ in ALGORITHMS]
        lines += [
            "options {",
            f'    directory "{self.peer_dir}";',
            f'    pid-file "{self.peer_dir / "named.pid"}";',
            f"    listen-on port {self.peer_port} {{ 127.0.0.1; }};",
            "    listen-on-v6 { none; };",
            "    recursion no;",
            "    dnssec-validation no;",
            "    notify explicit;",
            "    notify-delay 0;",
            "    ixfr-from-differences yes;",
            f'    session-keyfile "{self.peer_dir / "session.key"}";',
            f'    managed-keys-directory "{self.peer_dir}";',
            "    automatic-interface-scan no;",
            "};",
            "controls { };",
        ]
        for algorithm, _ in ALGORITHMS:
            key = key_name(algorithm)
            write_zone(self.peer_primary_file(algorithm), zone_text(f"s-{algorithm}.example.", 1))
            lines.append(
                f'zone "p-{algorithm}.example." {{ type secondary; file "p-{algorithm}.db";'
                f' primaries {{ 127.0.0.1 port {self.cairnd_port} key "{key}"; }}; allow-notify {{ key "{key}"; }}; }};'
            )
            lines.append(
                f'zone "s-{algorithm}.example." {{ type primary; file "{self.peer_primary_file(algorithm).name}";'
                f' allow-transfer {{ key "{key}"; }}; allow-query {{ key "{key}"; }};'
                f' also-notify {{ 127.0.0.1 port {self.cairnd_port} key "{key}"; }}; }};'
            )
        config = self.peer_dir / "named.conf"
        config.write_text("\n".join(lines) + "\n")
        return config

    def write_knot_config(self) -> Path:
        (self.peer_dir / "storage").mkdir()
        lines = ["server:", f'    rundir: "{self.peer_dir}"', f'    pidfile: "{self.peer_dir / "knot.pid"}"',
                 f"    listen: [ 127.0.0.1@{self.peer_port} ]",
                 "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
                 "log:", "  - target: stderr", "    any: info",
                 f'database:\n    storage: "{self.peer_dir / "storage"}"',
                 "key:"]
        for algorithm, _ in ALGORITHMS:
            lines += [f"  - id: {key_name(algorithm)}", f"    algorithm: {algorithm}",
                      f"    secret: {self.secrets[algorithm]}"]
        lines.append("remote:")
        for algorithm, _ in ALGORITHMS:
            lines += [f"  - id: cairnd-{algorithm}", f"    address: 127.0.0.1@{self.cairnd_port}",
                      f"    key: {key_name(algorithm)}"]
        lines.append("acl:")
        for algorithm, _ in ALGORITHMS:
            # Only signed requests get in: NOTIFY to the secondary zones, transfers of the primary ones.
            lines += [f"  - id: acl-{algorithm}", "    address: 127.0.0.1", f"    key: {key_name(algorithm)}",
                      "    action: [ notify, transfer ]"]
        lines += ["template:", "  - id: default", f'    storage: "{self.peer_dir}"', "    zonefile-load: difference",
                  "    journal-content: changes", "zone:"]
        for algorithm, _ in ALGORITHMS:
            write_zone(self.peer_primary_file(algorithm), zone_text(f"s-{algorithm}.example.", 1))
            lines += [f"  - domain: p-{algorithm}.example.", f"    master: cairnd-{algorithm}",
                      f"    file: p-{algorithm}.db", f"    acl: acl-{algorithm}",
                      f"  - domain: s-{algorithm}.example.", f"    file: {self.peer_primary_file(algorithm).name}",
                      f"    notify: cairnd-{algorithm}", f"    acl: acl-{algorithm}"]
        config = self.peer_dir / "knot.conf"
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self) -> None:
        cairnd_config = self.write_cairnd_config()
        if self.kind == "named":
            peer_args = ["/usr/sbin/named", "-g", "-n", "1", "-c", str(self.write_named_config())]
        else:
            peer_args = ["/usr/sbin/knotd", "-c", str(self.write_knot_config())]
        self.peer = servers.LoggedProcess(peer_args, self.peer_dir, "peer.log")
        self.processes.append(self.peer)
        self.cairnd = servers.cairnd_process(cairnd_config, self.cairnd_dir)
        self.processes.append(self.cairnd)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def logs(self) -> str:
        return f"--- cairnd ---\n{self.cairnd.log()[-6000:]}\n--- {self.kind} ---\n{self.peer.log()[-6000:]}"


@pytest.fixture(scope="module", params=["named", "knotd"])
def setup(request, tmp_path_factory):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    kind = request.param
    if servers.binary_for(kind) is None:
        pytest.fail(f"{kind} is not installed")
    pair = Setup(kind, tmp_path_factory.mktemp(f"tsig-{kind}"))
    pair.start()
    try:
        # Every zone reaches the other side once at start-up: signed SOA queries and transfers both ways.
        def all_transferred() -> bool:
            return all(soa_serial(pair.peer_port, f"p-{a}.example.") == 1 for a in IDS) and all(
                soa_serial(pair.cairnd_port, f"s-{a}.example.") == 1 for a in IDS
            )

        assert wait_for(all_transferred, 30), pair.logs()
        yield pair
    finally:
        pair.stop()


@pytest.mark.parametrize("algorithm", IDS)
def test_cairnd_primary_notifies_and_transfers_signed_to_peer(setup, algorithm):
    origin = f"p-{algorithm}.example."
    write_zone(setup.primary_file(algorithm), zone_text(origin, 2))
    setup.cairnd.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: soa_serial(setup.peer_port, origin) == 2, 15), setup.logs()
    # Zone labels as BIND writes them: no final dot.
    sent = [line for line in setup.cairnd.log().splitlines()
            if "sent notify for serial 2" in line and f"zone {origin[:-1]}/" in line]
    assert sent and all(line.endswith(f"(TSIG key {key_name(algorithm)})") for line in sent), setup.logs()
    peer_log = setup.peer.log()
    if setup.kind == "named":
        # BIND names the key of a signed NOTIFY in the client part of its log line.
        assert f"/key {key_name(algorithm)[:-1]}: received notify for zone '{origin[:-1]}'" in peer_log, peer_log


@pytest.mark.parametrize("algorithm", IDS)
def test_peer_primary_notifies_and_cairnd_secondary_transfers_signed(setup, algorithm):
    origin = f"s-{algorithm}.example."
    write_zone(setup.peer_primary_file(algorithm), zone_text(origin, 2))
    setup.peer.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: soa_serial(setup.cairnd_port, origin) == 2, 15), setup.logs()
    assert f"received notify for zone {origin} serial 2 (TSIG key {key_name(algorithm)})" in setup.cairnd.log(), \
        setup.logs()


def test_allow_notify_key_admits_a_signed_notify_from_elsewhere(setup):
    """From 127.0.0.2 (no primary there) only allow-notify { key k; } lets a NOTIFY in; the answer is signed."""
    import dns.opcode
    import dns.name
    import dns.rcode
    import dns.tsig

    origin = f"s-{SERVER_STATEMENT_ALGORITHM}.example."

    def notify(algorithm: str | None) -> dns.message.Message:
        message = dns.message.make_query(origin, "SOA")
        message.set_opcode(dns.opcode.NOTIFY)
        if algorithm is not None:
            name = key_name(algorithm)
            wire_algorithm = dns.tsig.HMAC_MD5 if algorithm == "hmac-md5" else dns.name.from_text(algorithm)
            message.use_tsig(dns.tsig.Key(name, setup.secrets[algorithm], wire_algorithm))
        return dns.query.udp(message, "127.0.0.1", port=setup.cairnd_port, source="127.0.0.2", timeout=3)

    assert notify(None).rcode() == dns.rcode.REFUSED
    signed = notify(SERVER_STATEMENT_ALGORITHM)
    assert signed.rcode() == dns.rcode.NOERROR and signed.had_tsig
    other = notify("hmac-md5")  # a valid key, but not the one allow-notify names
    assert other.rcode() == dns.rcode.REFUSED and other.had_tsig
