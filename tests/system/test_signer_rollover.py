"""A ZSK rollover (pre-publication) run by cairnd's key manager on a policy of seconds, watched from start to
end by a validating Unbound that has the zone's KSK as its trust anchor: every answer it gives is validated
(AD set, never SERVFAIL), the DNSKEY set served goes old -> old+new -> new, the .state files record the
rollover as BIND writes it (states, Successor/Predecessor), `rndc dnssec -status` shows the states, BIND's
dnssec-settime reads the keys cairnd wrote, and `rndc dnssec -rollover` starts another rollover at once.

cairnd listens on 127.0.0.1 at a free port; Unbound reaches it through a stub zone; nothing leaves loopback.
"""

from __future__ import annotations

import calendar
import re
import subprocess
import time
import types

import dns.dnssec
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

import ctl_daemon
import resolvers
import servers
from waiting import wait_for

HOST = "127.0.0.1"
ORIGIN = "roll.test"

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

# ZSK lifetime 45 s: its successor is published 8 s (dnskey-ttl + publish-safety + propagation) before it
# retires; the signatures swap when the new DNSKEY is omnipresent, and the old DNSKEY goes once the old
# signatures have expired from caches (max-zone-ttl + propagation + retire-safety + validity - refresh).
POLICY = """
dnssec-policy "roll" {
    keys { ksk lifetime unlimited algorithm 13; zsk lifetime PT45S algorithm 13; };
    dnskey-ttl PT5S;
    publish-safety PT2S;
    retire-safety PT2S;
    zone-propagation-delay PT1S;
    max-zone-ttl PT5S;
    signatures-validity PT60S;
    signatures-validity-dnskey PT60S;
    signatures-refresh PT50S;
    signatures-jitter PT1S;
    parent-ds-ttl PT5S;
    parent-propagation-delay PT1S;
};
"""


def zone_text(serial: int) -> str:
    return (
        "$TTL 5\n"
        f"@ IN SOA ns1.{ORIGIN}. hostmaster.{ORIGIN}. ( {serial} 3600 600 86400 5 )\n"
        "  IN NS ns1\n"
        "ns1 IN A 127.0.0.1\n"
        "www IN A 192.0.2.1\n"
    )


def served_keys(port: int) -> tuple[set[int], set[int]]:
    """(ZSK tags, KSK tags) of the DNSKEY RRset served."""
    response = dns.query.tcp(dns.message.make_query(ORIGIN + ".", "DNSKEY", want_dnssec=True), HOST, port=port,
                             timeout=10)
    keys = [rdata for rrset in response.answer if rrset.rdtype == dns.rdatatype.DNSKEY for rdata in rrset]
    return ({dns.dnssec.key_id(k) for k in keys if not k.flags & 1},
            {dns.dnssec.key_id(k) for k in keys if k.flags & 1})


def state_fields(path) -> dict[str, str]:
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
            for line in path.read_text().splitlines() if ":" in line and not line.startswith(";")}


@pytest.fixture(scope="module")
def rolling(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("signer-rollover")
    keys = workdir / "keys"
    keys.mkdir()
    daemon = ctl_daemon.Daemon(workdir, {ORIGIN: 1},
                               zone_options={ORIGIN: 'dnssec-policy "roll"; inline-signing yes;'},
                               extra=POLICY, options_extra=f'    key-directory "{keys}"; notify no;')
    ctl_daemon.write_atomically(daemon.zone_path(ORIGIN), zone_text(1))
    daemon.start()
    try:
        yield daemon, keys, workdir
    finally:
        daemon.stop()


@pytest.fixture(scope="module")
def unbound(rolling):
    daemon, _, workdir = rolling
    response = dns.query.tcp(dns.message.make_query(ORIGIN + ".", "DNSKEY"), HOST, port=daemon.port, timeout=10)
    ksk = [rdata for rrset in response.answer for rdata in rrset if rdata.flags & 1]
    assert len(ksk) == 1
    anchor = f"{ORIGIN}. DNSKEY {ksk[0].to_text()}"
    hints = workdir / "root.hints"
    hints.write_text(". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.9\n")
    peer = resolvers.unbound_resolver(workdir / "unbound", types.SimpleNamespace(hints_file=hints),
                                      trust_anchors=[anchor],
                                      sections=f"stub-zone:\n    name: {ORIGIN}.\n    stub-addr: {HOST}@{daemon.port}\n")
    try:
        yield peer
    finally:
        peer.stop()


def validated(peer, name: str, rdtype: str) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=True)
    query.flags |= dns.flags.AD
    response = dns.query.udp(query, peer.address, port=peer.port, timeout=15)
    assert response.rcode() != dns.rcode.SERVFAIL, f"{name} {rdtype}: SERVFAIL\n{response}"
    assert response.flags & dns.flags.AD, f"{name} {rdtype}: not validated\n{response}"
    return response


