"""Response rate limiting (BIND's rate-limit) against floods of identical queries from one address: the
limited client gets about the configured rate of answers, every other limited answer slips as a truncated
reply, another address and exempt-clients are unaffected; the same traffic against BIND 9 (and NSD) for
comparison. Sources are addresses in 127.58.0.0/16; every flood is bounded in count and time.
"""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

import ctl_daemon
import flood
import servers
import waiting

RATE = 2000  # queries per second
SECONDS = 3
RATE_LIMIT = "rate-limit { responses-per-second 10; exempt-clients { 127.58.3.0/24; }; };"
QNAME = "www.example.test."


def run_floods(port: int) -> tuple[flood.Tally, flood.Tally]:
    """The flood from 127.58.1.1 with a polite client at 127.58.2.1 asking four times a second beside it."""
    polite = flood.source_socket("127.58.2.1")
    polite_tally = flood.Tally()
    try:
        tally = flood.flood(
            port,
            flood.query_wire(QNAME),
            "127.58.1.1",
            RATE,
            SECONDS,
            beside=(polite, flood.query_wire(QNAME), 0.25, polite_tally),
        )
    finally:
        polite.close()
    return tally, polite_tally


def assert_limited(tally: flood.Tally, polite: flood.Tally, who: str) -> None:
    report = f"{who}: {tally}, polite {polite}"
    # About 10 a second at most (BIND's accounts also go into debt: a sustained flood gets fewer).
    assert 5 <= tally.answered <= 10 * (SECONDS + 1), report
    limited = tally.sent - tally.answered
    # slip 2: every other limited reply goes out truncated, the rest are dropped.
    assert 0.35 * limited <= tally.truncated <= 0.65 * limited, report
    assert tally.truncated_with_records == 0, report
    # The address beside it is a block of its own: every query answered.
    assert polite.answered >= polite.sent - 1 and polite.answered >= SECONDS * 3, report


@pytest.fixture
def zone(tmp_path) -> servers.Zone:
    path = tmp_path / "example.test.zone"
    path.write_text(ctl_daemon.zone_text("example.test", 1))
    return servers.Zone("example.test", path)


def test_flood_is_limited_slipped_and_counted(cairnd_binary, tmp_path):
    daemon = ctl_daemon.Daemon(tmp_path, {"example.test": 1}, options_extra=RATE_LIMIT).start()
    try:
        tally, polite = run_floods(daemon.port)
        print(f"cairnd: {tally}, polite {polite}")
        assert_limited(tally, polite, "cairnd")
        exempt = flood.flood(daemon.port, flood.query_wire(QNAME), "127.58.3.1", RATE, 1)
        assert exempt.answered >= 0.98 * exempt.sent and exempt.truncated == 0, exempt
        # TCP is never limited: a slipped client's retry is answered.
        assert daemon.query(QNAME, "A", tcp=True).answer
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{daemon.http_port}/metrics", timeout=5).read().decode()
        slipped = re.search(r'cairn_rate_limited_responses_total\{view="_default",action="slipped"\} (\d+)', metrics)
        dropped = re.search(r'cairn_rate_limited_responses_total\{view="_default",action="dropped"\} (\d+)', metrics)
        assert slipped and dropped, metrics
        assert int(slipped.group(1)) >= tally.truncated and int(dropped.group(1)) > 0.35 * tally.sent
        assert "limit responses to 127.58.1.0/24 for www.example.test IN A" in daemon.log_text()
    finally:
        daemon.stop()


@pytest.mark.parametrize("kind", ["named", "nsd"])
def test_the_same_flood_against_the_references(kind, start_server, zone):
    extra = {
        "named": RATE_LIMIT,
        # NSD's RRL counts a smoothed rate per block and slips every rrl-slip-th limited reply.
        "nsd": "    rrl-ratelimit: 10\n    rrl-slip: 2\n    rrl-whitelist-ratelimit: 0",
    }[kind]
    server = start_server(kind, [zone], servers.ServerOptions(extra=extra, ipv6=False))
    tally, polite = run_floods(server.port)
    print(f"{kind}: {tally}, polite {polite}")
    if kind == "named":
        assert_limited(tally, polite, kind)
    else:
        assert tally.answered < 0.1 * tally.sent and tally.truncated > 0, tally


def test_the_table_grows_and_limiting_stops_with_a_line_at_reload(cairnd_binary, tmp_path):
    """BIND's rate-limit log lines beyond the first "limit": the table starts at min-table-size and grows
    ("increase from 64 to 128 RRL entries", growths within one second in one line) when many clients are counted at once; a reload ends every
    account, and each one still limiting says so ("*stop limiting ...", BIND's early stop at
    reconfiguration). The 60-second "stop limiting" of a client that went quiet is a unit test."""
    block = "rate-limit { responses-per-second 10; ipv4-prefix-length 32; min-table-size 64; max-table-size 1024; };"
    daemon = ctl_daemon.Daemon(tmp_path, {"example.test": 1}, options_extra=block).start()
    try:
        # 500 clients, one query each, within about a second: more accounts than 64 entries can hold.
        wire = flood.query_wire(QNAME)
        for third in (20, 21):
            for fourth in range(1, 251):
                sock = flood.source_socket(f"127.58.{third}.{fourth}")
                sock.sendto(wire, ("127.0.0.1", daemon.port))
                sock.close()
        time.sleep(1.2)  # growth is logged by the first response of a later second
        assert daemon.query(QNAME, "A", tcp=False).answer
        grown = re.compile(r"increase from 64 to (\d+) RRL entries with \d+ bins")
        assert waiting.wait_for(lambda: grown.search(daemon.log_text()), 10), daemon.log_text()[-3000:]
        assert int(grown.search(daemon.log_text()).group(1)) <= 1024
        tally = flood.flood(daemon.port, flood.query_wire(QNAME), "127.58.10.1", 1000, 1)
        assert tally.answered <= 20 and tally.truncated > 0, tally
        assert "limit responses to 127.58.10.1/32 for www.example.test IN A" in daemon.log_text()
        assert daemon.ctl("reload").returncode == 0
        stop = "*stop limiting responses to 127.58.10.1/32 for www.example.test IN A"
        assert waiting.wait_for(lambda: stop in daemon.log_text(), 10), daemon.log_text()[-3000:]
    finally:
        daemon.stop()
