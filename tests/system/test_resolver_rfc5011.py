"""RFC 5011 end to end: cairnd with `trust-anchors { managed.test. initial-key ...; }` follows a KSK roll of
managed.test (served by NSD on 127.54.10.0/24, signed here with BIND's dnssec-keygen, dnssec-signzone and
dnssec-revoke), with BIND's test timers (`-T mkeytimers=1/1/10`: refreshes a second apart, hold-downs of
10 seconds) so that the roll takes seconds:

- at start the configured key is trusted (managed-keys.cairn says "valid");
- a new KSK published and signed by the old one waits for the add hold-down ("addpend"), across a restart
  with its hold-down unchanged (the state file is read back: nothing forgotten, nothing trusted early),
  then is trusted;
- the old KSK revoked (REVOKE bit, self-signed) is dropped, and the zone validates with the new key alone;
- `rndc secroots` writes named.secroots in BIND's format, the trusted keys as "; managed";
- each transition is logged as BIND's managed-keys zone logs it ("managed-keys-zone: Key N for zone Z is now
  trusted (acceptance timer complete)", "New key N observed ...", "Trusted key N ... is now revoked"), and
  `rndc managed-keys status|refresh|sync` answer as BIND 9.18's.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

import resolvers
import servers
import signed_zones
from conftest import require_server
from hierarchy import Hierarchy, HierarchySpec, NameServer, ZoneSpec
from waiting import wait_for

MANAGED = "managed.test."
TIMERS = "mkeytimers=1/1/10"  # BIND's -T: HOUR/DAY/MONTH in seconds; the hold-downs are a MONTH
HOLD_DOWN = 10


def rolling_spec() -> HierarchySpec:
    name_servers = [
        NameServer("a.root-servers.", "127.54.10.1", "nsd"),
        NameServer("ns1.test.", "127.54.10.2", "nsd"),
        NameServer("ns1.managed.test.", "127.54.10.3", "nsd"),
    ]
    zones = [
        ZoneSpec(".", ["a.root-servers."], ttl=86400),
        ZoneSpec("test.", ["ns1.test."], ttl=86400),
        ZoneSpec(MANAGED, ["ns1.managed.test."], ["www A 192.0.2.1"], ttl=2, negative_ttl=2),
    ]
    return HierarchySpec(name_servers, zones)


class RollingHierarchy(Hierarchy):
    """The hierarchy with managed.test signed by whatever keys its key directory holds at each sign()."""

    def __init__(self, spec: HierarchySpec, workdir: Path):
        super().__init__(spec, workdir)
        self.keys = self.workdir / "managed-keys"
        self.keys.mkdir(parents=True, exist_ok=True)

    def zone_file(self, origin: str) -> Path:
        path = super().zone_file(origin)
        return path.with_name(path.name + ".signed") if origin == MANAGED else path

    def write_zone(self, zone: ZoneSpec) -> Path:
        if zone.origin != MANAGED:
            return super().write_zone(zone)
        source = self._source_file(zone.origin)
        source.parent.mkdir(exist_ok=True)
        source.write_text(self.zone_text(zone))
        signed_zones.run([signed_zones.tool("dnssec-signzone"), "-S", "-K", ".", "-T", "2", "-N", "unixtime",
                          "-o", MANAGED, "-f", str(self.zone_file(MANAGED)), str(source)], self.keys)
        return self.zone_file(MANAGED)

    def keygen(self, ksk: bool) -> tuple[int, str]:
        """A new key of managed.test: (tag, "257 3 13 KEY")."""
        args = ["-f", "KSK"] if ksk else []
        name = signed_zones.run([signed_zones.tool("dnssec-keygen"), "-q", "-a", "ECDSAP256SHA256", *args, "-K", ".",
                                 MANAGED], self.keys).strip()
        return int(name.rsplit("+", 1)[1]), key_text(self.keys / f"{name}.key")

    def resign(self) -> None:
        """Signs again with the keys as they are now and has NSD load it."""
        self.write_zone(self.spec.zone(MANAGED))
        self.server("ns1.managed.test.").reload()

    def served_key_flags(self) -> list[int]:
        request = dns.message.make_query(MANAGED, "DNSKEY")
        response = dns.query.udp(request, "127.54.10.3", port=53, timeout=2)
        return sorted(rdata.flags for rrset in response.answer for rdata in rrset)


def key_text(path: Path) -> str:
    record = [line for line in path.read_text().splitlines() if line and not line.startswith(";")][0]
    return " ".join(record.split()[3:])


def states(resolver) -> dict[int, tuple[str, str]]:
    """managed-keys.cairn: key tag -> (state, trust-at) for managed.test."""
    path = resolver.workdir / "managed-keys.cairn"
    out = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        fields = line.split()
        match = re.search(r"; id (\d+)$", line)
        if fields and fields[0] == MANAGED and match:
            out[int(match.group(1))] = (fields[1], fields[2])
    return out


def ask(resolver, name: str = "www.managed.test.") -> dns.message.Message:
    request = resolvers.make_query(name, "A", do=True)
    return dns.query.udp(request, "127.0.0.1", port=resolver.port, timeout=10)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    require_server("nsd")
    hierarchy = RollingHierarchy(rolling_spec(), tmp_path_factory.mktemp("rolling-hierarchy"))
    hierarchy.old_tag, hierarchy.old_key = hierarchy.keygen(ksk=True)
    hierarchy.keygen(ksk=False)
    try:
        hierarchy.start()
    except servers.ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    yield hierarchy
    hierarchy.stop()


def test_a_new_ksk_is_trusted_after_the_hold_down_and_a_revoked_one_dropped(tree, tmp_path_factory):
    require_server("cairnd")
    flags, protocol, algorithm, key = tree.old_key.split(" ", 3)
    resolver = resolvers.cairnd_resolver(
        tmp_path_factory.mktemp("rfc5011"), tree, validation="dnssec-validation yes;",
        extra=f'trust-anchors {{ {MANAGED} initial-key {flags} {protocol} {algorithm} "{key}"; }};\n',
    )
    resolver.args = ["-T", TIMERS]
    resolver.start()
    try:
        first = ask(resolver)
        assert first.rcode() == dns.rcode.NOERROR and first.flags & dns.flags.AD, resolvers.ede(first)
        assert wait_for(lambda: states(resolver).get(tree.old_tag, ("",))[0] == "valid", 15), states(resolver)
        # BIND's log line and `rndc managed-keys status` (BIND 9.18's layout).
        assert wait_for(lambda: f"managed-keys-zone: Key {tree.old_tag} for zone managed.test is now trusted "
                                "(acceptance timer complete)" in resolver.log_text(), 5), resolver.log_text()[-3000:]
        status = resolver.rndc("managed-keys", "status")
        assert status.returncode == 0, status.stderr
        assert re.search(r"^view: _default\nnext scheduled event: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT\n\n"
                         r"name: managed\.test\n", status.stdout), status.stdout
        assert re.search(rf"keyid: {tree.old_tag}\n\talgorithm: ECDSAP256SHA256\n\tflags: SEP\n"
                         r"\tnext refresh: .* GMT\n\ttrusted since: .* GMT", status.stdout), status.stdout

        # A new KSK, published and signed by the old one: pending for the hold-down.
        new_tag, _ = tree.keygen(ksk=True)
        tree.resign()
        assert wait_for(lambda: tree.served_key_flags().count(257) == 2, 10), "NSD serves both KSKs"
        assert wait_for(lambda: new_tag in states(resolver), 15), states(resolver)
        pending = states(resolver)[new_tag]
        assert pending[0] == "addpend", states(resolver)
        assert wait_for(lambda: f"managed-keys-zone: New key {new_tag} observed for zone 'managed.test': starting "
                                "30-day acceptance timer" in resolver.log_text(), 5), resolver.log_text()[-3000:]
        status = resolver.rndc("managed-keys", "status").stdout
        assert re.search(rf"keyid: {new_tag}\n\talgorithm: ECDSAP256SHA256\n\tflags: SEP\n"
                         r"\tnext refresh: .* GMT\n\ttrust pending: .* GMT", status), status
        seen_at = time.monotonic()

        # A restart in the middle of the hold-down keeps the key pending, with the same hold-down.
        resolver.restart()
        assert states(resolver)[new_tag] == pending, states(resolver)
        assert "managed keys restored from managed-keys.cairn" in resolver.log_text()
        secroots = resolver.rndc("secroots", "-").stdout
        assert f"managed.test/ECDSAP256SHA256/{tree.old_tag} ; managed" in secroots, secroots
        assert f"/{new_tag} ;" not in secroots, secroots  # not trusted yet
        if time.monotonic() - seen_at < HOLD_DOWN - 2:
            assert states(resolver)[new_tag][0] == "addpend"

        assert wait_for(lambda: states(resolver)[new_tag][0] == "valid", HOLD_DOWN + 20), states(resolver)
        assert wait_for(lambda: f"managed-keys-zone: Key {new_tag} for zone managed.test is now trusted "
                                "(acceptance timer complete)" in resolver.log_text(), 5), resolver.log_text()[-3000:]
        assert resolver.rndc("secroots").returncode == 0
        written = (resolver.workdir / "named.secroots").read_text()
        assert re.match(r"secure roots as of \d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d{3}:\n\n Start view _default\n"
                        r"   Secure roots:\n\n", written), written
        assert f"managed.test/ECDSAP256SHA256/{tree.old_tag} ; managed\n" in written, written
        assert f"managed.test/ECDSAP256SHA256/{new_tag} ; managed\n" in written, written
        assert "\n   Negative trust anchors:\n" in written, written

        # The old KSK revoked (it signs the keys with REVOKE set): dropped; the new one alone validates.
        old_file = next(tree.keys.glob(f"K{MANAGED}+013+{tree.old_tag:05d}.key"))
        signed_zones.run([signed_zones.tool("dnssec-revoke"), "-r", "-K", ".", old_file.stem], tree.keys)
        tree.resign()
        assert wait_for(lambda: 385 in tree.served_key_flags(), 10), "NSD serves the revoked key"
        assert wait_for(lambda: states(resolver).get(tree.old_tag, ("",))[0] in ("revoked", ""), 15), states(resolver)
        revoked_tag = next(int(path.stem.rsplit("+", 1)[1]) for path in tree.keys.glob("K*.key")
                           if " 385 3 " in path.read_text())  # the tag with REVOKE set, as BIND logs it
        assert wait_for(lambda: f"managed-keys-zone: Trusted key {revoked_tag} for zone managed.test is now revoked"
                        in resolver.log_text(), 5), resolver.log_text()[-3000:]
        secroots = resolver.rndc("secroots", "-").stdout
        assert f"/{tree.old_tag} ;" not in secroots and f"/{new_tag} ; managed" in secroots, secroots
        resolver.ctl("flush")
        answer = ask(resolver)
        assert answer.rcode() == dns.rcode.NOERROR and answer.flags & dns.flags.AD, resolvers.ede(answer)

        # `rndc managed-keys refresh` and `sync`: BIND's answer; sync writes the state file at once.
        refresh = resolver.rndc("managed-keys", "refresh")
        assert refresh.returncode == 0 and "refreshing managed keys for '_default'" in refresh.stdout, refresh
        state_file = resolver.workdir / "managed-keys.cairn"
        state_file.unlink()
        sync = resolver.rndc("managed-keys", "sync", "IN", "_default")
        assert sync.returncode == 0, sync.stderr
        assert "managed.test. valid " in state_file.read_text(), state_file.read_text()
        assert resolver.rndc("managed-keys", "status", "IN", "nosuchview").returncode != 0
    finally:
        resolver.stop()
