"""`cairn doctor` against a lab that reproduces the article's six failure types, plus a healthy name (issue 17).

The lab is a loopback hierarchy on 127.55.0.0/16 (hierarchy.py with its own spec): a root, a signed TLD
`lab.` and one zone per case, a validating Unbound at 127.55.0.53#53 as the resolver of resolv.conf (BIND
listens only on addresses its interface scan finds, so it cannot take 127.55.0.53), and per case:

- resolver-down: a resolv.conf whose first nameserver is a black hole the test holds open (it takes the
  queries and never answers), the second the working resolver;
- authoritative-down: down.lab's two name servers stopped after the resolver cached its answer;
- zone-expired: expiry.lab's second name server is a Knot secondary whose (hidden) primary is stopped until
  the zone's SOA expire (6 s) runs out;
- dnssec: sigexp.lab signed with dnssec-signzone -s/-e in the past, and dsbad.lab whose DS in lab. names a
  key it does not have (both signed with BIND's dnssec-keygen and dnssec-signzone); nsecbad.lab and
  nsec3bad.lab signed with NSEC and NSEC3, then the record covering nope.<zone> removed (a gap in the
  chain: that name's NXDOMAIN carries no valid proof);
- negative-cache: new.neg.lab asked through a cairnd resolver before the record is added;
- split-horizon: cairnd with views whose internal match-clients has 127.55.8.0/24 but not 127.55.9.0/24,
  asked --from both.

Each run gets --timeout 10 and must end within it (a generous margin for process start-up on a loaded
machine); the JSON is checked against docs/doctor.schema.json.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import jsonschema
import pytest

import hierarchy as hierarchy_module
import resolvers
import servers
from waiting import wait_for
from conftest import require_server
from hierarchy import HierarchySpec, NameServer, ZoneSpec

RESOLVER = "127.55.0.53"
BLACK_HOLE = "127.55.0.99"
TIMEOUT_S = 10
MARGIN_S = 5  # process start-up and JSON printing on a loaded machine
SCHEMA = json.loads((servers.REPO_ROOT / "docs" / "doctor.schema.json").read_text())


def doctor_spec() -> HierarchySpec:
    name_servers = [
        NameServer("a.root-servers.", "127.55.0.1", "nsd"),
        NameServer("ns1.lab.", "127.55.1.1", "knotd"),
        NameServer("ns2.lab.", "127.55.1.2", "nsd"),
        NameServer("ns1.ok.lab.", "127.55.2.1", "nsd"),
        NameServer("ns2.ok.lab.", "127.55.2.2", "knotd"),
        NameServer("ns1.down.lab.", "127.55.3.1", "nsd"),
        NameServer("ns2.down.lab.", "127.55.3.2", "knotd"),
        NameServer("ns1.expiry.lab.", "127.55.4.1", "nsd"),
        NameServer("ns2.expiry.lab.", "127.55.4.2", "scripted"),  # the test's Knot secondary
        NameServer("ns1.sigexp.lab.", "127.55.5.1", "nsd"),
        NameServer("ns1.dsbad.lab.", "127.55.5.2", "nsd"),
        NameServer("ns1.nsecbad.lab.", "127.55.5.3", "nsd"),
        NameServer("ns1.nsec3bad.lab.", "127.55.5.4", "nsd"),
        NameServer("ns1.neg.lab.", "127.55.6.1", "cairnd"),
        NameServer("ns1.views.lab.", "127.55.7.1", "scripted"),  # the test's cairnd with views
    ]
    zones = [
        ZoneSpec(".", ["a.root-servers."], ttl=86400),
        ZoneSpec("lab.", ["ns1.lab.", "ns2.lab."], ttl=86400, dnssec="signed"),
        ZoneSpec("ok.lab.", ["ns1.ok.lab.", "ns2.ok.lab."], ["www A 192.0.2.1"], dnssec="signed"),
        ZoneSpec("down.lab.", ["ns1.down.lab.", "ns2.down.lab."], ["www A 192.0.2.3"], autostart=False),
        ZoneSpec("expiry.lab.", ["ns1.expiry.lab.", "ns2.expiry.lab."], ["www A 192.0.2.4"],
                 refresh=2, retry=1, expire=6),
        ZoneSpec("sigexp.lab.", ["ns1.sigexp.lab."], ["www A 192.0.2.5"], dnssec="expired"),
        ZoneSpec("dsbad.lab.", ["ns1.dsbad.lab."], ["www A 192.0.2.6"], dnssec="ds-mismatch"),
        # Signed with NSEC / NSEC3, then the record covering nope.<zone> removed: a gap in the chain.
        ZoneSpec("nsecbad.lab.", ["ns1.nsecbad.lab."], ["www A 192.0.2.10"], dnssec="broken-nsec"),
        ZoneSpec("nsec3bad.lab.", ["ns1.nsec3bad.lab."], ["www A 192.0.2.11"], dnssec="broken-nsec3"),
        ZoneSpec("neg.lab.", ["ns1.neg.lab."], ["www A 192.0.2.7"], negative_ttl=600, autostart=False),
        ZoneSpec("views.lab.", ["ns1.views.lab."], ["www A 203.0.113.8"], autostart=False),
    ]
    return HierarchySpec(name_servers, zones, address_prefix="127.55.")


class Lab:
    def __init__(self, workdir: Path, hierarchy: hierarchy_module.Hierarchy, resolver: resolvers.PeerResolver):
        self.workdir, self.hierarchy, self.resolver = workdir, hierarchy, resolver
        self.cairn = str(servers.cairn_build_dir() / "src" / "cli" / "cairn")
        self.anchor_file = workdir / "lab.anchor"
        self.anchor_file.write_text(hierarchy.trust_anchor_text("lab."))
        self.resolv_conf = workdir / "resolv.conf"
        self.resolv_conf.write_text(f"nameserver {RESOLVER}\noptions timeout:2 attempts:2\n")

    def doctor(self, name: str, *args: str, resolv_conf: Path | None = None) -> tuple[dict, float, str]:
        """Runs `cairn doctor NAME A --json` against the lab; returns the JSON, the wall time, the text."""
        command = [self.cairn, "doctor", name, "A",
                   "--root-hints", str(self.hierarchy.hints_file), "--trust-anchor", str(self.anchor_file),
                   "--resolv-conf", str(resolv_conf or self.resolv_conf), "--timeout", str(TIMEOUT_S), *args]
        started = time.monotonic()
        result = subprocess.run(command + ["--json"], capture_output=True, text=True, timeout=TIMEOUT_S + 30)
        elapsed = time.monotonic() - started
        assert result.returncode in (0, 1), result.stderr
        report = json.loads(result.stdout)
        jsonschema.validate(report, SCHEMA)
        assert (result.returncode == 0) == (report["verdict"] == "healthy")
        text = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S + 30).stdout
        return report, elapsed, text


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    for kind in ("nsd", "knotd", "cairnd"):
        require_server(kind)
    workdir = tmp_path_factory.mktemp("doctor")
    hierarchy = hierarchy_module.Hierarchy(doctor_spec(), workdir / "hierarchy")
    try:
        hierarchy.start()
    except servers.ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    resolver = None
    try:
        resolver = resolvers.unbound_resolver(workdir / "resolver", hierarchy, address=RESOLVER, port=53,
                                              trust_anchors=[hierarchy.trust_anchor_text("lab.")])
        # Its first answer waits for the anchor's keys: wait for it once here, not in a test.
        assert wait_for(lambda: resolves(resolver, "www.ok.lab."), 30), "the lab's resolver does not answer"
        yield Lab(workdir, hierarchy, resolver)
    finally:
        if resolver is not None:
            resolver.stop()
        hierarchy.stop()


def resolves(resolver: resolvers.PeerResolver, name: str) -> bool:
    try:
        return resolver.query(name, "A", timeout=2).rcode() == dns.rcode.NOERROR
    except Exception:  # noqa: BLE001 (not yet)
        return False


def soa_rcode(address: str, zone: str) -> int | None:
    request = dns.message.make_query(zone, "SOA")
    request.flags &= ~dns.flags.RD
    try:
        return dns.query.udp(request, address, port=53, timeout=0.5).rcode()
    except Exception:  # noqa: BLE001 (not listening, or silent)
        return None


def knot_secondary(workdir: Path, address: str, zone: str, primary: str) -> servers.LoggedProcess:
    """Knot as a secondary on address#53 transferring `zone` from `primary`, keeping it in memory only."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "knot.conf"
    config.write_text(
        "server:\n"
        f'    rundir: "{workdir}"\n'
        f"    listen: {address}@53\n"
        "    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
        "log:\n  - target: stderr\n    any: info\n"
        f'database:\n    storage: "{workdir}"\n'
        f'control:\n    listen: "{workdir}/knot.sock"\n'
        f"remote:\n  - id: primary\n    address: {primary}@53\n"
        "template:\n  - id: default\n"
        f'    storage: "{workdir}"\n'
        "    zonefile-sync: -1\n    zonefile-load: none\n    journal-content: none\n"
        f"zone:\n  - domain: {zone}\n    master: primary\n"
    )
    return servers.LoggedProcess(["/usr/sbin/knotd", "-c", str(config)], workdir, "knotd.log")


