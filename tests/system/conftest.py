"""Fixtures for system tests: real authoritative servers on loopback, started per test or per module.

    def test_something(start_server, answers_zones):
        nsd = start_server("nsd", answers_zones)
        response = dnsclient.query(nsd, "www.example.test", "A")

`start_server(kind, zones, options=None)` returns a running servers.AuthServer and stops it when the test
(or, for `module_server`, the module) ends. cairnd tests are skipped only while build/src/cli/cairnd (or
$CAIRN_BUILD/src/cli/cairnd) does not exist; a missing BIND, Knot or NSD is an error, since
scripts/install-deps.sh installs them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import pytest

import hierarchy as hierarchy_module
import servers

ANSWERS_DATA = servers.REPO_ROOT / "tests" / "data" / "answers"


class ServerPool:
    """Starts servers in per-kind subdirectories of one temporary directory and stops them all at the end."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, label: str):
        self._tmp_path_factory = tmp_path_factory
        self._label = label
        self._started: list[servers.AuthServer] = []

    def __call__(
        self,
        kind: str,
        zones: Sequence[servers.Zone],
        options: servers.ServerOptions | None = None,
    ) -> servers.AuthServer:
        require_server(kind)
        workdir = self._tmp_path_factory.mktemp(re.sub(r"[^\w.-]", "_", f"{self._label}-{kind}"))
        server = servers.AuthServer(kind, workdir, zones, options)
        self._started.append(server)
        try:
            server.start()
        except servers.ServerStartError as error:
            pytest.fail(str(error), pytrace=False)
        return server

    def stop_all(self) -> None:
        while self._started:
            self._started.pop().stop()


@pytest.fixture
def cairnd_binary() -> Path:
    """The cairnd executable, for tests that start it with configurations of their own."""
    require_server("cairnd")
    return servers.cairnd_binary()


def require_server(kind: str) -> None:
    """Skips the test when cairnd is not built yet; fails when a reference server is not installed."""
    if servers.binary_for(kind) is not None:
        return
    if kind == "cairnd":
        pytest.skip(f"cairnd is not built: {servers.cairnd_binary()} does not exist (build it, or set CAIRN_BUILD)")
    pytest.fail(f"{kind} is not installed (scripts/install-deps.sh installs it)", pytrace=False)


@pytest.fixture
def start_server(tmp_path_factory, request):
    pool = ServerPool(tmp_path_factory, request.node.name[:40])
    yield pool
    pool.stop_all()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory, request):
    pool = ServerPool(tmp_path_factory, Path(request.node.name).stem[:40])
    yield pool
    pool.stop_all()


@pytest.fixture(scope="session")
def answers_zones() -> list[servers.Zone]:
    """The zones of the differential answer corpus, tests/data/answers/."""
    return [
        servers.Zone(origin, ANSWERS_DATA / f"{origin}.zone")
        for origin in ("example.test", "sub.example.test", "example.org")
    ]


@pytest.fixture(scope="session")
def hierarchy(tmp_path_factory):
    """The loopback DNS hierarchy of hierarchy.py (root, TLDs and leaf zones on 127.53.x.y#53), started once
    for the session. Tests that take servers down or change zones use the zones it leaves to them
    (autostart=False) and stop what they started."""
    for kind in ("nsd", "knotd", "cairnd"):
        require_server(kind)
    started = hierarchy_module.Hierarchy(hierarchy_module.default_spec(), tmp_path_factory.mktemp("hierarchy"))
    try:
        started.start()
    except servers.ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    yield started
    started.stop()
