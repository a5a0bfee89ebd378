// Scripted answers for the doctor's checks: messages and observations built from presentation text, so a
// test states what each server said and asserts the verdict.
#pragma once

#include <string>
#include <vector>

#include "../auth/zone_lines.hpp"
#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "doctor/observations.hpp"

namespace cairn::doctor::testing {

// "owner ttl TYPE rdata" with absolute names, read by the auth tests' line reader.
inline dns::ResourceRecord rr(const std::string& line) {
    const zone::Record r = auth::testing::record_from(line, dns::Name());
    return {r.owner, r.type, r.rclass, r.ttl, r.rdata};
}

inline QueryResult answer(dns::Rcode rcode, bool aa, std::vector<std::string> answer_lines,
                          std::vector<std::string> authority_lines = {}) {
    dns::Message m;
    m.header.qr = true;
    m.header.aa = aa;
    m.header.rcode = static_cast<std::uint8_t>(rcode);
    for (const auto& line : answer_lines)
        m.answer.push_back(rr(line));
    for (const auto& line : authority_lines)
        m.authority.push_back(rr(line));
    QueryResult r;
    r.outcome = QueryResult::Outcome::answer;
    r.message = m;
    r.rtt_ms = 1.5;
    return r;
}

inline QueryResult silent() {
    QueryResult r;
    r.outcome = QueryResult::Outcome::timeout;
    return r;
}

inline QueryResult refused_by_host() {
    QueryResult r;
    r.outcome = QueryResult::Outcome::unreachable;
    r.error = 111;  // ECONNREFUSED
    return r;
}

inline QueryResult with_expire(QueryResult r, std::uint32_t seconds) {
    dns::Edns edns;
    edns.options.push_back(
        {static_cast<std::uint16_t>(dns::EdnsOptionCode::EXPIRE),
         {static_cast<std::uint8_t>(seconds >> 24), static_cast<std::uint8_t>(seconds >> 16),
          static_cast<std::uint8_t>(seconds >> 8), static_cast<std::uint8_t>(seconds)}});
    r.message->edns = edns;
    return r;
}

inline dns::IpAddress ip(const std::string& text) {
    return *dns::IpAddress::parse(text);
}

}  // namespace cairn::doctor::testing
