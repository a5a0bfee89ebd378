"""`cairn ctl refresh` and `retransfer` (and BIND's rndc) on a cairnd secondary whose timers would not move for an
hour and that hears no NOTIFY: refresh picks up the primary's new serial at once; retransfer takes a new AXFR
although the serial did not change, serves it and saves it.
"""

from __future__ import annotations

import time

import pytest

import ctl_daemon
import servers
from waiting import wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

ORIGIN = "rt.test"


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "primary").mkdir()
    (tmp_path / "secondary").mkdir()
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {ORIGIN: 1},
        statistics=False,
        zone_options={ORIGIN: "notify no; allow-transfer { 127.0.0.1; };"},
    ).start()
    secondary = ctl_daemon.Daemon(
        tmp_path / "secondary",
        {"other.test": 1},
        extra=(
            f'zone "{ORIGIN}" {{ type secondary; primaries {{ 127.0.0.1 port {primary.port}; }}; '
            f'file "{ORIGIN}.copy"; notify no; }};\n'
        ),
    ).start()
    yield primary, secondary
    secondary.stop()
    primary.stop()


def axfrs_served(primary, serial: int) -> int:
    return primary.log_text().count(f"zone {ORIGIN}./_default: AXFR started (serial {serial},")


def www_address(daemon) -> str | None:
    response = daemon.query(f"www.{ORIGIN}", "A")
    return response.answer[0][0].address if response.answer else None


def test_refresh_and_retransfer_on_a_secondary(pair):
    primary, secondary = pair
    assert wait_for(lambda: secondary.soa_serial(ORIGIN) == 1, timeout=8)
    copy = secondary.workdir / f"{ORIGIN}.copy"
    assert wait_for(copy.exists, timeout=8)

    # A new serial on the primary; no NOTIFY and an hourly REFRESH: only the command moves the secondary.
    ctl_daemon.write_atomically(primary.zone_path(ORIGIN), ctl_daemon.zone_text(ORIGIN, 2))
    assert primary.ctl("reload", ORIGIN).returncode == 0
    assert primary.soa_serial(ORIGIN) == 2
    time.sleep(0.5)
    assert secondary.soa_serial(ORIGIN) == 1
    refreshed = secondary.ctl("refresh", ORIGIN)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.strip() == "zone refresh queued"
    assert wait_for(lambda: secondary.soa_serial(ORIGIN) == 2, timeout=5)

    # The primary's data changes under the same serial (as after a botched edit and a restart; a reload
    # refuses it): a refresh sees nothing to do, a retransfer takes the zone again (AXFR) and serves and
    # saves the new data.
    ctl_daemon.write_atomically(primary.zone_path(ORIGIN), ctl_daemon.zone_text(ORIGIN, 2, "192.0.2.77"))
    refused = primary.ctl("reload", ORIGIN)
    assert refused.returncode != 0 and "its serial 2 did not" in refused.stderr, refused.stderr
    assert www_address(primary) == "192.0.2.1"
    primary.stop()
    primary.start()  # same port; a fresh start has no version to compare with
    assert wait_for(lambda: www_address(primary) == "192.0.2.77", timeout=8)
    axfrs_before = axfrs_served(primary, 2)
    assert secondary.ctl("refresh", ORIGIN).returncode == 0
    time.sleep(1)  # its SOA check (serial 2 against 2) is long over
    assert www_address(secondary) == "192.0.2.1"
    assert axfrs_served(primary, 2) == axfrs_before

    retransfer = secondary.ctl("retransfer", ORIGIN)
    assert retransfer.returncode == 0, retransfer.stderr
    assert retransfer.stdout.strip() == ""  # as rndc: nothing to say
    assert wait_for(lambda: axfrs_served(primary, 2) == axfrs_before + 1, timeout=5)
    assert wait_for(lambda: www_address(secondary) == "192.0.2.77", timeout=5)
    assert secondary.soa_serial(ORIGIN) == 2
    assert "transferred serial 2 (full)" in secondary.log_text()
    assert wait_for(lambda: "192.0.2.77" in copy.read_text(), timeout=8)

    # BIND's rndc drives the same commands.
    rndc = secondary.rndc("retransfer", ORIGIN)
    assert rndc.returncode == 0, rndc.stderr
    assert wait_for(lambda: axfrs_served(primary, 2) == axfrs_before + 2, timeout=5)
    rndc = secondary.rndc("refresh", ORIGIN)
    assert rndc.returncode == 0, rndc.stderr
    assert "zone refresh queued" in rndc.stdout


def test_refresh_and_retransfer_need_a_secondary_zone(pair):
    primary, secondary = pair
    for command in ("refresh", "retransfer"):
        on_primary = secondary.ctl(command, "other.test")
        assert on_primary.returncode != 0
        assert "not a secondary" in on_primary.stderr, on_primary.stderr
        unknown = secondary.ctl(command, "nosuch.test")
        assert unknown.returncode != 0
        assert "no matching zone 'nosuch.test'" in unknown.stderr, unknown.stderr
    rndc = secondary.rndc("retransfer", "nosuch.test")
    assert rndc.returncode != 0
