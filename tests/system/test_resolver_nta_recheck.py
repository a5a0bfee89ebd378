"""nta-recheck (BIND's checkbogus): cairnd with `nta-recheck 2` asks each regular negative trust anchor's name
again every 2 seconds with the NTA ignored, and ends the NTA as soon as the answer validates; forced NTAs stay.
mended.test and forced.test (NSD on 127.54.11.0/24, signed with BIND's dnssec-keygen and dnssec-signzone,
TTLs of 2 seconds) are trust anchors of their own (`static-key`), the root and test. unsigned.

- mended.test is signed with a validity that ended in 2020: bogus (EDE 7); `rndc nta` makes it answer;
  rechecks leave the NTA in place while the zone is still bogus;
- signed again with a current validity (NSD reloads it), the next recheck validates it: the NTA goes early,
  BIND's "deleting expired NTA at mended.test" is logged, _default.nta is removed, and answers carry AD;
- forced.test validates all along, but its NTA was added with -force: no recheck removes it.
"""

from __future__ import annotations

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

MENDED = "mended.test."
FORCED = "forced.test."
RECHECK = 2  # nta-recheck, seconds
EXPIRED_WINDOW = ["-s", "20200101000000", "-e", "20200201000000"]


def recheck_spec() -> HierarchySpec:
    name_servers = [
        NameServer("a.root-servers.", "127.54.11.1", "nsd"),
        NameServer("ns1.test.", "127.54.11.2", "nsd"),
        NameServer("ns1.signed.test.", "127.54.11.3", "nsd"),
    ]
    zones = [
        ZoneSpec(".", ["a.root-servers."], ttl=86400),
        ZoneSpec("test.", ["ns1.test."], ttl=86400),
        ZoneSpec("signed.test.", ["ns1.signed.test."], ttl=86400),  # the name server's own zone, unsigned
        ZoneSpec(MENDED, ["ns1.signed.test."], ["www A 192.0.2.1"], ttl=2, negative_ttl=2),
        ZoneSpec(FORCED, ["ns1.signed.test."], ["www A 192.0.2.2"], ttl=2, negative_ttl=2),
    ]
    return HierarchySpec(name_servers, zones)


class RecheckHierarchy(Hierarchy):
    """mended.test and forced.test signed with their own keys; mended.test first with an expired window."""

    def __init__(self, spec: HierarchySpec, workdir: Path):
        super().__init__(spec, workdir)
        self.window = {MENDED: EXPIRED_WINDOW, FORCED: []}
        self.ksk: dict[str, str] = {}  # zone -> "257 3 13 KEY"

    def zone_file(self, origin: str) -> Path:
        path = super().zone_file(origin)
        return path.with_name(path.name + ".signed") if origin in self.window else path

    def _keys(self, origin: str) -> Path:
        directory = self.workdir / "keys" / origin.rstrip(".")
        if not directory.is_dir():
            directory.mkdir(parents=True)
            keygen = signed_zones.tool("dnssec-keygen")
            ksk = signed_zones.run([keygen, "-q", "-a", "ECDSAP256SHA256", "-f", "KSK", "-K", ".", origin],
                                   directory).strip()
            signed_zones.run([keygen, "-q", "-a", "ECDSAP256SHA256", "-K", ".", origin], directory)
            record = [line for line in (directory / f"{ksk}.key").read_text().splitlines()
                      if line and not line.startswith(";")][0]
            self.ksk[origin] = " ".join(record.split()[3:])
        return directory

    def write_zone(self, zone: ZoneSpec) -> Path:
        if zone.origin not in self.window:
            return super().write_zone(zone)
        source = self._source_file(zone.origin)
        source.parent.mkdir(exist_ok=True)
        source.write_text(self.zone_text(zone))
        signed_zones.run([signed_zones.tool("dnssec-signzone"), "-S", "-P", "-K", ".", *self.window[zone.origin],
                          "-o", zone.origin, "-f", str(self.zone_file(zone.origin)), str(source)],
                         self._keys(zone.origin))
        return self.zone_file(zone.origin)

    def mend(self) -> None:
        """Signs mended.test again with a current validity and has NSD load it."""
        self.window[MENDED] = []
        self.write_zone(self.spec.zone(MENDED))
        self.server("ns1.signed.test.").reload()


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    require_server("nsd")
    hierarchy = RecheckHierarchy(recheck_spec(), tmp_path_factory.mktemp("recheck-hierarchy"))
    try:
        hierarchy.start()
    except servers.ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    yield hierarchy
    hierarchy.stop()


