#include "stats/probes_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "stats/prom_writer.hpp"

namespace cairn::stats {

void render_probes_prometheus(const std::vector<ProbeGauge>& probes, PromWriter& w) {
    if (probes.empty()) return;
    using Value = std::optional<double> (*)(const ProbeGauge&);
    const auto family = [&](std::string_view name, std::string_view type, std::string_view help,
                            Value value) {
        w.family(name, type, help);
        for (const ProbeGauge& p : probes) {
            if (const std::optional<double> v = value(p))
                w.sample(name, {{"probe", p.probe}, {"type", p.type}, {"server", p.server}}, *v);
        }
    };
    family("cairn_probe_up", "gauge", "1 when the probe's last run against the server passed.",
           [](const ProbeGauge& p) { return p.ran ? std::optional(p.ok ? 1.0 : 0.0) : std::nullopt; });
    family("cairn_probe_latency_seconds", "gauge", "Latency of the last answer to the probe.",
           [](const ProbeGauge& p) {
               return p.rtt_ms ? std::optional(*p.rtt_ms / 1000.0) : std::optional<double>();
           });
    family("cairn_probe_runs_total", "counter", "Runs of the probe against the server.",
           [](const ProbeGauge& p) { return std::optional(static_cast<double>(p.runs)); });
    family("cairn_probe_failures_total", "counter",
           "Failed runs: no answer, an rcode other than NOERROR, or an answer without what was expected.",
           [](const ProbeGauge& p) { return std::optional(static_cast<double>(p.failures)); });
    family("cairn_probe_failing_since_seconds", "gauge",
           "Unix time of the first failed run of a probe failing now.", [](const ProbeGauge& p) {
               return p.failing_since ? std::optional(static_cast<double>(*p.failing_since))
                                      : std::optional<double>();
           });
}

nlohmann::json probes_json(const std::vector<ProbeGauge>& probes) {
    using nlohmann::json;
    json out = json::array();
    for (const ProbeGauge& p : probes) {
        out.push_back({{"probe", p.probe},
                       {"type", p.type},
                       {"server", p.server},
                       {"ok", p.ran ? json(p.ok) : json(nullptr)},
                       {"rtt_ms", p.rtt_ms ? json(*p.rtt_ms) : json(nullptr)},
                       {"rcode", p.rcode.empty() ? json(nullptr) : json(p.rcode)},
                       {"answer", p.answer},
                       {"problem", p.problem},
                       {"runs", p.runs},
                       {"failures", p.failures},
                       {"last_run", p.last_run ? json(*p.last_run) : json(nullptr)},
                       {"failing_since", p.failing_since ? json(*p.failing_since) : json(nullptr)}});
    }
    return out;
}

std::string probes_html(const std::vector<ProbeGauge>& probes, std::int64_t now) {
    if (probes.empty()) return {};
    std::vector<const ProbeGauge*> ordered;
    for (const ProbeGauge& p : probes)
        ordered.push_back(&p);
    // Failing first, the longest failing first among them; configuration order otherwise.
    std::stable_sort(ordered.begin(), ordered.end(), [](const ProbeGauge* a, const ProbeGauge* b) {
        const bool a_failing = a->ran && !a->ok, b_failing = b->ran && !b->ok;
        if (a_failing != b_failing) return a_failing;
        return a->failing_since.value_or(INT64_MAX) < b->failing_since.value_or(INT64_MAX);
    });
    std::string rows;
    for (const ProbeGauge* p : ordered) {
        const bool failing = p->ran && !p->ok;
        std::string answer;
        for (const std::string& rdata : p->answer)
            answer += (answer.empty() ? "" : ", ") + html_escape(rdata);
        rows += fmt::format(
            "<tr class=\"probe\" data-probe=\"{}\" data-server=\"{}\" data-state=\"{}\"><td>{} "
            "{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{} of {}</td><td class=\"problem\">{}</td></tr>\n",
            html_escape(p->probe), html_escape(p->server),
            !p->ran   ? "pending"
            : failing ? "failing"
                      : "ok",
            html_escape(p->probe), html_escape(p->type), html_escape(p->server),
            p->rtt_ms ? fmt::format("{:.1f} ms", *p->rtt_ms) : std::string("&ndash;"),
            p->rcode.empty() ? std::string("&ndash;") : html_escape(p->rcode), answer, p->failures, p->runs,
            failing
                ? html_escape(p->problem) +
                      (p->failing_since ? fmt::format(" (for {} s)", now - *p->failing_since) : std::string())
                : std::string());
    }
    return fmt::format(
        "<h2>Probes</h2>\n<table id=\"probes\"><thead><tr><th>Probe</th><th>Server</th><th>Latency</th>"
        "<th>Rcode</th><th>Answer</th><th>Failed</th><th>Why</th></tr></thead>\n<tbody>\n{}</tbody></"
        "table>\n",
        rows);
}

}  // namespace cairn::stats
