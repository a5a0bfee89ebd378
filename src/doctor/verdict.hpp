// The diagnosis of `cairn doctor` (issue 17): the article's step-by-step triage turned into checks over
// what was observed (observations.hpp), each step with its lines, the failures it proves with their
// evidence and blast radius, and one verdict: `healthy`, one named failure (the article's six types and
// the ones it leaves unnamed that can be told apart), or `partial` when several hold at once. Pure: no
// I/O, so every verdict is unit tested from scripted answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "doctor/observations.hpp"

namespace cairn::doctor {

enum class Failure : std::uint8_t {
    resolver_down,       // type 1: a resolver the client uses does not answer
    authoritative_down,  // type 2: the zone's name servers do not answer
    zone_expired,        // type 3: a secondary stopped serving the zone (SERVFAIL for its SOA)
    dnssec,              // type 4: the chain of trust is broken (expired RRSIG, DS matching no key, ...)
    negative_cache,      // type 5: a resolver's NXDOMAIN/NODATA outlives the record now published
    split_horizon,       // type 6: answers differ by the client's source address
    lame_delegation,     // an NS does not serve the zone (REFUSED, or no AA)
    serial_mismatch,     // name servers serve different versions of the zone (RFC 1982)
};

const char* failure_name(Failure f);                          // "resolver-down", ...
std::optional<int> article_type(Failure f);                   // 1-6 for the article's types
std::string recovery_step(Failure f, const Observations& o);  // the article's recovery for the type

enum class StepStatus : std::uint8_t { ok, warning, failed, skipped };
const char* to_text(StepStatus s);

struct Step {
    std::string name;  // "resolv.conf", "resolvers", "delegation", "authorities", "serials", ...
    StepStatus status = StepStatus::ok;
    std::vector<std::string> lines;
};

struct Finding {
    Failure failure;
    std::vector<std::string> evidence;
    std::vector<std::string> blast_radius;  // which answers fail now, and which fail when
};

struct Diagnosis {
    std::string name;
    std::string type;
    std::string verdict;              // "healthy", a failure_name(), or "partial"
    std::optional<int> failure_type;  // article_type() of the one failure; none for healthy and partial
    std::vector<Step> steps;
    std::vector<Finding> findings;          // in the order of the diagnosis, from the client inward
    std::vector<std::string> evidence;      // the verdict's evidence (every finding's, in order)
    std::vector<std::string> blast_radius;  // the same for the blast radius
    std::string fix;                        // the recovery step(s)
    bool out_of_time = false;
    double elapsed_ms = 0;
};

// Runs every check over `o` and decides the verdict.
Diagnosis diagnose(const Observations& o);

// The answer of a response to NAME TYPE as comparable text: rcode, then the answer section's records
// (owner, type and rdata, TTLs left out) sorted. For split-horizon and negative-cache comparisons.
std::string answer_signature(const dns::Message& m);

}  // namespace cairn::doctor
