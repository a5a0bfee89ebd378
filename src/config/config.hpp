// The typed configuration cairnd runs from, as read from a BIND named.conf. Settings that BIND lets a view
// or a zone override are std::optional at every level (unset: inherit); the resolve_*() helpers apply the
// options -> view -> zone inheritance and BIND 9.20's defaults.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/acl.hpp"
#include "config/address.hpp"
#include "config/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::config {

enum class ZoneType { Primary, Secondary, Mirror, Hint, Stub, StaticStub, Forward, Redirect, DelegationOnly };
enum class NotifyMode { Yes, No, Explicit, PrimaryOnly };  // master-only is PrimaryOnly
enum class MasterfileFormat { Text, Raw, Map };
// ixfr-from-differences: a boolean in a zone; at options/view level it may name the zone types it applies to.
enum class IxfrFromDifferences { No, Yes, Primary, Secondary };

std::string_view to_string(ZoneType type);
std::string_view to_string(NotifyMode mode);

// A size with BIND's special values: max-journal-size 10M | unlimited | default.
struct SizeLimit {
    enum class Kind { Bytes, Unlimited, Default };
    Kind kind = Kind::Default;
    std::uint64_t bytes = 0;

    bool operator==(const SizeLimit&) const = default;
};

// One entry of a primaries / also-notify list: an address (with optional port, key, tls) or the name of a
// `primaries` list, expanded by Config::expand_remotes().
struct RemoteEntry {
    std::optional<SocketAddress> address;  // unset: `list_name` names a primaries list
    std::string list_name;
    std::string key;  // key name as written ("" when none)
    std::string tls;
    Location where;
};

struct RemoteList {
    std::optional<std::uint16_t> port;  // default port of the list ("primaries port 5300 { ... }")
    std::vector<RemoteEntry> entries;
    Location where;
};

// A resolved remote: address and port, and the TSIG key to sign with (from the entry or a server statement).
struct Remote {
    dns::IpAddress address;
    std::uint16_t port = 53;
    std::string key;
    std::string tls;

    bool operator==(const Remote&) const = default;
};

// max-cache-size: default (90% of physical memory) | unlimited | SIZE | N% (of physical memory).
struct CacheSize {
    enum class Kind { Default, Unlimited, Bytes, Percent };
    Kind kind = Kind::Default;
    std::uint64_t value = 0;  // bytes, or the percentage

    bool operator==(const CacheSize&) const = default;
};

// forwarders [port N] { address [port N]; ... };
struct Forwarders {
    std::optional<std::uint16_t> port;
    std::vector<SocketAddress> addresses;
    Location where;
};

enum class ForwardMode { First, Only };
enum class QnameMinimization { Strict, Relaxed, Disabled, Off };

// fetches-per-zone / fetches-per-server: N [drop | fail] (0: no limit).
struct FetchQuota {
    std::uint32_t limit = 0;
    // true: SERVFAIL the queries over the quota; false: drop them; unset: BIND's default for the clause
    // (drop for fetches-per-zone, fail for fetches-per-server).
    std::optional<bool> fail;

    bool operator==(const FetchQuota&) const = default;
};

// listen-on / listen-on-v6: [port N] [tls NAME] [http NAME] { aml };
struct ListenOn {
    std::optional<std::uint16_t> port;
    std::string tls;
    std::string http;
    AddressMatchList addresses;
    Location where;
};

// Settings valid in options, view and zone.
struct ZoneSettings {
    std::optional<AddressMatchList> allow_query;
    std::optional<AddressMatchList> allow_query_on;
    std::optional<AddressMatchList> allow_transfer;
    std::optional<AddressMatchList> allow_notify;
    std::optional<AddressMatchList> allow_update;
    std::optional<RemoteList> also_notify;
    std::optional<NotifyMode> notify;
    std::optional<MasterfileFormat> masterfile_format;
    std::optional<SizeLimit> max_journal_size;
    std::optional<IxfrFromDifferences> ixfr_from_differences;
    std::optional<std::uint32_t> min_refresh_time, max_refresh_time, min_retry_time, max_retry_time;
    std::optional<std::uint32_t> max_transfer_time_in, max_transfer_idle_in, max_transfer_time_out,
        max_transfer_idle_out;  // seconds (named.conf writes minutes)
    std::optional<std::uint32_t> notify_delay;
    // cairn's own (issue 17): how often a zone's NOTIFY targets are asked for their SOA, and how long one
    // may stay behind before it is reported. Seconds.
    std::optional<std::uint32_t> secondary_check_interval, secondary_lag_warning;
    std::optional<std::uint32_t> max_zone_ttl;
    std::optional<SocketAddress> transfer_source, transfer_source_v6, notify_source, notify_source_v6;
    std::optional<bool> request_ixfr, provide_ixfr, zone_statistics, try_tcp_refresh, multi_master;
    std::optional<std::uint64_t> max_records;
    std::optional<std::string> dnssec_policy;  // a policy's name ("none": not signed)
    std::optional<bool> inline_signing;
    std::optional<std::string> key_directory;  // as written; resolved like a zone file
};

