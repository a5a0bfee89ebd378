"""A cairn secondary zone's life with seconds-long SOA timers (refresh 2, retry 1, expire 8).

`xfr_tool secondary` runs xfr::SecondaryZone (refresh schedule, client, file, LMDB timers) and prints its
events; `xfr_tool serve` is the primary, started and stopped on one port. Checked: the zone is served
until EXPIRE after the last successful refresh, then not; restarting the secondary does not reset the
expire clock nor serve an expired copy; a returning primary brings the zone back within refresh + retry.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from pathlib import Path

import pytest

import servers

TOOL = servers.cairn_build_dir() / "tests" / "tools" / "xfr_tool"
ORIGIN = "timers.example."
ZONE = "$TTL 60\n@ SOA ns1 hostmaster 5 2 1 8 60\n  NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.80\n"


class Process:
    """A tool process whose stdout lines are collected by a thread, with time-bounded waits."""

    def __init__(self, args: list[str], log: Path):
        self._stderr = open(log, "a")
        self.proc = subprocess.Popen([str(TOOL), *args], stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_for(self, needle: str, timeout: float) -> dict[str, str] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if needle in line:
                return dict(item.split("=", 1) for item in line.split())
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self._stderr.close()


@pytest.fixture
def setup(tmp_path):
    if not TOOL.is_file():
        pytest.skip(f"{TOOL} is not built (ninja -C build xfr_tool)")
    primary_file = tmp_path / "primary.zone"
    primary_file.write_text(ZONE)
    port = servers.free_port(ipv6=False)
    started: list[Process] = []

    def primary(text: str = ZONE) -> Process:
        primary_file.write_text(text)
        p = Process(["serve", str(port), ORIGIN, str(primary_file), "--seconds", "60"], tmp_path / "serve.log")
        started.append(p)
        time.sleep(0.3)  # bound before the secondary's next retry
        return p

    def secondary() -> Process:
        p = Process(
            ["secondary", "127.0.0.1", str(port), ORIGIN, str(tmp_path / "secondary.zone"), str(tmp_path / "store"),
             "--seconds", "60", "--min-timers"],
            tmp_path / "secondary.log",
        )
        started.append(p)
        return p

    yield primary, secondary, tmp_path
    for p in started:
        p.stop()


def test_expiry_restart_and_recovery(setup):
    primary, secondary, tmp_path = setup
    first_primary = primary()
    first = secondary()
    assert first.wait_for("event=publish serial=5", 5), first.seen
    ok = first.wait_for("event=ok", 4)  # a refresh after REFRESH seconds
    assert ok is not None, first.seen
    assert (tmp_path / "secondary.zone").read_text().count("IN\t") >= 4  # saved for a restart

    first_primary.stop()
    fail = first.wait_for("event=fail", 4)
    assert fail is not None and fail["serving"] == "1", first.seen  # still served while retrying
    expire_at = int(fail["expire_at"])
    assert expire_at - float(ok["time"]) <= 8.5  # counted from the last success

    # A restart of the secondary meanwhile: serves the copy from disk at once, keeps the old deadline.
    first.stop()
    second = secondary()
    assert second.wait_for("event=publish serial=5", 3), second.seen
    gone = second.wait_for("event=unpublish", expire_at - time.time() + 3)
    assert gone is not None, second.seen
    assert expire_at <= float(gone["time"]) < expire_at + 1.5  # the restart did not reset the clock

    # A restart after expiry does not serve the expired copy.
    second.stop()
    third = secondary()
    assert third.wait_for("event=publish", 2.5) is None, third.seen
    assert any("serving=0" in line for line in third.seen), third.seen

    # The primary returns: served again within refresh + retry.
    primary()
    back = third.wait_for("event=publish serial=5", 2 + 1 + 1.5)
    assert back is not None, third.seen


def test_serial_arithmetic_end_to_end(setup):
    """RFC 1982: 4294967295 -> 1 is an increase and transfers; 1 -> 2147483650 is a decrease and does not."""
    primary, secondary, _ = setup
    at_top = primary(ZONE.replace(" 5 2 1 8 60", " 4294967295 2 1 8 60"))
    sec = secondary()
    assert sec.wait_for("event=publish serial=4294967295", 5), sec.seen
    at_top.stop()
    wrapped = primary(ZONE.replace(" 5 2 1 8 60", " 1 2 1 8 60"))
    assert sec.wait_for("event=publish serial=1", 5), sec.seen
    wrapped.stop()
    primary(ZONE.replace(" 5 2 1 8 60", " 2147483650 2 1 8 60"))
    # Checks keep succeeding (the primary answers) but nothing newer is taken.
    for _ in range(2):
        ok = sec.wait_for("event=ok", 5)
        assert ok is not None and ok["serial"] == "1", sec.seen
    assert not any("serial=2147483650" in line for line in sec.seen), sec.seen
