"""cairnd transfers at the daemon level: who may transfer (allow-transfer, REFUSED with EDE 18), a cut
stream against a cairnd secondary (the old version keeps serving, the log says why), and a Knot primary's
IXFR taken and applied by a cairnd secondary.
"""

from __future__ import annotations

import signal
import subprocess

import dns.message
import dns.opcode
import dns.flags
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone
import pytest

import servers
from proxy import TcpProxy
from test_xfr_daemon import ORIGIN, axfr_rrs, cairnd_config, write_zone, zone_text
from waiting import soa_serial, wait_for

EDE = 15  # EDNS option code (RFC 8914)
PROHIBITED = 18


def cairnd(config, directory, log="cairnd.log") -> servers.LoggedProcess:
    return servers.cairnd_process(config, directory, log)


@pytest.fixture
def need_cairnd():
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")


def test_transfer_from_a_disallowed_address_is_refused_with_ede_18(tmp_path, need_cairnd):
    port = servers.free_port(ipv6=False)
    zone_file = tmp_path / "xfr.example.zone"
    write_zone(zone_file, zone_text(7, "192.0.2.80"))
    config = cairnd_config(tmp_path, port, f'type primary; file "{zone_file.name}"; allow-transfer {{ 127.0.0.2; }};',
                           "    notify no;\n")
    primary = cairnd(config, tmp_path)
    try:
        assert wait_for(lambda: soa_serial(port, ORIGIN) == 7, 10), primary.log()
        # dnspython from 127.0.0.1 (not listed): REFUSED, with EDE 18 (Prohibited) when the query has EDNS.
        query = dns.message.make_query(ORIGIN, "AXFR", use_edns=0)
        response = dns.query.tcp(query, "127.0.0.1", port=port, timeout=5, source="127.0.0.1")
        assert response.rcode() == dns.rcode.REFUSED
        assert [o.code for o in response.options if o.otype == EDE] == [PROHIBITED], response
        plain = dns.query.tcp(dns.message.make_query(ORIGIN, "AXFR"), "127.0.0.1", port=port, timeout=5,
                              source="127.0.0.1")
        assert plain.rcode() == dns.rcode.REFUSED and plain.edns < 0  # no OPT asked, none given

        # dig from another disallowed address shows the same.
        dig = subprocess.run(["dig", "-b", "127.0.0.3", "@127.0.0.1", "-p", str(port), ORIGIN, "AXFR", "+edns"],
                             capture_output=True, text=True, timeout=20)
        assert "Transfer failed." in dig.stdout, dig.stdout  # dig does not print a refused transfer's answer
        assert "IN\tSOA" not in dig.stdout, dig.stdout

        # The listed address gets the zone, by dnspython and by dig.
        zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", ORIGIN, port=port, timeout=5, source="127.0.0.2"))
        assert zone.get_rdataset("www", "A")[0].address == "192.0.2.80"
        dig = subprocess.run(["dig", "-b", "127.0.0.2", "@127.0.0.1", "-p", str(port), ORIGIN, "AXFR", "+edns"],
                             capture_output=True, text=True, timeout=20)
        assert dig.stdout.count("\tSOA\t") == 2 and "192.0.2.80" in dig.stdout, dig.stdout
        log = primary.log()
        assert "client 127.0.0.3#" in log and "transfer denied (allow-transfer)" in log, log
    finally:
        primary.stop()


def big_zone(serial: int, www: str, hosts: int = 6000) -> str:
    return zone_text(serial, www, "".join(f"h{i} A 10.1.{i >> 8 & 255}.{i & 255}\n" for i in range(hosts)))


def send_notify(port: int) -> None:
    message = dns.message.make_query(ORIGIN, "SOA")
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags |= dns.flags.AA
    dns.query.udp(message, "127.0.0.1", port=port, timeout=2, source="127.0.0.1")


