"""A DNS hierarchy on loopback for resolver tests: a root, TLDs and leaf zones served by NSD, Knot and cairnd,
each name server on its own address of 127.53.0.0/16 (or the range a suite's spec names) at port 53 (name
servers carry no port), and a hints file pointing at the test root.

    hierarchy = Hierarchy(default_spec(), workdir).start()
    hierarchy.hints_file            # for a resolver's `zone "." { type hint; file ...; };`
    hierarchy.server("ns1.test.")   # the AuthServer behind a name server
    hierarchy.stop()

The hierarchy is data (HierarchySpec): name servers (host name, address, kind) and zones (origin, the name
servers that serve it, records). Delegations are derived: each zone's parent gets its NS records and the glue
that lies inside the parent's zone (a name server named outside it stays glueless). A name server may be
listed as a zone's NS without serving it (`lame`), and zones may be left to the test to serve
(`autostart=False`: the test starts, stops or rewrites them, e.g. to take a zone's authorities down). Later
additions extend the spec rather than this code: a zone may be signed with BIND's dnssec-signzone
(`dnssec="signed"`, its DS in the parent; `"expired"`: every RRSIG's validity window in the past;
`"ds-mismatch"`: the parent's DS names a key the zone does not have), and carry its own SOA timers.

The resolver suites use 127.53.0.0/16 (127.54.0.0/16 for the signed hierarchy of the validation tests),
the default `address_prefix`; the doctor's lab uses 127.55.0.0/16: other suites on this machine use other
ranges of 127/8.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
from pathlib import Path
from typing import Sequence

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import servers
import signed_zones

PORT = 53
ADDRESS_PREFIX = "127.53."
# The validation suite's signed hierarchy (test_resolver_validation.py) has a range of its own, so that it
# runs beside the shared one. A HierarchySpec may name another range (the doctor's lab: 127.55.).
ADDRESS_PREFIXES = (ADDRESS_PREFIX, "127.54.")
DNSSEC_MODES = (None, "signed", "expired", "ds-mismatch")


@dataclasses.dataclass
class NameServer:
    """A name server host: its name (as NS records give it), its address and the software behind it."""

    name: str
    address: str
    kind: str  # nsd, knotd or cairnd

    def __post_init__(self):
        self.name = _absolute(self.name)


@dataclasses.dataclass
class ZoneSpec:
    """A zone: the name servers that serve it, records (master-file lines relative to the origin), and
    NS names that are delegated to but do not serve it (lame)."""

    origin: str
    servers: list[str]
    records: list[str] = dataclasses.field(default_factory=list)
    lame: list[str] = dataclasses.field(default_factory=list)
    ttl: int = 300
    negative_ttl: int = 300  # the SOA MINIMUM
    serial: int = 1
    autostart: bool = True  # False: the test serves it (start_zone / stop_zone)
    delegated: bool = True  # False: served, but its parent does not delegate it (forward and stub zones)
    refresh: int = 3600
    retry: int = 600
    expire: int = 86400
    dnssec: str | None = None  # one of DNSSEC_MODES

    def __post_init__(self):
        if self.dnssec not in DNSSEC_MODES:
            raise ValueError(f"{self.origin}: dnssec={self.dnssec!r}; known: {DNSSEC_MODES}")
        self.origin = _absolute(self.origin)
        self.servers = [_absolute(name) for name in self.servers]
        self.lame = [_absolute(name) for name in self.lame]


@dataclasses.dataclass
class HierarchySpec:
    name_servers: list[NameServer]
    zones: list[ZoneSpec]
    address_prefix: str | tuple[str, ...] = ADDRESS_PREFIXES  # every name server lives in these /16s of loopback

    def __post_init__(self):
        prefixes = (self.address_prefix,) if isinstance(self.address_prefix, str) else self.address_prefix
        for server in self.name_servers:
            if not server.address.startswith(prefixes):
                raise ValueError(f"{server.address}: this hierarchy only uses "
                                 f"{' and '.join(p + '0.0/16' for p in prefixes)}")

    def name_server(self, name: str) -> NameServer:
        name = _absolute(name)
        for server in self.name_servers:
            if server.name == name:
                return server
        raise KeyError(name)

    def zone(self, origin: str) -> ZoneSpec:
        origin = _absolute(origin)
        for zone in self.zones:
            if zone.origin == origin:
                return zone
        raise KeyError(origin)


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _is_below(name: str, zone: str) -> bool:
    """True when `name` is `zone` or below it (absolute names, case-insensitive)."""
    name, zone = name.lower(), zone.lower()
    return zone == "." or name == zone or name.endswith("." + zone)


def _parent_zone(origin: str, origins: Sequence[str]) -> str | None:
    """The closest enclosing zone of `origin` among `origins`."""
    best = None
    for candidate in origins:
        if candidate != origin and _is_below(origin, candidate):
            if best is None or len(candidate) > len(best):
                best = candidate
    return best


# The big TXT RRset of tc.test: over 1232 octets, so a UDP answer is truncated and the resolver needs TCP.
BIG_TXT = [f'big TXT "{i:02d}-' + "x" * 180 + '"' for i in range(12)]


def default_spec() -> HierarchySpec:
    """The shared hierarchy of the resolver tests: the cases issue 14 lists, each in its own zone."""
    servers_ = [
        NameServer("a.root-servers.", "127.53.0.1", "nsd"),
        NameServer("b.root-servers.", "127.53.0.2", "knotd"),
        NameServer("ns1.test.", "127.53.1.1", "knotd"),
        NameServer("ns2.test.", "127.53.1.2", "cairnd"),
        NameServer("ns1.example.", "127.53.1.3", "nsd"),
        NameServer("ns1.glue.test.", "127.53.2.1", "nsd"),
        NameServer("ns.glueless-host.example.", "127.53.2.2", "knotd"),
        NameServer("ns1.lame.test.", "127.53.2.1", "nsd"),  # the same NSD: it does not serve lame.test
        NameServer("ns2.lame.test.", "127.53.2.4", "cairnd"),
        # Served by the tests themselves (autostart=False zones).
        NameServer("ns1.outage.test.", "127.53.3.1", "nsd"),
        NameServer("ns2.outage.test.", "127.53.3.2", "knotd"),
        NameServer("ns1.late.test.", "127.53.3.3", "cairnd"),
        NameServer("ns1.hostile.test.", "127.53.4.1", "scripted"),
    ]
    zones = [
        # The root's own name servers are data of the root zone (no root-servers. delegation).
        ZoneSpec(".", ["a.root-servers.", "b.root-servers."], ttl=86400),
        ZoneSpec("test.", ["ns1.test.", "ns2.test."], ttl=86400),
        ZoneSpec(
            "example.",
            ["ns1.example."],
            ["www A 192.0.2.3", "www AAAA 2001:db8::3", "mail A 192.0.2.30"],
            ttl=3600,
        ),
        ZoneSpec(
            "glue.test.",
            ["ns1.glue.test."],
            [
                "www A 192.0.2.1",
                "mail MX 10 mx.glue.test.",
                "mx A 192.0.2.10",
                "txt TXT \"hello from glue.test\"",
                "alias CNAME www",
                "deep.sub A 192.0.2.11",
            ],
        ),
        ZoneSpec("glueless.test.", ["ns.glueless-host.example."], ["www A 192.0.2.2"]),
        ZoneSpec("lame.test.", ["ns2.lame.test."], ["www A 192.0.2.5"], lame=["ns1.lame.test."]),
        ZoneSpec("tc.test.", ["ns2.lame.test."], BIG_TXT + ["small A 192.0.2.6"]),
        ZoneSpec("cname.test.", ["ns1.glue.test."], ["www CNAME www.example.", "chain CNAME www.cname.test."]),
        ZoneSpec("dname.test.", ["ns1.glue.test."], ["sub DNAME glue.test."]),
        ZoneSpec("wild.test.", ["ns1.glue.test."], ["* A 192.0.2.4", "* TXT \"wild\"", "host A 192.0.2.40"]),
        # Reachable only through a resolver's forward or static-stub zone.
        ZoneSpec("fwd.test.", ["ns2.lame.test."], ["www A 192.0.2.20"], delegated=False),
        ZoneSpec("stub.test.", ["ns2.lame.test."], ["www A 192.0.2.21"], delegated=False),
        ZoneSpec("outage.test.", ["ns1.outage.test.", "ns2.outage.test."], ["www 4 A 192.0.2.7"],
                 autostart=False),
        ZoneSpec("late.test.", ["ns1.late.test."], ["www A 192.0.2.8"], negative_ttl=30, autostart=False),
        ZoneSpec("hostile.test.", ["ns1.hostile.test."], autostart=False),
    ]
    return HierarchySpec(servers_, zones)


class Hierarchy:
    """The hierarchy's zone files, hints file and running name servers (one process per address)."""

    def __init__(self, spec: HierarchySpec, workdir: Path):
        self.spec = spec
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.hints_file = self.workdir / "root.hints"
        self._servers: dict[str, servers.AuthServer] = {}  # by address

    # -- zone data

    def zone_text(self, zone: ZoneSpec) -> str:
        """The master file of `zone`: SOA, NS, the addresses of its own name servers, its records, and the
        delegations (with glue) of its child zones."""
        origin = zone.origin
        lines = [
            f"$ORIGIN {origin}",
            f"$TTL {zone.ttl}",
            f"@ SOA {zone.servers[0]} hostmaster.{origin if origin != '.' else ''} "
            f"{zone.serial} {zone.refresh} {zone.retry} {zone.expire} {zone.negative_ttl}",
        ]
        for ns in zone.servers + zone.lame:
            lines.append(f"@ NS {ns}")
        origins = [z.origin for z in self.spec.zones]
        written: set[str] = set()

        def address_record(host: str) -> None:
            if host in written:
                return
            written.add(host)
            lines.append(f"{host} A {self.spec.name_server(host).address}")

        # Name server addresses that are this zone's own data (not below a child's cut).
        for server in self.spec.name_servers:
            owner_zone = _closest_zone(server.name, origins)
            if owner_zone == origin:
                address_record(server.name)
        for child in self.spec.zones:
            if not child.delegated or _parent_zone(child.origin, origins) != origin:
                continue
            for ns in child.servers + child.lame:
                lines.append(f"{child.origin} {zone.ttl} NS {ns}")
                if _is_below(ns, origin) and _closest_zone(ns, origins) != origin:
                    address_record(ns)  # glue: in bailiwick, below a cut
            if child.dnssec is not None:
                lines.append(self.ds_text(child))
        lines += zone.records
        return "\n".join(lines) + "\n"

    def _source_file(self, origin: str) -> Path:
        origin = _absolute(origin)
        name = "root" if origin == "." else origin.rstrip(".")
        return self.workdir / "zones" / f"{name}.zone"

    def zone_file(self, origin: str) -> Path:
        """The file a zone is served from (the signed one for a signed zone)."""
        path = self._source_file(origin)
        if self.spec.zone(origin).dnssec is not None:
            return path.with_name(path.name + ".signed")
        return path

    def write_zone(self, zone: ZoneSpec) -> Path:
        path = self._source_file(zone.origin)
        path.parent.mkdir(exist_ok=True)
        path.write_text(self.zone_text(zone))
        if zone.dnssec is not None:
            self._sign(zone, path)
        return self.zone_file(zone.origin)

    # -- DNSSEC (BIND's dnssec-keygen, dnssec-signzone, dnssec-dsfromkey)

    def _key_directory(self, origin: str, spare: bool = False) -> Path:
        name = "root" if origin == "." else origin.rstrip(".")
        directory = self.workdir / "keys" / (name + ("-spare" if spare else ""))
        if not directory.is_dir():
            directory.mkdir(parents=True)
            tool = signed_zones.tool("dnssec-keygen")
            signed_zones.run([tool, "-q", "-a", "ECDSAP256SHA256", "-f", "KSK", "-K", ".", origin], directory)
            if not spare:
                signed_zones.run([tool, "-q", "-a", "ECDSAP256SHA256", "-K", ".", origin], directory)
        return directory

    def _ksk_file(self, origin: str, spare: bool = False) -> Path:
        directory = self._key_directory(origin, spare)
        for key in sorted(directory.glob("K*.key")):
            if " 257 3 " in key.read_text():
                return key
        raise RuntimeError(f"{origin}: no KSK in {directory}")

    def trust_anchor_text(self, origin: str) -> str:
        """The KSK of a signed zone as a DNSKEY record (`owner 3600 IN DNSKEY 257 3 13 ...`)."""
        text = self._ksk_file(_absolute(origin)).read_text()
        owner, rest = [line for line in text.splitlines() if line and not line.startswith(";")][0].split(None, 1)
        return f"{owner} 3600 {rest}\n"  # dnssec-keygen writes no TTL; a record file needs one

    def ds_text(self, zone: ZoneSpec) -> str:
        """The DS the parent publishes for a signed child: of its KSK, or of a spare key it does not have."""
        key = self._ksk_file(zone.origin, spare=zone.dnssec == "ds-mismatch")
        return signed_zones.run([signed_zones.tool("dnssec-dsfromkey"), "-2", str(key)], key.parent).strip()

    def _sign(self, zone: ZoneSpec, source: Path) -> None:
        keys = self._key_directory(zone.origin)
        window = []
        if zone.dnssec == "expired":  # signed a month ago, expired a day ago
            stamp = lambda t: time.strftime("%Y%m%d%H%M%S", time.gmtime(t))  # noqa: E731
            now = time.time()
            window = ["-P", "-s", stamp(now - 30 * 86400), "-e", stamp(now - 86400)]
        signed_zones.run([signed_zones.tool("dnssec-signzone"), "-S", "-K", str(keys), *window, "-o", zone.origin,
                          "-f", str(self.zone_file(zone.origin)), str(source)], keys)

    def hints_text(self) -> str:
        root = self.spec.zone(".")
        lines = []
        for ns in root.servers:
            lines.append(f". 3600000 NS {ns}")
            lines.append(f"{ns} 3600000 A {self.spec.name_server(ns).address}")
        return "\n".join(lines) + "\n"

    # -- servers

    def _processes(self, autostart_only: bool) -> dict[str, tuple[NameServer, list[ZoneSpec]]]:
        """Address -> (name server, zones it serves)."""
        processes: dict[str, tuple[NameServer, list[ZoneSpec]]] = {}
        for zone in self.spec.zones:
            if autostart_only and not zone.autostart:
                continue
            for name in zone.servers:
                server = self.spec.name_server(name)
                if server.kind == "scripted":
                    continue
                processes.setdefault(server.address, (server, []))[1].append(zone)
        return processes

    def start(self) -> "Hierarchy":
        for zone in self.spec.zones:
            self.write_zone(zone)
        self.hints_file.write_text(self.hints_text())
        processes = self._processes(autostart_only=True)
        # Started side by side: each waits for its own SOA answer.
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(processes)) as pool:
            futures = [pool.submit(self._start_process, server, zones) for server, zones in processes.values()]
            errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            self.stop()
            raise errors[0]
        return self

    def _start_process(self, server: NameServer, zones: list[ZoneSpec]) -> servers.AuthServer:
        directory = self.workdir / f"{server.kind}-{server.address}"
        auth = servers.AuthServer(
            server.kind,
            directory,
            [self.served_zone(zone) for zone in zones],
            self.server_options(server),
        )
        auth.start(attempts=1)
        self._servers[server.address] = auth
        return auth

    def served_zone(self, zone: ZoneSpec) -> servers.Zone:
        """How a name server is told to serve `zone` (a subclass may have Knot sign it)."""
        return servers.Zone(zone.origin, self.zone_file(zone.origin))

    def server_options(self, server: NameServer) -> servers.ServerOptions:
        return servers.ServerOptions(address=server.address, port=PORT, ipv6=False)

    def start_zone(self, origin: str) -> list[servers.AuthServer]:
        """Starts the name servers of a zone the fixture left to the test (autostart=False)."""
        zone = self.spec.zone(origin)
        self.write_zone(zone)
        started = []
        for name in zone.servers:
            server = self.spec.name_server(name)
            if server.address in self._servers:
                started.append(self._servers[server.address])
                continue
            started.append(self._start_process(server, [zone]))
        return started

    def stop_zone(self, origin: str) -> None:
        """Stops every name server of `origin` (the article's type 2: the authorities are down)."""
        for name in self.spec.zone(origin).servers:
            address = self.spec.name_server(name).address
            auth = self._servers.pop(address, None)
            if auth is not None:
                auth.stop()

    def server(self, name: str) -> servers.AuthServer:
        """The running AuthServer behind a name server's host name."""
        return self._servers[self.spec.name_server(name).address]

    def stop(self) -> None:
        for address in list(self._servers):
            self._servers.pop(address).stop()

    def __enter__(self) -> "Hierarchy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _closest_zone(name: str, origins: Sequence[str]) -> str | None:
    """The zone `name` belongs to: the longest origin it is at or below."""
    best = None
    for origin in origins:
        if _is_below(name, origin) and (best is None or len(origin) > len(best)):
            best = origin
    return best


