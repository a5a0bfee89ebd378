"""Zones signed with BIND's dnssec-signzone for the DNSSEC answer tests and benchmarks.

`sign_answer_zones(directory)` copies the differential answer corpus (tests/data/answers/) and signs it:
example.test with an NSEC chain, the same content as nsec3.test with an opt-out NSEC3 chain, and the child
sub.example.test (its DS put into the parent before the parent is signed); example.org stays unsigned.
Keys are a KSK and a ZSK of ECDSAP256SHA256 per zone, made with dnssec-keygen. Returns the servers.Zone
list to serve and the trust anchors (the KSK DNSKEY of each signed parent zone).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import servers

ANSWERS = servers.REPO_ROOT / "tests" / "data" / "answers"


@dataclasses.dataclass
class SignedZones:
    zones: list[servers.Zone]
    anchors: dict[str, str]  # zone -> "flags protocol algorithm key" of its KSK
    files: dict[str, Path]  # zone -> signed file


def tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    return path


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def keygen(directory: Path, zone: str) -> str:
    ksk = run([tool("dnssec-keygen"), "-q", "-a", "ECDSAP256SHA256", "-f", "KSK", zone], directory).strip()
    run([tool("dnssec-keygen"), "-q", "-a", "ECDSAP256SHA256", zone], directory)
    text = (directory / f"{ksk}.key").read_text()
    record = [line for line in text.splitlines() if line and not line.startswith(";")][0]
    return " ".join(record.split()[3:])  # after "owner IN DNSKEY"


def sign(directory: Path, zone: str, source: Path, nsec3_args: list[str]) -> Path:
    signed = directory / f"{zone}.signed"
    run([tool("dnssec-signzone"), "-S", "-K", ".", *nsec3_args, "-o", zone, "-f", str(signed), str(source)], directory)
    return signed


def sign_answer_zones(directory: Path) -> SignedZones:
    directory.mkdir(parents=True, exist_ok=True)
    anchors: dict[str, str] = {}
    files: dict[str, Path] = {}
    # The child first: its DS goes into both parents.
    child = directory / "sub.example.test.zone"
    shutil.copy(ANSWERS / "sub.example.test.zone", child)
    keygen(directory, "sub.example.test")
    files["sub.example.test"] = sign(directory, "sub.example.test", child, [])
    child_ds = (directory / "dsset-sub.example.test.").read_text()
    parent_text = (ANSWERS / "example.test.zone").read_text()
    for zone, nsec3_args in (("example.test", []), ("nsec3.test", ["-3", "aabb", "-H", "0", "-A"])):
        text = parent_text if zone == "example.test" else re.sub(r"example\.test\.", "nsec3.test.", parent_text)
        ds = child_ds if zone == "example.test" else child_ds.replace("example.test.", "nsec3.test.")
        source = directory / f"{zone}.zone"
        source.write_text(text + "\n" + ds)
        anchors[zone] = keygen(directory, zone)
        files[zone] = sign(directory, zone, source, nsec3_args)
    shutil.copy(ANSWERS / "example.org.zone", directory / "example.org.zone")
    files["example.org"] = directory / "example.org.zone"
    zones = [servers.Zone(name, path) for name, path in files.items()]
    return SignedZones(zones, anchors, files)