def test_a_transfer_cut_mid_way_leaves_the_secondary_serving_the_old_version(tmp_path, need_cairnd):
    primary_dir, secondary_dir = tmp_path / "primary", tmp_path / "secondary"
    primary_dir.mkdir()
    secondary_dir.mkdir()
    primary_port, secondary_port = servers.free_port(ipv6=False), servers.free_port(ipv6=False)
    zone_file = primary_dir / "xfr.example.zone"
    write_zone(zone_file, big_zone(1, "192.0.2.80"))
    primary_config = cairnd_config(primary_dir, primary_port, f'type primary; file "{zone_file.name}";',
                                   "    notify no;\n")
    started: list[servers.LoggedProcess] = []
    proxy = TcpProxy("127.0.0.1", primary_port, udp=True)
    try:
        started.append(cairnd(primary_config, primary_dir))
        primary = started[0]
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 1, 10), primary.log()
        proxy.start()
        secondary_config = cairnd_config(
            secondary_dir, secondary_port,
            f'type secondary; primaries {{ 127.0.0.1 port {proxy.port}; }}; file "sec.db";', "    notify no;\n")
        started.append(cairnd(secondary_config, secondary_dir))
        secondary = started[1]
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), secondary.log()
        before = axfr_rrs(secondary_port)
        assert len(before) > 6000

        # Serial 2 on the primary; the next transfer through the proxy is cut after 20,000 octets.
        proxy.cut_after = 20000
        write_zone(zone_file, big_zone(2, "192.0.2.81"))
        primary.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: soa_serial(primary_port, ORIGIN) == 2, 10), primary.log()
        send_notify(secondary_port)
        assert wait_for(lambda: "failed:" in secondary.log(), 15), secondary.log()
        assert proxy.connections >= 2  # the first transfer and the cut one
        log = secondary.log()
        failure = next(line for line in log.splitlines() if "failed:" in line)
        # Names the primary it was talking to and the cause.
        assert f"127.0.0.1#{proxy.port}: connection closed in the middle of message" in failure, failure
        # The old version, whole, is what is served.
        assert soa_serial(secondary_port, ORIGIN) == 1
        assert axfr_rrs(secondary_port) == before
        assert "transferred serial 2" not in log

        # The stream is healthy again: the next NOTIFY brings serial 2.
        proxy.cut_after = None
        send_notify(secondary_port)
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), secondary.log()
        assert axfr_rrs(secondary_port) == axfr_rrs(primary_port)
    finally:
        proxy.stop()
        for process in reversed(started):
            process.stop()


def test_knot_primary_edit_reaches_the_cairnd_secondary_as_an_ixfr(tmp_path, need_cairnd):
    if servers.binary_for("knotd") is None:
        pytest.skip("knotd is not installed")
    knot_dir, secondary_dir = tmp_path / "knot", tmp_path / "secondary"
    (knot_dir / "storage").mkdir(parents=True)
    secondary_dir.mkdir()
    knot_port, secondary_port = servers.free_port(ipv6=False), servers.free_port(ipv6=False)
    zone_file = knot_dir / "xfr.example.zone"
    write_zone(zone_file, zone_text(1, "192.0.2.80"))
    knot_conf = knot_dir / "knot.conf"
    knot_conf.write_text(
        "server:\n"
        f'    rundir: "{knot_dir}"\n'
        f'    pidfile: "{knot_dir / "knot.pid"}"\n'
        f"    listen: 127.0.0.1@{knot_port}\n"
        "    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
        "log:\n  - target: stderr\n    any: info\n"
        f'database:\n    storage: "{knot_dir / "storage"}"\n'
        f'control:\n    listen: "{knot_dir / "knot.sock"}"\n'
        f"remote:\n  - id: cairn\n    address: 127.0.0.1@{secondary_port}\n"
        "acl:\n  - id: transfer\n    address: 127.0.0.1\n    action: transfer\n"
        f'zone:\n  - domain: "{ORIGIN}"\n    file: "{zone_file}"\n    notify: cairn\n    acl: transfer\n'
        "    zonefile-sync: -1\n    zonefile-load: difference\n    journal-content: changes\n"
    )
    config = cairnd_config(secondary_dir, secondary_port,
                           f'type secondary; primaries {{ 127.0.0.1 port {knot_port}; }}; file "sec.db";',
                           "    notify no;\n")
    started: list[servers.LoggedProcess] = []
    try:
        started.append(servers.LoggedProcess(["/usr/sbin/knotd", "-c", str(knot_conf)], knot_dir, "knotd.log"))
        knot = started[0]
        assert wait_for(lambda: soa_serial(knot_port, ORIGIN) == 1, 15), knot.log()
        started.append(cairnd(config, secondary_dir))
        secondary = started[1]
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 1, 15), secondary.log()
        assert "transferred serial 1 (full)" in secondary.log()

        write_zone(zone_file, zone_text(2, "192.0.2.81", "new A 192.0.2.99\n"))
        subprocess.run(["/usr/sbin/knotc", "-s", str(knot_dir / "knot.sock"), "zone-reload", ORIGIN], check=True,
                       capture_output=True, timeout=20)
        # REFRESH is an hour: Knot's NOTIFY brings serial 2, as an IXFR cairnd applies to its copy.
        assert wait_for(lambda: soa_serial(secondary_port, ORIGIN) == 2, 15), knot.log() + secondary.log()
        assert "transferred serial 2 (incremental)" in secondary.log(), secondary.log()
        assert "IXFR, outgoing" in knot.log(), knot.log()
        assert axfr_rrs(secondary_port) == axfr_rrs(knot_port)
    finally:
        for process in reversed(started):
            process.stop()
