"""cairnd validating over a signed loopback hierarchy (127.54.0.0/16), the article's type 4: the root, test.
and the leaf zones signed with BIND's dnssec-keygen and dnssec-signzone (ECDSA P-256, a KSK and a ZSK per
zone), served by NSD, Knot and cairnd, and the test's own root KSK as cairnd's only trust anchor
(`trust-anchors { . static-key ...; }`).

- secure.test (NSEC) and nsec3.test (NSEC3) validate: AD, with RRSIGs for DO;
- insecure.test has no DS: answers without AD, never SERVFAIL;
- expired.test was signed with a validity that ended in 2020: SERVFAIL with EDE 7 naming the RRset, the key
  tag and the time; CD returns the data; `rndc nta` makes it answer;
- rolled.test's DS names a key the zone does not publish (a key change gone wrong): EDE 9;
- future.test is signed from 2040 on: EDE 8; stripped.test's www lost its RRSIGs: EDE 10; brokennsec.test
  lost an NSEC: EDE 12 for the name it covered; iter200.test (ldns-signzone) uses NSEC3 with 200
  iterations: its denials are insecure with EDE 27 (RFC 9276); dsa.test is signed with DSA (algorithm 3,
  which no validator checks now): insecure with EDE 1; keytrap.test (CVE-2023-50387): 41 keys of one tag
  and 40 RRSIGs verifying with none, answered SERVFAIL with EDE 5 after a bounded number of verifications;
- brokennsec3.test (NSEC3) lost the NSEC3 covering one name's hash: that NXDOMAIN is bogus with EDE 12;
- knot-nsec.test (Ed25519, NSEC) and knot-nsec3.test (ECDSA P-256, NSEC3) are signed by Knot itself
  (`dnssec-signing: on`, on 127.54.2.4): answers, NXDOMAIN, NODATA and wildcard answers validate with AD;
- negative trust anchors are kept in _default.nta (BIND's file): they survive a restart, and one that
  expired while cairnd was down is gone;
- BIND's named and Unbound, validating from the same anchor, reach the same rcode and AD bit and give the
  same answer RRsets on every question.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.dnssec
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

import hierarchy as hierarchy_module
import resolvers
import servers
from waiting import wait_for
from conftest import require_server
from hierarchy import HierarchySpec, NameServer, ZoneSpec


@dataclasses.dataclass
class Signing:
    nsec3: bool = False
    validity: tuple[str, str] | None = None  # (inception, expiration) for dnssec-signzone -s / -e
    wrong_ds: bool = False  # the parent gets the DS of a key the zone does not publish
    # "ldns": ldns-keygen and ldns-signzone, for what BIND's tools no longer make (DSA keys, NSEC3 with more
    # than 150 iterations).
    signer: str = "bind"
    algorithm: str = "ECDSAP256SHA256"
    iterations: int | None = None  # NSEC3 with this many iterations (ldns)
    strip_rrsigs_of: str | None = None  # the RRSIGs over this owner's A RRset removed after signing
    drop_nsec_of: str | None = None  # this owner's NSEC (and its RRSIG) removed after signing: a broken chain
    # NSEC3: the NSEC3 covering the hash of the first of these names that it alone proves (neither the apex's
    # nor the one covering the wildcard) is removed with its RRSIG after signing: a broken NXDOMAIN proof.
    drop_nsec3_covering: tuple[str, ...] = ()
    keytrap: bool = False  # 40 more DNSKEYs share the ZSK's tag; www's A has 40 RRSIGs that verify with none


SIGNING = {
    ".": Signing(),
    "test.": Signing(),
    "secure.test.": Signing(),
    "nsec3.test.": Signing(nsec3=True),
    "expired.test.": Signing(validity=("20200101000000", "20200201000000")),
    "rolled.test.": Signing(wrong_ds=True),
    "future.test.": Signing(validity=("20400101000000", "20400201000000")),
    "stripped.test.": Signing(strip_rrsigs_of="www"),
    "brokennsec.test.": Signing(drop_nsec_of="mail"),  # "nothing" sorts between mail and txt
    "brokennsec3.test.": Signing(nsec3=True, drop_nsec3_covering=tuple(f"nothing{i}" for i in range(20))),
    "iter200.test.": Signing(signer="ldns", iterations=200),
    "dsa.test.": Signing(signer="ldns", algorithm="DSA"),
    "keytrap.test.": Signing(signer="ldns", algorithm="ED25519", keytrap=True),
}
KEYTRAP_FAKES = 40

# Leaf zones signed by Knot itself (`dnssec-signing: on`), each with its own policy: keys made by knotd when
# it loads the zone, the DS taken from the DNSKEY RRset it then serves.
KNOT_SIGNED = {"knot-nsec.test.": "nsec_ed25519", "knot-nsec3.test.": "nsec3_ecdsa"}
KNOT_POLICIES = """policy:
  - id: nsec_ed25519
    algorithm: ed25519
    nsec3: off
  - id: nsec3_ecdsa
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
"""


def signed_spec() -> HierarchySpec:
    name_servers = [
        NameServer("a.root-servers.", "127.54.0.1", "nsd"),
        NameServer("ns1.test.", "127.54.1.1", "nsd"),
        NameServer("ns1.secure.test.", "127.54.2.1", "knotd"),
        NameServer("ns1.bad.test.", "127.54.2.2", "nsd"),
        NameServer("ns1.insecure.test.", "127.54.2.3", "cairnd"),
        NameServer("ns1.knot.test.", "127.54.2.4", "knotd"),
    ]
    leaf = ["www A 192.0.2.1", "txt TXT \"signed\"", "mail MX 10 www"]
    zones = [
        ZoneSpec(".", ["a.root-servers."], ttl=86400),
        ZoneSpec("test.", ["ns1.test."], ttl=86400),
        ZoneSpec("secure.test.", ["ns1.secure.test."], leaf),
        ZoneSpec("nsec3.test.", ["ns1.secure.test."], leaf),
        ZoneSpec("bad.test.", ["ns1.bad.test."], []),
        ZoneSpec("expired.test.", ["ns1.bad.test."], leaf),
        ZoneSpec("rolled.test.", ["ns1.bad.test."], leaf),
        ZoneSpec("insecure.test.", ["ns1.insecure.test."], leaf),
        *[ZoneSpec(origin, ["ns1.bad.test."], leaf)
          for origin in ("future.test.", "stripped.test.", "brokennsec.test.", "brokennsec3.test.", "iter200.test.",
                         "dsa.test.", "keytrap.test.")],
        # Started by SignedHierarchy.start() before test. is signed (its DS comes from what Knot serves).
        *[ZoneSpec(origin, ["ns1.knot.test."], leaf + ["*.wild A 192.0.2.44"], autostart=False)
          for origin in KNOT_SIGNED],
    ]
    return HierarchySpec(name_servers, zones)


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class SignedHierarchy(hierarchy_module.Hierarchy):
    """The hierarchy with the zones of SIGNING signed, children before parents (each parent carries its
    signed children's DS records)."""

    def __init__(self, spec: HierarchySpec, workdir: Path):
        super().__init__(spec, workdir)
        self.keys = self.workdir / "keys"
        self.root_ksk = ""  # "257 3 13 KEY", the trust anchor
        self.key_tags: dict[str, int] = {}  # zone -> its KSK's tag
        self.ds: dict[str, str] = {}  # zone -> the DS lines its parent gets
        self.broken_nsec3_name = ""  # the name whose NXDOMAIN proof lost its NSEC3 (drop_nsec3_covering)
        self.intact_nsec3_name = ""  # a name of that zone whose proof is whole

    def zone_file(self, origin: str) -> Path:
        path = super().zone_file(origin)
        return path.with_suffix(".signed") if hierarchy_module._absolute(origin) in SIGNING else path

    def write_zone(self, zone: ZoneSpec) -> Path:
        if zone.origin in SIGNING:
            return self.zone_file(zone.origin)  # signed by start()
        return super().write_zone(zone)

    def served_zone(self, zone: ZoneSpec) -> servers.Zone:
        served = super().served_zone(zone)
        return dataclasses.replace(served, dnssec_policy=KNOT_SIGNED.get(zone.origin, ""))

    def server_options(self, server: NameServer) -> servers.ServerOptions:
        options = super().server_options(server)
        return dataclasses.replace(options, statements=KNOT_POLICIES) if server.kind == "knotd" else options

    def _start_knot_signed(self) -> None:
        """Starts the name server of the Knot-signed zones and takes each zone's DS from the KSK it serves."""
        zones = [self.spec.zone(origin) for origin in KNOT_SIGNED]
        for zone in zones:
            super().write_zone(zone)
        server = self.spec.name_server(zones[0].servers[0])
        self._start_process(server, zones)
        for zone in zones:
            request = dns.message.make_query(zone.origin, "DNSKEY", want_dnssec=True)
            response = dns.query.udp(request, server.address, port=hierarchy_module.PORT, timeout=5)
            keys = [rrset for rrset in response.answer if rrset.rdtype == dns.rdatatype.DNSKEY]
            assert keys, f"Knot serves no DNSKEY for {zone.origin}: {response}"
            ksks = [key for key in keys[0] if key.flags & 1]
            self.key_tags[zone.origin] = dns.dnssec.key_id(ksks[0])
            self.ds[zone.origin] = "".join(
                f"{zone.origin} {zone.ttl} IN DS {dns.dnssec.make_ds(zone.origin, key, 'SHA256').to_text()}\n"
                for key in ksks)

    def _keygen(self, origin: str, directory: Path, ksk: bool) -> str:
        args = ["dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", *(["-f", "KSK"] if ksk else []), origin]
        return run(args, directory).strip()

    def start(self) -> "SignedHierarchy":
        self.keys.mkdir(parents=True, exist_ok=True)
        (self.workdir / "zones").mkdir(exist_ok=True)
        origins = [zone.origin for zone in self.spec.zones]
        self._start_knot_signed()
        for zone in sorted(self.spec.zones, key=lambda z: -z.origin.count(".") if z.origin != "." else 1):
            if zone.origin not in SIGNING:
                continue
            signing = SIGNING[zone.origin]
            directory = self.keys / ("root" if zone.origin == "." else zone.origin.rstrip("."))
            directory.mkdir(exist_ok=True)
            text = self.zone_text(zone)
            for child, ds in self.ds.items():
                if hierarchy_module._parent_zone(child, origins) == zone.origin:
                    text += ds
            unsigned = super().zone_file(zone.origin)
            if signing.signer == "ldns":
                unsigned.write_text(text)
                self._sign_with_ldns(zone.origin, signing, directory, unsigned)
                continue
            ksk = self._keygen(zone.origin, directory, ksk=True)
            self._keygen(zone.origin, directory, ksk=False)
            record = [line for line in (directory / f"{ksk}.key").read_text().splitlines() if not line.startswith(";")]
            self.key_tags[zone.origin] = int(ksk.rsplit("+", 1)[1])
            if zone.origin == ".":
                self.root_ksk = " ".join(record[0].split()[3:])
            unsigned.write_text(text)
            command = ["dnssec-signzone", "-S", "-P", "-K", str(directory), "-o", zone.origin,
                       "-f", str(self.zone_file(zone.origin))]
            if signing.nsec3:
                command += ["-3", "abcd", "-H", "0"]
            if signing.validity:
                command += ["-s", signing.validity[0], "-e", signing.validity[1]]
            run(command + [str(unsigned)], directory)
            ds_source = directory / f"{ksk}.key"
            if signing.wrong_ds:
                # A new KSK made but never published: the parent's DS names it (a rollover done backwards).
                elsewhere = directory / "unpublished"
                elsewhere.mkdir(exist_ok=True)
                ds_source = elsewhere / f"{self._keygen(zone.origin, elsewhere, ksk=True)}.key"
                self.key_tags[zone.origin] = int(ds_source.stem.rsplit("+", 1)[1])
            self.ds[zone.origin] = run(["dnssec-dsfromkey", "-2", str(ds_source)], directory)
            self._break(zone.origin, signing)
        return super().start()

    def _sign_with_ldns(self, origin: str, signing: Signing, directory: Path, unsigned: Path) -> None:
        ksk = run(["ldns-keygen", "-a", signing.algorithm, "-k", origin], directory).strip()
        zsk = run(["ldns-keygen", "-a", signing.algorithm, origin], directory).strip()
        self.key_tags[origin] = int(ksk.rsplit("+", 1)[1])
        if signing.keytrap:
            unsigned.write_text(unsigned.read_text() + "".join(
                f"@ DNSKEY {fake}\n" for fake in colliding_keys(key_record(directory / f"{zsk}.key"), KEYTRAP_FAKES)))
        nsec3 = ["-n", "-t", str(signing.iterations), "-s", "abcd"] if signing.iterations is not None else []
        run(["ldns-signzone", *nsec3, "-o", origin, "-f", str(self.zone_file(origin)), str(unsigned), zsk, ksk],
            directory)
        self.ds[origin] = run(["ldns-key2ds", "-n", "-2", f"{ksk}.key"], directory)
        self._break(origin, signing)

    def _break(self, origin: str, signing: Signing) -> None:
        """What the Signing says to break, done to the signed file."""
        if not (signing.strip_rrsigs_of or signing.drop_nsec_of or signing.keytrap or signing.drop_nsec3_covering):
            return
        path = self.zone_file(origin)
        zone = dns.zone.from_file(str(path), origin, relativize=False, check_origin=False)
        if signing.strip_rrsigs_of:
            zone.find_node(f"{signing.strip_rrsigs_of}.{origin}").delete_rdataset(
                dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.A)
        if signing.drop_nsec_of:
            node = zone.find_node(f"{signing.drop_nsec_of}.{origin}")
            node.delete_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC)
            node.delete_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.NSEC)
        if signing.drop_nsec3_covering:
            self._drop_covering_nsec3(zone, origin, signing.drop_nsec3_covering)
        if signing.keytrap:
            # www's real signature replaced by KEYTRAP_FAKES of its tag that verify with no key.
            node = zone.find_node(f"www.{origin}")
            real = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.A)
            model = next(iter(real))
            node.delete_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.A)
            fakes = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.A, create=True)
            for i in range(KEYTRAP_FAKES):
                signature = bytearray(model.signature)
                signature[-1 - i] ^= 0x5A + i
                fakes.add(model.replace(signature=bytes(signature)), real.ttl)
        zone.to_file(str(path), relativize=False)


    def _drop_covering_nsec3(self, zone: dns.zone.Zone, origin: str, candidates: tuple[str, ...]) -> None:
        """Removes the NSEC3 (and its RRSIG) that alone proves one candidate name does not exist: not the
        apex's own NSEC3 (the closest encloser) nor the one covering the wildcard, which the proof also
        needs. Remembers that name, and another whose proof is left whole."""
        chain = sorted((name.labels[0].decode().upper(), name) for name, node in zone.nodes.items()
                       if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3) is not None)
        params = next(iter(zone.find_rdataset(origin, dns.rdatatype.NSEC3PARAM)))

        def hashed(name: str) -> str:
            return dns.dnssec.nsec3_hash(name, params.salt, params.iterations, params.algorithm)

        def covering(name: str) -> dns.name.Name:
            digest = hashed(name)
            below = [owner for label, owner in chain if label < digest]
            return below[-1] if below else chain[-1][1]  # before the first: the last one wraps round

        needed = {covering(f"*.{origin}"), next(owner for label, owner in chain if label == hashed(origin))}
        for candidate in candidates:
            owner = covering(f"{candidate}.{origin}")
            if owner in needed:
                continue
            zone.delete_node(owner)
            self.broken_nsec3_name = f"{candidate}.{origin}"
            self.intact_nsec3_name = next(f"{other}.{origin}" for other in candidates
                                          if covering(f"{other}.{origin}") != owner)
            return
        raise RuntimeError(f"{origin}: no candidate name has an NSEC3 of its own to remove")


