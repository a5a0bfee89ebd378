"""The statistics channel of cairnd: /metrics is valid Prometheus text (checked by a strict parser of the
0.0.4 exposition format) whose counters move by exactly the queries sent, /json carries the same numbers,
the status page lists every zone in headless Chromium, and the channel's allow list is enforced.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import ctl_daemon
import servers

pytestmark = pytest.mark.skipif(servers.binary_for("cairnd") is None, reason="cairnd is not built")

ZONES = {"alpha.test": 11, "beta.test": 2024112201}


@pytest.fixture
def daemon(tmp_path):
    running = ctl_daemon.Daemon(tmp_path, dict(ZONES)).start()
    yield running
    running.stop()


def get(daemon, path: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{daemon.http_port}{path}", timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_prometheus(text: str) -> tuple[dict[str, str], dict[tuple, float]]:
    """Strict reader of the text format 0.0.4: HELP then TYPE before each family's samples, no family twice,
    well-formed names, labels and values. Returns the families' types and the samples."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    helped: set[str] = set()
    samples: dict[tuple, float] = {}
    current = None
    for line in text.rstrip("\n").split("\n"):
        assert line, "empty line"
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert NAME.fullmatch(name) and name not in helped, line
            helped.add(name)
            current = name
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name == current and name not in types, line
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), line
            types[name] = kind
            continue
        assert not line.startswith("#"), line
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)", line)
        assert match, line
        name, labels_text, value = match.group(1), match.group(3), match.group(4)
        labels = []
        if labels_text:
            position = 0
            while position < len(labels_text):
                label = LABEL.match(labels_text, position)
                assert label, line
                labels.append((label.group(1), label.group(2)))
                position = label.end()
                if position < len(labels_text):
                    assert labels_text[position] == ",", line
                    position += 1
        number = math.inf if value == "+Inf" else float(value)
        family = name if name in types else re.sub(r"_(bucket|sum|count)$", "", name)
        assert family == current and family in types, f"sample outside its family: {line}"
        if types[family] == "histogram" and name.endswith("_bucket"):
            assert any(k == "le" for k, _ in labels), line
        key = (name, tuple(sorted(labels)))
        assert key not in samples, f"duplicate sample: {line}"
        samples[key] = number
    assert helped == set(types), "every family needs both HELP and TYPE"
    return types, samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_counters_move(daemon):
    status, headers, text = get(daemon, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    types, before = parse_prometheus(text)
    assert types["cairn_queries_total"] == "counter"
    assert types["cairn_response_size_bytes"] == "histogram"
    assert types["cairn_zone_serial"] == "gauge"
    for origin, serial in ZONES.items():
        assert value(before, "cairn_zone_serial", zone=f"{origin}.", view="_default", role="primary") == serial

    for _ in range(5):
        daemon.query("www.alpha.test", "A")
    for _ in range(3):
        daemon.query("beta.test", "MX", tcp=True)
    daemon.query("nothing.alpha.test", "AAAA")

    _, after = parse_prometheus(get(daemon, "/metrics")[2])

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("cairn_queries_total", type="A") == 5
    # Six UDP queries, each answered before the next was sent: six reads of one datagram, and no
    # coalescing pause (a lone query never waits for company).
    assert delta("cairn_udp_datagrams_total") == 6
    assert delta("cairn_udp_reads_total") == 6
    assert delta("cairn_udp_coalescing_pauses_total") == 0
    assert delta("cairn_queries_total", type="MX") == 3
    assert delta("cairn_queries_total", type="AAAA") == 1
    assert delta("cairn_queries_by_protocol_total", protocol="udp") == 6
    assert delta("cairn_queries_by_protocol_total", protocol="tcp") == 3
    assert delta("cairn_queries_by_view_total", view="_default") == 9
    assert delta("cairn_responses_total", rcode="NXDOMAIN") == 1
    assert delta("cairn_responses_total", rcode="NOERROR") == 8
    assert delta("cairn_response_size_bytes_count") == 9
    assert delta("cairn_response_size_bytes_bucket", le="+Inf") == 9
    assert delta("cairn_response_size_bytes_sum") > 9 * 12


def test_json_has_the_same_data(daemon):
    daemon.query("www.alpha.test", "A")
    _, metrics = parse_prometheus(get(daemon, "/metrics")[2])
    status, headers, text = get(daemon, "/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    doc = json.loads(text)
    assert doc["queries"]["by_type"]["A"] == value(metrics, "cairn_queries_total", type="A")
    assert doc["queries"]["by_protocol"]["udp"] == value(metrics, "cairn_queries_by_protocol_total", protocol="udp")
    assert doc["udp"]["datagrams"] == value(metrics, "cairn_udp_datagrams_total") >= 1
    assert doc["udp"]["reads"] == value(metrics, "cairn_udp_reads_total") >= 1
    zones = {zone["name"]: zone for zone in doc["zones"]}
    assert set(zones) == {f"{origin}." for origin in ZONES}
    for origin, serial in ZONES.items():
        assert zones[f"{origin}."]["serial"] == serial == daemon.soa_serial(origin)
        assert zones[f"{origin}."]["role"] == "primary"
        assert zones[f"{origin}."]["health"] == "healthy"


def test_unknown_path_and_method(daemon):
    assert get(daemon, "/nothing")[0] == 404
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.http_port}/metrics", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 405


def test_allow_list_is_enforced(tmp_path):
    running = ctl_daemon.Daemon(tmp_path, {"alpha.test": 1}, statistics_allow="192.0.2.1;").start()
    try:
        status, _, _ = get(running, "/metrics")
        assert status == 403
    finally:
        running.stop()


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/install-deps.sh)")
def test_status_page_in_headless_chromium(daemon, tmp_path):
    result = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chromium'}", "--virtual-time-budget=3000", "--dump-dom",
            f"http://127.0.0.1:{daemon.http_port}/",
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    for origin, serial in ZONES.items():
        row = re.search(rf'<tr class="zone" data-zone="{re.escape(origin)}\." data-health="healthy"[^>]*>(.*?)</tr>', dom)
        assert row, dom
        assert f"<td>{serial}</td>" in row.group(1)
        assert "primary" in row.group(1)
    # The last load is shown as a countdown ("0m3s ago"), which the page's script keeps ticking.
    assert re.search(r'class="countdown" data-at="\d+">(\d+h)?\d+m\d+s ago<', dom)


def test_transfers_out_are_counted(tmp_path):
    import dns.query
    import dns.zone

    running = ctl_daemon.Daemon(
        tmp_path, {"open.test": 3, "closed.test": 4}, zone_options={"open.test": "allow-transfer { 127.0.0.1; };"}
    ).start()
    try:
        _, before = parse_prometheus(get(running, "/metrics")[2])
        zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "open.test", port=running.port, timeout=5))
        assert zone.get_rdataset("@", "SOA")[0].serial == 3
        with pytest.raises(Exception):
            dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "closed.test", port=running.port, timeout=5))
        def deltas():
            _, after = parse_prometheus(get(running, "/metrics")[2])
            return tuple(
                value(after, "cairn_transfers_out_total", result=r) - value(before, "cairn_transfers_out_total", result=r)
                for r in ("success", "failure")
            )

        # The server counts a transfer when its stream is finished, which may be just after the client has
        # read the last message.
        deadline = time.monotonic() + 3
        while deltas() != (1, 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert deltas() == (1, 1)
    finally:
        running.stop()
