"""Shared pieces of the packaging tests (scripts/test.sh package): where the repository is, its version, and
the copy of the tree a test builds from."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def project_version() -> str:
    return re.search(r"project\(cairn VERSION ([0-9.]+)", (REPO_ROOT / "CMakeLists.txt").read_text()).group(1)


def copy_tree(destination: Path, keep: tuple[str, ...] = ()) -> None:
    """The repository's files (tracked, and new ones git does not ignore) into `destination`, which keeps
    only the entries named in `keep` (a previous build's directory, so that it builds incrementally)."""
    destination.mkdir(parents=True, exist_ok=True)
    for entry in destination.iterdir():
        if entry.name not in keep:
            subprocess.run(["rm", "-rf", str(entry)], check=True)
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO_ROOT,
                           capture_output=True, check=True).stdout
    existing = b"\0".join(f for f in files.split(b"\0") if f and (REPO_ROOT / f.decode()).exists())
    pack = subprocess.Popen(["tar", "--null", "-T", "-", "-cf", "-"], cwd=REPO_ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    unpack = subprocess.Popen(["tar", "-xf", "-"], cwd=destination, stdin=pack.stdout)
    pack.stdin.write(existing)
    pack.stdin.close()
    assert unpack.wait() == 0 and pack.wait() == 0
