// What the lifecycle needs to run one configured zone, resolved from named.conf by the server's settings
// loader (options -> view -> zone inheritance and BIND's defaults already applied): where its data comes
// from (a file for a primary, primaries for a secondary), the timers' bounds, whom it notifies, and the
// transfer limits BIND applies per zone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/address.hpp"
#include "config/config.hpp"
#include "dns/name.hpp"
#include "dns/tsig.hpp"
#include "dns/types.hpp"
#include "lifecycle/zone_loader.hpp"
#include "xfr/client.hpp"
#include "xfr/notify.hpp"
#include "xfr/refresh.hpp"
#include "zone/zone.hpp"

namespace cairn::lifecycle {

enum class ZoneRole : std::uint8_t { primary, secondary };
std::string_view to_string(ZoneRole role);

// The view zones outside any `view` statement belong to; as BIND, logs leave its name out.
inline constexpr std::string_view kDefaultView = "_default";

// What a `server` statement says about the remote servers it covers (BIND's per-server options), for the
// addresses a zone talks to: its primaries, its notify targets (also those found in its NS records at run
// time).
struct ServerRule {
    config::IpPrefix prefix;
    bool in_view = false;                    // a view's own statement wins over the top-level ones
    const dns::TsigKey* key = nullptr;       // server { keys k; }; points into the configuration's keyring
    std::optional<bool> bogus;               // never talk to it
    std::optional<bool> edns;                // no: queries and NOTIFY without EDNS
    std::optional<bool> request_ixfr;        // overrides the zone's request-ixfr
    std::optional<bool> provide_ixfr;        // no: its IXFR requests get the whole zone
    bool one_answer = false;                 // transfer-format one-answer: one record per message
    std::optional<std::uint32_t> transfers;  // overrides transfers-per-ns for it
    std::optional<config::SocketAddress> transfer_source, transfer_source_v6;
    std::optional<config::SocketAddress> notify_source, notify_source_v6;
};

// The rule of the longest prefix holding `address`, a view's statement before any top-level one; nullptr
// when none applies.
const ServerRule* server_rule_for(const std::vector<ServerRule>& rules, const dns::IpAddress& address);

struct ZoneConfig {
    std::string view{kDefaultView};
    dns::Name origin;
    dns::RRClass rclass = dns::RRClass::IN;
    ZoneRole role = ZoneRole::primary;
    std::string file;  // primary: the source; secondary: where each copy is saved ("" keeps it in memory)
    bool raw = false;  // masterfile-format raw

    // Primary zones.
    bool ixfr_from_differences = false;         // journal each reload's difference for IXFR
    std::optional<std::uint32_t> max_zone_ttl;  // a record with a longer TTL fails the load (BIND)
    // Both: the journal's bound in octets; unset: BIND's default, twice the zone's size.
    std::optional<std::size_t> max_journal_bytes;
    std::optional<std::uint64_t> max_records;  // a zone (file or transfer) with more records is refused

    // Primary zones signed inline under a dnssec-policy (unset: served as loaded). The zone file is never
    // written; the signed version is served, journaled and transferred.
    std::optional<config::DnssecPolicy> dnssec_policy;
    std::string key_directory;  // absolute

    // NOTIFY to the zone's secondaries.
    xfr::NotifyMode notify = xfr::NotifyMode::Yes;
    std::vector<xfr::Primary> also_notify;  // keys point into `keys`
    std::uint32_t notify_delay = 5;         // seconds between two rounds of the zone (BIND's default)
    std::optional<config::SocketAddress> notify_source, notify_source_v6;
    // Watching the NOTIFY targets (cairn's own options): their SOA is asked after every NOTIFY round and
    // every `secondary_check_interval` seconds (0: never); one behind our serial for longer than
    // `secondary_lag_warning` seconds is logged and flagged.
    std::uint32_t secondary_check_interval = 60;
    std::uint32_t secondary_lag_warning = 300;

    // Secondary zones.
    std::vector<xfr::Primary> primaries;  // tried in order; keys point into `keys`
    xfr::RefreshBounds refresh_bounds;
    bool request_ixfr = true;
    bool try_tcp_refresh = true;
    bool multi_master = false;  // several primaries with their own serials: a lower one is not news
    std::uint32_t max_transfer_time_in = 7200;  // seconds (BIND: 120 minutes)
    std::uint32_t max_transfer_idle_in = 3600;  // seconds (BIND: 60 minutes)
    std::uint16_t edns_udp_size = 1232;         // advertised in our SOA queries
    std::optional<config::SocketAddress> transfer_source, transfer_source_v6;

    std::vector<ServerRule> servers;  // the zone's view's statements, then the top-level ones
    // Keeps what the keys above point into alive for as long as the zone runs with this configuration.
    std::shared_ptr<const dns::TsigKeyring> keys;

    // "zone example.com/IN" or "zone example.com/IN/internal", as BIND names zones in its log
    // (dns/zone_label.hpp: no final dot)
    std::string label() const;
    bool secondary() const { return role == ZoneRole::secondary; }
    bool signed_inline() const { return dnssec_policy.has_value(); }
    // Each new version's difference is journaled for IXFR (a signed zone always: BIND keeps the signed
    // zone's journal whatever ixfr-from-differences says).
    bool journals_reloads() const { return ixfr_from_differences || signed_inline(); }
    // The journal's bound: max-journal-size, or twice the zone (BIND's default).
    std::size_t journal_bound(const zone::Zone& zone) const;
    // What a load refuses (max-zone-ttl applies to primaries only, as in BIND).
    LoadLimits load_limits() const {
        return {role == ZoneRole::primary ? max_zone_ttl : std::nullopt, max_records};
    }
};

// Limits that hold for all zones together (BIND's options).
struct Limits {
    std::uint32_t transfers_in = 10;         // inbound transfers at once
    std::uint32_t transfers_per_ns = 2;      // inbound transfers at once from one primary
    std::uint32_t serial_query_rate = 20;    // SOA queries started per second
    std::uint32_t notify_rate = 20;          // NOTIFY messages sent per second
    std::uint32_t startup_notify_rate = 20;  // the same for each zone's first round after its first load
};

}  // namespace cairn::lifecycle