// rate-limit { ... } (BIND's response rate limiting), in options or a view; a view's block replaces the
// options' block whole, as in BIND. Values as written; unset: BIND's default (rrl/limits.hpp).
struct RateLimit {
    std::optional<std::uint32_t> responses_per_second, referrals_per_second, nodata_per_second,
        nxdomains_per_second, errors_per_second, all_per_second;
    std::optional<std::uint32_t> window, slip, ipv4_prefix_length, ipv6_prefix_length;
    std::optional<std::uint32_t> max_table_size, min_table_size, qps_scale;
    std::optional<AddressMatchList> exempt_clients;
    std::optional<bool> log_only;
    Location where;
};

// Settings valid in options and view (not zone).
struct ViewSettings {
    std::optional<bool> recursion;
    std::optional<std::string> dnssec_validation;  // yes | no | auto
    std::optional<std::uint16_t> max_udp_size, edns_udp_size;
    std::optional<AddressMatchList> allow_recursion;
    std::optional<bool> minimal_responses;
    std::optional<bool> match_mapped_addresses;
    std::optional<RateLimit> rate_limit;

    // The recursive resolver (config/recursion.cpp resolves them with BIND's defaults and limits).
    std::optional<AddressMatchList> allow_recursion_on, allow_query_cache, allow_query_cache_on;
    std::optional<Forwarders> forwarders;
    std::optional<ForwardMode> forward;
    std::optional<CacheSize> max_cache_size;
    std::optional<std::uint32_t> max_cache_ttl, min_cache_ttl, max_ncache_ttl, min_ncache_ttl, servfail_ttl;
    std::optional<std::uint32_t> prefetch_trigger;
    std::optional<std::uint32_t> prefetch_eligible;       // only with prefetch_trigger
    std::optional<std::uint32_t> resolver_query_timeout;  // as written: <= 300 seconds, else milliseconds
    std::optional<QnameMinimization> qname_minimization;
    std::optional<std::uint32_t> max_recursion_depth, max_recursion_queries;
    std::optional<FetchQuota> fetches_per_zone, fetches_per_server;
    std::optional<bool> stale_answer_enable, stale_cache_enable;
    std::optional<std::uint32_t> stale_answer_ttl, max_stale_ttl, stale_refresh_time;
    std::optional<std::uint32_t> stale_answer_client_timeout;  // milliseconds; UINT32_MAX: off / disabled
    std::optional<bool> empty_zones_enable;
    std::vector<dns::Name> disable_empty_zone;  // may be written several times; options' and view's add up
    std::optional<std::string> empty_server, empty_contact;

    // DNSSEC validation (config/recursion.cpp resolves them; the trust anchors are TrustAnchor lists).
    std::vector<dns::Name> validate_except;  // may be written several times; options' and view's add up
    std::optional<std::uint32_t> nta_lifetime, nta_recheck;
    std::optional<bool> synth_from_dnssec;
};

// One `trust-anchors` entry (BIND 9.15+): NAME static-key|initial-key FLAGS PROTOCOL ALGORITHM "KEY", or
// NAME static-ds|initial-ds TAG ALGORITHM DIGEST-TYPE "DIGEST"; `trusted-keys` entries are static-key and
// `managed-keys` entries initial-key (both deprecated by BIND, still read).
struct TrustAnchor {
    enum class Kind : std::uint8_t { StaticKey, InitialKey, StaticDs, InitialDs };
    dns::Name name;
    Kind kind = Kind::StaticKey;
    std::vector<std::uint8_t> rdata;  // DNSKEY rdata (the key kinds) or DS rdata
    Location where;
};

