"""Split-horizon DNS as in the article: the same zone served from two files by two views chosen by the
client's address (match-clients) or by the address it queried (match-destinations), first match wins, and
the article's failure story: a client on a subnet missing from the internal ACL silently gets the external
answer.

Loopback addresses stand in for the article's networks: 127.0.0.2 and 127.0.0.3 are "internal" clients,
127.0.0.4 is the "new subnet" the ACL forgot. Each client binds its source address.
"""

from __future__ import annotations

import json
import re
import urllib.request

import dns.message
import dns.query
import dns.rcode
import pytest

import servers
from test_server_daemon import DirectServer
from waiting import wait_for

ORIGIN = "solvethenetwork.com"


def zone_file(path, api_address: str) -> str:
    path.write_text(
        "$TTL 3600\n"
        "@ IN SOA ns1.solvethenetwork.com. infrarunbook-admin.solvethenetwork.com. "
        "( 2024040201 3600 900 604800 300 )\n"
        "  NS ns1\n"
        "ns1 A 127.0.0.1\n"
        f"api A {api_address}\n"
    )
    return str(path)


def api_address(server, source: str, destination: str = "127.0.0.1") -> tuple[int, list[str]]:
    query = dns.message.make_query(f"api.{ORIGIN}", "A")
    response = dns.query.udp(query, destination, port=server.port, source=source, timeout=2)
    addresses = [rr.address for rrset in response.answer for rr in rrset]
    return response.rcode(), addresses


@pytest.fixture
def split_horizon(cairnd_binary, tmp_path):
    internal = zone_file(tmp_path / "solvethenetwork.com.internal", "10.0.2.50")
    external = zone_file(tmp_path / "solvethenetwork.com.external", "203.0.113.50")
    dest = zone_file(tmp_path / "solvethenetwork.com.dest", "198.51.100.50")
    port = servers.free_port(False)
    http_port = servers.free_port(False)
    config = tmp_path / "named.conf"
    config.write_text(
        f"statistics-channels {{ inet 127.0.0.1 port {http_port} allow {{ 127.0.0.1; }}; }};\n"
        "options {\n"
        # A wildcard socket: cairnd learns the queried address from IP_PKTINFO (as BIND, `listen-on` only
        # binds interface addresses, and lo carries 127.0.0.1 alone). Traffic stays on loopback.
        f"    listen-on port {port} {{ any; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    notify no;\n"
        "    querylog yes;\n"
        "};\n"
        # The article's ACL as written, plus the loopback clients standing in for its internal subnets.
        "acl internal_clients {\n"
        "    10.0.0.0/8;\n"
        "    172.16.0.0/12;\n"
        "    192.168.0.0/16;\n"
        "    127.0.0.2; 127.0.0.3;\n"
        "};\n"
        'view "by-destination" {\n'
        "    match-clients { any; };\n"
        "    match-destinations { 127.0.0.6; };\n"
        f'    zone "{ORIGIN}" {{ type primary; file "{dest}"; }};\n'
        "};\n"
        'view "internal" {\n'
        "    match-clients { internal_clients; };\n"
        f'    zone "{ORIGIN}" {{ type primary; file "{internal}"; }};\n'
        "};\n"
        'view "external" {\n'
        "    match-clients { !127.0.0.9; any; };\n"
        f'    zone "{ORIGIN}" {{ type primary; file "{external}"; }};\n'
        "};\n"
    )
    server = DirectServer(config, port, tmp_path)
    server.http_port = http_port
    server.log_path = tmp_path / "cairnd.stderr"
    try:
        assert wait_for(lambda: _answers(server)), (tmp_path / "cairnd.stderr").read_text()
        yield server
    finally:
        server.stop()


def _answers(server) -> bool:
    try:
        return api_address(server, "127.0.0.2")[0] == dns.rcode.NOERROR
    except Exception:
        return False


