"""Resolver latency per upstream server (issue 17): what the resolver's infrastructure cache measures of each
server it asks (smoothed RTT and its variance, queries, failures, held down) in /metrics
(cairn_resolver_upstream_server_*{view,server}), in /json (resolver.views.V.upstream.servers) and on the
status page (an "Upstream servers" table, worst first), through the loopback hierarchy and a forwarder that
never answers.
"""

from __future__ import annotations

import json
import socket

import dns.rcode

import resolvers
from conftest import require_server
from test_stats_channel import get, parse_prometheus, value

VIEW = "_default"


def test_upstream_servers_latency_and_failures_in_every_output(hierarchy, tmp_path):
    require_server("cairnd")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1#{silent.getsockname()[1]}"
        resolver = resolvers.cairnd_resolver(
            tmp_path / "resolver", hierarchy, options_extra="resolver-query-timeout 2; servfail-ttl 0;",
            extra=f'zone "silent.test" {{ type forward; forward only; forwarders {{ 127.0.0.1 port '
                  f'{silent.getsockname()[1]}; }}; }};')
        resolver.start()
        try:
            for name in ("www.glue.test.", "mail.glue.test.", "www.example.", "www.glueless.test."):
                assert resolver.query(name, "A").rcode() == dns.rcode.NOERROR, name
            for name in ("a.silent.test.", "b.silent.test."):
                assert resolver.query(name, "A", timeout=20).rcode() == dns.rcode.SERVFAIL, name

            types, samples = parse_prometheus(get(resolver, "/metrics")[2])
            assert types["cairn_resolver_upstream_server_srtt_seconds"] == "gauge"
            assert types["cairn_resolver_upstream_server_queries_total"] == "counter"
            assert types["cairn_resolver_upstream_server_timeouts_total"] == "counter"
            per_server: dict[str, dict[str, float]] = {}
            for (name, labels), number in samples.items():
                if name.startswith("cairn_resolver_upstream_server_") and "server" in dict(labels):
                    label = dict(labels)  # (the view's cookie counters share the prefix, without a server)
                    assert label["view"] == VIEW
                    per_server.setdefault(label["server"], {})[name.removeprefix("cairn_resolver_upstream_server_")] = number
            # Every query sent is counted against its server (fewer servers than the bound of 20).
            total = value(samples, "cairn_resolver_upstream_queries_total", view=VIEW)
            assert total > 0 and sum(s["queries_total"] for s in per_server.values()) == total, per_server
            # The servers that answered: the roots, test.'s, glue.test's NSD and example.'s; each with an RTT.
            for server in ("127.53.2.1#53", "127.53.1.3#53"):
                assert per_server[server]["queries_total"] >= 1, per_server
                assert 0 <= per_server[server]["srtt_seconds"] < 5, per_server
                assert per_server[server]["timeouts_total"] == 0, per_server
                assert per_server[server]["held_down"] == 0, per_server
            assert any(s.startswith("127.53.0.") for s in per_server), per_server
            # The forwarder that never answers: its queries time out (those still waiting when a resolution gave up
            # at resolver-query-timeout are not counted as timeouts), and it has no RTT.
            assert per_server[dead]["queries_total"] >= 2, per_server
            assert 1 <= per_server[dead]["timeouts_total"] <= per_server[dead]["queries_total"], per_server
            assert "srtt_seconds" not in per_server[dead], per_server

            upstream = json.loads(get(resolver, "/json")[2])["resolver"]["views"][VIEW]["upstream"]
            by_server = {s["server"]: s for s in upstream["servers"]}
            assert set(by_server) == set(per_server)
            assert by_server[dead]["srtt_ms"] is None
            assert by_server[dead]["timeouts"] == per_server[dead]["timeouts_total"]
            assert by_server["127.53.2.1#53"]["srtt_ms"] == round(per_server["127.53.2.1#53"]["srtt_seconds"] * 1000)
            assert by_server["127.53.2.1#53"]["queries"] == per_server["127.53.2.1#53"]["queries_total"]

            page = get(resolver, "/")[2]
            assert '<table id="servers">' in page
            first_row = page.index('<tr class="server"')
            assert page.index(f'<tr class="server" data-server="{dead}"') == first_row, "the failing server comes first"
            assert page.index('data-server="127.53.2.1#53"') > first_row
        finally:
            resolver.stop()