// One `keys` entry of a dnssec-policy: `ksk|zsk|csk [key-directory] lifetime L algorithm A [bits];`.
struct PolicyKey {
    enum class Role : std::uint8_t { ksk, zsk, csk };
    Role role = Role::csk;
    std::optional<std::uint32_t> lifetime;  // seconds; unset: unlimited
    std::uint8_t algorithm = 13;
    std::uint16_t bits = 0;  // 0: the algorithm's default (RSA 2048, as BIND)
    bool signs_keys() const { return role != Role::zsk; }
    bool signs_zone() const { return role != Role::ksk; }
};

// `nsec3param [iterations N] [optout yes|no] [salt-length N];` (RFC 9276 defaults: 0, no, 0).
struct Nsec3Policy {
    std::uint16_t iterations = 0;
    bool optout = false;
    std::uint8_t salt_length = 0;
};

// A dnssec-policy statement, with BIND 9.18's defaults for what it leaves out (durations in seconds). The
// built-in policies: `default` (one CSK, ECDSAP256SHA256, unlimited lifetime, NSEC), `insecure` (no keys:
// the zone goes unsigned) and `none` (never signed). signatures-jitter is BIND 9.20's (9.18 spreads
// re-signing over the refresh period without a knob).
struct DnssecPolicy {
    std::string name;
    std::vector<PolicyKey> keys{PolicyKey{}};
    std::uint32_t dnskey_ttl = 3600;
    std::uint32_t publish_safety = 3600;
    std::uint32_t retire_safety = 3600;
    std::uint32_t purge_keys = 90 * 86400;
    std::uint32_t signatures_refresh = 5 * 86400;
    std::uint32_t signatures_validity = 14 * 86400;
    std::uint32_t signatures_validity_dnskey = 14 * 86400;
    std::uint32_t signatures_jitter = 12 * 3600;
    std::uint32_t max_zone_ttl = 86400;
    std::uint32_t zone_propagation_delay = 300;
    std::uint32_t parent_ds_ttl = 86400;
    std::uint32_t parent_propagation_delay = 3600;
    std::optional<Nsec3Policy> nsec3;  // unset: NSEC
    Location where;
    bool keys_written = false;  // a `keys` clause was given (an empty one makes the policy insecure)

    bool signs() const { return !keys.empty(); }
};

// The built-in policy of that name ("default", "insecure"; "none" is no policy), or nullptr.
const DnssecPolicy* builtin_dnssec_policy(std::string_view name);

struct Zone {
    dns::Name name;
    std::string name_text;  // as written
    dns::RRClass rrclass = dns::RRClass::IN;
    std::optional<ZoneType> type;
    std::optional<std::string> file;  // as written; Config::resolve_path() makes it absolute
    std::optional<std::string> journal;
    std::optional<RemoteList> primaries;
    std::optional<std::string> in_view;
    std::optional<Forwarders> forwarders;  // type forward (and any type that forwards below itself)
    std::optional<ForwardMode> forward;
    std::vector<dns::IpAddress> server_addresses;  // type static-stub
    ZoneSettings settings;
    Location where;

    // Every clause written in the zone's block (implemented or not), for the per-type checks.
    struct WrittenClause {
        std::string_view name;
        Location where;
    };
    std::vector<WrittenClause> written;
};

struct Key {
    dns::Name name;
    std::string name_text;
    std::string algorithm;  // as written, e.g. hmac-sha256 or hmac-sha256-128
    std::string secret;     // base64 as written
    Location where;
};

struct Server {
    IpPrefix prefix;
    std::vector<std::string> keys;
    std::optional<bool> bogus, request_ixfr, provide_ixfr, edns;
    std::optional<std::uint32_t> transfers;
    std::optional<std::string> transfer_format;  // one-answer | many-answers
    std::optional<SocketAddress> transfer_source, transfer_source_v6, notify_source, notify_source_v6;
    Location where;
};

struct View {
    std::string name;
    dns::RRClass rrclass = dns::RRClass::IN;
    std::optional<AddressMatchList> match_clients;       // default any
    std::optional<AddressMatchList> match_destinations;  // default any
    bool match_recursive_only = false;
    // Keys and servers written inside the view: seen by its zones (and its match lists) before the
    // top-level ones, invisible to other views.
    std::vector<Key> keys;
    std::vector<Server> servers;
    std::vector<TrustAnchor> trust_anchors;  // the view's own, used with the top-level ones (as BIND)
    ViewSettings view_settings;
    ZoneSettings settings;
    std::vector<Zone> zones;
    Location where;
};