def test_internal_clients_get_the_internal_view(split_horizon):
    for client in ("127.0.0.2", "127.0.0.3"):
        assert api_address(split_horizon, client) == (dns.rcode.NOERROR, ["10.0.2.50"])


def test_a_client_missing_from_the_internal_acl_lands_in_the_external_view(split_horizon):
    # The article's incident: a new subnet not added to internal_clients gets the public address.
    assert api_address(split_horizon, "127.0.0.4") == (dns.rcode.NOERROR, ["203.0.113.50"])


def test_the_queried_address_selects_a_view_with_match_destinations(split_horizon):
    # First match wins: the destination view comes first, so even an internal client asking 127.0.0.6 gets it.
    assert api_address(split_horizon, "127.0.0.2", "127.0.0.6") == (dns.rcode.NOERROR, ["198.51.100.50"])
    assert api_address(split_horizon, "127.0.0.4", "127.0.0.6") == (dns.rcode.NOERROR, ["198.51.100.50"])


def test_a_client_that_matches_no_view_is_refused(split_horizon):
    rcode, addresses = api_address(split_horizon, "127.0.0.9")
    assert rcode == dns.rcode.REFUSED
    assert addresses == []


def view_counts(server) -> tuple[dict[str, float], dict[str, int]]:
    """Queries by view from /metrics (Prometheus text) and from /json."""
    base = f"http://127.0.0.1:{server.http_port}"
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    with urllib.request.urlopen(f"{base}/json", timeout=5) as response:
        document = json.loads(response.read().decode())
    from_metrics = {
        view: float(count)
        for view, count in re.findall(r'^cairn_queries_by_view_total\{view="([^"]*)"\} (\S+)$', metrics, re.M)
    }
    return from_metrics, document["queries"]["by_view"]


def test_metrics_and_json_count_queries_by_the_view_that_answered(split_horizon):
    before_metrics, before_json = view_counts(split_horizon)
    assert set(before_metrics) == set(before_json) == {"by-destination", "internal", "external"}
    for _ in range(3):
        api_address(split_horizon, "127.0.0.3")
    for _ in range(2):
        api_address(split_horizon, "127.0.0.4")
    api_address(split_horizon, "127.0.0.2", "127.0.0.6")
    api_address(split_horizon, "127.0.0.9")  # no view: REFUSED, counted under none of them
    after_metrics, after_json = view_counts(split_horizon)
    expected = {"by-destination": 1, "internal": 3, "external": 2}
    assert {view: after_metrics[view] - before_metrics[view] for view in expected} == expected
    assert {view: after_json[view] - before_json[view] for view in expected} == expected


def test_the_query_log_names_the_view_that_answered(split_horizon):
    api_address(split_horizon, "127.0.0.3")
    api_address(split_horizon, "127.0.0.4")
    api_address(split_horizon, "127.0.0.4", "127.0.0.6")
    api_address(split_horizon, "127.0.0.9")

    def lines() -> list[str]:
        return [line for line in split_horizon.log_path.read_text().splitlines() if " query: api." in line]

    def logged(client: str, view: str | None) -> bool:
        # As BIND: "client @0x... 127.0.0.3#PORT (api.solvethenetwork.com): view internal: query:
        # api.solvethenetwork.com IN A ..."
        prefix = rf"client @0x[0-9a-f]+ {re.escape(client)}#\d+ \(api\.{ORIGIN}\): " + (f"view {re.escape(view)}: " if view else "")
        return any(re.search(prefix + rf"query: api\.{ORIGIN} IN A ", line) for line in lines())

    assert wait_for(lambda: logged("127.0.0.3", "internal")), lines()
    assert logged("127.0.0.4", "external"), lines()
    assert logged("127.0.0.4", "by-destination"), lines()
    # A client no view takes is refused before any view: its line has none.
    assert logged("127.0.0.9", None), lines()
    assert not any("127.0.0.9#" in line and "view " in line for line in lines()), lines()
