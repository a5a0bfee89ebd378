"""The LMDB store (cairn.lmdb: journals and timers) grows its map when a write finds it full, so that
journalling never stops for want of room (the issue's report: the 1 GiB store filled after 101 reloads and
journalling stopped). `lmdb-mapsize 1M` starts it small enough to fill with a few reloads: a primary zone of
~700 KB a quarter of whose records change at each reload (about 330 KB of differences each,
`max-journal-size unlimited`) fills 1 MiB at the third reload. The map doubles, each growth logged; every
difference is kept and the newest answers IXFR incrementally, also after a restart that asks for 1 MiB again.
"""

from __future__ import annotations

import re

import dns.query
import dns.rdatatype
import pytest

import ctl_daemon
import servers
from ctl_daemon import fields, write_atomically

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

ORIGIN = "growth.test"
HOSTS = 3000
RELOADS = 8
GROWN = re.compile(r"cairn\.lmdb: map full at (\d+) KiB, grown to (\d+) KiB")


def zone_text(serial: int) -> str:
    lines = [
        "$TTL 300",
        f"@ IN SOA ns1.{ORIGIN}. hostmaster.{ORIGIN}. ( {serial} 3600 600 86400 300 )",
        "  IN NS ns1",
        "ns1 IN A 127.0.0.1",
    ]
    # Each serial changes one quarter of the hosts (host i's quarter at the serials s = i mod 4).
    lines += [f'h{i} IN TXT "{(serial + 3 - i % 4) // 4:04d}-{i:05d}-{"x" * 180}"' for i in range(HOSTS)]
    return "\n".join(lines) + "\n"


def ixfr_serials(daemon: ctl_daemon.Daemon, since: int) -> list[int]:
    """The SOA serials of an IXFR answer from `since`, in order (incremental: new, since, ..., new)."""
    serials = []
    for message in dns.query.xfr("127.0.0.1", ORIGIN, rdtype=dns.rdatatype.IXFR, serial=since, port=daemon.port,
                                 timeout=20, relativize=False):
        serials += [rdata.serial for rrset in message.answer if rrset.rdtype == dns.rdatatype.SOA for rdata in rrset]
    return serials


def reload(daemon: ctl_daemon.Daemon, serial: int) -> None:
    write_atomically(daemon.zone_path(ORIGIN), zone_text(serial))
    reply = daemon.ctl("reload", ORIGIN)
    assert reply.stdout.strip() == "zone reload successful", reply.stdout + reply.stderr


def test_a_small_store_grows_and_the_zone_keeps_journalling(tmp_path):
    daemon = ctl_daemon.Daemon(
        tmp_path, {},
        options_extra="lmdb-mapsize 1M;",
        zone_options={
            ORIGIN: "ixfr-from-differences yes; max-journal-size unlimited; allow-transfer { 127.0.0.1; };"
        },
    )
    write_atomically(daemon.zone_path(ORIGIN), zone_text(1))
    daemon.zones = {ORIGIN: 1}
    daemon.start()
    try:
        assert daemon.soa_serial(ORIGIN) == 1, daemon.log_text()[-2000:]
        for serial in range(2, RELOADS + 2):
            reload(daemon, serial)
        last = RELOADS + 1
        assert daemon.soa_serial(ORIGIN) == last
        growths = [(int(a), int(b)) for a, b in GROWN.findall(daemon.log_text())]
        data = (tmp_path / "cairn.lmdb" / "data.mdb").stat().st_size
        status = fields(daemon.ctl("zonestatus", ORIGIN).stdout)
        print(f"after {RELOADS} reloads: map grew {growths} (KiB); data.mdb {data} bytes; "
              f"journal {status['journal size']}, {status['journal entries']} entries")
        # Started at 1 MiB (lmdb-mapsize), doubled at least twice, each time logged.
        assert growths[:2] == [(1024, 2048), (2048, 4096)], daemon.log_text()[-3000:]
        assert data > 2 << 20
        # Every reload was journalled (none lost when the map was full), and the newest answers IXFR: new,
        # old, new (the whole history is larger than the zone: an AXFR answers it, as BIND's max-ixfr-ratio).
        assert int(status["journal entries"]) == RELOADS, status
        assert ixfr_serials(daemon, last - 1) == [last, last - 1, last, last]

        # A restart asks for 1 MiB again: the store opens at the size its data needs, keeps every
        # difference, and journals the next reload.
        daemon.restart()
        reload(daemon, last + 1)
        assert ixfr_serials(daemon, last) == [last + 1, last, last + 1, last + 1]
        status = fields(daemon.ctl("zonestatus", ORIGIN).stdout)
        assert int(status["journal entries"]) == RELOADS + 1, status
    finally:
        daemon.stop()