struct Options {
    std::optional<std::string> directory;  // absolute (resolved against the working directory)
    std::vector<ListenOn> listen_on;       // empty: BIND's default, port 53 { any; }
    std::vector<ListenOn> listen_on_v6;    // empty: BIND's default, port 53 { any; }
    std::optional<std::string> pid_file;
    std::optional<std::string> version;  // `version none;` is kept as nullopt with version_hidden
    bool version_hidden = false;
    std::optional<std::string> hostname;
    bool hostname_hidden = false;
    std::optional<std::string> server_id;  // "hostname" means the host name
    bool server_id_hidden = true;
    std::optional<std::uint16_t> port;           // default port for listen-on and remotes
    std::optional<std::string> statistics_file;  // `rndc stats` appends here; BIND's default named.stats
    std::optional<std::string> dump_file;        // `rndc dumpdb` writes here; BIND's default named_dump.db
    std::optional<std::string> secroots_file;    // `rndc secroots` writes here; BIND's default named.secroots
    std::optional<std::uint32_t> transfers_in, transfers_out, transfers_per_ns, serial_query_rate,
        notify_rate, startup_notify_rate;
    std::optional<std::uint32_t> tcp_clients;
    // The store's map at first (cairn.lmdb; BIND's applies to its database of added zones).
    std::optional<std::uint64_t> lmdb_mapsize;
    // In tenths of a second, as named.conf writes them (BIND's ranges are checked when read).
    std::optional<std::uint32_t> tcp_initial_timeout, tcp_idle_timeout, tcp_keepalive_timeout,
        tcp_advertised_timeout;
    std::optional<AddressMatchList> blackhole;
    std::optional<bool> querylog;
    std::optional<std::uint32_t> recursive_clients;
    ViewSettings view_settings;
    ZoneSettings settings;
    Location where;
};

struct Acl {
    std::string name;
    AddressMatchList list;
    Location where;
};

// A `primaries NAME [port N] { ... };` (or `masters`) list.
struct PrimariesList {
    std::string name;
    RemoteList list;
    Location where;
};

struct LogChannel {
    enum class Destination { None, File, Syslog, Stderr, Null };
    std::string name;
    Destination destination = Destination::None;
    std::string file;
    std::optional<std::uint32_t> versions;  // unset: not given; UINT32_MAX: unlimited
    std::optional<std::uint64_t> size;
    std::string syslog_facility;    // syslog [facility]
    std::string severity = "info";  // critical error warning notice info debug dynamic
    std::uint32_t debug_level = 0;
    bool print_time = false, print_category = false, print_severity = false;
    bool buffered = false;
    Location where;
};

struct LogCategory {
    std::string name;
    std::vector<std::string> channels;
    Location where;
};

struct Logging {
    std::vector<LogChannel> channels;
    std::vector<LogCategory> categories;
    bool present = false;
};

struct ControlChannel {
    enum class Kind { Inet, Unix };
    Kind kind = Kind::Inet;
    std::optional<dns::IpAddress> address;  // unset: `*` (all addresses)
    std::optional<std::uint16_t> port;      // unset: 953
    AddressMatchList allow;
    std::vector<std::string> keys;
    bool read_only = false;
    std::string path;  // unix
    std::uint32_t perm = 0, owner = 0, group = 0;
    Location where;
};

struct StatisticsChannel {
    std::optional<dns::IpAddress> address;  // unset: `*`
    std::optional<std::uint16_t> port;      // unset: 80
    std::optional<AddressMatchList> allow;  // unset: any
    Location where;
};