def check_common(report: dict, elapsed: float, name: str) -> None:
    assert report["name"] == name and report["type"] == "A"
    assert elapsed < TIMEOUT_S + MARGIN_S, f"doctor took {elapsed:.1f} s"
    assert report["elapsed_ms"] <= TIMEOUT_S * 1000
    assert not report["out_of_time"]
    assert [s["step"] for s in report["steps"]][:4] == ["resolv.conf", "resolvers", "delegation", "authorities"]


def test_healthy_signed_zone(lab):
    report, elapsed, text = lab.doctor("www.ok.lab.")
    check_common(report, elapsed, "www.ok.lab.")
    assert report["verdict"] == "healthy", text
    assert report["failure_type"] is None and report["evidence"] == [] and report["fix"] == ""
    steps = {s["step"]: s for s in report["steps"]}
    assert any("ok.lab.: NS ns1.ok.lab. ns2.ok.lab." in line for line in steps["delegation"]["lines"])
    assert any("every name server serves serial 1" in line for line in steps["serials"]["lines"])
    assert any("chain of trust secure" in line for line in steps["dnssec"]["lines"])
    assert "verdict: healthy" in text


def test_type1_first_resolver_dead(lab):
    # A black hole: it takes the queries (UDP and TCP) and never answers, as a hung resolver does.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        udp.bind((BLACK_HOLE, 53))
        tcp.bind((BLACK_HOLE, 53))
        tcp.listen(16)
        conf = lab.workdir / "resolv.conf.dead-first"
        conf.write_text(f"nameserver {BLACK_HOLE}\nnameserver {RESOLVER}\nsearch lab\noptions timeout:2 attempts:2\n")
        report, elapsed, text = lab.doctor("www.ok.lab.", resolv_conf=conf)
    finally:
        udp.close()
        tcp.close()
    check_common(report, elapsed, "www.ok.lab.")
    assert report["verdict"] == "resolver-down", text
    assert report["failure_type"] == 1
    assert any(f"{BLACK_HOLE}#53 (nameserver #1 in resolv.conf) does not answer: UDP timeout" in e
               for e in report["evidence"]), report["evidence"]
    assert any("every lookup waits 2 s (timeout:2)" in b for b in report["blast_radius"]), report["blast_radius"]
    assert f"Promote {RESOLVER}" in report["fix"]


