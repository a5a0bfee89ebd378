"""Transfers, NOTIFY and secondary zones inside views, one TSIG key per view (the standard way to give each
secondary its view's version of a zone).

The cairnd primary serves two versions of the zone, in views chosen only by key (`match-clients { key K; }`).
Each view's `key` and `server` statements live inside the view, so its zones sign what they send (NOTIFY)
with the view's key; allow-transfer admits only that key. Two secondaries take their data from it:

- a cairnd secondary with the same two views: each view's secondary zone transfers with the view's key
  (its own `server` statement), and its clients (127.0.0.2: internal, others: external) see their view's
  data; an edit of one view on the primary reaches only that view, by NOTIFY;
- BIND 9 with two views, each with its own key in its `server` statement: each view's AXFR equals the
  primary's AXFR of the same view, and a NOTIFY signed with the external key refreshes only that view.
"""

from __future__ import annotations

import base64
import subprocess

import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.xfr
import dns.zone
import pytest

import servers
from test_xfr_daemon import write_zone
from waiting import wait_for

ORIGIN = "views.example."
KEYS = {
    "internal-key": base64.b64encode(b"internal view key, 32 octets...!").decode(),
    "external-key": base64.b64encode(b"external view key, 32 octets...!").decode(),
}
WWW = {"internal": "10.0.2.80", "external": "203.0.113.80"}


def zone_text(serial: int, www: str) -> str:
    return (
        "$TTL 300\n"
        f"@ SOA ns1 hostmaster {serial} 3600 600 86400 300\n"
        "  NS ns1\n"
        "ns1 A 192.0.2.1\n"
        f"www A {www}\n"
    )


def key_statement(name: str) -> str:
    return f'    key "{name}" {{ algorithm hmac-sha256; secret "{KEYS[name]}"; }};\n'


def keyring(name: str) -> dict:
    return dns.tsigkeyring.from_text({name: ("hmac-sha256", KEYS[name])})


def axfr(port: int, key: str | None) -> set[tuple[str, int, str, str]]:
    kwargs = {"keyring": keyring(key), "keyname": key} if key else {}
    zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", ORIGIN, port=port, timeout=5, lifetime=10, **kwargs))
    return {
        (name.to_text(), ttl, dns.rdatatype.to_text(rdata.rdtype), rdata.to_text())
        for name, ttl, rdata in zone.iterate_rdatas()
    }


def ask(port: int, qname: str, qtype: str, key: str | None = None, source: str = "127.0.0.1"):
    query = dns.message.make_query(qname, qtype)
    if key:
        query.use_tsig(keyring(key), keyname=key)
    try:
        return dns.query.udp(query, "127.0.0.1", port=port, source=source, timeout=1)
    except Exception:
        return None


def www(port: int, key: str | None = None, source: str = "127.0.0.1") -> list[str]:
    response = ask(port, f"www.{ORIGIN}", "A", key, source)
    if response is None:
        return []
    return [rr.address for rrset in response.answer for rr in rrset]


def serial(port: int, key: str | None = None, source: str = "127.0.0.1") -> int | None:
    response = ask(port, ORIGIN, "SOA", key, source)
    if response is None:
        return None
    return next((rrset[0].serial for rrset in response.answer if rrset.rdtype == dns.rdatatype.SOA), None)


