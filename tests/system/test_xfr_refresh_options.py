"""How a refresh asks and how a transfer answers, against real peers:
- `try-tcp-refresh` (BIND's default yes): a primary whose UDP is dropped (Knot behind a proxy on 127.60.6.x
  that lets TCP through) is asked for its SOA over TCP and the new version comes; with `no` the refresh
  fails and no TCP connection is made.
- `request-ixfr no`: BIND as primary with ixfr-from-differences offers IXFR (a zone beside it takes one);
  the zone with `request-ixfr no` asks AXFR, as BIND's log shows.
- `provide-ixfr no` (cairnd primary): a BIND secondary's IXFR request gets the whole zone in one AXFR-style
  response (BIND logs the records it received), and the copy is right; a `server` statement's
  `provide-ixfr yes` for another source address gives that one the increment.
"""

from __future__ import annotations

import re

import dns.message
import dns.opcode
import dns.query
import pytest

import ctl_daemon
import servers
from proxy import TcpProxy
from waiting import soa_serial, wait_for

pytestmark = pytest.mark.skipif(
    servers.binary_for("cairnd") is None or not ctl_daemon.cairn_binary().exists(), reason="cairnd is not built"
)

HOSTS = 20


def notify(secondary_port: int, origin: str, source: str = "127.0.0.1") -> None:
    request = dns.message.make_query(origin, "SOA")
    request.set_opcode(dns.opcode.NOTIFY)
    dns.query.udp(request, "127.0.0.1", port=secondary_port, timeout=2, source=source)


def test_try_tcp_refresh_asks_the_soa_over_tcp_when_udp_fails(tmp_path):
    origins = ["tcp.test", "notcp.test"]
    started: list = []
    try:
        knot = servers.primary_server("knotd", tmp_path / "knot", origins)
        started.append(knot)
        proxies = [TcpProxy(knot.host, knot.port, udp=True, host=f"127.60.6.{i + 1}").start() for i in range(2)]
        started += proxies
        secondary = servers.CairndSecondary(
            tmp_path / "cairnd",
            [
                servers.SecondaryZone("tcp.test", f"{proxies[0].host} port {proxies[0].port};"),
                servers.SecondaryZone("notcp.test", f"{proxies[1].host} port {proxies[1].port};",
                                      "try-tcp-refresh no;"),
            ],
        ).start()
        started.append(secondary)
        assert wait_for(lambda: all(secondary.serial(o) == 1 for o in origins), 20), secondary.log()[-3000:]

        for proxy in proxies:
            proxy.drop_udp = True
        for origin in origins:
            (knot.workdir / f"{origin}.zone").write_text(servers.zone_text(origin, 2))
            servers.knot_reload(knot, origin)
        assert wait_for(lambda: all(soa_serial(knot.port, o) == 2 for o in origins), 20)
        connections = [proxy.connections for proxy in proxies]
        for origin, proxy in zip(origins, proxies):
            notify(secondary.port, origin, proxy.host)

        # UDP gets no answer (two tries); then the SOA over TCP, then the transfer.
        assert wait_for(lambda: secondary.serial("tcp.test") == 2, 30), secondary.log()[-3000:]
        assert proxies[0].connections >= connections[0] + 2  # the SOA query's connection and the transfer's
        assert wait_for(lambda: secondary.zone("notcp.test").get("state") == "refresh failing", 30)
        zone = secondary.zone("notcp.test")
        assert "over TCP" not in zone["problem"] and "no answer" in zone["problem"], zone
        assert proxies[1].connections == connections[1]  # never tried TCP
        assert secondary.serial("notcp.test") == 1
        assert len(proxies[1].datagrams) >= 1
    finally:
        for thing in reversed(started):
            thing.stop()