def test_type2_authorities_down(lab):
    lab.hierarchy.start_zone("down.lab.")
    try:
        assert lab.resolver.query("www.down.lab.", "A").rcode() == dns.rcode.NOERROR  # now cached
    finally:
        lab.hierarchy.stop_zone("down.lab.")
    report, elapsed, text = lab.doctor("www.down.lab.")
    check_common(report, elapsed, "www.down.lab.")
    assert report["verdict"] == "authoritative-down", text
    assert report["failure_type"] == 2
    assert any("none of the 2 addresses of down.lab.'s name servers answers" in e for e in report["evidence"])
    assert any(f"resolver {RESOLVER}#53 serves its cached A 192.0.2.3 for" in b for b in report["blast_radius"]), \
        report["blast_radius"]


def test_type3_secondary_zone_expired(lab):
    zone = lab.hierarchy.spec.zone("expiry.lab.")
    primary = servers.AuthServer(
        "knotd", lab.workdir / "expiry-primary",
        [servers.Zone(zone.origin, lab.hierarchy.zone_file(zone.origin))],
        servers.ServerOptions(address="127.55.4.10", port=53, ipv6=False, allow_transfer=True),
    ).start(attempts=1)
    secondary = knot_secondary(lab.workdir / "expiry-secondary", "127.55.4.2", "expiry.lab.", "127.55.4.10")
    try:
        assert wait_for(lambda: soa_rcode("127.55.4.2", "expiry.lab.") == dns.rcode.NOERROR, 30), "the secondary's transfer"
        primary.stop()  # the secondary can no longer refresh: the zone expires after 6 s
        assert wait_for(lambda: soa_rcode("127.55.4.2", "expiry.lab.") == dns.rcode.SERVFAIL, 40), "the zone to expire"
        report, elapsed, text = lab.doctor("www.expiry.lab.")
    finally:
        secondary.stop()
        primary.stop()
    check_common(report, elapsed, "www.expiry.lab.")
    assert report["verdict"] == "zone-expired", text
    assert report["failure_type"] == 3
    assert any("ns2.expiry.lab. at 127.55.4.2 answers SERVFAIL for expiry.lab. SOA" in e for e in report["evidence"])
    assert any("ns1.expiry.lab. at 127.55.4.1 still serves it (serial 1)" in e for e in report["evidence"])
    assert "rndc retransfer expiry.lab." in report["fix"]