def notify_rcode(port: int, source: str, key: str | None) -> int:
    notify = dns.message.make_query(ORIGIN, "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    notify.flags &= ~dns.flags.RD
    notify.flags |= dns.flags.AA
    if key:
        notify.use_tsig(keyring(key), keyname=key)
    return dns.query.udp(notify, "127.0.0.1", port=port, source=source, timeout=2).rcode()


def view_name(key: str) -> str:
    return key.split("-")[0]


@pytest.fixture
def primary(tmp_path):
    """The cairnd primary: views selected by key only; yields (process, port, zone files by view)."""
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    directory = tmp_path / "primary"
    directory.mkdir()
    port = servers.free_port(ipv6=False)
    secondary_port = servers.free_port(ipv6=False)
    files = {}
    views = ""
    for key in KEYS:
        view = view_name(key)
        files[view] = directory / f"{view}.zone"
        write_zone(files[view], zone_text(1, WWW[view]))
        views += (
            f'view "{view}" {{\n'
            + key_statement(key)
            + f"    server 127.0.0.1 {{ keys {{ {key}; }}; }};\n"  # signs this view's NOTIFYs
            f"    match-clients {{ key {key}; }};\n"
            f"    allow-transfer {{ key {key}; }};\n"
            f"    also-notify {{ 127.0.0.1 port {secondary_port}; }};\n"
            f'    zone "{ORIGIN}" {{ type primary; file "{files[view].name}"; }};\n'
            "};\n"
        )
    (directory / "named.conf").write_text(
        "options {\n"
        f'    directory "{directory}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify explicit;\n"  # loopback also-notify targets only
        "};\n"
        "controls { };\n" + views
    )
    process = servers.LoggedProcess([str(servers.cairnd_binary()), "-c", str(directory / "named.conf"), "-n", "1"], directory, "cairnd.log")
    try:
        assert wait_for(lambda: serial(port, "internal-key") == 1, 10), process.log()
        yield process, port, secondary_port, files
    finally:
        process.stop()


def test_the_primary_transfers_each_view_to_its_key_only(primary):
    _, port, _, _ = primary
    internal, external = axfr(port, "internal-key"), axfr(port, "external-key")
    assert ("www", 300, "A", WWW["internal"]) in internal
    assert ("www", 300, "A", WWW["external"]) in external
    # No key: no view matches, the request is refused.
    with pytest.raises(dns.xfr.TransferError):
        axfr(port, None)
    assert ask(port, ORIGIN, "SOA").rcode() == dns.rcode.REFUSED


def test_cairnd_secondary_zones_inside_views(primary, tmp_path):
    cairnd_primary, primary_port, port, files = primary
    directory = tmp_path / "secondary"
    directory.mkdir()
    views = ""
    for key, clients, notifiers in (("internal-key", "127.0.0.2;", "127.0.0.5;"), ("external-key", "any;", "none;")):
        view = view_name(key)
        views += (
            f'view "{view}" {{\n'
            + key_statement(key)
            + f"    server 127.0.0.1 {{ keys {{ {key}; }}; }};\n"  # its zone's SOA queries and transfers
            f"    match-clients {{ key {key}; {clients} }};\n"
            f"    allow-transfer {{ key {key}; }};\n"
            f"    allow-notify {{ {notifiers} }};\n"
            f'    zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
            f'file "{view}.db"; }};\n'
            "};\n"
        )
    (directory / "named.conf").write_text(
        "options {\n"
        f'    directory "{directory}";\n'
        # A wildcard socket, so that the client's loopback address picks the view (see test_views.py).
        f"    listen-on port {port} {{ any; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify no;\n"
        "};\n"
        "controls { };\n" + views
    )
    secondary = servers.LoggedProcess([str(servers.cairnd_binary()), "-c", str(directory / "named.conf"), "-n", "1"], directory, "cairnd.log")
    try:
        logs = lambda: secondary.log() + cairnd_primary.log()  # noqa: E731
        assert wait_for(lambda: www(port, source="127.0.0.2") == [WWW["internal"]], 15), logs()
        assert wait_for(lambda: www(port, source="127.0.0.4") == [WWW["external"]], 15), logs()
        assert axfr(port, "internal-key") == axfr(primary_port, "internal-key")

        # An edit of the internal view reaches the secondary's internal view by NOTIFY (the SOA refresh is an
        # hour), signed with the internal key; the external view keeps its serial.
        write_zone(files["internal"], zone_text(2, "10.0.2.81"))
        cairnd_primary.proc.send_signal(1)  # SIGHUP: reload
        assert wait_for(lambda: www(port, source="127.0.0.2") == ["10.0.2.81"], 15), logs()
        assert serial(port, source="127.0.0.3") == 1  # not in internal's ACL: the external view
        assert www(port, "internal-key", source="127.0.0.3") == ["10.0.2.81"]  # the key picks the view
        assert f"sent notify for serial 2 to 127.0.0.1#{port}" in cairnd_primary.log()

        # allow-notify set per view: 127.0.0.5 (not a primary) may notify the internal view (its NOTIFY
        # signed with the internal key to reach it), not the external one.
        assert notify_rcode(port, "127.0.0.5", "internal-key") == dns.rcode.NOERROR
        assert notify_rcode(port, "127.0.0.5", None) == dns.rcode.REFUSED
    finally:
        secondary.stop()


def test_bind_secondary_gets_each_views_data_with_its_key(primary, tmp_path):
    cairnd_primary, primary_port, port, files = primary
    directory = tmp_path / "bind"
    directory.mkdir()
    views = ""
    for key in KEYS:
        view = view_name(key)
        views += (
            f'view "{view}" {{\n'
            f"    match-clients {{ key {key}; }};\n"
            f"    server 127.0.0.1 {{ keys {{ {key}; }}; }};\n"
            f'    zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary_port}; }}; '
            f'file "{view}.db"; }};\n'
            "};\n"
        )
    (directory / "named.conf").write_text(
        "".join(key_statement(key).strip() + "\n" for key in KEYS)
        + "options {\n"
        f'    directory "{directory}";\n'
        f'    pid-file "{directory / "named.pid"}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    dnssec-validation no;\n"
        "    notify no;\n"
        "    allow-transfer { any; };\n"
        f'    session-keyfile "{directory / "session.key"}";\n'
        f'    managed-keys-directory "{directory}";\n'
        "    automatic-interface-scan no;\n"
        "};\n"
        "controls { };\n" + views
    )
    named = servers.LoggedProcess(["/usr/sbin/named", "-g", "-n", "1", "-c", str(directory / "named.conf")], directory, "named.log")
    try:
        logs = lambda: named.log() + cairnd_primary.log()  # noqa: E731
        for key in KEYS:
            assert wait_for(lambda: serial(port, key) == 1, 15), logs()
        internal, external = axfr(port, "internal-key"), axfr(port, "external-key")
        assert internal == axfr(primary_port, "internal-key")
        assert external == axfr(primary_port, "external-key")
        assert internal != external

        # NOTIFY signed with the external key lands in BIND's external view only.
        write_zone(files["external"], zone_text(2, "203.0.113.81"))
        cairnd_primary.proc.send_signal(1)  # SIGHUP: reload
        assert wait_for(lambda: serial(port, "external-key") == 2, 15), logs()
        assert axfr(port, "external-key") == axfr(primary_port, "external-key")
        assert serial(port, "internal-key") == 1
    finally:
        named.stop()


def test_two_views_with_different_keys_of_one_name_are_refused_at_load(tmp_path):
    # BIND keeps a keyring per view; cairn verifies a request's key before it knows the view, with one
    # keyring, so it refuses the ambiguity instead of picking one of the secrets.
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    zone = tmp_path / "x.zone"
    zone.write_text(zone_text(1, "192.0.2.1"))
    config = tmp_path / "named.conf"
    config.write_text(
        f"options {{ listen-on port {servers.free_port(ipv6=False)} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; }};\n"
        "controls { };\n"
        f'view "a" {{\n    key "k" {{ algorithm hmac-sha256; secret "YWFhYQ=="; }};\n'
        f'    zone "{ORIGIN}" {{ type primary; file "{zone}"; }};\n}};\n'
        f'view "b" {{\n    key "k" {{ algorithm hmac-sha256; secret "YmJiYg=="; }};\n'
        f'    zone "{ORIGIN}" {{ type primary; file "{zone}"; }};\n}};\n'
    )
    result = subprocess.run(
        [str(servers.cairnd_binary()), "-c", str(config), "-n", "1"], capture_output=True, text=True, timeout=20
    )
    assert result.returncode != 0
    assert f"{config}:8: key k: a different key of this name is defined at {config}:4" in result.stderr
