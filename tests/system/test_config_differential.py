"""named.conf files read by cairn and by BIND 9 must be accepted or rejected alike.

Each tests/data/config/*.conf is checked by `cairn checkconf` and by BIND's `named-checkconf`, both run from
tests/data/config (includes are relative to the working directory, for both). Files named bad-*.conf must be
rejected by both, every other file accepted by both. For a rejected file, the line of BIND's first error must
be among the lines cairn reports, so both point the user at the same place. Self-contained: no daemons.
"""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = REPO / "tests" / "data" / "config"
BUILD = pathlib.Path(os.environ.get("CAIRN_BUILD", REPO / "build"))
CAIRN = BUILD / "src" / "cli" / "cairn"
NAMED_CHECKCONF = shutil.which("named-checkconf") or "/usr/bin/named-checkconf"

GOOD = sorted(p.name for p in CONFIGS.glob("*.conf") if not p.name.startswith("bad-"))
BAD = sorted(p.name for p in CONFIGS.glob("bad-*.conf"))

# Where cairn deliberately reports another line than BIND (the reason is the value).
LINE_DIFFERENCES = {
    "bad-unterminated-comment.conf": "cairn names the line where the comment starts, BIND the end of the file",
}

ERROR_LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+): (?P<message>.*)$")


def run(cmd):
    return subprocess.run(cmd, cwd=CONFIGS, capture_output=True, text=True, timeout=60)


def cairn_check(name):
    if not CAIRN.exists():
        pytest.fail(f"cairn binary not found at {CAIRN} (build it with scripts/build.sh, or set CAIRN_BUILD)")
    return run([str(CAIRN), "checkconf", name])


def bind_check(name):
    return run([NAMED_CHECKCONF, name])


def diagnostics(output):
    """(file name, line, message) of every FILE:LINE: line, warnings left out."""
    found = []
    for text in output.splitlines():
        match = ERROR_LINE.match(text.strip())
        if not match:
            continue
        message = match.group("message")
        if message.startswith("warning:") or "deprecated" in message:
            continue
        found.append((pathlib.Path(match.group("file")).name, int(match.group("line")), message))
    return found


def error_lines(output):
    return {(name, line) for name, line, _ in diagnostics(output)}


def test_corpus_has_both_kinds():
    assert len(GOOD) >= 10 and len(BAD) >= 20, (GOOD, BAD)


@pytest.mark.parametrize("name", GOOD)
def test_both_accept(name):
    bind = bind_check(name)
    assert bind.returncode == 0, f"named-checkconf rejects {name}:\n{bind.stdout}{bind.stderr}"
    ours = cairn_check(name)
    assert ours.returncode == 0, f"cairn checkconf rejects {name}:\n{ours.stdout}{ours.stderr}"
    assert not error_lines(ours.stdout), ours.stdout


@pytest.mark.parametrize("name", BAD)
def test_both_reject(name):
    bind = bind_check(name)
    assert bind.returncode != 0, f"named-checkconf accepts {name}"
    ours = cairn_check(name)
    assert ours.returncode == 1, f"cairn checkconf accepts {name} (status {ours.returncode}):\n{ours.stdout}"
    ours_lines = error_lines(ours.stdout)
    assert ours_lines, f"cairn gave no FILE:LINE error for {name}:\n{ours.stdout}"
    bind_errors = diagnostics(bind.stdout + bind.stderr)
    if name in LINE_DIFFERENCES or not bind_errors:
        return
    first = bind_errors[0][:2]
    assert first in ours_lines, (
        f"BIND's first error is at {first}, cairn reports {sorted(ours_lines)}:\n"
        f"BIND: {bind.stdout}{bind.stderr}\ncairn: {ours.stdout}"
    )


def test_unimplemented_statements_warn_by_name():
    ours = cairn_check("unimplemented.conf")
    assert ours.returncode == 0
    for keyword in ("sortlist", "rrset-order", "response-policy", "tls", "update-policy"):
        assert f"'{keyword}' is not implemented by cairn yet; ignored" in ours.stdout, ours.stdout


def test_unknown_keyword_suggests_nearest():
    ours = cairn_check("bad-unknown-keyword.conf")
    assert "bad-unknown-keyword.conf:2: unknown option 'allow-transfr'; did you mean 'allow-transfer'?" in ours.stdout


ZONE_TYPES = ["primary", "master", "secondary", "slave", "mirror", "hint", "stub", "static-stub", "forward",
              "redirect"]
ZONE_OPTIONS = [
    'file "f"', "primaries { 127.0.0.1; }", "masters { 127.0.0.1; }", "allow-query { any; }",
    "allow-query-on { any; }", "allow-transfer { any; }", "allow-notify { any; }", "allow-update { any; }",
    "also-notify { 127.0.0.1; }", "notify yes", "notify explicit", "notify no", "masterfile-format raw",
    "max-journal-size 1M", "ixfr-from-differences yes", "min-refresh-time 1", "max-refresh-time 1",
    "min-retry-time 1", "max-retry-time 1", "max-transfer-time-in 1", "max-transfer-idle-in 1",
    "max-transfer-time-out 1", "max-transfer-idle-out 1", "notify-delay 1", "max-zone-ttl 1",
    "transfer-source 127.0.0.1", "transfer-source-v6 ::1", "notify-source 127.0.0.1", "notify-source-v6 ::1",
    "request-ixfr yes", "try-tcp-refresh yes", "multi-master yes", "max-records 1", 'journal "j"',
]


def zone_block(zone_type, option):
    """A zone of `zone_type` with what that type needs, plus `option` (replacing the need it duplicates)."""
    needs = {
        "primary": 'file "f";', "master": 'file "f";', "hint": 'file "f";', "redirect": 'file "f";',
        "secondary": "primaries { 127.0.0.1; };", "slave": "primaries { 127.0.0.1; };",
        "mirror": "primaries { 127.0.0.1; };", "stub": "primaries { 127.0.0.1; };",
        "static-stub": "server-addresses { 127.0.0.1; };", "forward": "forwarders { 127.0.0.1; };",
    }[zone_type]
    keyword = option.split()[0]
    if needs.split()[0] == keyword or (keyword in ("primaries", "masters") and needs.startswith("primaries")):
        needs = ""
    name = "." if zone_type == "redirect" else "example"
    return f'zone "{name}" {{ type {zone_type}; {needs} {option}; }};\n'


@pytest.mark.parametrize("zone_type", ZONE_TYPES)
def test_zone_options_per_type_match_bind(zone_type, tmp_path):
    """Which zone clauses each zone type accepts: BIND's table, clause by clause."""
    disagreements = []
    for option in ZONE_OPTIONS:
        path = tmp_path / "zone.conf"
        path.write_text(zone_block(zone_type, option))
        bind = subprocess.run([NAMED_CHECKCONF, str(path)], capture_output=True, text=True, timeout=60)
        ours = subprocess.run([str(CAIRN), "checkconf", str(path)], capture_output=True, text=True, timeout=60)
        if (bind.returncode == 0) != (ours.returncode == 0):
            disagreements.append(f"{option}: BIND {bind.returncode} {bind.stdout.strip()!r}, "
                                 f"cairn {ours.returncode} {ours.stdout.strip()!r}")
    assert not disagreements, "\n".join(disagreements)
