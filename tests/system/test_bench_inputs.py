"""The benchmark's inputs (bench/auth/) mean what docs/benchmarks.md says: the generated zone is valid for
every implementation, and each class of generated query gets the kind of answer it stands for."""

from __future__ import annotations

import random
import subprocess
import sys

import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

import dnsclient
import servers

sys.path.insert(0, str(servers.REPO_ROOT / "bench" / "auth"))
import gen_queries  # noqa: E402
import gen_zone  # noqa: E402

NAMES = 400  # 20 blocks: every kind of name, small enough to check in a second


@pytest.fixture(scope="module")
def bench_zone(tmp_path_factory) -> servers.Zone:
    path = tmp_path_factory.mktemp("bench") / "bench.test.zone"
    path.write_text("".join(line + "\n" for line in gen_zone.records(NAMES)))
    return servers.Zone(gen_zone.ORIGIN, path)


@pytest.fixture(scope="module")
def knotd(module_server, bench_zone) -> servers.AuthServer:
    return module_server("knotd", [bench_zone])


def test_zone_is_accepted_by_every_checker(bench_zone):
    for command in (
        ["nsd-checkzone", bench_zone.fqdn, str(bench_zone.file)],
        ["kzonecheck", "-o", bench_zone.fqdn, str(bench_zone.file)],
        ["named-checkzone", "-i", "none", bench_zone.fqdn, str(bench_zone.file)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}"


def outcome(response) -> str:
    """The class of answer, in gen_queries.MIX's terms."""
    answer_types = [rrset.rdtype for rrset in response.answer]
    if response.rcode() == dns.rcode.NXDOMAIN:
        return "nxdomain"
    if not response.flags & dns.flags.AA:
        return "referral" if any(r.rdtype == dns.rdatatype.NS for r in response.authority) else "other"
    if not answer_types:
        return "nodata"
    if answer_types[0] == dns.rdatatype.CNAME:
        return "alias"
    if any(rrset.name.labels[1:2] == (b"wild",) for rrset in response.answer):
        return "wildcard"
    return "answer"


EXPECTED_OUTCOME = {
    "host-a": "answer",
    "host-aaaa": "answer",
    "host-mx": "answer",
    "host-txt": "answer",
    "apex": "answer",
    "alias": "alias",
    "nxdomain": "nxdomain",
    "nodata": "nodata",
    "referral": "referral",
    "wildcard": "wildcard",
}


def test_each_query_class_gets_its_kind_of_answer(knotd):
    rng = random.Random(1)
    for kind, _ in gen_queries.MIX:
        for _ in range(10):
            name, rdtype = gen_queries.query(rng, NAMES, kind).split()
            response = dnsclient.query(knotd, name, rdtype)
            assert outcome(response) == EXPECTED_OUTCOME[kind], f"{kind}: {name} {rdtype}\n{response}"


def test_cairnd_answers_the_benchmark_queries_like_knot(module_server, bench_zone, knotd):
    """So that the benchmark compares servers doing the same work."""
    cairnd = module_server("cairnd", [bench_zone])
    rng = random.Random(2)
    kinds = [kind for kind, _ in gen_queries.MIX]
    for kind in kinds * 10:
        name, rdtype = gen_queries.query(rng, NAMES, kind).split()
        expected, actual = dnsclient.query(knotd, name, rdtype), dnsclient.query(cairnd, name, rdtype)
        differences = dnsclient.compare_responses(actual, expected)
        assert not differences, f"{kind}: {name} {rdtype}: " + "; ".join(differences)
