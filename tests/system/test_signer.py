"""cairnd signs zones inline under dnssec-policy, and the result holds up against three independent checkers,
a BIND secondary and the clock.

- Four zones, one per policy: BIND's built-in `default` (one ECDSA CSK, NSEC), a KSK+ZSK ECDSA policy with
  NSEC3 (salted, as a test of the salt), RSASHA256 KSK+ZSK with NSEC, and an ED25519 CSK whose key was made
  beforehand by BIND's dnssec-keygen. An AXFR'd copy of each verifies with dnssec-verify, ldns-verify-zone
  and kzonecheck --dnssec on; the dnssec-keygen key is published with its own tag.
- Answers with DO carry RRSIGs (and denial proofs); without DO, none.
- A BIND secondary and a Knot secondary take the signed zone by AXFR, then by IXFR after an edit and `rndc
  reload`; their copies verify. The zone file on disk is never written.
- A short policy (signatures valid 15 s, refreshed 10 s before expiry) watched over more than three validity
  periods: the earliest RRSIG expiration, in /metrics and in the zone itself, stays in the future; `rndc
  sign` moves every inception.

Everything listens on 127.0.0.1, on free ports.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.zone
import pytest

import ctl_daemon
import servers
from waiting import wait_for

# cairnd and BIND listen only on addresses of the host's interfaces: loopback's 127.0.0.1, on free ports.
HOST = "127.0.0.1"
SECONDARY_HOST = "127.0.0.1"

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

POLICIES = """
dnssec-policy "ecdsa-nsec3" {
    keys { ksk lifetime unlimited algorithm ecdsap256sha256; zsk lifetime P90D algorithm 13; };
    nsec3param iterations 0 optout no salt-length 4;
};
dnssec-policy "rsa-nsec" {
    keys { ksk lifetime unlimited algorithm rsasha256 2048; zsk lifetime unlimited algorithm rsasha256 1024; };
};
dnssec-policy "ed-csk" {
    keys { csk lifetime unlimited algorithm ed25519; };
    dnskey-ttl PT5M;
};
dnssec-policy "short" {
    keys { csk lifetime unlimited algorithm 13; };
    signatures-validity PT15S;
    signatures-validity-dnskey PT15S;
    signatures-refresh PT10S;
    signatures-jitter PT2S;
};
"""

ZONES = {"default.test": "default", "nsec3.test": "ecdsa-nsec3", "rsa.test": "rsa-nsec", "ed.test": "ed-csk"}


def zone_text(origin: str, serial: int, extra: str = "") -> str:
    return (
        "$TTL 300\n"
        f"@ IN SOA ns1.{origin}. hostmaster.{origin}. ( {serial} 3600 600 86400 300 )\n"
        "  IN NS ns1\n"
        "  IN MX 10 mail\n"
        "ns1 IN A 127.0.0.1\n"
        "mail IN A 192.0.2.2\n"
        "www IN A 192.0.2.1\n"
        "www IN AAAA 2001:db8::1\n"
        "*.wild IN TXT \"wildcard\"\n"
        "a.b.c IN A 192.0.2.3\n"
        "sub IN NS ns.sub\n"
        "ns.sub IN A 192.0.2.4\n"
        "secure IN NS ns.secure\n"
        "secure IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
        "ns.secure IN A 192.0.2.5\n" + extra
    )


def axfr(host: str, port: int, origin: str) -> dns.zone.Zone:
    return dns.zone.from_xfr(dns.query.xfr(host, origin, port=port, timeout=10, lifetime=30, relativize=False),
                              relativize=False)


def write_zone(zone: dns.zone.Zone, path: Path) -> Path:
    zone.to_file(str(path), relativize=False, want_origin=True)
    return path


def verify_all(path: Path, origin: str, csk: bool = False) -> None:
    """dnssec-verify, ldns-verify-zone and kzonecheck --dnssec on, each must accept the signed zone. `csk`: one
    key signs everything (dnssec-verify -z: without it, it wants a key without the SEP flag for the data)."""
    checks = [
        ["dnssec-verify", *(["-z"] if csk else []), "-o", origin, str(path)],
        ["ldns-verify-zone", str(path)],
        ["kzonecheck", "--dnssec", "on", "-o", origin, str(path)],
    ]
    for command in checks:
        if shutil.which(command[0]) is None:
            pytest.fail(f"{command[0]} is not installed (scripts/install-deps.sh installs it)")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"


def metrics(daemon: ctl_daemon.Daemon) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{daemon.http_port}/metrics", timeout=5) as response:
        return response.read().decode()


def json_zone(daemon: ctl_daemon.Daemon, origin: str) -> dict:
    with urllib.request.urlopen(f"http://{HOST}:{daemon.http_port}/json", timeout=5) as response:
        zones = json.loads(response.read())["zones"]
    return next(z for z in zones if z["name"] == origin + ".")


def rrsigs(zone: dns.zone.Zone) -> list[tuple[dns.name.Name, object]]:
    """(owner, rdata) of every RRSIG (dnspython keeps them in rdatasets by type covered)."""
    return [(name, rdata) for name, _, rdata in zone.iterate_rdatas() if rdata.rdtype == dns.rdatatype.RRSIG]


def rrsig_expirations(zone: dns.zone.Zone) -> list[int]:
    return [rdata.expiration for _, rdata in rrsigs(zone)]


def rrsig_inceptions(zone: dns.zone.Zone) -> list[int]:
    return [rdata.inception for _, rdata in rrsigs(zone)]


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("signer")
    keys = workdir / "keys"
    keys.mkdir()
    keygen = subprocess.run(
        ["dnssec-keygen", "-q", "-K", str(keys), "-a", "ED25519", "-f", "KSK", "ed.test"],
        capture_output=True, text=True, timeout=60,
    )
    assert keygen.returncode == 0, keygen.stderr
    keygen_tag = int(keygen.stdout.strip().rsplit("+", 1)[1])
    options = {origin: f'dnssec-policy "{policy}"; inline-signing yes; allow-transfer {{ 127.0.0.0/8; }};'
               for origin, policy in ZONES.items()}
    secondary_port = servers.free_port(False)
    options["nsec3.test"] += f" notify explicit; also-notify {{ {SECONDARY_HOST} port {secondary_port}; }};"
    daemon = ctl_daemon.Daemon(
        workdir,
        {origin: 1 for origin in ZONES},
        zone_options=options,
        extra=POLICIES,
        options_extra=f'    key-directory "{keys}"; notify no;',
    )
    for origin in ZONES:
        ctl_daemon.write_atomically(daemon.zone_path(origin), zone_text(origin, 1))
    daemon.start()
    try:
        yield daemon, keygen_tag, secondary_port
    finally:
        daemon.stop()


def test_every_policy_signs_a_zone_three_verifiers_accept(signing, tmp_path):
    daemon, keygen_tag, _ = signing
    for origin, policy in ZONES.items():
        zone = axfr(HOST, daemon.port, origin)
        keys = zone.find_rdataset(origin + ".", "DNSKEY")
        algorithms = {key.algorithm for key in keys}
        expected = {"default": {13}, "ecdsa-nsec3": {13}, "rsa-nsec": {8}, "ed-csk": {15}}[policy]
        assert algorithms == {dns.dnssec.Algorithm(a) for a in expected}, (origin, algorithms)
        assert len(keys) == (1 if policy in ("default", "ed-csk") else 2)
        nsec3 = list(zone.iterate_rdatas("NSEC3"))
        assert bool(nsec3) == (policy == "ecdsa-nsec3"), origin
        if nsec3:
            assert all(len(rdata.salt) == 4 and rdata.iterations == 0 for _, _, rdata in nsec3)
        # No CDS or CDNSKEY yet: as BIND, the DS is announced once the new KSK's DNSKEY is omnipresent
        # (dnskey-ttl + publish-safety + zone-propagation-delay after publication, hours with these policies).
        assert zone.get_rdataset(origin + ".", "CDS") is None and zone.get_rdataset(origin + ".", "CDNSKEY") is None
        # No signature over delegation NS or glue.
        covered = {(str(name), rdata.type_covered) for name, rdata in rrsigs(zone)}
        assert (f"sub.{origin}.", dns.rdatatype.NS) not in covered
        assert (f"ns.sub.{origin}.", dns.rdatatype.A) not in covered
        assert (f"secure.{origin}.", dns.rdatatype.DS) in covered
        verify_all(write_zone(zone, tmp_path / f"{origin}.signed"), origin, csk=policy in ("default", "ed-csk"))
        # The unsigned zone file is never written.
        assert daemon.zone_path(origin).read_text() == zone_text(origin, 1)
    # The key dnssec-keygen made is the one published for ed.test, with its tag.
    ed = axfr(HOST, daemon.port, "ed.test")
    tags = [dns.dnssec.key_id(key) for key in ed.find_rdataset("ed.test.", "DNSKEY")]
    assert tags == [keygen_tag]


def test_answers_carry_rrsigs_with_do_only(signing):
    daemon, _, _ = signing
    for origin in ZONES:
        with_do = dns.message.make_query(f"www.{origin}", "A", want_dnssec=True)
        response = dns.query.udp(with_do, HOST, port=daemon.port, timeout=3)
        assert any(r.rdtype == dns.rdatatype.RRSIG for r in response.answer), response
        missing = dns.message.make_query(f"nothere.{origin}", "A", want_dnssec=True)
        response = dns.query.udp(missing, HOST, port=daemon.port, timeout=3)
        assert any(r.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3) for r in response.authority), response
        plain = dns.message.make_query(f"www.{origin}", "A", use_edns=0)
        response = dns.query.udp(plain, HOST, port=daemon.port, timeout=3)
        assert response.answer and all(r.rdtype != dns.rdatatype.RRSIG for r in response.answer), response
        response = dns.query.udp(dns.message.make_query(f"nothere.{origin}", "A", use_edns=0), HOST,
                                 port=daemon.port, timeout=3)
        assert all(r.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3, dns.rdatatype.RRSIG)
                   for r in response.authority), response


def test_status_json_and_metrics_show_the_earliest_expiration(signing):
    daemon, _, _ = signing
    status = daemon.ctl("zonestatus", "nsec3.test")
    assert status.returncode == 0, status.stderr
    fields = ctl_daemon.fields(status.stdout)
    assert fields["dnssec-policy"] == "ecdsa-nsec3"
    assert fields["secure"] == "yes"
    assert "earliest rrsig expiration" in fields and "next resign" in fields
    zone = json_zone(daemon, "nsec3.test")
    earliest = min(rrsig_expirations(axfr(HOST, daemon.port, "nsec3.test")))
    assert zone["rrsig_earliest_expiry"] == earliest
    assert zone["unsigned_serial"] == 1
    line = f'cairn_zone_rrsig_earliest_expiry_timestamp_seconds{{zone="nsec3.test.",view="_default",role="primary"}}'
    assert f"{line} {earliest}" in metrics(daemon)
    # BIND's rndc asks for each key's state.
    status = daemon.rndc("dnssec", "-status", "ed.test")
    assert status.returncode == 0, status.stderr
    assert "dnssec-policy: ed-csk" in status.stdout
    assert re.search(r"key: \d+ \(ED25519\), CSK", status.stdout), status.stdout
    status = daemon.rndc("dnssec", "-status", "nsec3.test")
    assert len(re.findall(r"key: \d+ \(ECDSAP256SHA256\), (KSK|ZSK)", status.stdout)) == 2, status.stdout


def bind_secondary(workdir: Path, port: int, primary_port: int) -> servers.LoggedProcess:
    workdir.mkdir()
    (workdir / "named.conf").write_text(
        "options {\n"
        f'    directory "{workdir}";\n'
        f'    pid-file "{workdir}/named.pid";\n'
        f"    listen-on port {port} {{ {SECONDARY_HOST}; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no; notify no; dnssec-validation no;\n"
        f'    session-keyfile "{workdir}/session.key";\n'
        f'    managed-keys-directory "{workdir}";\n'
        "    automatic-interface-scan no;\n"
        "    allow-transfer { 127.0.0.0/8; }; allow-notify { 127.0.0.0/8; };\n"
        "};\n"
        "controls { };\n"
        f'zone "nsec3.test" {{ type secondary; primaries {{ {HOST} port {primary_port}; }}; file "nsec3.test.db"; }};\n'
    )
    return servers.LoggedProcess(["/usr/sbin/named", "-g", "-n", "1", "-c", str(workdir / "named.conf")], workdir,
                                 "named.log")


def serial_at(host: str, port: int, origin: str) -> int | None:
    try:
        response = dns.query.udp(dns.message.make_query(origin, "SOA"), host, port=port, timeout=1)
    except Exception:  # noqa: BLE001
        return None
    return response.answer[0][0].serial if response.answer else None


def test_bind_secondary_takes_the_signed_zone_by_axfr_then_ixfr(signing, tmp_path):
    daemon, _, secondary_port = signing
    named = bind_secondary(tmp_path / "bind", secondary_port, daemon.port)
    try:
        first = daemon.soa_serial("nsec3.test")
        assert wait_for(lambda: serial_at(SECONDARY_HOST, secondary_port, "nsec3.test") == first, 30), named.log()
        verify_all(write_zone(axfr(SECONDARY_HOST, secondary_port, "nsec3.test"), tmp_path / "axfr.db"),
                   "nsec3.test.")
        ctl_daemon.write_atomically(daemon.zone_path("nsec3.test"),
                                    zone_text("nsec3.test", 2, "new IN A 192.0.2.99\n"))
        reload = daemon.rndc("reload", "nsec3.test")
        assert reload.returncode == 0, reload.stderr
        assert wait_for(lambda: (daemon.soa_serial("nsec3.test") or 0) > first, 20), daemon.log_text()
        second = daemon.soa_serial("nsec3.test")
        assert wait_for(lambda: serial_at(SECONDARY_HOST, secondary_port, "nsec3.test") == second, 30), named.log()
        assert re.search(rf"nsec3\.test.*IXFR started \(serial {second}, incremental", daemon.log_text()), (
            daemon.log_text()[-3000:])
        copy = axfr(SECONDARY_HOST, secondary_port, "nsec3.test")
        assert copy.get_rdataset("new.nsec3.test.", "A") is not None
        assert copy.get_rdataset("new.nsec3.test.", "RRSIG", "A") is not None
        verify_all(write_zone(copy, tmp_path / "ixfr.db"), "nsec3.test.")
    finally:
        named.stop()
    assert "new IN A" in daemon.zone_path("nsec3.test").read_text()  # only the operator wrote it


def test_signatures_are_refreshed_before_they_expire_and_rndc_sign_resigns_all(tmp_path):
    daemon = ctl_daemon.Daemon(
        tmp_path,
        {"short.test": 1},
        zone_options={"short.test": 'dnssec-policy "short"; allow-transfer { 127.0.0.0/8; };'},
        extra=POLICIES,
        options_extra=f'    key-directory "{tmp_path}"; notify no;',
    ).start()
    try:
        earliest_seen = []
        deadline = time.monotonic() + 50  # over three validity periods of 15 s
        while time.monotonic() < deadline:
            now = time.time()
            zone = axfr(HOST, daemon.port, "short.test")
            earliest = min(rrsig_expirations(zone))
            assert earliest > now, f"an RRSIG expired at {earliest} (now {now:.0f})\n{daemon.log_text()[-3000:]}"
            match = re.search(r'cairn_zone_rrsig_earliest_expiry_timestamp_seconds\{zone="short.test.".*\} (\d+)',
                              metrics(daemon))
            assert match and int(match.group(1)) > now
            earliest_seen.append(earliest)
            time.sleep(1)
        assert len(set(earliest_seen)) >= 4, earliest_seen  # re-signed several times, not once
        verify_all(write_zone(axfr(HOST, daemon.port, "short.test"), tmp_path / "short.db"), "short.test.", csk=True)
    finally:
        daemon.stop()


def test_rndc_sign_moves_every_inception_and_loadkeys_resigns(signing, tmp_path):
    daemon, _, _ = signing  # the default policy: nothing would be re-signed for days
    before = axfr(HOST, daemon.port, "default.test")
    serial = before.find_rdataset("default.test.", "SOA")[0].serial
    time.sleep(1.5)
    sign = daemon.rndc("sign", "default.test")
    assert sign.returncode == 0, sign.stderr
    assert wait_for(lambda: (daemon.soa_serial("default.test") or 0) > serial, 20), daemon.log_text()[-2000:]
    after = axfr(HOST, daemon.port, "default.test")
    assert min(rrsig_inceptions(after)) > max(rrsig_inceptions(before))
    verify_all(write_zone(after, tmp_path / "after.db"), "default.test.", csk=True)
    loadkeys = daemon.ctl("loadkeys", "default.test")
    assert loadkeys.returncode == 0, loadkeys.stderr
    assert wait_for(lambda: (daemon.soa_serial("default.test") or 0) > serial + 1, 20)
    unsigned = daemon.rndc("sign", "nosuch.test")
    assert unsigned.returncode != 0


def test_configurations_that_would_serve_unsigned_are_refused(tmp_path):
    config = tmp_path / "named.conf"
    config.write_text(
        'zone "s.test" { type secondary; primaries { 192.0.2.9; }; file "s.db"; dnssec-policy default; '
        "inline-signing yes; };\n"
    )
    result = subprocess.run([str(ctl_daemon.cairn_binary()), "checkconf", str(config)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode != 0
    assert "cairn signs primary zones only" in result.stdout + result.stderr


def knot_secondary(workdir: Path, port: int, primary_port: int, origin: str) -> servers.LoggedProcess:
    """Knot DNS as a secondary of `origin` (zone files kept in workdir; journal kept, so it asks for IXFR)."""
    workdir.mkdir()
    (workdir / "knot.conf").write_text(
        "server:\n"
        f'    rundir: "{workdir}"\n'
        f'    listen: {SECONDARY_HOST}@{port}\n'
        "    background-workers: 1\n"
        "log:\n"
        "  - target: stderr\n"
        "    any: info\n"
        "database:\n"
        f'    storage: "{workdir}"\n'
        "control:\n"
        f'    listen: "{workdir}/knot.sock"\n'
        "remote:\n"
        "  - id: primary\n"
        f"    address: {HOST}@{primary_port}\n"
        "acl:\n"
        "  - id: loopback\n"
        "    address: [ 127.0.0.0/8 ]\n"
        "    action: [ transfer, notify ]\n"
        "zone:\n"
        f'  - domain: "{origin}."\n'
        f'    file: "{workdir}/{origin}.db"\n'
        "    master: primary\n"
        "    acl: loopback\n"
        "    zonefile-sync: -1\n"
        "    journal-content: changes\n"
    )
    return servers.LoggedProcess(["/usr/sbin/knotd", "-c", str(workdir / "knot.conf")], workdir, "knot.log")


def test_knot_secondary_takes_the_signed_zone_by_axfr_then_ixfr(signing, tmp_path):
    daemon, _, _ = signing
    origin = "rsa.test"
    port = servers.free_port(False)
    knot = knot_secondary(tmp_path / "knot", port, daemon.port, origin)
    try:
        first = daemon.soa_serial(origin)
        assert wait_for(lambda: serial_at(SECONDARY_HOST, port, origin) == first, 30), knot.log()
        verify_all(write_zone(axfr(SECONDARY_HOST, port, origin), tmp_path / "axfr.db"), origin + ".")
        ctl_daemon.write_atomically(daemon.zone_path(origin), zone_text(origin, 2, "knot IN A 192.0.2.77\n"))
        reload = daemon.rndc("reload", origin)
        assert reload.returncode == 0, reload.stderr
        assert wait_for(lambda: (daemon.soa_serial(origin) or 0) > first, 20), daemon.log_text()
        second = daemon.soa_serial(origin)
        refresh = subprocess.run(["knotc", "-s", str(tmp_path / "knot" / "knot.sock"), "zone-refresh", origin + "."],
                                 capture_output=True, text=True, timeout=30)
        assert refresh.returncode == 0, refresh.stdout + refresh.stderr
        assert wait_for(lambda: serial_at(SECONDARY_HOST, port, origin) == second, 30), knot.log()
        assert re.search(r"IXFR, incoming.*finished", knot.log()), knot.log()[-3000:]
        copy = axfr(SECONDARY_HOST, port, origin)
        assert copy.get_rdataset(f"knot.{origin}.", "RRSIG", "A") is not None
        verify_all(write_zone(copy, tmp_path / "ixfr.db"), origin + ".")
    finally:
        knot.stop()