def key_record(path: Path) -> str:
    """ "FLAGS PROTOCOL ALGORITHM KEY" of a key file's DNSKEY."""
    line = [line for line in path.read_text().splitlines() if line and not line.startswith(";")][0]
    fields = line.split(";")[0].split()
    return " ".join(fields[fields.index("DNSKEY") + 1:])


def colliding_keys(record: str, count: int) -> list[str]:
    """`count` other public keys with the key tag of `record` (CVE-2023-50387's colliding keys): two octets
    at even offsets moved in opposite directions leave the tag's sum (RFC 4034 Appendix B) as it was."""
    real = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, record)
    tag = dns.dnssec.key_id(real)
    key = bytes(real.key)
    out: list[str] = []
    for delta in range(1, 256):
        for pair in range(len(key) // 4):
            i, j = 2 * pair, 2 * pair + len(key) // 2 - len(key) // 2 % 2
            fake = bytearray(key)
            if fake[i] + delta > 255 or fake[j] - delta < 0:
                continue
            fake[i] += delta
            fake[j] -= delta
            candidate = real.replace(key=bytes(fake))
            if dns.dnssec.key_id(candidate) == tag:
                out.append(candidate.to_text())
            if len(out) == count:
                return out
    return out


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    for kind in ("nsd", "knotd", "cairnd"):
        require_server(kind)
    started = SignedHierarchy(signed_spec(), tmp_path_factory.mktemp("signed-hierarchy"))
    try:
        started.start()
    except servers.ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    yield started
    started.stop()


def anchor_statement(tree: SignedHierarchy) -> str:
    flags, protocol, algorithm, key = tree.root_ksk.split(" ", 3)
    return f'trust-anchors {{ . static-key {flags} {protocol} {algorithm} "{key}"; }};\n'


@pytest.fixture(scope="module")
def resolver(tree, tmp_path_factory):
    started = resolvers.cairnd_resolver(
        tmp_path_factory.mktemp("validating"),
        tree,
        validation="dnssec-validation yes;",
        extra=anchor_statement(tree),
    ).start()
    yield started
    started.stop()


def ask(port: int, name: str, rdtype: str = "A", do: bool = True, cd: bool = False) -> dns.message.Message:
    request = resolvers.make_query(name, rdtype, do=do)
    if cd:
        request.flags |= dns.flags.CD
    return dns.query.udp(request, "127.0.0.1", port=port, timeout=20)


def rrsets(response: dns.message.Message, rdtype: str) -> list:
    wanted = dns.rdatatype.from_text(rdtype)
    return [rrset for rrset in response.answer if rrset.rdtype == wanted]


def test_secure_answers_carry_ad(resolver):
    for name in ("www.secure.test.", "www.nsec3.test."):
        response = ask(resolver.port, name)
        assert response.rcode() == dns.rcode.NOERROR, (name, resolvers.ede(response))
        assert response.flags & dns.flags.AD, name
        assert rrsets(response, "A") and rrsets(response, "RRSIG"), name  # DO: the signatures come along
    # Proven denials validate too.
    nxdomain = ask(resolver.port, "nothing.secure.test.")
    assert nxdomain.rcode() == dns.rcode.NXDOMAIN
    assert nxdomain.flags & dns.flags.AD
    nodata = ask(resolver.port, "www.nsec3.test.", "TXT")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.flags & dns.flags.AD
    # Without DO or AD asked, no AD (RFC 6840 5.7) and no RRSIGs.
    plain = ask(resolver.port, "www.secure.test.", do=False)
    assert not plain.flags & dns.flags.AD
    assert not rrsets(plain, "RRSIG")


def test_insecure_delegation_answers_without_ad(resolver):
    response = ask(resolver.port, "www.insecure.test.")
    assert response.rcode() == dns.rcode.NOERROR
    assert not response.flags & dns.flags.AD
    assert [r.address for rrset in rrsets(response, "A") for r in rrset] == ["192.0.2.1"]


def test_expired_signature_is_servfail_with_ede_7_naming_rrset_key_and_time(resolver, tree):
    response = ask(resolver.port, "www.expired.test.")
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 7, text
    # "RRSIG expired.test/DNSKEY by key 12345 expired 2020-02-01T00:00:00Z" (the keys' RRset fails first).
    assert re.search(r"RRSIG (www\.)?expired\.test/(DNSKEY|A) by key \d+ expired 2020-02-01T00:00:00Z", text), text
    tags = re.findall(r"by key (\d+)", text)
    assert int(tags[0]) in {tree.key_tags["expired.test."]} | zsk_tags(tree, "expired.test."), text
    # The failure is cached (briefly) with its cause, which `cairn ctl cache` shows.
    cached = resolver.ctl("cache", "www.expired.test", "A")
    assert cached.returncode == 0, cached.stderr
    assert "expired 2020-02-01T00:00:00Z" in cached.stdout, cached.stdout
    # CD: the data, unvalidated, without AD.
    checking_disabled = ask(resolver.port, "www.expired.test.", cd=True)
    assert checking_disabled.rcode() == dns.rcode.NOERROR
    assert rrsets(checking_disabled, "A")
    assert not checking_disabled.flags & dns.flags.AD


def zsk_tags(tree: SignedHierarchy, origin: str) -> set[int]:
    directory = tree.keys / origin.rstrip(".")
    return {int(path.stem.rsplit("+", 1)[1]) for path in directory.glob("K*.key")}


def test_ds_matching_no_dnskey_is_ede_9(resolver, tree):
    response = ask(resolver.port, "www.rolled.test.")
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 9, text
    assert f"DS {tree.key_tags['rolled.test.']}/13/2 for rolled.test matches no DNSKEY" in text, text


def test_negative_trust_anchor_makes_the_bogus_zone_answer(resolver):
    assert ask(resolver.port, "www.expired.test.").rcode() == dns.rcode.SERVFAIL
    added = resolver.rndc("nta", "-lifetime", "1h", "expired.test")
    assert added.returncode == 0, added.stderr
    assert "Negative trust anchor added: expired.test/_default" in added.stdout
    answered = ask(resolver.port, "www.expired.test.")
    assert answered.rcode() == dns.rcode.NOERROR
    assert not answered.flags & dns.flags.AD
    dump = resolver.rndc("nta", "-dump")
    assert "expired.test/_default: expiry" in dump.stdout, dump.stdout
    roots = resolver.rndc("secroots", "-")
    assert "./ECDSAP256SHA256/" in roots.stdout and "expired.test" in roots.stdout, roots.stdout
    removed = resolver.rndc("nta", "-remove", "expired.test")
    assert removed.returncode == 0, removed.stderr
    assert ask(resolver.port, "www.expired.test.").rcode() == dns.rcode.SERVFAIL


def test_signature_not_yet_valid_is_ede_8(resolver):
    response = ask(resolver.port, "www.future.test.")
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 8, text
    assert re.search(r"RRSIG (www\.)?future\.test/(DNSKEY|A) by key \d+ not valid before 2040-01-01T00:00:00Z",
                     text), text


def test_stripped_signatures_are_ede_10(resolver):
    response = ask(resolver.port, "www.stripped.test.")
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 10, text
    assert text == "no RRSIG for www.stripped.test/A in secure zone stripped.test", text
    # The rest of the zone still validates.
    assert ask(resolver.port, "mail.stripped.test.", "MX").flags & dns.flags.AD


def test_broken_nsec_chain_is_ede_12(resolver):
    response = ask(resolver.port, "nothing.brokennsec.test.")
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 12, text
    assert "NXDOMAIN for nothing.brokennsec.test" in text, text
    # A name the chain still covers is proven.
    covered = ask(resolver.port, "zzz.brokennsec.test.")
    assert covered.rcode() == dns.rcode.NXDOMAIN and covered.flags & dns.flags.AD


def test_broken_nsec3_proof_is_ede_12(resolver, tree):
    """brokennsec3.test (NSEC3) lost the NSEC3 that covers one name's hash: that name's NXDOMAIN is bogus,
    named as a missing proof; a name the chain still covers is proven."""
    response = ask(resolver.port, tree.broken_nsec3_name)
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 12, text
    assert f"NXDOMAIN for {tree.broken_nsec3_name.rstrip('.')}" in text, text
    covered = ask(resolver.port, tree.intact_nsec3_name)
    assert covered.rcode() == dns.rcode.NXDOMAIN and covered.flags & dns.flags.AD, resolvers.ede(covered)
    assert ask(resolver.port, "www.brokennsec3.test.").flags & dns.flags.AD


KNOT_QUESTIONS = [  # (name, type, rcode, answer type or None), for each Knot-signed zone
    ("www", "A", dns.rcode.NOERROR, "A"),
    ("mail", "MX", dns.rcode.NOERROR, "MX"),
    ("nothing", "A", dns.rcode.NXDOMAIN, None),
    ("www", "TXT", dns.rcode.NOERROR, None),  # NODATA
    ("host.wild", "A", dns.rcode.NOERROR, "A"),  # a wildcard answer: the NSEC/NSEC3 proves no closer name
    ("nothing.wild", "TXT", dns.rcode.NOERROR, None),  # wildcard NODATA
]


@pytest.mark.parametrize("origin", list(KNOT_SIGNED))
def test_zones_signed_by_knot_validate(resolver, origin):
    """Knot's own signing (Ed25519 with NSEC; ECDSA P-256 with NSEC3): answers, denials and wildcard
    expansions all validate, AD set."""
    for label, rdtype, rcode, answer_type in KNOT_QUESTIONS:
        name = f"{label}.{origin}"
        response = ask(resolver.port, name, rdtype)
        assert response.rcode() == rcode, (name, rdtype, resolvers.ede(response))
        assert response.flags & dns.flags.AD, (name, rdtype, resolvers.ede(response))
        if answer_type is None:
            assert not rrsets(response, rdtype), (name, rdtype, response)
        else:
            assert rrsets(response, answer_type) and rrsets(response, "RRSIG"), (name, rdtype, response)
    wildcard = ask(resolver.port, f"host.wild.{origin}")
    assert [r.address for rrset in rrsets(wildcard, "A") for r in rrset] == ["192.0.2.44"]
    # The RRSIG's label count says the answer came from *.wild (RFC 4035 5.3.4).
    assert next(iter(rrsets(wildcard, "RRSIG")[0])).labels == len(dns.name.from_text(f"wild.{origin}")) - 1


def test_nsec3_with_200_iterations_is_insecure_with_ede_27(resolver):
    response = ask(resolver.port, "nothing.iter200.test.")
    assert response.rcode() == dns.rcode.NXDOMAIN, resolvers.ede(response)
    assert not response.flags & dns.flags.AD
    code, text = resolvers.ede(response)
    assert code == 27, text
    assert "200 iterations" in text, text
    # Its signed data validates: only the proofs are beyond the limit (RFC 9276 3.2).
    assert ask(resolver.port, "www.iter200.test.").flags & dns.flags.AD


def test_unsupported_algorithm_is_insecure_with_ede_1(resolver):
    response = ask(resolver.port, "www.dsa.test.")
    assert response.rcode() == dns.rcode.NOERROR, resolvers.ede(response)
    assert not response.flags & dns.flags.AD
    assert [r.address for rrset in rrsets(response, "A") for r in rrset] == ["192.0.2.1"]
    code, text = resolvers.ede(response)
    assert code == 1, text
    assert "dsa.test" in text, text


def verifications(resolver) -> int:
    match = re.search(r'cairn_resolver_dnssec_verifications_total\{view="_default"\} (\d+)', resolver.metrics())
    return int(match.group(1)) if match else 0


def test_keytrap_zone_is_answered_within_the_work_budget(resolver):
    """41 keys share a tag and www's A carries 40 RRSIGs of that tag verifying with none: 1,640 pairs on
    offer; cairnd gives up after its per-answer limit and says so."""
    before = verifications(resolver)
    started = time.monotonic()
    response = ask(resolver.port, "www.keytrap.test.")
    elapsed = time.monotonic() - started
    assert response.rcode() == dns.rcode.SERVFAIL
    code, text = resolvers.ede(response)
    assert code == 5, text
    assert text == ("gave up on www.keytrap.test/A: more than 16 signature verifications for one answer "
                    "(KeyTrap limit)"), text
    # The whole client query (the chain from the root included) paid at most its budget of 64.
    assert verifications(resolver) - before <= 64
    assert elapsed < 15  # bounded; generous on a loaded machine (a validator trying every pair takes far longer)


def nta_file_lines(resolver) -> list[str]:
    path = resolver.workdir / "_default.nta"
    return path.read_text().splitlines() if path.exists() else []


def test_negative_trust_anchors_survive_a_restart_and_expire_on_time(resolver):
    """BIND's _default.nta: written when an NTA is added, read back at start; one that expired while the
    server was down is gone, one still in force answers at once."""
    added = resolver.rndc("nta", "-lifetime", "1h", "expired.test")
    assert added.returncode == 0, added.stderr
    short = resolver.rndc("nta", "-lifetime", "4", "rolled.test")
    assert short.returncode == 0, short.stderr
    added_at = time.monotonic()
    lines = nta_file_lines(resolver)
    # "expired.test. regular 20261207173500", as BIND writes it.
    assert any(re.fullmatch(r"expired\.test\. regular \d{14}", line) for line in lines), lines
    assert any(re.fullmatch(r"rolled\.test\. regular \d{14}", line) for line in lines), lines
    try:
        resolver.restart(pause=5.5 - (time.monotonic() - added_at))  # rolled.test's NTA ends while it is down
        answered = ask(resolver.port, "www.expired.test.")
        assert answered.rcode() == dns.rcode.NOERROR, resolvers.ede(answered)
        assert not answered.flags & dns.flags.AD
        dump = resolver.rndc("nta", "-dump").stdout
        assert "expired.test/_default: expiry" in dump and "rolled.test" not in dump, dump
        bogus = ask(resolver.port, "www.rolled.test.")
        assert bogus.rcode() == dns.rcode.SERVFAIL and resolvers.ede(bogus)[0] == 9, resolvers.ede(bogus)
        assert wait_for(lambda: not any("rolled.test" in line for line in nta_file_lines(resolver)), timeout=10)
        assert "restored from _default.nta" in resolver.log_text()
    finally:
        resolver.rndc("nta", "-remove", "expired.test")
    # The last one removed, the file goes (as BIND's).
    assert wait_for(lambda: not (resolver.workdir / "_default.nta").exists(), timeout=10)
    assert ask(resolver.port, "www.expired.test.").rcode() == dns.rcode.SERVFAIL


def test_metrics_count_answers_by_state_and_bogus_by_ede(resolver):
    ask(resolver.port, "www.secure.test.")
    ask(resolver.port, "www.rolled.test.")
    metrics = resolver.metrics()
    assert re.search(r'cairn_resolver_validation_answers_total\{view="_default",state="secure"\} [1-9]', metrics)
    assert re.search(r'cairn_resolver_validation_bogus_total\{view="_default",ede="9",[^}]*\} [1-9]', metrics)
    assert re.search(r'cairn_resolver_dnssec_verifications_total\{view="_default"\} [1-9]', metrics)


def test_validation_can_be_turned_off_and_on(resolver):
    assert "enabled" in resolver.rndc("validation", "status").stdout
    assert resolver.rndc("validation", "off").returncode == 0
    try:
        response = ask(resolver.port, "www.rolled.test.")
        assert response.rcode() == dns.rcode.NOERROR
        assert not response.flags & dns.flags.AD
    finally:
        assert resolver.rndc("validation", "on").returncode == 0
    assert ask(resolver.port, "www.rolled.test.").rcode() == dns.rcode.SERVFAIL


QUESTIONS = [
    ("www.secure.test.", "A"),
    ("mail.secure.test.", "MX"),
    ("nothing.secure.test.", "A"),
    ("www.secure.test.", "TXT"),
    ("www.nsec3.test.", "A"),
    ("nothing.nsec3.test.", "A"),
    ("www.insecure.test.", "A"),
    ("nothing.insecure.test.", "A"),
    ("www.expired.test.", "A"),
    ("www.rolled.test.", "A"),
    ("www.future.test.", "A"),
    ("www.stripped.test.", "A"),
    ("nothing.brokennsec.test.", "A"),
    ("nothing.iter200.test.", "A"),
    ("www.iter200.test.", "A"),
    ("www.dsa.test.", "A"),
    ("www.keytrap.test.", "A"),
]


def questions(tree: SignedHierarchy) -> list[tuple[str, str]]:
    """Every question of the differentials: QUESTIONS, the broken NSEC3 proof and the Knot-signed zones."""
    return QUESTIONS + [(tree.broken_nsec3_name, "A"), (tree.intact_nsec3_name, "A")] + [
        (f"{label}.{origin}", rdtype) for origin in KNOT_SIGNED for label, rdtype, _, _ in KNOT_QUESTIONS]


def verdict(response: dns.message.Message) -> tuple[str, bool]:
    return dns.rcode.to_text(response.rcode()), bool(response.flags & dns.flags.AD)


def answer_rrsets(response: dns.message.Message) -> list[str]:
    """The answer section as sorted "NAME TYPE RDATA..." lines, TTLs left out (each cache counts its own)."""
    lines = []
    for rrset in response.answer:
        rdatas = sorted(rdata.to_text() for rdata in rrset)
        lines.append(f"{rrset.name.to_text().lower()} {dns.rdatatype.to_text(rrset.rdtype)} {' | '.join(rdatas)}")
    return sorted(lines)


def differences(resolver, peer: resolvers.PeerResolver, tree: SignedHierarchy) -> list[str]:
    """Every question asked of cairnd and of `peer`: where the rcode and AD bit differ, or else the answer
    RRsets (RRSIGs included, TTLs not)."""
    out = []
    for name, rdtype in questions(tree):
        ours = ask(resolver.port, name, rdtype)
        theirs = ask(peer.port, name, rdtype)
        if verdict(ours) != verdict(theirs):
            out.append(f"{name} {rdtype}: cairnd {verdict(ours)} {resolvers.ede(ours)}, "
                       f"{peer.kind} {verdict(theirs)} {resolvers.ede(theirs)}")
        elif answer_rrsets(ours) != answer_rrsets(theirs):
            out.append(f"{name} {rdtype}: cairnd {answer_rrsets(ours)}, {peer.kind} {answer_rrsets(theirs)}")
    return out


def test_bind_reaches_the_same_answers(resolver, tree, tmp_path_factory):
    """BIND's named validating from the same root anchor: the same rcode, AD bit and answer RRsets."""
    require_server("named")
    named = resolvers.named_resolver(
        tmp_path_factory.mktemp("named-validating"), tree, validation="dnssec-validation yes;",
        extra=anchor_statement(tree),
    )
    try:
        found = differences(resolver, named, tree)
        assert not found, "\n".join(found)
    finally:
        named.stop()


def test_unbound_reaches_the_same_answers(resolver, tree, tmp_path_factory):
    """Unbound validating from the same root anchor over the same hierarchy: the same rcode, AD bit and
    answer RRsets as cairnd for every question; the differences are listed all at once."""
    unbound = resolvers.unbound_resolver(tmp_path_factory.mktemp("unbound-validating"), tree,
                                         trust_anchors=[f". IN DNSKEY {tree.root_ksk}"])
    try:
        found = differences(resolver, unbound, tree)
        assert not found, "\n".join(found)
    finally:
        unbound.stop()
