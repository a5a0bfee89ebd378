"""Zone files read by cairn and by BIND 9 must give the same records.

Each zone under tests/data/zones/ is compiled by `cairn compilezone -o -` and by BIND's
`named-compilezone -o -`; both outputs are normalised through dnspython (owner, TTL, type, canonical rdata)
and compared as sets. Files named bad-*.zone must be rejected by both. Deliberate differences are listed in
docs/zonefile-differences.md. Self-contained: no daemons, so it needs nothing from conftest.py.
"""
import collections
import os
import pathlib
import shutil
import subprocess

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
ZONES = REPO / "tests" / "data" / "zones"
BUILD = pathlib.Path(os.environ.get("CAIRN_BUILD", REPO / "build"))
CAIRN = BUILD / "src" / "cli" / "cairn"
NAMED_COMPILEZONE = shutil.which("named-compilezone") or "/usr/bin/named-compilezone"

GOOD = sorted(p.name for p in ZONES.glob("*.zone") if not p.name.startswith("bad-"))
BAD = sorted(p.name for p in ZONES.glob("bad-*.zone"))


def zone_name(path):
    """The zone a corpus file is for: its '; zone: NAME' line."""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("; zone:"):
            return line.split(":", 1)[1].strip()
    return "example.com"


def run(cmd):
    # Relative $INCLUDE paths resolve against the working directory, for BIND and cairn alike.
    return subprocess.run(cmd, cwd=ZONES, capture_output=True, text=True, timeout=60)


def cairn(*args):
    if not CAIRN.exists():
        pytest.fail(f"cairn binary not found at {CAIRN} (set CAIRN_BUILD)")
    return run([str(CAIRN), *args])


def normalise(text):
    """The multiset of (owner, ttl, type, canonical rdata) in a compiled zone, whichever tool wrote it: a
    record the one tool merges and the other keeps twice shows up as a difference."""
    rrs = collections.Counter()
    for line in text.splitlines():
        fields = line.split(None, 4)
        if len(fields) < 4 or line.startswith((";", "zone ", "OK", "dump ")):
            continue
        owner, ttl, rdclass, rdtype = fields[:4]
        rdata_text = fields[4] if len(fields) > 4 else ""
        rdtype_value = dns.rdatatype.from_text(rdtype)
        rd = dns.rdata.from_text(dns.rdataclass.from_text(rdclass), rdtype_value, rdata_text,
                                 origin=dns.name.root)
        rrs[(dns.name.from_text(owner).to_text().lower(), int(ttl), int(rdtype_value),
             rd.to_digestable(dns.name.root))] += 1
    return rrs


def show(rrs):
    return "\n".join(f"{o} {t} {dns.rdatatype.to_text(ty)} {d.hex()} (x{rrs[(o, t, ty, d)]})"
                     for o, t, ty, d in sorted(rrs))


@pytest.mark.parametrize("zone_file", GOOD)
def test_same_records_as_bind(zone_file):
    name = zone_name(ZONES / zone_file)
    ours = cairn("compilezone", "-i", "none", "-o", "-", name, zone_file)
    assert ours.returncode == 0, ours.stderr
    bind = run([NAMED_COMPILEZONE, "-i", "none", "-o", "-", name, zone_file])
    assert bind.returncode == 0, bind.stdout + bind.stderr
    ours_rrs = normalise(ours.stdout)
    bind_rrs = normalise(bind.stdout)
    assert ours_rrs, "cairn wrote no records"
    assert ours_rrs == bind_rrs, (
        f"only cairn:\n{show(ours_rrs - bind_rrs)}\nonly BIND:\n{show(bind_rrs - ours_rrs)}")


@pytest.mark.parametrize("zone_file", GOOD)
def test_reads_bind_output_back(zone_file, tmp_path):
    """cairn reads BIND's canonical output to the same records (its text form is valid input)."""
    name = zone_name(ZONES / zone_file)
    bind = run([NAMED_COMPILEZONE, "-i", "none", "-o", str(tmp_path / "bind.txt"), name, zone_file])
    assert bind.returncode == 0, bind.stdout + bind.stderr
    again = cairn("compilezone", "-i", "none", "-o", "-", name, str(tmp_path / "bind.txt"))
    assert again.returncode == 0, again.stderr
    assert normalise(again.stdout) == normalise((tmp_path / "bind.txt").read_text())