def test_request_ixfr_no_asks_axfr_of_a_primary_offering_ixfr(tmp_path):
    origins = ["ixfr.test", "axfr.test"]
    bind = servers.primary_server(
        "named", tmp_path / "bind", origins, hosts=HOSTS,
        options=servers.ServerOptions(allow_transfer=True, ipv6=False, extra="    ixfr-from-differences yes;"),
    )
    secondary = None
    try:
        secondary = servers.CairndSecondary(
            tmp_path / "cairnd",
            [
                servers.SecondaryZone("ixfr.test", f"127.0.0.1 port {bind.port};"),
                servers.SecondaryZone("axfr.test", f"127.0.0.1 port {bind.port};", "request-ixfr no;"),
            ],
        ).start()
        assert wait_for(lambda: all(secondary.serial(o) == 1 for o in origins), 20), secondary.log()[-3000:]
        for origin in origins:
            text = servers.zone_text(origin, 2, HOSTS).replace("h0 IN A 10.0.0.0", "h0 IN A 10.9.9.9")
            (bind.workdir / f"{origin}.zone").write_text(text)
        bind.reload()
        assert wait_for(lambda: all(soa_serial(bind.port, o) == 2 for o in origins), 20)
        for origin in origins:
            notify(secondary.port, origin)
        assert wait_for(lambda: all(secondary.serial(o) == 2 for o in origins), 20), secondary.log()[-3000:]

        log = bind.stderr_text(200_000)
        # BIND offers IXFR: the zone that asks for it gets the increment.
        assert re.search(r"\(ixfr\.test\): transfer of 'ixfr\.test/IN': IXFR started", log), log[-3000:]
        assert "(incremental)" in secondary.zone("ixfr.test")["last_transfer"]["detail"]
        # The zone with request-ixfr no asked AXFR both times, never IXFR.
        assert len(re.findall(r"\(axfr\.test\): transfer of 'axfr\.test/IN': AXFR started", log)) == 2, log[-3000:]
        assert not re.search(r"\(axfr\.test\): transfer of 'axfr\.test/IN': IXFR", log)
        assert "(full)" in secondary.zone("axfr.test")["last_transfer"]["detail"]
        answer = dns.query.udp(dns.message.make_query("h0.axfr.test", "A"), "127.0.0.1", port=secondary.port,
                               timeout=2)
        assert answer.answer[0][0].address == "10.9.9.9"
    finally:
        if secondary is not None:
            secondary.stop()
        bind.stop()


COMPLETED = r"transfer of '{}/IN' from 127\.0\.0\.1#\d+: Transfer completed: \d+ messages, (\d+) records.*\(serial 2\)"


def test_provide_ixfr_no_answers_ixfr_with_the_whole_zone(tmp_path):
    origins = {"full.test": "127.60.7.2", "incr.test": "127.60.7.3"}  # zone -> BIND's transfer-source
    (tmp_path / "primary").mkdir()
    bind_port = servers.free_port(False)
    also_notify = f"notify explicit; also-notify {{ 127.0.0.1 port {bind_port}; }}; allow-transfer {{ 127.0.0.0/8; }};"
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {},
        statistics=False,
        options_extra="ixfr-from-differences yes; provide-ixfr no;",
        extra="server 127.60.7.3 { provide-ixfr yes; };",
        zone_options={origin: also_notify for origin in origins},
    )
    for origin in origins:
        ctl_daemon.write_atomically(primary.zone_path(origin), servers.zone_text(origin, 1, HOSTS))
    primary.zones = {origin: 1 for origin in origins}
    bind = None
    try:
        primary.start()
        statements = "".join(
            f'zone "{origin}" {{ type secondary; primaries {{ 127.0.0.1 port {primary.port}; }}; '
            f'file "{origin}.bk"; transfer-source {source}; }};\n'
            for origin, source in origins.items()
        )
        bind = servers.named_with_statements(tmp_path / "bind", statements, port=bind_port)
        bind.start()
        assert wait_for(lambda: all(soa_serial(bind_port, o) == 1 for o in origins), 20), bind.stderr_text()

        for origin in origins:
            text = servers.zone_text(origin, 2, HOSTS).replace("h0 IN A 10.0.0.0", "h0 IN A 10.9.9.9")
            ctl_daemon.write_atomically(primary.zone_path(origin), text)
            assert primary.ctl("reload", origin).returncode == 0
        # cairnd's NOTIFY; BIND asks IXFR (it has a copy) from each zone's source address.
        assert wait_for(lambda: all(soa_serial(bind_port, o) == 2 for o in origins), 30), bind.stderr_text()[-3000:]
        log = bind.stderr_text(200_000)
        records = {}
        for origin in origins:
            found = re.search(COMPLETED.format(re.escape(origin)), log)
            assert found, log[-3000:]
            records[origin] = int(found.group(1))
        print(f"records in the answer to IXFR from serial 1: {records}")
        # The whole zone (SOA, NS, ns1, the hosts, SOA) where IXFR is not provided...
        assert records["full.test"] >= HOSTS + 4
        # ... the increment (SOA, old SOA, old h0, new SOA, new h0, SOA) where the server statement allows it.
        assert records["incr.test"] == 6
        assert "IXFR" in primary.log_text() and "full.test" in primary.log_text()
        for origin in origins:
            answer = dns.query.udp(dns.message.make_query(f"h0.{origin}", "A"), "127.0.0.1", port=bind_port,
                                   timeout=2)
            assert answer.answer[0][0].address == "10.9.9.9"
            h19 = dns.query.udp(dns.message.make_query(f"h19.{origin}", "A"), "127.0.0.1", port=bind_port,
                                timeout=2)
            assert h19.answer, origin  # the rest of the zone is still there
    finally:
        if bind is not None:
            bind.stop()
        primary.stop()