// Inheritance resolved for one zone: every value is set, from the zone, its view, options or the default.
struct ResolvedZone {
    const Zone* zone = nullptr;
    const View* view = nullptr;  // nullptr: the implicit default view
    std::string file;            // absolute, "" when none
    AddressMatchList allow_query;
    AddressMatchList allow_transfer;
    AddressMatchList allow_notify;
    AddressMatchList allow_update;
    std::vector<Remote> also_notify;
    std::vector<Remote> primaries;
    NotifyMode notify = NotifyMode::Yes;
    MasterfileFormat masterfile_format = MasterfileFormat::Text;
    SizeLimit max_journal_size;
    bool ixfr_from_differences = false;
    std::uint32_t min_refresh_time = 300, max_refresh_time = 2419200;
    std::uint32_t min_retry_time = 500, max_retry_time = 1209600;
    std::uint32_t max_transfer_time_in = 7200, max_transfer_idle_in = 3600;
    std::uint32_t max_transfer_time_out = 7200, max_transfer_idle_out = 3600;
    std::uint32_t notify_delay = 5;
    std::uint32_t secondary_check_interval = 60, secondary_lag_warning = 300;
    bool request_ixfr = true, provide_ixfr = true;
    bool try_tcp_refresh = true, multi_master = false;
    std::optional<std::uint32_t> max_zone_ttl;  // unset: unlimited
    std::optional<std::uint64_t> max_records;   // unset: unlimited
    std::optional<SocketAddress> transfer_source, transfer_source_v6, notify_source, notify_source_v6;
    const DnssecPolicy* dnssec_policy = nullptr;  // nullptr: not signed (no policy, `none`, `insecure`)
    bool inline_signing = false;
    std::string key_directory;  // absolute; the zone's key-directory, else options', else the directory
};

// A view's recursive resolver with inheritance (view -> options) and BIND 9.18's defaults resolved, values
// already brought within the limits named applies when it starts (each such change is in `adjustments`, for
// a warning). Times in seconds unless named otherwise.
struct ResolvedRecursion {
    bool recursion = true;
    AddressMatchList allow_recursion, allow_recursion_on, allow_query_cache, allow_query_cache_on;
    std::vector<Remote> forwarders;  // ports resolved (the list's, else options' port, else 53)
    ForwardMode forward = ForwardMode::First;
    CacheSize max_cache_size;
    std::uint32_t max_cache_ttl = 604800, min_cache_ttl = 0;
    std::uint32_t max_ncache_ttl = 10800, min_ncache_ttl = 0;
    std::uint32_t servfail_ttl = 1;
    std::uint32_t prefetch_trigger = 2, prefetch_eligible = 9;  // trigger 0: off
    std::uint32_t resolver_query_timeout_ms = 10000;
    QnameMinimization qname_minimization = QnameMinimization::Relaxed;
    std::uint32_t max_recursion_depth = 7, max_recursion_queries = 50;
    FetchQuota fetches_per_zone, fetches_per_server;
    std::uint32_t recursive_clients = 1000;
    bool stale_answer_enable = false, stale_cache_enable = false;
    std::uint32_t stale_answer_ttl = 30, max_stale_ttl = 86400, stale_refresh_time = 30;
    std::optional<std::uint32_t> stale_answer_client_timeout_ms;  // unset: off
    bool empty_zones_enable = true;
    std::vector<dns::Name> disable_empty_zone;
    std::string empty_server, empty_contact;  // "": the zone's own name and "." (BIND's defaults)
    std::uint16_t edns_udp_size = 1232, max_udp_size = 1232;
    // DNSSEC validation: dnssec-validation (auto adds the built-in root anchors), the top-level and the
    // view's trust anchors, validate-except, nta-lifetime (at most a week), nta-recheck, synth-from-dnssec.
    std::string dnssec_validation = "auto";
    std::vector<TrustAnchor> trust_anchors;
    std::vector<dns::Name> validate_except;
    std::uint32_t nta_lifetime = 3600, nta_recheck = 300;
    bool synth_from_dnssec = true;
    std::vector<std::string> adjustments;  // "servfail-ttl 60 is above 30; using 30", ...
};

// probe "NAME" { type T; every N; timeout N; servers { ADDR [port N]; ... }; expect { "RDATA"; ... }; };
// cairn's own statement (issue 17's synthetic probes; BIND has none and named-checkconf refuses it): cairnd
// asks NAME TYPE, with RD set, of each server every `every` seconds, and checks the answer: NOERROR with an
// answer of that type, holding every `expect` rdata (presentation format) when given.
struct Probe {
    std::string name_text;  // as written: the probe's label in metrics and logs
    dns::Name name;
    dns::RRType type = dns::RRType::A;
    std::uint32_t every = 60;            // seconds between two runs
    std::uint32_t timeout = 2;           // seconds a server has to answer (at most `every`)
    std::vector<SocketAddress> servers;  // empty: cairnd itself (its first listen-on address)
    std::vector<std::string> expect;     // rdata texts the answer must hold, all of them
    Location where;
};

