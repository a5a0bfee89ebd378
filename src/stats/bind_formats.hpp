// BIND 9's own statistics formats, rendered from the counters cairnd keeps, so that the tools written for
// BIND read cairnd: the statistics channel's XML (/xml/v3, statistics version 3) and JSON (/json/v1)
// documents, which prometheus-bind-exporter and BIND's monitoring plugins scrape, and the statistics file
// `rndc stats` appends to (named.stats).
//
// Only counters cairnd has are written, under BIND's names: opcodes, rcodes, query types, and in nsstat
// ReqTCP, Response, TruncatedResp, QrySuccess, QryAuthAns, QryReferral, QryNxrrset, QryNXDOMAIN,
// QrySERVFAIL, QryFORMERR, QryFailure, QryDropped, QryUDP, QryTCP, XfrReqDone, XfrRej; in zonestat
// NotifyOutv4 (every NOTIFY sent, IPv6 included); and the zones of each view with their serials. An
// authoritative server has no resolver or cache counters: views carry empty ones.
#pragma once

#include <optional>
#include <string>

#include "stats/report.hpp"

namespace cairn::stats {

struct BindDocument {
    std::string content_type;
    std::string body;
};

// The document for `path` (/xml/v3, /xml/v3/status, /xml/v3/server, /xml/v3/zones, /xml/v3/tasks, /json/v1,
// /json/v1/server, /json/v1/zones, /json/v1/tasks); nullopt for any other path. `workers`: the worker
// threads, for the tasks documents.
std::optional<BindDocument> render_bind_statistics(const Report& report, const std::string& path,
                                                   unsigned workers);

// One `rndc stats` dump: "+++ Statistics Dump +++ (TIME)" ... "--- Statistics Dump --- (TIME)", sections and
// descriptions as named.stats has them.
std::string render_bind_stats_file(const Report& report);

}  // namespace cairn::stats