@pytest.mark.parametrize("zone,problem", [
    ("sigexp.lab.", "signature expired"),
    ("dsbad.lab.", "the DS RRset of dsbad.lab. matches none of its DNSKEYs"),
])
def test_type4_dnssec(lab, zone, problem):
    report, elapsed, text = lab.doctor("www." + zone)
    check_common(report, elapsed, "www." + zone)
    assert report["verdict"] == "dnssec", text
    assert report["failure_type"] == 4
    assert any(problem in e for e in report["evidence"]), report["evidence"]
    # The validating resolver fails it, and answers with CD: validation is the cause, not the data.
    assert any(f"resolver {RESOLVER}#53 answers SERVFAIL, but NOERROR with CD" in e for e in report["evidence"])
    assert f"rndc sign {zone}" in report["fix"]


@pytest.mark.parametrize("zone,proof", [("nsecbad.lab.", "NSEC"), ("nsec3bad.lab.", "NSEC3")])
def test_type4_dnssec_broken_denial_proof(lab, zone, proof):
    # The zone's NSEC (NSEC3) chain has a gap where nope.<zone> falls: its NXDOMAIN carries no valid proof.
    name = f"{hierarchy_module.BROKEN_DENIAL_LABEL}.{zone}"
    report, elapsed, text = lab.doctor(name)
    check_common(report, elapsed, name)
    assert report["verdict"] == "dnssec", text
    assert report["failure_type"] == 4
    evidence = report["evidence"]
    # NSD, finding no record for the gap, sends none: the proof is missing (a record sent that does not
    # prove it is named with the records: unit tests, tests/unit/doctor/dnssec_chain_test.cpp).
    assert any(f"NXDOMAIN for {name} A" in e and ("does not hold" in e or "the denial is not proven" in e)
               for e in evidence), evidence
    if any(e.strip().startswith("the servers sent: ") for e in evidence):
        assert any(f" {proof} " in e for e in evidence if "the servers sent: " in e), evidence
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["dnssec"]["status"] == "failed"
    # The zone is otherwise sound: a name that exists is answered and validated.
    healthy, _, text = lab.doctor("www." + zone)
    assert healthy["verdict"] == "healthy", text


def test_type5_negative_cache(lab):
    cairnd = resolvers.cairnd_resolver(lab.workdir / "cairnd-resolver", lab.hierarchy, querylog=False).start()
    lab.hierarchy.start_zone("neg.lab.")
    try:
        assert cairnd.query("new.neg.lab.", "A").rcode() == dns.rcode.NXDOMAIN  # cached for 600 s
        spec = lab.hierarchy.spec.zone("neg.lab.")
        spec.records.append("new A 192.0.2.70")
        spec.serial += 1
        lab.hierarchy.stop_zone("neg.lab.")
        lab.hierarchy.start_zone("neg.lab.")
        resolver = f"127.0.0.1#{cairnd.port}"
        report, elapsed, text = lab.doctor("new.neg.lab.", "--resolver", resolver)
    finally:
        lab.hierarchy.stop_zone("neg.lab.")
        cairnd.stop()
    check_common(report, elapsed, "new.neg.lab.")
    assert report["verdict"] == "negative-cache", text
    assert report["failure_type"] == 5
    assert any(f"resolver {resolver} answers NXDOMAIN with" in e and "of negative TTL left" in e
               for e in report["evidence"]), report["evidence"]
    # The resolv.conf resolver never cached the negative answer: it is not blamed.
    assert not any(f"resolver {RESOLVER}#53 answers NXDOMAIN" in e for e in report["evidence"])
    assert any("the authorities answer now: NOERROR: A 192.0.2.70" in e for e in report["evidence"])
    assert "rndc flushname new.neg.lab." in report["fix"]


