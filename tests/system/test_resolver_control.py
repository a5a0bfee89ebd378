"""Operating the resolver: split horizon (an internal view that recurses, an external one that does not, one
cache per recursive view), BIND's rndc and `cairn ctl` on the caches (flush [VIEW], flushname and flushtree
saying how many entries went, dumpdb -cache, -zones and -all, serve-stale status), cairn's `cache NAME
[TYPE]`, the statistics channel's figures per view, and rndc status's `recursive clients` line."""

from __future__ import annotations

import json
import re
import socket
import urllib.request

import dns.rcode
import dns.rdatatype
import pytest

import ctl_daemon
import resolvers
from conftest import require_server
from waiting import wait_for


@pytest.fixture(scope="module")
def resolver(hierarchy, tmp_path_factory):
    require_server("cairnd")
    hint = f'zone "." {{ type hint; file "{hierarchy.hints_file}"; }};'
    views = (
        # 127.0.0.1 recurses in "internal", 127.0.0.3 in "lab" (a cache of its own), the rest of loopback
        # is "external": no recursion there.
        f'view "internal" {{ match-clients {{ 127.0.0.1; }}; recursion yes; {hint} }};\n'
        f'view "lab" {{ match-clients {{ 127.0.0.3; }}; recursion yes; allow-recursion {{ 127.0.0.3; }}; {hint} }};\n'
        'view "external" { match-clients { any; }; recursion no; };'
    )
    started = resolvers.cairnd_resolver(tmp_path_factory.mktemp("control"), hierarchy, hints=False, extra=views)
    started.start()
    yield started
    started.stop()


def addresses(response) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


def test_split_horizon_one_cache_per_recursive_view(resolver):
    assert addresses(resolver.query("www.glue.test.", "A")) == ["192.0.2.1"]
    outside = resolver.query("www.glue.test.", "A", source="127.0.0.2")
    assert outside.rcode() == dns.rcode.REFUSED, "the external view does not recurse"
    assert addresses(resolver.query("www.glueless.test.", "A", source="127.0.0.3")) == ["192.0.2.2"]

    internal = resolver.ctl("cache", "www.glue.test", "A", "internal")
    assert internal.returncode == 0, internal.stderr
    assert "192.0.2.1" in internal.stdout
    assert "127.53.2.1" in internal.stdout, "the server the records came from"
    assert "nothing cached" in resolver.ctl("cache", "www.glue.test", "A", "lab").stdout

    flushed = resolver.rndc("flush", "lab")
    assert flushed.returncode == 0, flushed.stderr
    assert "nothing cached" in resolver.ctl("cache", "www.glueless.test", "A", "lab").stdout
    assert "192.0.2.1" in resolver.ctl("cache", "www.glue.test", "A", "internal").stdout, "other views keep theirs"
    missing = resolver.rndc("flush", "external")
    assert missing.returncode != 0, "the external view has no cache"


def test_flushname_and_flushtree_say_what_they_removed(resolver):
    for name in ("www.glue.test.", "mail.glue.test.", "nothing.glue.test."):
        resolver.query(name, "A" if name != "mail.glue.test." else "MX")
    one = resolver.ctl("flushname", "www.glue.test", "internal")
    assert one.returncode == 0, one.stderr
    assert re.search(r"removed 1 RRset", one.stdout), one.stdout
    tree = resolver.rndc("flushtree", "glue.test", "internal")
    assert tree.returncode == 0, tree.stderr
    counts = re.search(r"removed (\d+) RRsets?, (\d+) negative", tree.stdout)
    assert counts and int(counts.group(1)) >= 1 and int(counts.group(2)) >= 1, tree.stdout
    assert "nothing cached" in resolver.ctl("cache", "mail.glue.test", "MX", "internal").stdout


def test_dumpdb_cache_writes_the_dump_file(resolver):
    resolver.query("www.example.", "AAAA")
    dumped = resolver.rndc("dumpdb", "-cache")
    assert dumped.returncode == 0, dumped.stderr
    text = (resolver.workdir / "named_dump.db").read_text()
    assert "; Cache dump of view 'internal'" in text
    assert "; Cache dump of view 'lab'" in text
    assert re.search(r"www\.example\.\s+\d+\s+IN\s+AAAA\s+2001:db8::3", text), text[:2000]


def test_serve_stale_status(resolver):
    status = resolver.rndc("serve-stale", "status")
    assert status.returncode == 0, status.stderr
    assert "internal: " in status.stdout and "lab: " in status.stdout
    assert "stale answers disabled" in status.stdout, status.stdout