@pytest.mark.parametrize("zone_file", BAD)
def test_rejected_like_bind(zone_file):
    name = zone_name(ZONES / zone_file)
    bind = run([NAMED_COMPILEZONE, "-o", "/dev/null", name, zone_file])
    assert bind.returncode != 0, f"BIND accepted {zone_file}: the corpus file is wrong"
    ours = cairn("checkzone", name, zone_file)
    assert ours.returncode == 1, ours.stdout + ours.stderr
    assert f"zone {name}/IN: loading from master file {zone_file} failed:" in ours.stderr
    assert "not loaded due to errors." in ours.stderr


def records_as_written(text):
    """Each record line of a compiled zone as (owner, type, rdata text), spelling kept."""
    out = []
    for line in text.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[2] == "IN":
            out.append((fields[0].lower(), fields[3], " ".join(fields[4].split())))
    return sorted(out)


def test_case_variants_merge_keeping_the_spelling_bind_keeps():
    """RRsets are sets under canonical form (RFC 4034 6.2, RFC 6840 5.1): 'NS ns1' and 'NS NS1' are one
    record, and the spelling kept is the one BIND keeps (the last read); NSEC and TXT keep their case."""
    name = zone_name(ZONES / "case-variants.zone")
    ours = cairn("compilezone", "-i", "none", "-o", "-", name, "case-variants.zone")
    assert ours.returncode == 0, ours.stderr
    bind = run([NAMED_COMPILEZONE, "-i", "none", "-o", "-", name, "case-variants.zone"])
    assert bind.returncode == 0, bind.stdout + bind.stderr
    assert records_as_written(ours.stdout) == records_as_written(bind.stdout)
    assert sum(normalise(ours.stdout).values()) == 16


def test_checkzone_reports_like_named_checkzone():
    ok = cairn("checkzone", "dnskurz.cz", "lecture-dnskurz.cz.zone")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "zone dnskurz.cz/IN: loaded serial 2025070401\nOK\n"
    assert ("lecture-dnskurz.cz.zone:29: warning: ignoring out-of-zone data (www.development.namn.se.)"
            in ok.stderr)


def test_error_lines_point_at_the_record():
    bad = cairn("checkzone", "example.com", "bad-cname-and-other.zone")
    assert bad.returncode == 1
    assert "bad-cname-and-other.zone:8: www.example.com.: CNAME and other data (A)" in bad.stderr, bad.stderr
    quote = cairn("checkzone", "example.com", "bad-unterminated-quote.zone")
    assert "bad-unterminated-quote.zone:7: unterminated quoted string" in quote.stderr, quote.stderr


def test_check_names_mode_follows_k():
    assert cairn("checkzone", "example.com", "bad-check-names.zone").returncode == 1
    warn = cairn("checkzone", "-k", "warn", "example.com", "bad-check-names.zone")
    assert warn.returncode == 0, warn.stderr
    assert "warning: bad_host.example.com.: bad owner name (check-names)" in warn.stderr
    bind_warn = run([NAMED_COMPILEZONE, "-k", "warn", "-o", "/dev/null", "example.com", "bad-check-names.zone"])
    assert bind_warn.returncode == 0


def test_raw_round_trip(tmp_path):
    raw = tmp_path / "types.raw"
    made = cairn("compilezone", "-F", "raw", "-o", str(raw), "example.com", "types.zone")
    assert made.returncode == 0, made.stderr
    back = cairn("compilezone", "-f", "raw", "-o", "-", "example.com", str(raw))
    assert back.returncode == 0, back.stderr
    text = cairn("compilezone", "-o", "-", "example.com", "types.zone")
    assert normalise(back.stdout) == normalise(text.stdout)
    checked = cairn("checkzone", "-f", "raw", "example.com", str(raw))
    assert checked.stdout == "zone example.com/IN: loaded serial 2024040201\nOK\n"


def test_usage_errors_exit_non_zero():
    assert cairn().returncode != 0
    assert cairn("checkzone").returncode != 0
    assert cairn("checkzone", "-k", "bogus", "example.com", "basic.zone").returncode != 0
    helped = cairn("compilezone", "--help")
    assert helped.returncode == 0 and "-o" in helped.stdout