def test_type6_split_horizon(lab):
    spec = lab.hierarchy.spec.zone("views.lab.")
    directory = lab.workdir / "views"
    directory.mkdir()
    external = lab.hierarchy.zone_text(spec)
    (directory / "external.zone").write_text(external)
    (directory / "internal.zone").write_text(external.replace("203.0.113.8", "10.0.2.50"))
    config = directory / "named.conf"
    config.write_text(
        f'options {{ directory "{directory}"; listen-on port 53 {{ 127.55.7.1; }}; listen-on-v6 {{ none; }};\n'
        "    recursion no; notify no; };\n"
        "acl internal_clients { 127.55.8.0/24; };\n"  # 127.55.9.0/24 was forgotten after the expansion
        'view "internal" { match-clients { internal_clients; };\n'
        f'    zone "views.lab." {{ type primary; file "{directory}/internal.zone"; }}; }};\n'
        'view "external" { match-clients { any; };\n'
        f'    zone "views.lab." {{ type primary; file "{directory}/external.zone"; }}; }};\n')
    views = servers.cairnd_process(config, directory)
    try:
        assert wait_for(lambda: soa_rcode("127.55.7.1", "views.lab.") == dns.rcode.NOERROR, 20), "cairnd with views"
        healthy, _, _ = lab.doctor("www.views.lab.")
        report, elapsed, text = lab.doctor("www.views.lab.", "--from", "127.55.8.1", "--from", "127.55.9.1")
    finally:
        views.stop()
    assert healthy["verdict"] == "healthy"  # from one address, nothing to compare
    check_common(report, elapsed, "www.views.lab.")
    assert report["verdict"] == "split-horizon", text
    assert report["failure_type"] == 6
    assert any("answers 127.55.8.1: NOERROR: A 10.0.2.50" in e for e in report["evidence"]), report["evidence"]
    assert any("answers 127.55.9.1: NOERROR: A 203.0.113.8" in e for e in report["evidence"])


def test_bad_input_is_a_clear_error(lab):
    result = subprocess.run([lab.cairn, "doctor", "www.ok.lab.",
                             "--root-hints", str(lab.workdir / "missing.hints"), "--resolver", RESOLVER],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "missing.hints" in result.stderr
    # A --from address this host does not have (TEST-NET-1) is refused before anything is asked.
    result = subprocess.run([lab.cairn, "doctor", "www.ok.lab.", "--root-hints", str(lab.hierarchy.hints_file),
                             "--resolver", RESOLVER, "--from", "192.0.2.1"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--from 192.0.2.1: cannot send from it" in result.stderr


def test_everything_silent_still_ends_within_the_timeout(lab):
    """A black hole as the only resolver and as the only root server: every query times out, and the run
    still ends within --timeout with both failures named. (glibc with the default timeout:5 attempts:2 and
    one server: 5 s, then 10 s.)"""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.bind((BLACK_HOLE, 53))
        hints = lab.workdir / "black-hole.hints"
        hints.write_text(f". 3600000 NS a.root-servers.\na.root-servers. 3600000 A {BLACK_HOLE}\n")
        conf = lab.workdir / "resolv.conf.black-hole"
        conf.write_text(f"nameserver {BLACK_HOLE}\n")
        started = time.monotonic()
        result = subprocess.run([lab.cairn, "doctor", "www.ok.lab.", "--root-hints", str(hints), "--resolv-conf",
                                 str(conf), "--timeout", "3", "--json"], capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        udp.close()
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert elapsed < 3 + MARGIN_S, f"doctor took {elapsed:.1f} s"
    assert report["elapsed_ms"] <= 3000
    assert report["verdict"] == "partial"
    assert report["failures"] == ["resolver-down", "authoritative-down"]
    assert any("every lookup fails after 15 s when the resolvers are silent" in b for b in report["blast_radius"])