def test_zsk_rollover_validates_throughout(rolling, unbound):
    daemon, keys, _ = rolling
    first_zsks, ksks = served_keys(daemon.port)
    assert len(first_zsks) == 1 and len(ksks) == 1
    first = next(iter(first_zsks))
    sets = [frozenset(first_zsks)]
    statuses = []
    deadline = time.monotonic() + 150  # the rollover needs ~65 s; generous margin for a loaded machine
    while time.monotonic() < deadline:
        validated(unbound, f"www.{ORIGIN}.", "A")
        validated(unbound, f"nothere.{ORIGIN}.", "A")
        validated(unbound, f"{ORIGIN}.", "DNSKEY")
        zsks, now_ksks = served_keys(daemon.port)
        assert now_ksks == ksks
        if frozenset(zsks) != sets[-1]:
            sets.append(frozenset(zsks))
            statuses.append(daemon.rndc("dnssec", "-status", ORIGIN).stdout)
        if len(sets) >= 3:
            break
        time.sleep(1)
    assert len(sets) >= 3, f"no complete rollover seen: {sets}"
    second = next(iter(sets[-1]))
    # old -> old+new -> new
    assert sets[:3] == [frozenset({first}), frozenset({first, second}), frozenset({second})], sets
    # While both were published the status showed the successor's states moving and the old key retiring.
    assert f"key: {second} (ECDSAP256SHA256), ZSK" in statuses[0], statuses[0]
    assert "  - dnskey:         rumoured" in statuses[0], statuses[0]
    # Keep validating until the old key has gone from every cache in the model: its DNSKEY and signatures
    # hidden (its DNSKEY leaves once the new signatures are omnipresent; the old ones are then unretentive
    # until retire-safety and the sign delay have passed too).
    old_state = keys / f"K{ORIGIN}.+013+{first:05d}.state"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        validated(unbound, f"www.{ORIGIN}.", "A")
        validated(unbound, f"{ORIGIN}.", "DNSKEY")
        old = state_fields(old_state)
        if old["ZRRSIGState"] == "hidden" and old["DNSKEYState"] == "hidden":
            break
        time.sleep(1)
    # The .state files say what happened, in BIND's words.
    old = state_fields(old_state)
    new = state_fields(next(keys.glob(f"K{ORIGIN}.+013+{second:05d}.state")))
    assert old["Successor"] == str(second) and new["Predecessor"] == str(first)
    assert old["GoalState"] == "hidden" and new["GoalState"] == "omnipresent"
    assert old["ZRRSIGState"] == "hidden" and old["DNSKEYState"] == "hidden", old
    assert new["ZRRSIGState"] == "omnipresent"
    assert new["DNSKEYState"] in ("rumoured", "omnipresent")
    assert old["Lifetime"] == "45" and new["Lifetime"] == "45" and new["ZSK"] == "yes" and new["KSK"] == "no"
    for tag in ("Generated", "Published", "Active", "Retired", "Removed", "DNSKEYChange", "ZRRSIGChange"):
        assert tag in new, (tag, new)
    # BIND reads the keys cairnd wrote: dnssec-settime prints the same times.
    printed = subprocess.run(["dnssec-settime", "-K", str(keys), "-u", "-p", "all",
                              f"K{ORIGIN}.+013+{second:05d}"], capture_output=True, text=True, timeout=30)
    assert printed.returncode == 0, printed.stderr
    times = dict(line.split(": ", 1) for line in printed.stdout.splitlines() if ": " in line)
    for bind_name, state_name in (("Publish", "Published"), ("Activate", "Active"), ("Inactive", "Retired"),
                                  ("Delete", "Removed")):
        stamp = calendar.timegm(time.strptime(new[state_name].split()[0], "%Y%m%d%H%M%S"))
        assert times[bind_name] == str(stamp), (bind_name, times, new)


