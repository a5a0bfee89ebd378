#include "doctor/report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace cairn::doctor {

std::string report_text(const Diagnosis& d) {
    std::string out = "cairn doctor " + d.name + " " + d.type + "\n";
    for (const auto& step : d.steps) {
        out += "\n[" + std::string(to_text(step.status)) + "] " + step.name + "\n";
        for (const auto& line : step.lines)
            out += "    " + line + "\n";
    }
    out += "\nverdict: " + d.verdict;
    if (d.failure_type) out += " (the article's type " + std::to_string(*d.failure_type) + ")";
    out += "\n";
    if (!d.evidence.empty()) {
        out += "evidence:\n";
        for (const auto& line : d.evidence)
            out += "  - " + line + "\n";
    }
    if (!d.blast_radius.empty()) {
        out += "blast radius:\n";
        for (const auto& line : d.blast_radius)
            out += "  - " + line + "\n";
    }
    if (!d.fix.empty()) out += "fix: " + d.fix + "\n";
    char elapsed[64];
    std::snprintf(elapsed, sizeof elapsed, "(%.0f ms%s)\n", d.elapsed_ms,
                  d.out_of_time ? ", out of time" : "");
    out += elapsed;
    return out;
}

std::string report_json(const Diagnosis& d) {
    nlohmann::ordered_json j;
    j["name"] = d.name;
    j["type"] = d.type;
    j["verdict"] = d.verdict;
    j["failure_type"] =
        d.failure_type ? nlohmann::ordered_json(*d.failure_type) : nlohmann::ordered_json(nullptr);
    j["evidence"] = d.evidence;
    auto steps = nlohmann::ordered_json::array();
    for (const auto& step : d.steps)
        steps.push_back({{"step", step.name}, {"status", to_text(step.status)}, {"lines", step.lines}});
    j["steps"] = steps;
    j["fix"] = d.fix;
    auto failures = nlohmann::ordered_json::array();
    for (const auto& f : d.findings)
        failures.push_back(failure_name(f.failure));
    j["failures"] = failures;
    j["blast_radius"] = d.blast_radius;
    j["out_of_time"] = d.out_of_time;
    j["elapsed_ms"] = static_cast<std::int64_t>(d.elapsed_ms);
    return j.dump(2) + "\n";
}

}  // namespace cairn::doctor
