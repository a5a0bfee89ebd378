"""Many secondary zones on one cairnd, from real primaries that fail in the ways networks fail.

One scenario (its waits overlap, to keep the suite short): 300 zones from BIND, Knot and NSD (100 each)
on loopback, NSD behind a proxy; a large zone from Knot behind a second proxy that trickles; an oversized
zone under max-records. Then NSD's proxy starts swallowing every packet, UDP and TCP:
- a NOTIFY for a zone on a healthy primary is served at once (well under the timeouts that the swallowed
  primary's SOA queries wait on), and the healthy zones keep their refresh schedule;
- the swallowed zones show `refresh failing` with the reason, keep being served, and expire on time:
  SERVFAIL with EDE 22, state `expired` in /json and /metrics;
- the trickled transfer is cut at max-transfer-time-in (BIND's unit: minutes, so 60 s) and counted failed;
- max-records stops the oversized transfer;
- SIGTERM while a hundred refreshes hang exits within a second; the restart serves the saved copies at
  once (before any network) and keeps each zone's expire clock.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import pytest

import servers
from proxy import TcpProxy
from test_stats_channel import parse_prometheus, value
from waiting import soa_serial, wait_for

PER_PRIMARY = 100
REFRESH, RETRY, EXPIRE = 10, 2, 60
EDE = 15


def zone_text(origin: str, serial: int, hosts: int = 1) -> str:
    lines = [
        "$TTL 300",
        f"@ IN SOA ns1.{origin}. hostmaster.{origin}. ( {serial} {REFRESH} {RETRY} {EXPIRE} 300 )",
        "  IN NS ns1",
        "ns1 IN A 192.0.2.1",
    ]
    lines += [f"h{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(hosts)]
    return "\n".join(lines) + "\n"


def primary(kind: str, workdir: Path, origins: list[str], hosts: int = 1) -> servers.AuthServer:
    workdir.mkdir()
    zones = []
    for origin in origins:
        path = workdir / f"{origin}.zone"
        path.write_text(zone_text(origin, 1, hosts))
        zones.append(servers.Zone(origin, path))
    return servers.AuthServer(kind, workdir, zones, servers.ServerOptions(allow_transfer=True, ipv6=False)).start()


class Secondary:
    def __init__(self, workdir: Path, zones: dict[str, int], extra_zones: str):
        workdir.mkdir()
        self.workdir = workdir
        self.port = servers.free_port(False)
        self.http_port = servers.free_port(False)
        statements = "".join(
            f'zone "{origin}" {{ type secondary; primaries {{ 127.0.0.1 port {port}; }}; file "{origin}.db"; }};\n'
            for origin, port in zones.items()
        )
        self.config = workdir / "named.conf"
        self.config.write_text(
            f"statistics-channels {{ inet 127.0.0.1 port {self.http_port} allow {{ 127.0.0.1; }}; }};\n"
            "options {\n"
            f'    directory "{workdir}";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n    recursion no;\n    notify no;\n"
            # 300 zones checked every 10 s: 30 SOA queries a second, more than BIND's default rate of 20.
            "    min-refresh-time 1; min-retry-time 1; serial-query-rate 100;\n"
            "};\n" + statements + extra_zones
        )
        self.process: servers.LoggedProcess | None = None

    def start(self, log: str) -> None:
        self.process = servers.cairnd_process(self.config, self.workdir, log, workers=2)

    def json_zones(self) -> dict[str, dict]:
        """Every zone by name; empty while the statistics channel is not open yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/json", timeout=5) as response:
                return {z["name"]: z for z in json.loads(response.read())["zones"]}
        except OSError:
            return {}

    def metrics(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as response:
            return parse_prometheus(response.read().decode())[1]

    def log(self) -> str:
        return self.process.log() if self.process else ""


def send_notify(port: int, origin: str, serial: int) -> None:
    message = dns.message.make_query(origin, "SOA")
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags |= dns.flags.AA
    response = dns.query.udp(message, "127.0.0.1", port=port, timeout=2, source="127.0.0.1")
    assert response.rcode() == dns.rcode.NOERROR, response


def answer(port: int, origin: str) -> tuple[int | None, list[int]]:
    """rcode and EDE codes of the SOA answer (None: no answer)."""
    try:
        response = dns.query.udp(dns.message.make_query(origin, "SOA", use_edns=0), "127.0.0.1", port=port, timeout=1)
    except Exception:  # noqa: BLE001
        return None, []
    return response.rcode(), [o.code for o in response.options if o.otype == EDE]


@pytest.fixture
def scenario(tmp_path):
    for kind in ("named", "knotd", "nsd"):
        if servers.binary_for(kind) is None:
            pytest.fail(f"{kind} is not installed (scripts/install-deps.sh installs it)")
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    started: list = []
    try:
        names = {kind: [f"z{i}.{kind}.test" for i in range(PER_PRIMARY)] for kind in ("named", "knotd", "nsd")}
        bind = primary("named", tmp_path / "bind", names["named"])
        started.append(bind)
        knot = primary("knotd", tmp_path / "knot", names["knotd"])
        started.append(knot)
        nsd = primary("nsd", tmp_path / "nsd", names["nsd"])
        started.append(nsd)
        # Knot also serves the large zones: one trickled through a proxy, one over max-records.
        big = primary("knotd", tmp_path / "big", ["trickle.test", "huge.test"], hosts=3000)
        started.append(big)
        swallower = TcpProxy("127.0.0.1", nsd.port, udp=True).start()
        started.append(swallower)
        trickler = TcpProxy("127.0.0.1", big.port, udp=True, trickle=1000).start()
        started.append(trickler)
        zones = {origin: bind.port for origin in names["named"]}
        zones |= {origin: knot.port for origin in names["knotd"]}
        zones |= {origin: swallower.port for origin in names["nsd"]}
        extra = (
            f'zone "trickle.test" {{ type secondary; primaries {{ 127.0.0.1 port {trickler.port}; }}; '
            'file "trickle.test.db"; max-transfer-time-in 1; };\n'
            f'zone "huge.test" {{ type secondary; primaries {{ 127.0.0.1 port {big.port}; }}; '
            'file "huge.test.db"; max-records 1000; };\n'
        )
        secondary = Secondary(tmp_path / "cairnd", zones, extra)
        yield secondary, bind, names, swallower
        if secondary.process:
            secondary.process.stop()
    finally:
        for thing in reversed(started):
            thing.stop()


def test_three_hundred_zones_one_primary_swallowed(scenario):
    secondary, bind, names, swallower = scenario
    secondary.start("first.log")
    every = [origin for kind in names for origin in names[kind]]

    def all_loaded() -> bool:
        zones = secondary.json_zones()
        return bool(zones) and all(zones[o + "."]["state"] == "loaded" for o in every)
    assert wait_for(all_loaded, 30), secondary.log()[-3000:]
    for origin in every[::37]:
        assert soa_serial(secondary.port, origin) == 1

    # max-records stopped the oversized transfer as it arrived.
    huge = secondary.json_zones()["huge.test."]
    assert huge["state"] == "refresh failing" and "max-records" in huge["problem"], huge
    assert huge["transfers_in"]["failure"] >= 1 and huge["serial"] is None

    # From now on NSD's packets all vanish.
    swallower.swallow = True
    swallowed = names["nsd"]

    # A NOTIFY for a zone on a healthy primary is served at once.
    origin = names["named"][7]
    (bind.workdir / f"{origin}.zone").write_text(zone_text(origin, 2))
    bind.reload()
    assert wait_for(lambda: soa_serial(bind.port, origin) == 2, 10)
    notified = time.monotonic()
    send_notify(secondary.port, origin, 2)
    assert wait_for(lambda: soa_serial(secondary.port, origin) == 2, 10), secondary.log()[-3000:]
    took = time.monotonic() - notified
    print(f"NOTIFY to served: {took:.3f} s while {len(swallowed)} zones' primary swallows everything")
    assert took < 2.0  # the swallowed SOA queries wait 2 + 2 + 4 s each: none of that is in here

    # The swallowed zones fail their refreshes, say why, and are still served.
    assert wait_for(lambda: all(secondary.json_zones()[o + "."]["state"] == "refresh failing" for o in swallowed), 30)
    zone = secondary.json_zones()[swallowed[0] + "."]
    assert "refresh failing" in zone["problem"] and "no answer" in zone["problem"], zone
    assert soa_serial(secondary.port, swallowed[0]) == 1
    samples = secondary.metrics()
    labels = {"zone": swallowed[0] + ".", "view": "_default", "role": "secondary"}
    assert value(samples, "cairn_zone_state", **labels, state="refresh failing") == 1
    assert value(samples, "cairn_zone_refresh_failures_total", **labels) >= 1
    assert value(samples, "cairn_transfers_in_total", result="success") >= 3 * PER_PRIMARY

    # The healthy zones keep their schedule: each refreshed within its last REFRESH (+ slack) seconds.
    def on_schedule() -> bool:
        zones, now = secondary.json_zones(), time.time()
        healthy = names["named"] + names["knotd"]
        return all(zones[o + "."]["state"] == "loaded" and now - zones[o + "."]["last_refresh_at"] <= REFRESH + 4
                   for o in healthy)
    time.sleep(REFRESH)
    assert on_schedule(), [z for o, z in secondary.json_zones().items() if o.startswith("z")][:3]

    # SIGTERM while a hundred refreshes hang on the swallowing proxy: out within a second.
    expires = {o: secondary.json_zones()[o + "."]["expires"] for o in swallowed[:5]}
    stopping = time.monotonic()
    secondary.process.proc.send_signal(signal.SIGTERM)
    secondary.process.proc.wait(timeout=10)
    stop_took = time.monotonic() - stopping
    print(f"SIGTERM to exit: {stop_took:.3f} s")
    assert stop_took < 1.5
    assert "shutting down" in secondary.log()

    # The restart serves the saved copies at once (before any refresh could) and keeps the expire clocks.
    secondary.start("second.log")
    restarted = time.monotonic()
    assert wait_for(lambda: soa_serial(secondary.port, swallowed[3]) == 1, 5), secondary.log()[-2000:]
    assert time.monotonic() - restarted < 5
    assert soa_serial(secondary.port, origin) == 2 and soa_serial(secondary.port, names["knotd"][5]) == 1
    zones = secondary.json_zones()
    assert {o: zones[o + "."]["expires"] for o in expires} == expires

    # The swallowed zones expire on time: SERVFAIL with EDE 22 (No Reachable Authority).
    deadline = min(expires.values())
    assert wait_for(lambda: answer(secondary.port, swallowed[0])[0] == dns.rcode.SERVFAIL, deadline - time.time() + 5)
    assert time.time() >= deadline - 1
    assert time.time() <= max(expires.values()) + 5
    assert answer(secondary.port, swallowed[0])[1] == [22]
    assert secondary.json_zones()[swallowed[0] + "."]["state"] == "expired"
    assert value(secondary.metrics(), "cairn_zone_state", **labels, state="expired") == 1
    assert soa_serial(secondary.port, names["knotd"][9]) == 1  # the others serve on

    # The trickled transfer is cut at max-transfer-time-in (1 minute) and counted failed.
    trickle = lambda: secondary.json_zones()["trickle.test."]  # noqa: E731
    assert wait_for(lambda: trickle()["transfers_in"]["failure"] >= 1, 75 - (time.monotonic() - restarted))
    assert "maximum transfer time exceeded (60 s" in secondary.log(), secondary.log()[-2000:]
    assert trickle()["serial"] is None
