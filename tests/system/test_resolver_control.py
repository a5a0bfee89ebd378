"""Operating the resolver: split horizon (an internal view that recurses, an external one that does not, one
cache per recursive view), BIND's rndc and `cairn ctl` on the caches (flush [VIEW], flushname and flushtree
saying how many entries went, dumpdb -cache, serve-stale status), cairn's `cache NAME [TYPE]`, and the
statistics channel's figures per view."""

from __future__ import annotations

import json
import re
import urllib.request

import dns.rcode
import dns.rdatatype
import pytest

import resolvers
from conftest import require_server


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