struct Config {
    Options options;
    std::vector<Acl> acls;
    std::vector<Key> keys;
    std::vector<PrimariesList> primaries;
    std::vector<Server> servers;
    std::vector<View> views;
    std::vector<Zone> zones;  // zones outside any view (only when there are no views)
    Logging logging;
    std::vector<ControlChannel> controls;
    bool controls_present = false;  // `controls { };` disables the channel BIND would open by default
    std::vector<StatisticsChannel> statistics_channels;
    std::vector<DnssecPolicy> dnssec_policies;  // the configuration's own
    std::vector<Probe> probes;                  // cairn's own probe statements
    std::vector<TrustAnchor> trust_anchors;     // top-level trust-anchors, managed-keys and trusted-keys
    std::string working_directory;              // where the configuration was read from (the process's cwd)

    const Acl* find_acl(std::string_view name) const;
    // Case-insensitive, trailing dot ignored; with a view, its own keys first.
    const Key* find_key(std::string_view name, const View* view = nullptr) const;
    const PrimariesList* find_primaries(std::string_view name) const;
    // A policy of the configuration, else a built-in one; nullptr for "none" and unknown names.
    const DnssecPolicy* find_dnssec_policy(std::string_view name) const;
    // Longest matching prefix; with a view, a `server` of the view wins over every top-level one.
    const Server* find_server(const dns::IpAddress& address, const View* view = nullptr) const;

    // A relative path is relative to options' directory (or the working directory without one).
    std::string resolve_path(std::string_view path) const;
    std::uint16_t default_port() const { return options.port.value_or(53); }

    // Expands named lists (recursively), applies the list's and options' default port and the server
    // statement's key (the view's, else the top-level one) when the entry names none.
    std::vector<Remote> expand_remotes(const RemoteList& list, const View* view = nullptr) const;

    // Inheritance zone -> view -> options -> BIND default.
    ResolvedZone resolve_zone(const Zone& zone, const View* view) const;
    bool recursion(const View* view) const;                 // default yes, as in BIND
    std::string dnssec_validation(const View* view) const;  // default "auto"
    std::uint16_t max_udp_size(const View* view) const;     // default 1232
    std::uint16_t edns_udp_size(const View* view) const;    // default 1232
    AddressMatchList allow_query(const View* view) const;   // view-level default for zones: any
    const RateLimit* rate_limit(const View* view) const;    // the view's block, else options'; or none
    // Effective listen-on lists (BIND's default when none given).
    std::vector<ListenOn> listen_on() const;
    std::vector<ListenOn> listen_on_v6() const;

    // The recursive resolver's settings of a view (nullptr: the implicit default view), inherited view ->
    // options and completed with BIND's defaults and the limits named applies (config/recursion.cpp).
    ResolvedRecursion resolve_recursion(const View* view) const;

    // The zones to serve: those of every view, or the top-level ones. `view` is nullptr for top-level.
    template <typename F>
    void for_each_zone(F&& visit) const {
        if (views.empty()) {
            for (const Zone& zone : zones)
                visit(zone, static_cast<const View*>(nullptr));
        } else {
            for (const View& view : views) {
                for (const Zone& zone : view.zones)
                    visit(zone, &view);
            }
        }
    }

    // Compiles a list against this configuration's named ACLs and this host's interfaces.
    CompiledAcl compile(const AddressMatchList& list, const HostNetworks& host) const;
};

struct LoadResult {
    Config config;
    std::vector<Diagnostic> warnings;
};

// Reads `path` (with its includes) and checks it as named-checkconf does. Throws ConfigError with every
// error found; warnings (unimplemented or deprecated statements) come back in the result.
//
// Paths, as BIND resolves them (checked against named-checkconf 9.18): `include "x"` and the main file are
// relative to the process's working directory, NOT to the including file's directory; once
// `options { directory "d"; }` has been read, later includes and every relative file name (zone files,
// journals) are relative to d (itself relative to the working directory). BIND chdir()s to d while parsing;
// cairn does not change the process's directory and resolves against d instead (Config::resolve_path).
// Include names may be shell patterns (BIND expands them with glob()).
LoadResult load(const std::string& path);
// What reading a configuration may do besides parsing it.
struct LoadOptions {
    bool includes = true;  // off: an `include` is an error (text from an untrusted source, the fuzzer)
};

// Same, from text already in memory (tests); includes are read from disk. `name` appears in diagnostics.
LoadResult load_text(const std::string& name, const std::string& text, const LoadOptions& options = {});

}  // namespace cairn::config