def test_rndc_rollover_and_checkds(rolling, unbound):
    daemon, keys, _ = rolling
    zsks, ksks = served_keys(daemon.port)
    zsk = sorted(zsks)[-1]
    result = daemon.rndc("dnssec", "-rollover", "-key", str(zsk), ORIGIN)
    assert result.returncode == 0, result.stderr
    assert f"Rollover for key {zsk} scheduled" in result.stdout
    # The successor is published at once (the command's -when is now).
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and len(served_keys(daemon.port)[0]) < 2:
        validated(unbound, f"www.{ORIGIN}.", "A")
        time.sleep(1)
    assert len(served_keys(daemon.port)[0]) >= 2
    validated(unbound, f"www.{ORIGIN}.", "A")
    bad = daemon.rndc("dnssec", "-rollover", "-key", "1", ORIGIN)
    assert bad.returncode != 0 and "not found" in (bad.stderr + bad.stdout)
    # checkds: the parent (here: the operator) says the KSK's DS is published; the .state records when.
    ksk = next(iter(ksks))
    result = daemon.rndc("dnssec", "-checkds", "-key", str(ksk), "published", ORIGIN)
    assert result.returncode == 0, result.stderr
    assert "Marked DS as published" in result.stdout
    state = keys / f"K{ORIGIN}.+013+{ksk:05d}.state"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "DSPublish" not in state_fields(state):
        time.sleep(0.5)
    assert "DSPublish" in state_fields(state)
    status = daemon.rndc("dnssec", "-status", ORIGIN)
    assert status.returncode == 0
    assert re.search(rf"key: {ksk} \(ECDSAP256SHA256\), KSK", status.stdout), status.stdout


def test_bind_takes_over_the_keys_mid_rollover(rolling, tmp_path):
    """BIND 9.18's named, given a copy of cairnd's key directory during the rollover the previous test
    started, reads the .state files as they are: it signs with those keys, makes none of its own, and keeps
    each key's goal and successor links."""
    daemon, keys, _ = rolling
    copy = tmp_path / "keys"
    copy.mkdir()
    before = {}
    for path in keys.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
        if path.suffix == ".state":
            before[path.name] = state_fields(path)
    tags = {int(name.rsplit("+", 1)[1].split(".")[0]) for name in before}
    workdir = tmp_path / "named"
    workdir.mkdir()
    (workdir / f"{ORIGIN}.db").write_text(zone_text(1))
    port = servers.free_port(False)
    # The same policy but unlimited lifetimes, so that named starts no rollover of its own while it runs.
    policy = POLICY.replace("PT45S", "unlimited")
    (workdir / "named.conf").write_text(
        "options {\n"
        f'    directory "{workdir}";\n'
        f'    pid-file "{workdir}/named.pid";\n'
        f"    listen-on port {port} {{ {HOST}; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no; notify no; dnssec-validation no;\n"
        f'    session-keyfile "{workdir}/session.key";\n'
        f'    managed-keys-directory "{workdir}";\n'
        "    automatic-interface-scan no;\n"
        "};\n"
        "controls { };\n" + policy +
        f'zone "{ORIGIN}" {{ type primary; file "{ORIGIN}.db"; dnssec-policy "roll"; inline-signing yes;\n'
        f'    key-directory "{copy}"; }};\n'
    )
    named = servers.LoggedProcess(["/usr/sbin/named", "-g", "-n", "1", "-c", str(workdir / "named.conf")], workdir,
                                  "named.log")
    try:
        def served():
            try:
                zsks, ksks = served_keys(port)
            except Exception:  # noqa: BLE001
                return None
            return (zsks | ksks) or None

        assert wait_for(served, 30), named.log()
        time.sleep(3)  # named's key manager has run (it runs before the first signing)
        published = served()
        assert published and published <= tags, (published, tags, named.log()[-3000:])
        assert "created for policy" not in named.log(), named.log()[-3000:]
        after_tags = {int(p.name.rsplit("+", 1)[1].split(".")[0]) for p in copy.glob("*.state")}
        assert after_tags == tags, named.log()[-3000:]
        for name, fields in before.items():
            now = state_fields(copy / name)
            for field in ("Successor", "Predecessor", "KSK", "ZSK", "Published", "Active"):
                assert now.get(field) == fields.get(field), (name, field, fields, now)
            if fields["GoalState"] == "hidden":
                assert now["GoalState"] == "hidden", (name, now)
    finally:
        named.stop()
