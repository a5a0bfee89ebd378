"""`transfer-source` and `notify-source` seen by BIND, whose access lists admit one source address only
(127.60.5.9; Linux lets a process bind any 127/8 address without configuring it):
- cairnd secondary with `transfer-source 127.60.5.9`: BIND as primary allows queries and transfers of the
  zone from that address alone; cairnd takes the zone, and a new version by its SOA query and IXFR from
  that address; a zone whose own `transfer-source 127.60.5.8` overrides the options' is refused.
- cairnd primary with `notify-source 127.60.5.9`: BIND as secondary takes the zone through a proxy on
  127.60.5.1 (its primary's address), so that a NOTIFY from cairnd's usual 127.0.0.1 would come from no
  primary; `allow-notify { 127.60.5.9; }` admits the one from the configured source, and the new version
  follows at once (BIND's refresh is an hour away).
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

SOURCE = "127.60.5.9"


def test_transfer_source_is_the_address_transfers_and_soa_queries_come_from(tmp_path):
    workdir = tmp_path / "bind"
    workdir.mkdir()
    statements = ""
    for origin in ("src.test", "other.test"):
        (workdir / f"{origin}.zone").write_text(servers.zone_text(origin, 1, hosts=3))
        statements += (
            f'zone "{origin}" {{ type primary; file "{workdir / (origin + ".zone")}"; '
            f"allow-query {{ {SOURCE}; }}; allow-transfer {{ {SOURCE}; }}; }};\n"
        )
    bind = servers.named_with_statements(workdir, statements)
    secondary = None
    try:
        bind.start()
        primaries = f"127.0.0.1 port {bind.port};"
        secondary = servers.CairndSecondary(
            tmp_path / "cairnd",
            [
                servers.SecondaryZone("src.test", primaries),
                servers.SecondaryZone("other.test", primaries, "transfer-source 127.60.5.8;"),
            ],
            options_extra=f"transfer-source {SOURCE};",
        ).start()
        assert wait_for(lambda: secondary.serial("src.test") == 1, 20), secondary.log()[-3000:]
        log = bind.stderr_text(100_000)
        assert re.search(rf"client @\S+ {re.escape(SOURCE)}#\d+ \(src\.test\): transfer of 'src\.test/IN': "
                         r"AXFR started", log), log[-3000:]

        # The zone's own source overrides the options': refused there, so never served.
        assert wait_for(lambda: secondary.zone("other.test").get("state") == "refresh failing", 20)
        assert "REFUSED" in secondary.zone("other.test")["problem"], secondary.zone("other.test")
        assert secondary.serial("other.test") is None
        assert re.search(r"127\.60\.5\.8#\d+ \(other\.test\): zone transfer 'other\.test/AXFR/IN' denied",
                         bind.stderr_text(100_000))

        # A new version: cairnd's SOA query (BIND answers it only from SOURCE) and transfer find it.
        (workdir / "src.test.zone").write_text(servers.zone_text("src.test", 2, hosts=3, first_address=1))
        bind.reload()
        probe = dns.message.make_query("src.test", "SOA")
        assert wait_for(lambda: dns.query.udp(probe, "127.0.0.1", port=bind.port, source=SOURCE,
                                              timeout=1).answer[0][0].serial == 2, 20)
        notify = dns.message.make_query("src.test", "SOA")
        notify.set_opcode(dns.opcode.NOTIFY)
        dns.query.udp(notify, "127.0.0.1", port=secondary.port, timeout=2)
        assert wait_for(lambda: secondary.serial("src.test") == 2, 20), secondary.log()[-3000:]
        assert "serial 2" in secondary.zone("src.test")["last_transfer"]["detail"]
    finally:
        if secondary is not None:
            secondary.stop()
        bind.stop()


def test_notify_source_is_the_address_notify_comes_from(tmp_path):
    origin = "ns.test"
    (tmp_path / "primary").mkdir()
    bind_port = servers.free_port(False)
    primary = ctl_daemon.Daemon(
        tmp_path / "primary",
        {origin: 1},
        statistics=False,
        options_extra=f"notify-source {SOURCE};",
        zone_options={
            origin: f"notify explicit; also-notify {{ 127.0.0.1 port {bind_port}; }}; "
            "allow-transfer { 127.0.0.0/8; };"
        },
    )
    proxy = None
    bind = None
    try:
        primary.start()
        proxy = TcpProxy("127.0.0.1", primary.port, udp=True, host="127.60.5.1").start()
        bind = servers.named_with_statements(
            tmp_path / "bind",
            f'zone "{origin}" {{ type secondary; primaries {{ {proxy.host} port {proxy.port}; }}; '
            f'file "{origin}.bk"; allow-notify {{ {SOURCE}; }}; }};',
            port=bind_port,
        )
        bind.start()
        assert wait_for(lambda: soa_serial(bind_port, origin) == 1, 20), bind.stderr_text()

        ctl_daemon.write_atomically(primary.zone_path(origin), ctl_daemon.zone_text(origin, 2))
        assert primary.ctl("reload", origin).returncode == 0
        # The NOTIFY (after notify-delay's 5 s at most) brings serial 2 long before BIND's hourly refresh.
        assert wait_for(lambda: soa_serial(bind_port, origin) == 2, 25), bind.stderr_text()[-3000:]
        log = bind.stderr_text(100_000)
        assert re.search(rf"client @\S+ {re.escape(SOURCE)}#\d+: received notify for zone '{origin}'", log), log
        assert "refused notify" not in log
    finally:
        if bind is not None:
            bind.stop()
        if proxy is not None:
            proxy.stop()
        primary.stop()
