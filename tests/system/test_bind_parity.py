"""cairnd's logs and control replies in BIND's shapes, compared with BIND 9 itself running the same
configuration: zone labels in the log, the query log line (all flags, the key, the view, the destination),
the names of rotated log files, `rndc status` lines, `rndc tsig-list`, `rndc dumpdb -zones`, `rndc stats` and
`rndc trace`. BIND's own rndc drives both servers.

Both servers get one named.conf text (paths and ports apart): two views chosen by TSIG key and address, a
query log channel, a rotating one, a control channel and a statistics channel. The same queries go to both.
"""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import urllib.request
import time
from pathlib import Path

import dns.edns
import dns.message
import dns.query
import dns.tsigkeyring
import pytest

import servers
from waiting import wait_for

KEY_NAME = "tk"
KEY_SECRET = base64.b64encode(b"parity-test-key-secret-0123456789").decode()
RNDC_SECRET = base64.b64encode(b"parity-rndc-key-secret-012345678").decode()
ZONE = "$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n"


class Server:
    """BIND's named or cairnd on one configuration text, with its ports and working directory."""

    def __init__(self, kind: str, workdir: Path):
        self.kind, self.workdir = kind, workdir
        workdir.mkdir()
        self.port = servers.free_port(False)
        self.control_port = servers.free_port(False)
        self.http_port = servers.free_port(False)
        (workdir / "example.test.zone").write_text(ZONE)
        (workdir / "other.test.zone").write_text(ZONE)
        self.config = workdir / "named.conf"
        bind_only = (
            "    dnssec-validation no;\n"  # no trust anchor fetches: nothing leaves the machine
            f'    session-keyfile "{workdir}/session.key";\n    managed-keys-directory "{workdir}";\n'
            "    automatic-interface-scan no;\n"
            if kind == "named" else ""
        )
        self.config.write_text(
            f'key "{KEY_NAME}" {{ algorithm hmac-sha256; secret "{KEY_SECRET}"; }};\n'
            f'key "rndc-key" {{ algorithm hmac-sha256; secret "{RNDC_SECRET}"; }};\n'
            "options {\n"
            f'    directory "{workdir}";\n'
            f'    pid-file "{workdir}/named.pid";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n"
            "    recursion no;\n    notify no;\n    querylog yes;\n"
            + bind_only +
            "};\n"
            f"controls {{ inet 127.0.0.1 port {self.control_port} allow {{ 127.0.0.1; }} keys {{ rndc-key; }}; }};\n"
            f"statistics-channels {{ inet 127.0.0.1 port {self.http_port} allow {{ 127.0.0.1; }}; }};\n"
            "logging {\n"
            '    channel main { file "named.log"; print-time yes; print-category yes; print-severity yes; severity info; };\n'
            '    channel q { file "queries.log"; print-time yes; print-category yes; print-severity yes; };\n'
            '    channel rolled { file "rolled.log" versions 2 size 1k; print-time yes; };\n'
            "    category default { main; };\n"
            "    category queries { q; rolled; };\n"
            "};\n"
            'view "internal" {\n'
            f"    match-clients {{ key {KEY_NAME}; 127.0.0.2; }};\n"
            f'    zone "example.test" {{ type primary; file "{workdir}/example.test.zone"; }};\n'
            "};\n"
            'view "external" {\n'
            "    match-clients { any; };\n"
            f'    zone "example.test" {{ type primary; file "{workdir}/example.test.zone"; }};\n'
            f'    zone "other.test" {{ type primary; file "{workdir}/other.test.zone"; }};\n'
            "};\n"
        )
        (workdir / "rndc.conf").write_text(
            f'key "rndc-key" {{ algorithm hmac-sha256; secret "{RNDC_SECRET}"; }};\n'
            f'options {{ default-key "rndc-key"; default-server 127.0.0.1; default-port {self.control_port}; }};\n'
        )
        if kind == "named":
            command = ["/usr/sbin/named", "-f", "-n", "2", "-c", str(self.config)]  # -f: logging as configured
        else:
            command = [str(servers.cairnd_binary()), "-n", "2", "-c", str(self.config)]
        self.process = servers.LoggedProcess(command, workdir, "stderr.log")

    def rndc(self, *words: str) -> subprocess.CompletedProcess:
        return subprocess.run(["rndc", "-c", str(self.workdir / "rndc.conf"), *words], capture_output=True,
                              text=True, timeout=20)

    def ready(self) -> bool:
        try:
            dns.query.udp(dns.message.make_query("example.test", "SOA"), "127.0.0.1", port=self.port, timeout=0.5)
        except Exception:  # noqa: BLE001 (not up yet)
            return False
        return self.rndc("status").returncode == 0

    def read(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text(errors="replace") if path.exists() else ""


def client_cookie_option(server_cookie: bytes = b"") -> dns.edns.GenericOption:
    return dns.edns.GenericOption(dns.edns.COOKIE, bytes.fromhex("0102030405060708") + server_cookie)


def send_the_queries(server: Server) -> None:
    """The same queries to either server, each exercising one part of the query log line."""
    port = server.port
    # -E(0)K: no recursion desired, EDNS, a client cookie alone.
    q = dns.message.make_query("www.example.test", "A", use_edns=0, options=[client_cookie_option()])
    q.flags &= ~dns.flags.RD
    answer = dns.query.udp(q, "127.0.0.1", port=port, timeout=3)
    # +: no EDNS at all.
    dns.query.udp(dns.message.make_query("www.example.test", "AAAA", use_edns=False), "127.0.0.1", port=port,
                  timeout=3)
    # +E(0)TDCK: TCP, DNSSEC OK, checking disabled.
    q = dns.message.make_query("www.example.test", "A", use_edns=0, want_dnssec=True,
                               options=[client_cookie_option()])
    q.flags |= dns.flags.CD
    dns.query.tcp(q, "127.0.0.1", port=port, timeout=3)
    # +SE(0)K with /key tk, in the view the key picks.
    q = dns.message.make_query("www.example.test", "A", use_edns=0, options=[client_cookie_option()])
    q.use_tsig(dns.tsigkeyring.from_text({KEY_NAME: KEY_SECRET}), keyname=KEY_NAME)
    dns.query.udp(q, "127.0.0.1", port=port, timeout=3)
    # +E(0)V: the server cookie this server gave back.
    server_cookie = b""
    for option in answer.options:
        if option.otype == dns.edns.COOKIE:
            server_cookie = bytes(option.data)[8:]
    q = dns.message.make_query("www.example.test", "A", use_edns=0, options=[client_cookie_option(server_cookie)])
    dns.query.udp(q, "127.0.0.1", port=port, timeout=3)
    # Another zone and type, for the statistics; then enough queries to roll rolled.log twice.
    dns.query.udp(dns.message.make_query("other.test", "SOA", use_edns=0), "127.0.0.1", port=port, timeout=3)
    for i in range(20):
        dns.query.udp(dns.message.make_query(f"host{i}.other.test", "TXT", use_edns=False), "127.0.0.1", port=port,
                      timeout=3)


def normalized_query_lines(text: str) -> list[str]:
    """The query log's lines without what differs between two runs: the time, BIND's client object address,
    the client's port."""
    lines = []
    complete = text[: text.rfind("\n") + 1]  # a line the server is still writing is left for later
    for line in complete.splitlines():
        line = re.sub(r"^\d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d\.\d{3} ", "", line)
        line = re.sub(r"client @0x[0-9a-f]+ ", "client @0x ", line)
        lines.append(re.sub(r"#\d+", "#PORT", line))
    return lines


@pytest.fixture(scope="module")
def pair(tmp_path_factory, request):
    if servers.binary_for("cairnd") is None:
        pytest.skip("cairnd is not built")
    base = tmp_path_factory.mktemp("parity")
    started = []
    try:
        for kind in ("named", "cairnd"):
            server = Server(kind, base / kind)
            started.append(server)
            assert wait_for(server.ready, 30), server.read("stderr.log")[-3000:]
        for server in started:
            send_the_queries(server)
        yield {server.kind: server for server in started}
    finally:
        for server in started:
            server.process.stop()


def test_zone_labels_are_binds(pair):
    label = re.compile(r"zone ([^ :]+/IN(?:/[^ :]+)?): loaded serial")
    bind = set(label.findall(pair["named"].read("named.log")))
    ours = set(label.findall(pair["cairnd"].read("named.log")))
    assert bind == {"example.test/IN/internal", "example.test/IN/external", "other.test/IN/external"}, bind
    assert ours == bind


def test_query_log_lines_are_binds(pair):
    # cairnd flushes its query log every second.
    def lines(kind: str) -> list[str]:
        return normalized_query_lines(pair[kind].read("queries.log"))

    assert wait_for(lambda: len(lines("cairnd")) >= len(lines("named")) >= 26, 10)
    bind, ours = lines("named"), lines("cairnd")
    assert ours == bind, "\n".join(ours[:6] + ["--- BIND:"] + bind[:6])
    assert any("(www.example.test): view external: query: www.example.test IN A -E(0)K (127.0.0.1)" in l for l in ours)
    assert any("/key tk (www.example.test): view internal: query: www.example.test IN A +SE(0)K (127.0.0.1)" in l
               for l in ours)
    assert any("IN A +E(0)TDCK (127.0.0.1)" in l for l in ours)
    assert any("IN A +E(0)V (127.0.0.1)" in l for l in ours)
    assert any("IN AAAA + (127.0.0.1)" in l for l in ours)


def test_rotated_files_are_named_as_binds(pair):
    def names(kind: str) -> list[str]:
        return sorted(path.name for path in pair[kind].workdir.glob("rolled.log*"))

    assert wait_for(lambda: names("cairnd") == names("named") == ["rolled.log", "rolled.log.0", "rolled.log.1"],
                    10), (names("named"), names("cairnd"))


def status_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        if line.startswith("running on "):  # "running on HOST: Linux x86_64 ..."
            fields["running on"] = line[len("running on "):]
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


def test_rndc_status_lines_are_binds(pair):
    bind = pair["named"].rndc("status")
    ours = pair["cairnd"].rndc("status")
    assert bind.returncode == 0 and ours.returncode == 0, bind.stderr + ours.stderr
    bind_fields, our_fields = status_fields(bind.stdout), status_fields(ours.stdout)
    missing = set(bind_fields) - set(our_fields)
    assert not missing, ours.stdout
    # BIND prints the line whether or not a view recurses: nobody waiting, the soft quota (90% of the limit up
    # to 1000, the limit less 100 above it) and recursive-clients (1000 by default).
    assert our_fields["recursive clients"] == bind_fields["recursive clients"] == "0/900/1000"
    assert ours.stdout.index("query logging is") < ours.stdout.index("recursive clients") < ours.stdout.index(
        "tcp clients"), ours.stdout
    for name in ("xfers running", "xfers deferred", "soa queries in progress", "debug level"):
        assert our_fields[name] == bind_fields[name] == "0", (name, ours.stdout)
    assert our_fields["tcp clients"] == bind_fields["tcp clients"] == "0/150"
    assert our_fields["TCP high-water"] == bind_fields["TCP high-water"] == "1"  # the one TCP query
    assert our_fields["number of zones"].startswith("3 (") and our_fields["number of zones"].endswith(" automatic)")
    # "HOST: Linux x86_64 6.1.0-...": uname's fields after the host name
    assert our_fields["running on"].split(" ")[:4] == bind_fields["running on"].split(" ")[:4]
    assert our_fields["running on"].split(" ")[0] == socket.gethostname() + ":"
    assert "query logging is ON" in ours.stdout and ours.stdout.rstrip().endswith("server is up and running")


def test_rndc_trace_sets_the_debug_level_as_binds(pair):
    for server in pair.values():
        assert server.rndc("trace").returncode == 0
        assert status_fields(server.rndc("status").stdout)["debug level"] == "1"
        assert server.rndc("trace", "3").returncode == 0
        assert status_fields(server.rndc("status").stdout)["debug level"] == "3"
        assert server.rndc("notrace").returncode == 0
        assert status_fields(server.rndc("status").stdout)["debug level"] == "0", server.kind


def test_rndc_tsig_list_names_the_views_keys_as_binds(pair):
    bind = pair["named"].rndc("tsig-list")
    ours = pair["cairnd"].rndc("tsig-list")
    assert bind.returncode == 0 and ours.returncode == 0, ours.stderr
    our_lines = set(ours.stdout.splitlines())
    assert our_lines <= set(bind.stdout.splitlines()), (ours.stdout, bind.stdout)
    for view in ("internal", "external"):
        for key in ("tk", "rndc-key"):
            assert f'view "{view}"; type "static"; key "{key}";' in our_lines


def dump_zones(text: str) -> dict[str, set[tuple[str, ...]]]:
    """Zone label -> its records (fields split on white space) from a dumpdb file."""
    zones: dict[str, set[tuple[str, ...]]] = {}
    current = None
    for line in text.splitlines():
        header = re.match(r"; Zone dump of '([^']+)'", line)
        if header:
            current = header.group(1)
            zones[current] = set()
        elif current and line and not line.startswith(";"):
            zones[current].add(tuple(line.split()))
    return zones


def test_rndc_dumpdb_zones_writes_binds_layout(pair):
    for server in pair.values():
        assert server.rndc("dumpdb", "-zones").returncode == 0
    assert wait_for(lambda: all("; Dump complete" in s.read("named_dump.db") for s in pair.values()), 10)
    bind = {label: records for label, records in dump_zones(pair["named"].read("named_dump.db")).items()
            if not label.endswith("/CH")}  # BIND's built-in _bind view
    ours = dump_zones(pair["cairnd"].read("named_dump.db"))
    assert set(ours) == {"example.test/IN/internal", "example.test/IN/external", "other.test/IN/external"}
    assert ours == bind
    text = pair["cairnd"].read("named_dump.db")
    assert ";\n; Start view internal\n;\n" in text and text.endswith("; Dump complete\n")


def stats_section(text: str, title: str) -> dict[str, int]:
    section, inside = {}, False
    for line in text.splitlines():
        if line.startswith("++ "):
            inside = line == f"++ {title} ++"
            continue
        match = re.match(r"\s+(\d+) (.+)$", line)
        if inside and match:
            section[match.group(2)] = int(match.group(1))
    return section


def test_rndc_stats_appends_binds_layout(pair):
    for server in pair.values():
        assert server.rndc("stats").returncode == 0
    assert wait_for(lambda: all("--- Statistics Dump ---" in s.read("named.stats") for s in pair.values()), 10)
    bind, ours = pair["named"].read("named.stats"), pair["cairnd"].read("named.stats")
    assert re.match(r"\+\+\+ Statistics Dump \+\+\+ \(\d+\)\n", ours)
    bind_sections = re.findall(r"^\+\+ (.+) \+\+$", bind, re.M)
    our_sections = re.findall(r"^\+\+ (.+) \+\+$", ours, re.M)
    assert our_sections == [s for s in bind_sections if s in our_sections] and len(our_sections) >= 8
    # The same queries went to both: the same counts by type, by rcode and for the results cairn counts.
    for title in ("Incoming Queries", "Outgoing Rcodes"):
        assert stats_section(ours, title) == stats_section(bind, title), title
    assert stats_section(ours, "Incoming Requests")["QUERY"] == stats_section(bind, "Incoming Requests")["QUERY"]
    our_ns, bind_ns = stats_section(ours, "Name Server Statistics"), stats_section(bind, "Name Server Statistics")
    for description in ("TCP requests received", "queries resulted in successful answer",
                        "queries resulted in authoritative answer", "queries resulted in NXDOMAIN",
                        "UDP queries received", "TCP queries received"):
        assert our_ns.get(description) == bind_ns.get(description), description


def fetch(server: Server, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}{path}", timeout=5) as response:
        assert response.status == 200
        return response.read().decode()


def xml_zones(text: str) -> dict[str, set[tuple[str, str]]]:
    """view -> {(zone, serial)} from a /xml/v3/zones document, BIND's built-in view left out."""
    import xml.etree.ElementTree as ElementTree

    out = {}
    for view in ElementTree.fromstring(text).iter("view"):
        if view.get("name") == "_bind":
            continue
        out[view.get("name")] = {(zone.get("name"), zone.findtext("serial")) for zone in view.iter("zone")}
    return out


def test_statistics_channel_serves_binds_documents(pair):
    import json

    assert xml_zones(fetch(pair["cairnd"], "/xml/v3/zones")) == xml_zones(fetch(pair["named"], "/xml/v3/zones"))
    bind_json, our_json = json.loads(fetch(pair["named"], "/json/v1/zones")), json.loads(fetch(pair["cairnd"],
                                                                                               "/json/v1/zones"))
    for view in ("internal", "external"):
        assert our_json["views"][view]["zones"] == [
            {key: zone[key] for key in ("name", "class", "serial", "type", "loaded") if key in zone}
            for zone in our_json["views"][view]["zones"]]
        names = [(z["name"], z["class"], z["serial"], z["type"]) for z in our_json["views"][view]["zones"]]
        assert names == [(z["name"], z["class"], z["serial"], z["type"]) for z in bind_json["views"][view]["zones"]]
    server = json.loads(fetch(pair["cairnd"], "/json/v1/server"))
    bind_server = json.loads(fetch(pair["named"], "/json/v1/server"))
    assert set(server) >= {"json-stats-version", "boot-time", "config-time", "current-time", "version", "opcodes",
                           "rcodes", "qtypes", "nsstats"}
    assert server["qtypes"] == bind_server["qtypes"]
    assert server["opcodes"]["QUERY"] == bind_server["opcodes"]["QUERY"]
    assert "<statistics version=\"3." in fetch(pair["cairnd"], "/xml/v3/status")


def exporter_metrics(server: Server, tmp_path: Path) -> dict[str, float]:
    """prometheus-bind-exporter pointed at `server`: its /metrics, as {"name{labels}": value}."""
    port = servers.free_port(False)
    exporter = servers.LoggedProcess(
        ["/usr/bin/prometheus-bind-exporter", f"--bind.stats-url=http://127.0.0.1:{server.http_port}/",
         f"--web.listen-address=127.0.0.1:{port}", f"--bind.pid-file={server.workdir}/named.pid",
         "--bind.stats-groups=server,view,tasks"], tmp_path, f"exporter-{server.kind}.log")
    try:
        def scrape() -> str:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                    return response.read().decode()
            except OSError:
                return ""

        assert wait_for(lambda: "bind_up" in scrape(), 15), exporter.log()
        metrics = {}
        for line in scrape().splitlines():
            if line.startswith("bind_"):
                name, _, value = line.rpartition(" ")
                metrics[name] = float(value)
        return metrics
    finally:
        exporter.stop()


def test_bind_exporter_reads_cairnd_as_it_reads_bind(pair, tmp_path):
    ours = exporter_metrics(pair["cairnd"], tmp_path)
    bind = exporter_metrics(pair["named"], tmp_path)
    assert ours["bind_up"] == 1.0, ours
    for name in ('bind_incoming_queries_total{type="A"}', 'bind_incoming_queries_total{type="TXT"}',
                 'bind_incoming_requests_total{opcode="QUERY"}', 'bind_responses_total{result="Success"}',
                 'bind_responses_total{result="NXDOMAIN"}', 'bind_response_rcodes_total{rcode="NOERROR"}',
                 'bind_zone_serial{view="external",zone_name="other.test"}',
                 'bind_zone_serial{view="internal",zone_name="example.test"}'):
        assert ours.get(name) is not None and ours.get(name) == bind.get(name), (name, ours.get(name), bind.get(name))
    assert ours["bind_boot_time_seconds"] > 1e9 and ours["bind_config_time_seconds"] >= ours["bind_boot_time_seconds"]
