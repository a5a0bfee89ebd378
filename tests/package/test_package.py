"""The Debian package, built from the tree with dpkg-buildpackage (Debian's build flags: hardening,
_FORTIFY_SOURCE) and installed with `apt-get install ./cairn_*.deb` in a fresh Debian 12 made by debootstrap
from the mirror apt on this machine uses, so that the test machine's own system is never touched. Checked:
the build's hardening, the package's files, the cairn user, owners and modes, the generated rndc.key, that
nothing was started, that the installed server runs as the service would (as user cairn) and answers its
control channel with the generated key, and that a purge takes away what the package made.

The debootstrapped system is cached (as a tar file under $XDG_CACHE_HOME/cairn, else ~/.cache/cairn) so that
later runs unpack it in seconds instead of downloading it again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, copy_tree, project_version

PACKAGE_BUILD = REPO_ROOT / "build-package"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cairn"
SUITE = "bookworm"


def debian_sources() -> list[tuple[str, str]]:
    """(repository URI, suite) of the Debian repositories apt uses here, main component."""
    listed = subprocess.run(["apt-get", "indextargets", "--format", "$(ORIGIN)|$(REPO_URI)|$(RELEASE)|$(COMPONENT)",
                             "Created-By: Packages"], capture_output=True, text=True, check=True).stdout
    sources = []
    for line in sorted(set(listed.splitlines())):
        origin, uri, release, component = line.split("|")
        if origin == "Debian" and component == "main" and release.startswith(SUITE) and (uri, release) not in sources:
            sources.append((uri, release))
    return sources


@pytest.fixture(scope="module")
def package() -> Path:
    """Builds the package from a copy of the tree; returns the .deb."""
    version = project_version()
    changelog = (REPO_ROOT / "debian/changelog").read_text()
    assert changelog.startswith(f"cairn ({version})"), "debian/changelog's version is not CMakeLists.txt's"
    source = PACKAGE_BUILD / f"cairn-{version}"
    copy_tree(source, keep=("obj-x86_64-linux-gnu",))
    for old in PACKAGE_BUILD.glob("cairn*_*"):
        old.unlink()
    env = dict(os.environ, CCACHE_BASEDIR=str(source), CCACHE_NOHASHDIR="1",
               CCACHE_IGNOREOPTIONS="-ffile-prefix-map=*", DEB_BUILD_OPTIONS=f"parallel={os.cpu_count()}")
    build = subprocess.run(["dpkg-buildpackage", "-b", "-us", "-uc", "-nc"], cwd=source, capture_output=True,
                           text=True, env=env, timeout=3600)
    (PACKAGE_BUILD / "build.log").write_text(build.stdout + build.stderr)
    assert build.returncode == 0, (build.stdout + build.stderr)[-6000:]
    debs = list(PACKAGE_BUILD.glob(f"cairn_{version}_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def test_built_with_debians_hardening_flags(package):
    # The compiler commands of the package build (incremental builds leave unchanged files out of the log).
    commands = json.loads(next(PACKAGE_BUILD.glob("cairn-*/obj-*/compile_commands.json")).read_text())
    daemon = next(entry["command"] for entry in commands if entry["file"].endswith("cairnd_main.cpp"))
    for flag in ("-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-Werror=format-security", "-Werror", "-O2"):
        assert flag in daemon.split(), flag
    assert "warning:" not in (PACKAGE_BUILD / "build.log").read_text()
    unpacked = PACKAGE_BUILD / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", str(package), str(unpacked)], check=True)
    cairnd = unpacked / "usr/sbin/cairnd"
    dynamic = subprocess.run(["readelf", "-d", str(cairnd)], capture_output=True, text=True).stdout
    headers = subprocess.run(["readelf", "-lW", str(cairnd)], capture_output=True, text=True).stdout
    symbols = subprocess.run(["readelf", "--dyn-syms", "-W", str(cairnd)], capture_output=True, text=True).stdout
    assert "BIND_NOW" in dynamic or "(NOW)" in dynamic  # -z now
    assert "GNU_RELRO" in headers  # -z relro
    assert "DYN (Position-Independent Executable" in subprocess.run(["readelf", "-h", str(cairnd)],
                                                                   capture_output=True, text=True).stdout
    assert "__stack_chk_fail" in symbols
    assert re.search(r"__\w+_chk\b", symbols.replace("__stack_chk_fail", ""))  # _FORTIFY_SOURCE's checked calls


def test_the_package_holds_the_service(package):
    listing = subprocess.run(["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for path in ("/usr/sbin/cairnd", "/usr/bin/cairn", "/lib/systemd/system/cairnd.service",
                 "/usr/share/man/man8/cairnd.8.gz", "/usr/share/man/man8/cairn.8.gz",
                 "/usr/share/man/man5/cairn-named.conf.5.gz", "/etc/cairn/named.conf",
                 "/usr/lib/tmpfiles.d/cairn.conf", "/usr/share/doc/cairn/examples/named.conf"):
        assert path in paths, path
    info = subprocess.run(["dpkg-deb", "-I", str(package)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Depends:.*\badduser\b.*libssl3", info), info
    conffiles = subprocess.run(["dpkg-deb", "-e", str(package), str(PACKAGE_BUILD / "control")], check=True)
    assert conffiles.returncode == 0
    assert "/etc/cairn/named.conf" in (PACKAGE_BUILD / "control/conffiles").read_text()


def make_chroot(root: Path) -> None:
    """A minimal Debian 12 in `root`, from the cache or debootstrapped from apt's mirror."""
    sources = debian_sources()
    assert sources, "apt has no Debian bookworm repository configured"
    mirror = next(uri for uri, release in sources if release == SUITE)
    cached = CACHE / f"debootstrap-{SUITE}-minbase.tar"
    if not cached.exists():
        staging = root.with_name(root.name + "-bootstrap")
        done = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(staging), mirror], capture_output=True,
                              text=True, timeout=1800)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(staging), "-cf", str(partial), "."], check=True)
        partial.rename(cached)
        shutil.rmtree(staging)
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", str(cached)], check=True)
    (root / "etc/apt/sources.list").write_text(
        "".join(f"deb {uri} {release} main\n" for uri, release in sources))
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    # Nothing the package installs may start in here (there is no systemd either).
    (root / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
    os.chmod(root / "usr/sbin/policy-rc.d", 0o755)


def in_root(root: Path, *command: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    return subprocess.run(["chroot", str(root), *command], capture_output=True, text=True, env=env, timeout=timeout)


def stat(root: Path, path: str) -> tuple[str, str, int]:
    info = os.stat(root / path.lstrip("/"))
    owner = in_root(root, "getent", "passwd", str(info.st_uid)).stdout.split(":")[0]
    group = in_root(root, "getent", "group", str(info.st_gid)).stdout.split(":")[0]
    return owner, group, info.st_mode & 0o7777


@pytest.fixture(scope="module")
def installed(package, tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("debootstrap and chroot need root")
    root = tmp_path_factory.mktemp("debian") / "root"
    make_chroot(root)
    try:
        shutil.copy(package, root / "tmp" / package.name)
        updated = in_root(root, "apt-get", "update", "-q")
        assert updated.returncode == 0, updated.stderr
        done = in_root(root, "sh", "-c", "cd /tmp && apt-get install -y -q --no-install-recommends ./cairn_*.deb")
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_install_makes_the_user_the_directories_and_the_key(installed):
    root = installed
    user = in_root(root, "getent", "passwd", "cairn").stdout.strip().split(":")
    assert user[0] == "cairn" and int(user[2]) < 1000 and user[5] == "/var/lib/cairn", user
    assert user[6] in ("/usr/sbin/nologin", "/bin/false"), user
    assert stat(root, "/usr/sbin/cairnd") == ("root", "root", 0o755)
    assert stat(root, "/usr/bin/cairn") == ("root", "root", 0o755)
    assert stat(root, "/etc/cairn/named.conf") == ("root", "cairn", 0o640)
    assert stat(root, "/etc/cairn/rndc.key") == ("root", "cairn", 0o640)
    assert stat(root, "/var/lib/cairn") == ("cairn", "cairn", 0o750)
    assert stat(root, "/run/cairn") == ("cairn", "cairn", 0o755)
    assert stat(root, "/lib/systemd/system/cairnd.service")[2] == 0o644
    key = (root / "etc/cairn/rndc.key").read_text()
    assert re.fullmatch(r'key "rndc-key" \{\n\talgorithm hmac-sha256;\n\tsecret "[A-Za-z0-9+/=]{44}";\n\};\n', key), key
    # The configuration as shipped is valid and listens on loopback only.
    checked = in_root(root, "cairn", "checkconf", "-z")
    assert checked.returncode == 0, checked.stdout
    config = (root / "etc/cairn/named.conf").read_text()
    assert "listen-on { 127.0.0.1; };" in config and "listen-on-v6 { ::1; };" in config
    assert 'directory "/var/lib/cairn";' in config and 'pid-file "/run/cairn/cairnd.pid";' in config
    # Installing started nothing.
    running = subprocess.run(["pgrep", "-x", "cairnd"], capture_output=True, text=True).stdout.split()
    assert not any(os.readlink(f"/proc/{pid}/root") == str(root) for pid in running if os.path.exists(f"/proc/{pid}"))
    # A second configure (an upgrade) keeps the key.
    assert in_root(root, "dpkg-reconfigure", "cairn").returncode == 0
    assert (root / "etc/cairn/rndc.key").read_text() == key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_installed_server_runs_as_cairn_and_answers_cairn_ctl(installed):
    """The installed cairnd on the shipped configuration, dropping to the cairn user as the service runs (the
    chroot has no systemd): ports of the test's own, the default control channel with the generated key."""
    root = installed
    port, control = free_port(), free_port()
    proc = subprocess.Popen(["chroot", str(root), "/usr/sbin/cairnd", "-u", "cairn", "-p", str(port), "--control-port",
                             str(control), "-n", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, env={"PATH": "/usr/sbin:/usr/bin"})
    try:
        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = in_root(root, "cairn", "ctl", "-p", str(control), "status", timeout=30)
            if status.returncode == 0:
                break
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(0.3)
        assert status is not None and status.returncode == 0, status.stderr
        assert "number of zones: 0" in status.stdout and "server is up and running" in status.stdout
        uid = re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{proc.pid}/status").read_text(), re.M).group(1)
        assert in_root(root, "getent", "passwd", uid).stdout.startswith("cairn:")
        assert (root / "run/cairn/cairnd.pid").read_text().strip() == str(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)


def test_purge_takes_away_what_the_package_made(installed):
    root = installed
    done = in_root(root, "apt-get", "purge", "-y", "-q", "cairn")
    assert done.returncode == 0, done.stderr
    for path in ("usr/sbin/cairnd", "etc/cairn/rndc.key", "etc/cairn/named.conf", "var/lib/cairn", "var/log/cairn",
                 "lib/systemd/system/cairnd.service"):
        assert not (root / path).exists(), path