def anchor_line(origin: str, ksk: str) -> str:
    flags, protocol, algorithm, key = ksk.split(" ", 3)
    return f'    {origin} static-key {flags} {protocol} {algorithm} "{key}";\n'


def ask(resolver, name: str) -> dns.message.Message:
    return dns.query.udp(resolvers.make_query(name, "A", do=True), "127.0.0.1", port=resolver.port, timeout=10)


def served_expiry(address: str, name: str) -> str:
    """The expiration field of the RRSIG the name server gives for `name`'s A RRset."""
    response = dns.query.udp(dns.message.make_query(name, "A", want_dnssec=True), address, port=53, timeout=2)
    sigs = [rdata for rrset in response.answer for rdata in rrset if rrset.rdtype == 46]
    return str(sigs[0].expiration) if sigs else ""


def test_nta_recheck_ends_a_regular_nta_once_the_zone_validates(tree, tmp_path_factory):
    require_server("cairnd")
    anchors = "".join(anchor_line(origin, tree.ksk[origin]) for origin in (MENDED, FORCED))
    resolver = resolvers.cairnd_resolver(
        tmp_path_factory.mktemp("nta-recheck"), tree, validation="dnssec-validation yes;",
        options_extra=f"nta-recheck {RECHECK};", extra=f"trust-anchors {{\n{anchors}}};\n",
    ).start()
    try:
        bogus = ask(resolver, f"www.{MENDED}")
        assert bogus.rcode() == dns.rcode.SERVFAIL and resolvers.ede(bogus)[0] == 7, resolvers.ede(bogus)
        assert ask(resolver, f"www.{FORCED}").flags & dns.flags.AD

        assert resolver.rndc("nta", "-lifetime", "1h", "mended.test").returncode == 0
        assert resolver.rndc("nta", "-lifetime", "1h", "-force", "forced.test").returncode == 0
        answered = ask(resolver, f"www.{MENDED}")
        assert answered.rcode() == dns.rcode.NOERROR and not answered.flags & dns.flags.AD

        # Still bogus: several rechecks go by and the NTA stays.
        time.sleep(3 * RECHECK + 1)
        dump = resolver.rndc("nta", "-dump").stdout
        assert "mended.test/_default: expiry" in dump and "forced.test/_default: expiry" in dump, dump
        assert "deleting expired NTA" not in resolver.log_text()
        # The rechecks' bogus answers were not remembered as failures: the NTA's clients still get the data.
        nsec = dns.query.udp(resolvers.make_query(MENDED, "NSEC", do=True), "127.0.0.1", port=resolver.port,
                             timeout=10)
        assert nsec.rcode() == dns.rcode.NOERROR and nsec.answer, resolvers.ede(nsec)

        # Mended: the next recheck validates it and the NTA ends early, as BIND logs it.
        tree.mend()
        assert wait_for(lambda: served_expiry("127.54.11.3", f"www.{MENDED}")[:4] != "2020", 10), "NSD reloaded"
        assert wait_for(lambda: "deleting expired NTA at mended.test" in resolver.log_text(), 6 * RECHECK + 10), \
            resolver.log_text()[-3000:]
        dump = resolver.rndc("nta", "-dump").stdout
        assert "mended.test" not in dump and "forced.test/_default: expiry" in dump, dump
        secure = ask(resolver, f"www.{MENDED}")
        assert secure.rcode() == dns.rcode.NOERROR and secure.flags & dns.flags.AD, resolvers.ede(secure)
        lines = (resolver.workdir / "_default.nta").read_text().splitlines()
        assert [line.split()[:2] for line in lines] == [["forced.test.", "forced"]], lines

        # The forced NTA outlives rechecks although its zone validates.
        time.sleep(2 * RECHECK + 1)
        assert "forced.test/_default: expiry" in resolver.rndc("nta", "-dump").stdout
        assert not ask(resolver, f"www.{FORCED}").flags & dns.flags.AD
        assert "deleting expired NTA at forced.test" not in resolver.log_text()
    finally:
        resolver.stop()
