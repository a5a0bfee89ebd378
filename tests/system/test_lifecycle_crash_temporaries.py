"""A secondary killed (kill -9) while it writes a zone's copy leaves `FILE.tmp-PID` behind; the next start
removes it, says so in the log, and serves the zone. The copy of a large zone from Knot takes long enough to
write that the temporary file is seen and the process killed while it exists (attempts bounded).
"""

from __future__ import annotations

import re
import signal
import time

import pytest

import servers
from waiting import wait_for

pytestmark = pytest.mark.skipif(servers.binary_for("cairnd") is None, reason="cairnd is not built")

ORIGIN = "big.test"
HOSTS = 60_000


def test_a_temporary_left_by_a_kill_during_a_save_is_removed_at_the_next_start(tmp_path):
    knot = servers.primary_server("knotd", tmp_path / "knot", [ORIGIN], hosts=HOSTS)
    secondary = servers.CairndSecondary(
        tmp_path / "cairnd", [servers.SecondaryZone(ORIGIN, f"127.0.0.1 port {knot.port};")]
    )
    left = None
    try:
        for attempt in range(3):
            secondary.start(f"attempt{attempt}.log")
            pid = secondary.process.pid
            temporary = secondary.workdir / f"{ORIGIN}.db.tmp-{pid}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not temporary.exists():
                if (secondary.workdir / f"{ORIGIN}.db").exists():
                    break  # saved before it was seen: start over
                time.sleep(0.001)
            if temporary.exists():
                secondary.process.proc.send_signal(signal.SIGKILL)
                secondary.process.proc.wait(timeout=10)
                secondary.stop()
                if temporary.exists():
                    left = temporary
                    break
            secondary.stop()
            (secondary.workdir / f"{ORIGIN}.db").unlink(missing_ok=True)
        assert left is not None, "no save was caught in progress in three attempts"

        secondary.start("restart.log")
        assert wait_for(lambda: secondary.serial(ORIGIN) == 1, 60), secondary.log()[-3000:]
        assert wait_for(lambda: not left.exists(), 10)
        assert re.search(rf"removed \S*/{re.escape(left.name)}, left by an interrupted save", secondary.log()), (
            secondary.log()[-3000:]
        )
        assert wait_for(lambda: (secondary.workdir / f"{ORIGIN}.db").exists(), 30)
        assert not list(secondary.workdir.glob(f"{ORIGIN}.db.tmp-*"))
    finally:
        secondary.stop()
        knot.stop()
