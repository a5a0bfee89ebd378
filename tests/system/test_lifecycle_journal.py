"""The IXFR journal of a primary is bounded by default, as BIND bounds it (max-journal-size: about twice the
zone): forty reloads, each changing a tenth of the zone, leave a journal of at most about twice the zone,
whose newest entries still answer IXFR. (The issue's report: with no bound, the store filled after 101
reloads and journalling stopped.)
"""

from __future__ import annotations

import dns.message
import dns.query
import dns.rdatatype
import dns.rrset
import pytest

import ctl_daemon
import servers
from ctl_daemon import fields, write_atomically

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

ORIGIN = "journal.test"
HOSTS = 200
RELOADS = 40


def zone_text(serial: int) -> str:
    lines = [
        "$TTL 300",
        f"@ IN SOA ns1.{ORIGIN}. hostmaster.{ORIGIN}. ( {serial} 3600 600 86400 300 )",
        "  IN NS ns1",
        "ns1 IN A 127.0.0.1",
    ]
    # A tenth of the hosts change address with every serial.
    lines += [f"h{i} IN A 10.{i % 250}.{serial % 250}.{i % 10}" if i % 10 == serial % 10 else f"h{i} IN A 10.{i % 250}.0.1" for i in range(HOSTS)]
    return "\n".join(lines) + "\n"


def axfr_bytes(port: int) -> int:
    """The zone's size as its records' uncompressed wire form."""
    total = 0
    for message in dns.query.xfr("127.0.0.1", ORIGIN, port=port, timeout=10, relativize=False):
        for rrset in message.answer:
            for rdata in rrset:
                total += len(rrset.name.to_wire()) + 10 + len(rdata.to_wire())
    return total


def test_the_journal_stays_within_twice_the_zone(tmp_path):
    daemon = ctl_daemon.Daemon(
        tmp_path, {}, zone_options={ORIGIN: "ixfr-from-differences yes; allow-transfer { 127.0.0.1; };"},
    )
    write_atomically(daemon.zone_path(ORIGIN), zone_text(1))
    daemon.zones = {ORIGIN: 1}
    daemon.start()
    try:
        assert daemon.soa_serial(ORIGIN) == 1, daemon.log_text()[-2000:]
        for serial in range(2, RELOADS + 2):
            write_atomically(daemon.zone_path(ORIGIN), zone_text(serial))
            reply = daemon.ctl("reload", ORIGIN)
            assert reply.stdout.strip() == "zone reload successful", reply.stdout + reply.stderr
        last = RELOADS + 1
        assert daemon.soa_serial(ORIGIN) == last
        status = fields(daemon.ctl("zonestatus", ORIGIN).stdout)
        size = int(status["journal size"].split()[0])
        entries = int(status["journal entries"])
        zone_size = axfr_bytes(daemon.port)
        print(f"zone {zone_size} bytes; journal {size} bytes, {entries} entries after {RELOADS} reloads")
        assert 1 <= entries < RELOADS, status
        assert 0 < size <= 2.5 * zone_size, (size, zone_size)
        # The newest differences are still there: an IXFR from the previous serial is incremental.
        query = dns.message.make_query(ORIGIN, dns.rdatatype.IXFR)
        query.authority.append(
            dns.rrset.from_text(ORIGIN + ".", 300, "IN", "SOA",
                                f"ns1.{ORIGIN}. hostmaster.{ORIGIN}. {last - 1} 3600 600 86400 300")
        )
        response = dns.query.tcp(query, "127.0.0.1", port=daemon.port, timeout=10, one_rr_per_rrset=True)
        serials = [rrset[0].serial for rrset in response.answer if rrset.rdtype == dns.rdatatype.SOA]
        assert serials[:2] == [last, last - 1] and serials[-1] == last, serials  # incremental: new, old, ..., new
        assert len(response.answer) < HOSTS, response
    finally:
        daemon.stop()