def test_statistics_per_view(resolver):
    resolver.query("www.glue.test.", "A")
    resolver.query("www.glue.test.", "A")
    failed = resolver.query("www.outage.test.", "A")  # its servers are not running
    assert failed.rcode() == dns.rcode.SERVFAIL
    code = resolvers.ede(failed)[0]
    metrics = resolver.metrics()
    for family in ("cache_hits_total", "cache_misses_total", "cache_entries", "cache_bytes", "upstream_queries_total"):
        match = re.search(rf'cairn_resolver_{family}{{view="internal"}} (\d+)', metrics)
        assert match and int(match.group(1)) > 0, family
    assert re.search(r'cairn_resolver_cache_entries\{view="lab"\} \d+', metrics)
    assert re.search(rf'cairn_resolver_servfail_total\{{view="internal",ede="{code}",reason="[^"]+"\}} [1-9]', metrics)
    assert re.search(r'cairn_resolver_upstream_rtt_seconds_bucket\{view="internal",le="\+Inf"\} [1-9]', metrics)
    with urllib.request.urlopen(f"http://127.0.0.1:{resolver.http_port}/json", timeout=5) as page:
        document = json.load(page)
    internal = document["resolver"]["views"]["internal"]
    assert internal["cache"]["hits"] > 0 and internal["upstream"]["queries"] > 0
    assert document["queries"]["by_view"]["internal"] > 0


def dump_headers(text: str) -> list[str]:
    """The section headers of a dump file, in order: "; Start view V", "; Cache dump of view ...", "; Zone
    dump of ...", "; Dump complete"."""
    return [line for line in text.splitlines()
            if re.match(r"; (Start view |Cache dump of view |Zone dump of |Dump complete)", line)]


def test_dumpdb_all_writes_each_views_cache_then_its_zones(hierarchy, tmp_path):
    # BIND 9.18's `rndc dumpdb -all`, per view: "; Start view V", the cache ("; Cache dump of view 'V' (cache
    # V)", then BIND's address database, bad and SERVFAIL caches, which cairnd has not), the view's zones
    # ("; Zone dump of 'ZONE/IN'"), and "; Dump complete" at the end. -cache (the default) and -zones write
    # their half alone.
    workdir = tmp_path / "dump"
    workdir.mkdir()
    (workdir / "local.test.zone").write_text(ctl_daemon.zone_text("local.test", 7))
    resolver = resolvers.cairnd_resolver(
        workdir, hierarchy, extra=f'zone "local.test" {{ type primary; file "{workdir}/local.test.zone"; }};')
    resolver.start()
    try:
        assert resolver.query("www.example.", "AAAA").answer
        dumped = resolver.rndc("dumpdb", "-all")
        assert dumped.returncode == 0, dumped.stderr
        text = (workdir / "named_dump.db").read_text()
        headers = dump_headers(text)
        # The zones: local.test and the automatic empty zones (RFC 6303), which BIND dumps too.
        assert headers[:2] == ["; Start view _default", "; Cache dump of view '_default' (cache _default)"], text[:3000]
        assert "; Zone dump of 'local.test/IN'" in headers and headers[-1] == "; Dump complete", headers
        assert all(header.startswith("; Zone dump of ") for header in headers[2:-1]), headers
        cache_part, zone_part = text.split("; Zone dump of 'local.test/IN'")
        assert re.search(r"www\.example\.\s+\d+\s+IN\s+AAAA\s+2001:db8::3", cache_part), cache_part[:3000]
        assert re.search(r"www\.local\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.1", zone_part), zone_part
        assert re.search(r"local\.test\.\s+300\s+IN\s+SOA\s+ns1\.local\.test\. hostmaster\.local\.test\. 7 ",
                         zone_part), zone_part

        assert resolver.rndc("dumpdb").returncode == 0
        assert dump_headers((workdir / "named_dump.db").read_text()) == [
            "; Start view _default", "; Cache dump of view '_default' (cache _default)", "; Dump complete"]
        assert resolver.ctl("dumpdb", "-zones").returncode == 0
        assert dump_headers((workdir / "named_dump.db").read_text()) == headers[:1] + headers[2:]
    finally:
        resolver.stop()


def recursive_clients(server) -> str:
    status = server.rndc("status")
    assert status.returncode == 0, status.stderr
    return ctl_daemon.fields(status.stdout)["recursive clients"]


def test_status_counts_the_recursive_clients_waiting(hierarchy, tmp_path):
    # BIND's line: "recursive clients: WAITING/SOFT/LIMIT", the soft quota 90% of a limit up to 1000 (BIND
    # 9.18 prints 0/45/50 for recursive-clients 50, and 0/1900/2000 for 2000: the limit less 100 above 1000).
    # Five queries forwarded to a server that never answers wait for their resolution, then leave when it
    # gives up.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        forwarder = silent.getsockname()[1]
        resolver = resolvers.cairnd_resolver(
            tmp_path / "waiting", hierarchy, options_extra="recursive-clients 50; resolver-query-timeout 10;",
            extra=f'zone "silent.test" {{ type forward; forward only; forwarders {{ 127.0.0.1 port {forwarder}; }}; }};')
        resolver.start()
        try:
            assert recursive_clients(resolver) == "0/45/50"
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                for i in range(5):
                    query = resolvers.make_query(f"q{i}.silent.test.", "A")
                    client.sendto(query.to_wire(), ("127.0.0.1", resolver.port))
                assert wait_for(lambda: recursive_clients(resolver) == "5/45/50", 8, 0.3), recursive_clients(resolver)
                assert wait_for(lambda: recursive_clients(resolver) == "0/45/50", 60, 0.3), recursive_clients(resolver)
        finally:
            resolver.stop()
