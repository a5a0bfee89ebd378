// What the daemon takes from named.conf, resolved and defaulted: the listen addresses, limits, and the
// zones of each view (an implicit "_default" view when the configuration has none).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/engine.hpp"
#include "dns/tsig.hpp"
#include "lifecycle/zone_config.hpp"
#include "net/endpoint.hpp"
#include "server/access.hpp"
#include "server/rate_limit.hpp"
#include "server/recursion_settings.hpp"

namespace cairn::server {

// One zone: what the lifecycle runs (lifecycle::ZoneConfig) and what the query path applies to it.
struct ZoneSettings {
    lifecycle::ZoneConfig zone;
    QueryAccess allow_query;    // the zone's own, else the view's, else the options', else any
    AccessList allow_transfer;  // likewise; BIND 9.20's default is none
    AccessList allow_notify;    // secondaries: besides the primaries' addresses
    bool provide_ixfr = true;   // no: IXFR requests get the whole zone
    std::uint32_t max_transfer_time_out = 7200;  // seconds (BIND: 120 minutes)
    std::uint32_t max_transfer_idle_out = 3600;  // seconds (BIND: 60 minutes)

    // The key that signs a NOTIFY to `address` (its `server` statement's), as BIND signs NOTIFYs to the
    // addresses of the zone's NS records.
    const dns::TsigKey* server_key_for(const dns::IpAddress& address) const {
        const lifecycle::ServerRule* rule = lifecycle::server_rule_for(zone.servers, address);
        return rule == nullptr ? nullptr : rule->key;
    }
};

// The view zones outside any `view` statement belong to; as BIND, logs leave its name out.
inline constexpr std::string_view kDefaultViewName = lifecycle::kDefaultView;

struct ViewSettings {
    std::string name{kDefaultViewName};
    AccessList match_clients;       // empty: any
    AccessList match_destinations;  // empty: any
    std::vector<ZoneSettings> zones;
    std::shared_ptr<RateLimit> rate_limit;       // rate-limit { }: the view's, else the options'; null: none
    std::optional<RecursionSettings> recursion;  // recursion yes
};

// A logging channel of named.conf's logging {} block. stderr always gets every category but queries at the
// daemon's --log-level besides (cairnd runs in the foreground), so a `stderr` channel adds only the queries
// category to it.
struct LogChannel {
    enum class Kind { file, syslog, standard_error, null };
    Kind kind = Kind::null;
    std::string name;
    std::string file;                       // absolute
    std::uint64_t max_size = 0;             // `size`; 0: unlimited
    std::optional<std::uint32_t> versions;  // unset: never rotated (server/log_sinks.hpp)
    std::string syslog_facility;            // empty: daemon
    std::string severity = "info";          // spdlog level name
    bool dynamic = false;                   // `severity dynamic`: debug while the debug level is above 0
    bool print_time = false, print_category = false, print_severity = false;
};

struct LoggingSettings {
    std::vector<LogChannel> channels;
    // category name (as in named.conf: "xfer-in", "default", ...) -> the channels it writes to
    std::map<std::string, std::vector<std::string>> categories;
};

// A `probe` statement (cairn's own; server/synthetic_probes.hpp runs it).
struct ProbeSettings {
    std::string label;  // the name as written
    dns::Name name;
    dns::RRType type = dns::RRType::A;
    std::chrono::seconds every{60};
    std::chrono::seconds timeout{2};
    std::vector<net::Endpoint> servers;  // empty: cairnd itself
    std::vector<std::string> expect;     // rdata in presentation format, normalised (rdata_to_text)

    bool operator==(const ProbeSettings&) const = default;
};

struct Settings {
    std::string directory;        // the working directory: relative paths in the configuration start here
    std::string pid_file;         // empty: none
    std::string dump_file;        // rndc dumpdb's file, absolute
    std::string secroots_file;    // rndc secroots' file (BIND's default named.secroots), absolute
    std::string statistics_file;  // rndc stats appends here (BIND's default named.stats), absolute
    std::vector<net::Endpoint> listen;
    unsigned tcp_clients = 150;
    std::uint32_t recursive_clients = 1000;  // clients waiting for a resolution at once (an options clause)
    lifecycle::Limits limits;          // transfers-in, transfers-per-ns, serial-query-rate, notify rates
    std::uint32_t transfers_out = 10;  // outbound transfers at once (BIND's transfers-out)
    std::uint64_t lmdb_map_size = 0;   // cairn.lmdb's map at first (lmdb-mapsize; 0: 1 GiB), at start only
    AccessList blackhole;              // addresses whose queries get no answer at all (empty: none)
    bool has_blackhole = false;
    std::chrono::milliseconds tcp_initial_timeout{30000};  // BIND's defaults (named.conf writes tenths)
    std::chrono::milliseconds tcp_idle_timeout{30000};
    std::chrono::milliseconds tcp_keepalive_timeout{30000};
    std::vector<ViewSettings> views;
    LoggingSettings logging;
    // Query logging at start and after each reload: `querylog` of options, else on when the logging block
    // names the queries category (as BIND).
    bool querylog = false;
    std::shared_ptr<const dns::TsigKeyring> keys;  // the key statements
    auth::Settings engine;                         // the cookie secret is left for the daemon to draw
    std::vector<ProbeSettings> probes;             // cairn's own probe statements
};

}  // namespace cairn::server