def iterate(hierarchy: Hierarchy, qname: str, rdtype: str, max_steps: int = 12) -> list[tuple[str, dns.message.Message]]:
    """Walks the hierarchy by hand from the hints, as a resolver would, following referrals (using glue, or
    resolving a glueless name server's address first). Returns each (server address, response) asked."""
    root = hierarchy.spec.zone(".")
    addresses = [hierarchy.spec.name_server(ns).address for ns in root.servers]
    steps: list[tuple[str, dns.message.Message]] = []
    for _ in range(max_steps):
        request = dns.message.make_query(qname, rdtype)
        request.flags &= ~dns.flags.RD
        response = None
        for address in addresses:
            response = dns.query.udp(request, address, port=PORT, timeout=2)
            steps.append((address, response))
            if response.rcode() != dns.rcode.REFUSED:
                break  # a lame server refuses: try the next one
        assert response is not None
        if response.answer or response.flags & dns.flags.AA:
            return steps
        ns_rrsets = [rrset for rrset in response.authority if rrset.rdtype == dns.rdatatype.NS]
        if not ns_rrsets:
            return steps
        glue = {
            rrset.name.to_text(): [rdata.address for rdata in rrset]
            for rrset in response.additional
            if rrset.rdtype == dns.rdatatype.A
        }
        addresses = []
        for rdata in ns_rrsets[0]:
            target = rdata.target.to_text()
            if target in glue:
                addresses += glue[target]
            else:  # glueless: look the name server's address up from the root first
                sub = iterate(hierarchy, target, "A", max_steps)
                steps += sub
                addresses += [r.address for rrset in sub[-1][1].answer for r in rrset if rrset.rdtype == dns.rdatatype.A]
    return steps
