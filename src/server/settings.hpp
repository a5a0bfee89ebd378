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
#include "net/endpoint.hpp"
#include "server/access.hpp"
#include "server/rate_limit.hpp"
#include "server/recursion_settings.hpp"
#include "server/zone_loader.hpp"
#include "xfr/notify.hpp"
#include "xfr/refresh.hpp"

namespace cairn::server {

struct ZoneSettings {
    ZoneSource source;
    QueryAccess allow_query;             // the zone's own, else the view's, else the options', else any
    AccessList allow_transfer;           // likewise; BIND 9.20's default is none
    bool ixfr_from_differences = false;  // journal each reload's difference for IXFR
    std::size_t max_journal_bytes = ~std::size_t{0};  // max-journal-size (BIND's default: unlimited here)
    xfr::NotifyMode notify = xfr::NotifyMode::Yes;
    std::vector<xfr::Primary> also_notify;  // keys point into Settings::keys
    // type secondary: the zone comes from `primaries` (tried in order) and is saved to source.file.
    bool secondary = false;
    std::vector<xfr::Primary> primaries;  // keys point into Settings::keys
    xfr::RefreshBounds refresh_bounds;
    AccessList allow_notify;  // besides the primaries' addresses

    // `server` statements that name a key, for NOTIFY to addresses taken from the zone's NS records (as
    // BIND signs them): the view's own statements, then the top-level ones. Keys point into Settings::keys.
    struct ServerKey {
        config::IpPrefix prefix;
        const dns::TsigKey* key = nullptr;
        bool in_view = false;
    };
    std::vector<ServerKey> server_keys;

    // The key of the longest `server` prefix holding `address`, a view's statement before any top-level one.
    const dns::TsigKey* server_key_for(const dns::IpAddress& address) const {
        const ServerKey* best = nullptr;
        for (const ServerKey& server : server_keys) {
            if (!server.prefix.contains(address)) continue;
            if (best == nullptr || (server.in_view && !best->in_view) ||
                (server.in_view == best->in_view && server.prefix.length > best->prefix.length))
                best = &server;
        }
        return best == nullptr ? nullptr : best->key;
    }
};

// The view zones outside any `view` statement belong to; as BIND, logs leave its name out.
inline constexpr std::string_view kDefaultViewName = "_default";

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

struct Settings {
    std::string directory;  // the working directory: relative paths in the configuration start here
    std::string pid_file;   // empty: none
    std::string dump_file;  // rndc dumpdb's file, absolute
    std::vector<net::Endpoint> listen;
    unsigned tcp_clients = 150;
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
};

}  // namespace cairn::server
