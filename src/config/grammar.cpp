#include "config/grammar.hpp"

#include <algorithm>
#include <vector>

#include "config/handlers.hpp"

namespace cairn::config {

namespace h = handlers;

namespace {

// The clauses of BIND 9.18's named.conf grammar. The unimplemented, deprecated, obsolete and ancient entries
// were taken from named-checkconf 9.18 itself: every keyword BIND's configuration library knows was tried in
// each context, and the ones it did not call "unknown option" are listed with the status it reported.
constexpr Clause kClauses[] = {
    {"options", kTop, Support::Implemented, false, &h::options_statement},
    {"acl", kTop, Support::Implemented, true, &h::acl_statement},
    {"key", kTop | kView, Support::Implemented, true, &h::key_statement},
    {"server", kTop | kView, Support::Implemented, true, &h::server_statement},
    {"primaries", kTop, Support::Implemented, true, &h::primaries_statement},
    {"masters", kTop, Support::Implemented, true, &h::primaries_statement},
    {"zone", kTop | kView, Support::Implemented, true, &h::zone_statement},
    {"view", kTop, Support::Implemented, true, &h::view_statement},
    {"logging", kTop, Support::Implemented, false, &h::logging_statement},
    {"controls", kTop, Support::Implemented, true, &h::controls_statement},
    {"statistics-channels", kTop, Support::Implemented, true, &h::statistics_channels_statement},
    {"directory", kOptions, Support::Implemented, false, &h::directory},
    {"listen-on", kOptions, Support::Implemented, true, &h::listen_on},
    {"listen-on-v6", kOptions, Support::Implemented, true, &h::listen_on},
    {"pid-file", kOptions, Support::Implemented, false, &h::pid_file},
    {"version", kOptions, Support::Implemented, false, &h::version},
    {"hostname", kOptions, Support::Implemented, false, &h::hostname},
    {"server-id", kOptions, Support::Implemented, false, &h::server_id},
    {"port", kOptions, Support::Implemented, false, &h::port},
    {"statistics-file", kOptions, Support::Implemented, false, &h::statistics_file},
    {"key-directory", kOptions | kView | kZone, Support::Implemented, false, &h::key_directory},
    {"transfers-in", kOptions, Support::Implemented, false, &h::transfers_limit},
    {"transfers-out", kOptions, Support::Implemented, false, &h::transfers_limit},
    {"transfers-per-ns", kOptions, Support::Implemented, false, &h::transfers_limit},
    {"serial-query-rate", kOptions, Support::Implemented, false, &h::transfers_limit},
    {"tcp-clients", kOptions, Support::Implemented, false, &h::tcp_clients},
    {"tcp-initial-timeout", kOptions, Support::Implemented, false, &h::tcp_timeout},
    {"tcp-idle-timeout", kOptions, Support::Implemented, false, &h::tcp_timeout},
    {"tcp-keepalive-timeout", kOptions, Support::Implemented, false, &h::tcp_timeout},
    {"tcp-advertised-timeout", kOptions, Support::Implemented, false, &h::tcp_timeout},
    {"blackhole", kOptions, Support::Implemented, false, &h::blackhole},
    {"querylog", kOptions, Support::Implemented, false, &h::querylog},
    {"match-mapped-addresses", kOptions, Support::Implemented, false, &h::match_mapped_addresses},
    {"recursion", kOptions | kView, Support::Implemented, false, &h::recursion},
    {"dnssec-validation", kOptions | kView, Support::Implemented, false, &h::dnssec_validation},
    {"max-udp-size", kOptions | kView, Support::Implemented, false, &h::udp_size},
    {"edns-udp-size", kOptions | kView, Support::Implemented, false, &h::udp_size},
    {"allow-recursion", kOptions | kView, Support::Implemented, false, &h::allow_recursion},
    {"allow-query", kOptions | kView | kZone, Support::Implemented, false, &h::allow_list},
    {"allow-query-on", kOptions | kView | kZone, Support::Implemented, false, &h::allow_list},
    {"allow-transfer", kOptions | kView | kZone, Support::Implemented, false, &h::allow_list},
    {"allow-notify", kOptions | kView | kZone, Support::Implemented, false, &h::allow_list},
    {"allow-update", kOptions | kView | kZone, Support::Unimplemented, false, &h::allow_list},
    {"also-notify", kOptions | kView | kZone, Support::Implemented, false, &h::also_notify},
    {"notify", kOptions | kView | kZone, Support::Implemented, false, &h::notify},
    {"masterfile-format", kOptions | kView | kZone, Support::Implemented, false, &h::masterfile_format},
    {"max-journal-size", kOptions | kView | kZone, Support::Implemented, false, &h::max_journal_size},
    {"ixfr-from-differences", kOptions | kView | kZone, Support::Implemented, false,
     &h::ixfr_from_differences},
    {"min-refresh-time", kOptions | kView | kZone, Support::Implemented, false, &h::refresh_retry_limit},
    {"max-refresh-time", kOptions | kView | kZone, Support::Implemented, false, &h::refresh_retry_limit},
    {"min-retry-time", kOptions | kView | kZone, Support::Implemented, false, &h::refresh_retry_limit},
    {"max-retry-time", kOptions | kView | kZone, Support::Implemented, false, &h::refresh_retry_limit},
    {"max-transfer-time-in", kOptions | kView | kZone, Support::Implemented, false, &h::transfer_time_limit},
    {"max-transfer-idle-in", kOptions | kView | kZone, Support::Implemented, false, &h::transfer_time_limit},
    {"max-transfer-time-out", kOptions | kView | kZone, Support::Implemented, false, &h::transfer_time_limit},
    {"max-transfer-idle-out", kOptions | kView | kZone, Support::Implemented, false, &h::transfer_time_limit},
    {"notify-delay", kOptions | kView | kZone, Support::Implemented, false, &h::notify_delay},
    // cairn's own: watching the secondaries (BIND has no such clause; named-checkconf refuses them).
    {"secondary-check-interval", kOptions | kView | kZone, Support::Implemented, false, &h::secondary_watch},
    {"secondary-lag-warning", kOptions | kView | kZone, Support::Implemented, false, &h::secondary_watch},
    {"max-zone-ttl", kOptions | kView | kZone, Support::Implemented, false, &h::max_zone_ttl},
    {"transfer-source", kOptions | kView | kZone, Support::Implemented, false, &h::source_address},
    {"transfer-source-v6", kOptions | kView | kZone, Support::Implemented, false, &h::source_address},
    {"notify-source", kOptions | kView | kZone, Support::Implemented, false, &h::source_address},
    {"notify-source-v6", kOptions | kView | kZone, Support::Implemented, false, &h::source_address},
    {"request-ixfr", kOptions | kView | kZone, Support::Implemented, false, &h::zone_boolean},
    {"provide-ixfr", kOptions | kView, Support::Implemented, false, &h::zone_boolean},
    {"try-tcp-refresh", kOptions | kView | kZone, Support::Implemented, false, &h::zone_boolean},
    {"multi-master", kOptions | kView | kZone, Support::Implemented, false, &h::zone_boolean},
    {"max-records", kOptions | kView | kZone, Support::Implemented, false, &h::max_records},
    {"type", kZone, Support::Implemented, false, &h::zone_type},
    {"file", kZone, Support::Implemented, false, &h::zone_file},
    {"journal", kZone, Support::Unimplemented, false, &h::zone_journal},
    {"primaries", kZone, Support::Implemented, false, &h::zone_primaries},
    {"masters", kZone, Support::Implemented, false, &h::zone_primaries},
    {"in-view", kZone, Support::Unimplemented, false, &h::zone_in_view},
    {"match-clients", kView, Support::Implemented, false, &h::match_list},
    {"match-destinations", kView, Support::Implemented, false, &h::match_list},
    {"match-recursive-only", kView, Support::Unimplemented, false, &h::match_recursive_only},
    {"rate-limit", kOptions | kView, Support::Implemented, false, &h::rate_limit},
    // The recursive resolver (handlers_recursion.cpp)
    {"allow-query-cache", kOptions | kView, Support::Implemented, false, &h::recursion_access_list},
    {"allow-query-cache-on", kOptions | kView, Support::Implemented, false, &h::recursion_access_list},
    {"allow-recursion-on", kOptions | kView, Support::Implemented, false, &h::recursion_access_list},
    {"disable-empty-zone", kOptions | kView, Support::Implemented, true, &h::empty_zone_clause},
    {"empty-contact", kOptions | kView, Support::Implemented, false, &h::empty_zone_clause},
    {"empty-server", kOptions | kView, Support::Implemented, false, &h::empty_zone_clause},
    {"empty-zones-enable", kOptions | kView, Support::Implemented, false, &h::resolver_boolean},
    {"fetches-per-server", kOptions | kView, Support::Implemented, false, &h::fetch_quota},
    {"fetches-per-zone", kOptions | kView, Support::Implemented, false, &h::fetch_quota},
    {"forward", kOptions | kView | kZone, Support::Implemented, false, &h::forward},
    {"forwarders", kOptions | kView | kZone, Support::Implemented, false, &h::forwarders},
    {"max-cache-size", kOptions | kView, Support::Implemented, false, &h::max_cache_size},
    {"max-cache-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"max-ncache-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"max-recursion-depth", kOptions | kView, Support::Implemented, false, &h::resolver_number},
    {"max-recursion-queries", kOptions | kView, Support::Implemented, false, &h::resolver_number},
    {"max-stale-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"min-cache-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"min-ncache-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"prefetch", kOptions | kView, Support::Implemented, false, &h::prefetch},
    {"qname-minimization", kOptions | kView, Support::Implemented, false, &h::qname_minimization},
    {"recursive-clients", kOptions, Support::Implemented, false, &h::resolver_number},
    {"dump-file", kOptions, Support::Implemented, false, &h::dump_file},
    {"resolver-query-timeout", kOptions | kView, Support::Implemented, false, &h::resolver_number},
    {"server-addresses", kZone, Support::Implemented, false, &h::static_stub_servers},
    {"servfail-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"stale-answer-client-timeout", kOptions | kView, Support::Implemented, false,
     &h::stale_answer_client_timeout},
    {"stale-answer-enable", kOptions | kView, Support::Implemented, false, &h::resolver_boolean},
    {"stale-answer-ttl", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    {"stale-cache-enable", kOptions | kView, Support::Implemented, false, &h::resolver_boolean},
    {"stale-refresh-time", kOptions | kView, Support::Implemented, false, &h::cache_duration},
    // Unimplemented
    {"allow-new-zones", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"allow-update-forwarding", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"answer-cookie", kOptions, Support::Unimplemented, true, nullptr},
    {"attach-cache", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"auth-nxdomain", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"automatic-interface-scan", kOptions, Support::Unimplemented, true, nullptr},
    {"bindkeys-file", kOptions, Support::Unimplemented, true, nullptr},
    {"catalog-zones", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"check-dup-records", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-integrity", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-mx", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-mx-cname", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-names", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-sibling", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-spf", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-srv-cname", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"check-wildcard", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"clients-per-query", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"cookie-algorithm", kOptions, Support::Unimplemented, true, nullptr},
    {"cookie-secret", kOptions, Support::Unimplemented, true, nullptr},
    {"database", kZone, Support::Unimplemented, true, nullptr},
    {"deny-answer-addresses", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"deny-answer-aliases", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"disable-algorithms", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"disable-ds-digests", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dlz", kTop | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dns64", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dns64-contact", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dns64-server", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dnskey-sig-validity", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dnssec-accept-expired", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dnssec-dnskey-kskonly", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dnssec-loadkeys-interval", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dnssec-policy", kTop, Support::Implemented, true, &h::dnssec_policy_statement},
    {"dnssec-policy", kOptions | kView | kZone, Support::Implemented, false, &h::zone_dnssec_policy},
    {"dnssec-secure-to-insecure", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dnssec-update-mode", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"dnstap", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dnstap-identity", kOptions, Support::Unimplemented, true, nullptr},
    {"dnstap-output", kOptions, Support::Unimplemented, true, nullptr},
    {"dnstap-version", kOptions, Support::Unimplemented, true, nullptr},
    {"dual-stack-servers", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"dyndb", kTop | kView, Support::Unimplemented, true, nullptr},
    {"fetch-quota-params", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"flush-zones-on-shutdown", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-buffer-hint", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-flush-timeout", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-input-queue-size", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-output-notify-threshold", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-output-queue-model", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-output-queue-size", kOptions, Support::Unimplemented, true, nullptr},
    {"fstrm-set-reopen-interval", kOptions, Support::Unimplemented, true, nullptr},
    {"geoip-directory", kOptions, Support::Unimplemented, true, nullptr},
    {"http", kTop, Support::Unimplemented, true, nullptr},
    {"http-listener-clients", kOptions, Support::Unimplemented, true, nullptr},
    {"http-port", kOptions, Support::Unimplemented, true, nullptr},
    {"http-streams-per-connection", kOptions, Support::Unimplemented, true, nullptr},
    {"https-port", kOptions, Support::Unimplemented, true, nullptr},
    {"include", kTop | kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"inline-signing", kZone, Support::Implemented, false, &h::inline_signing},
    {"interface-interval", kOptions, Support::Unimplemented, true, nullptr},
    {"ipv4only-contact", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"ipv4only-enable", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"ipv4only-server", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"keep-response-order", kOptions, Support::Unimplemented, true, nullptr},
    {"key", kView, Support::Unimplemented, true, nullptr},
    {"lame-ttl", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"lmdb-mapsize", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"lock-file", kOptions, Support::Unimplemented, true, nullptr},
    {"managed-keys-directory", kOptions, Support::Unimplemented, true, nullptr},
    {"masterfile-style", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"max-clients-per-query", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"max-ixfr-ratio", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"max-query-count", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"max-query-restarts", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"max-records-per-type", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"max-rsa-exponent-size", kOptions, Support::Unimplemented, true, nullptr},
    {"max-types-per-name", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"memstatistics", kOptions, Support::Unimplemented, true, nullptr},
    {"memstatistics-file", kOptions, Support::Unimplemented, true, nullptr},
    {"message-compression", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"minimal-any", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"minimal-responses", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"new-zones-directory", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"no-case-compress", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"nocookie-udp-size", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"notify-rate", kOptions, Support::Unimplemented, true, nullptr},
    {"notify-to-soa", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"nsec3-test-zone", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"nta-lifetime", kOptions | kView, Support::Implemented, false, &h::validation_duration},
    {"nta-recheck", kOptions | kView, Support::Implemented, false, &h::validation_duration},
    {"nxdomain-redirect", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"parental-agents", kTop | kZone, Support::Unimplemented, true, nullptr},
    {"parental-source", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"parental-source-v6", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"plugin", kTop | kView, Support::Unimplemented, true, nullptr},
    {"preferred-glue", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"query-source", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"query-source-v6", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"recursing-file", kOptions, Support::Unimplemented, true, nullptr},
    {"request-expire", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"request-nsid", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"require-server-cookie", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"response-padding", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"response-policy", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"reuseport", kOptions, Support::Unimplemented, true, nullptr},
    {"root-key-sentinel", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"rrset-order", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"secroots-file", kOptions, Support::Implemented, false, &h::dump_file},
    {"send-cookie", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"serial-update-method", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"server", kView, Support::Unimplemented, true, nullptr},
    {"server-names", kZone, Support::Unimplemented, true, nullptr},
    {"session-keyalg", kOptions, Support::Unimplemented, true, nullptr},
    {"session-keyfile", kOptions, Support::Unimplemented, true, nullptr},
    {"session-keyname", kOptions, Support::Unimplemented, true, nullptr},
    {"sig-signing-nodes", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"sig-signing-signatures", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"sig-signing-type", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"sig-validity-interval", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"sortlist", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"startup-notify-rate", kOptions, Support::Unimplemented, true, nullptr},
    {"synth-from-dnssec", kOptions | kView, Support::Implemented, false, &h::synth_from_dnssec},
    {"tcp-listen-queue", kOptions, Support::Unimplemented, true, nullptr},
    {"tcp-receive-buffer", kOptions, Support::Unimplemented, true, nullptr},
    {"tcp-send-buffer", kOptions, Support::Unimplemented, true, nullptr},
    {"tkey-gssapi-keytab", kOptions, Support::Unimplemented, true, nullptr},
    {"tls", kTop, Support::Unimplemented, true, nullptr},
    {"tls-port", kOptions, Support::Unimplemented, true, nullptr},
    {"transfer-format", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"transfer-message-size", kOptions, Support::Unimplemented, true, nullptr},
    {"trust-anchor-telemetry", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"trust-anchors", kTop | kView, Support::Implemented, true, &h::trust_anchors},
    {"udp-receive-buffer", kOptions, Support::Unimplemented, true, nullptr},
    {"udp-send-buffer", kOptions, Support::Unimplemented, true, nullptr},
    {"update-check-ksk", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"update-policy", kZone, Support::Unimplemented, true, nullptr},
    {"update-quota", kOptions, Support::Unimplemented, true, nullptr},
    {"v6-bias", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"validate-except", kOptions | kView, Support::Implemented, true, &h::validate_except},
    {"zero-no-soa-ttl", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    {"zero-no-soa-ttl-cache", kOptions | kView, Support::Unimplemented, true, nullptr},
    {"zone-statistics", kOptions | kView | kZone, Support::Unimplemented, true, nullptr},
    // Deprecated
    {"alt-transfer-source", kOptions | kView | kZone, Support::Deprecated, true, nullptr},
    {"alt-transfer-source-v6", kOptions | kView | kZone, Support::Deprecated, true, nullptr},
    {"auto-dnssec", kOptions | kView | kZone, Support::Deprecated, true, nullptr},
    {"avoid-v4-udp-ports", kOptions, Support::Deprecated, true, nullptr},
    {"avoid-v6-udp-ports", kOptions, Support::Deprecated, true, nullptr},
    {"coresize", kOptions, Support::Deprecated, true, nullptr},
    {"datasize", kOptions, Support::Deprecated, true, nullptr},
    {"delegation-only", kZone, Support::Deprecated, true, nullptr},
    {"dialup", kOptions | kView | kZone, Support::Deprecated, true, nullptr},
    {"dnssec-must-be-secure", kOptions | kView, Support::Deprecated, true, nullptr},
    {"files", kOptions, Support::Deprecated, true, nullptr},
    {"glue-cache", kOptions | kView, Support::Deprecated, true, nullptr},
    {"heartbeat-interval", kOptions, Support::Deprecated, true, nullptr},
    {"managed-keys", kTop | kView, Support::Deprecated, true, &h::trust_anchors},
    {"reserved-sockets", kOptions, Support::Deprecated, true, nullptr},
    {"resolver-nonbackoff-tries", kOptions | kView, Support::Deprecated, true, nullptr},
    {"resolver-retry-interval", kOptions | kView, Support::Deprecated, true, nullptr},
    {"root-delegation-only", kOptions | kView, Support::Deprecated, true, nullptr},
    {"stacksize", kOptions, Support::Deprecated, true, nullptr},
    {"tkey-dhkey", kOptions, Support::Deprecated, true, nullptr},
    {"tkey-domain", kOptions, Support::Deprecated, true, nullptr},
    {"tkey-gssapi-credential", kOptions, Support::Deprecated, true, nullptr},
    {"trusted-keys", kTop | kView, Support::Deprecated, true, &h::trust_anchors},
    {"use-alt-transfer-source", kOptions | kView | kZone, Support::Deprecated, true, nullptr},
    {"use-v4-udp-ports", kOptions, Support::Deprecated, true, nullptr},
    {"use-v6-udp-ports", kOptions, Support::Deprecated, true, nullptr},
    // Obsolete
    {"random-device", kOptions, Support::Obsolete, true, nullptr},
    {"suppress-initial-notify", kOptions | kView, Support::Obsolete, true, nullptr},
    // Ancient
    {"acache-cleaning-interval", kOptions | kView, Support::Ancient, true, nullptr},
    {"acache-enable", kOptions | kView, Support::Ancient, true, nullptr},
    {"additional-from-auth", kOptions | kView, Support::Ancient, true, nullptr},
    {"additional-from-cache", kOptions | kView, Support::Ancient, true, nullptr},
    {"allow-v6-synthesis", kOptions | kView, Support::Ancient, true, nullptr},
    {"cache-file", kOptions | kView, Support::Ancient, true, nullptr},
    {"cleaning-interval", kOptions | kView, Support::Ancient, true, nullptr},
    {"deallocate-on-exit", kOptions, Support::Ancient, true, nullptr},
    {"dnssec-enable", kOptions | kView, Support::Ancient, true, nullptr},
    {"dnssec-lookaside", kOptions | kView, Support::Ancient, true, nullptr},
    {"fake-iquery", kOptions, Support::Ancient, true, nullptr},
    {"fetch-glue", kOptions | kView, Support::Ancient, true, nullptr},
    {"filter-aaaa", kOptions | kView, Support::Ancient, true, nullptr},
    {"filter-aaaa-on-v4", kOptions | kView, Support::Ancient, true, nullptr},
    {"filter-aaaa-on-v6", kOptions | kView, Support::Ancient, true, nullptr},
    {"geoip-use-ecs", kOptions, Support::Ancient, true, nullptr},
    {"has-old-clients", kOptions, Support::Ancient, true, nullptr},
    {"host-statistics", kOptions, Support::Ancient, true, nullptr},
    {"host-statistics-max", kOptions, Support::Ancient, true, nullptr},
    {"ixfr-base", kZone, Support::Ancient, true, nullptr},
    {"ixfr-tmp-file", kZone, Support::Ancient, true, nullptr},
    {"lwres", kTop, Support::Ancient, true, nullptr},
    {"maintain-ixfr-base", kOptions | kView | kZone, Support::Ancient, true, nullptr},
    {"max-acache-size", kOptions | kView, Support::Ancient, true, nullptr},
    {"max-ixfr-log-size", kOptions | kView | kZone, Support::Ancient, true, nullptr},
    {"min-roots", kOptions | kView, Support::Ancient, true, nullptr},
    {"multiple-cnames", kOptions, Support::Ancient, true, nullptr},
    {"named-xfer", kOptions, Support::Ancient, true, nullptr},
    {"nosit-udp-size", kOptions | kView, Support::Ancient, true, nullptr},
    {"pubkey", kZone, Support::Ancient, true, nullptr},
    {"queryport-pool-ports", kOptions | kView, Support::Ancient, true, nullptr},
    {"queryport-pool-updateinterval", kOptions | kView, Support::Ancient, true, nullptr},
    {"request-sit", kOptions | kView, Support::Ancient, true, nullptr},
    {"rfc2308-type1", kOptions | kView, Support::Ancient, true, nullptr},
    {"serial-queries", kOptions, Support::Ancient, true, nullptr},
    {"sit-secret", kOptions, Support::Ancient, true, nullptr},
    {"statistics-interval", kOptions, Support::Ancient, true, nullptr},
    {"topology", kOptions | kView, Support::Ancient, true, nullptr},
    {"treat-cr-as-space", kOptions, Support::Ancient, true, nullptr},
    {"use-id-pool", kOptions, Support::Ancient, true, nullptr},
    {"use-ixfr", kOptions, Support::Ancient, true, nullptr},
    {"use-queryport-pool", kOptions | kView, Support::Ancient, true, nullptr},
    // NotConfigured
    {"dnsrps-enable", kOptions | kView, Support::NotConfigured, true, nullptr},
    {"dnsrps-options", kOptions | kView, Support::NotConfigured, true, nullptr},
    // key "name" { ... };
    {"algorithm", kKey, Support::Implemented, false, &h::key_algorithm},
    {"secret", kKey, Support::Implemented, false, &h::key_secret},
    // server ADDRESS { ... };
    {"keys", kServer, Support::Implemented, false, &h::server_keys},
    {"bogus", kServer, Support::Implemented, false, &h::server_boolean},
    {"edns", kServer, Support::Implemented, false, &h::server_boolean},
    {"request-ixfr", kServer, Support::Implemented, false, &h::server_boolean},
    {"provide-ixfr", kServer, Support::Implemented, false, &h::server_boolean},
    {"transfers", kServer, Support::Implemented, false, &h::server_transfers},
    {"transfer-format", kServer, Support::Implemented, false, &h::server_transfer_format},
    {"transfer-source", kServer, Support::Implemented, false, &h::source_address},
    {"transfer-source-v6", kServer, Support::Implemented, false, &h::source_address},
    {"notify-source", kServer, Support::Implemented, false, &h::source_address},
    {"notify-source-v6", kServer, Support::Implemented, false, &h::source_address},
    {"edns-udp-size", kServer, Support::Unimplemented, true, nullptr},
    {"edns-version", kServer, Support::Unimplemented, true, nullptr},
    {"max-udp-size", kServer, Support::Unimplemented, true, nullptr},
    {"padding", kServer, Support::Unimplemented, true, nullptr},
    {"query-source", kServer, Support::Unimplemented, true, nullptr},
    {"query-source-v6", kServer, Support::Unimplemented, true, nullptr},
    {"request-expire", kServer, Support::Unimplemented, true, nullptr},
    {"request-nsid", kServer, Support::Unimplemented, true, nullptr},
    {"send-cookie", kServer, Support::Unimplemented, true, nullptr},
    {"tcp-keepalive", kServer, Support::Unimplemented, true, nullptr},
    {"tcp-only", kServer, Support::Unimplemented, true, nullptr},
    {"alt-transfer-source", kServer, Support::Deprecated, true, nullptr},
    {"alt-transfer-source-v6", kServer, Support::Deprecated, true, nullptr},
    {"support-ixfr", kServer, Support::Ancient, true, nullptr},
    // logging { ... };
    {"channel", kLogging, Support::Implemented, true, &h::log_channel},
    {"category", kLogging, Support::Implemented, true, &h::log_category},
    {"file", kChannel, Support::Implemented, false, &h::channel_file},
    {"syslog", kChannel, Support::Implemented, false, &h::channel_syslog},
    {"stderr", kChannel, Support::Unimplemented, false, &h::channel_stderr},
    {"null", kChannel, Support::Implemented, false, &h::channel_null},
    {"severity", kChannel, Support::Implemented, false, &h::channel_severity},
    {"print-time", kChannel, Support::Implemented, false, &h::channel_print_time},
    {"print-category", kChannel, Support::Implemented, false, &h::channel_flag},
    {"print-severity", kChannel, Support::Implemented, false, &h::channel_flag},
    {"buffered", kChannel, Support::Unimplemented, false, &h::channel_flag},
    // dnssec-policy "name" { ... };
    {"keys", kDnssecPolicy, Support::Implemented, false, &h::policy_keys},
    {"dnskey-ttl", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"publish-safety", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"retire-safety", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"purge-keys", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"signatures-refresh", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"signatures-validity", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"signatures-validity-dnskey", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"signatures-jitter", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"max-zone-ttl", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"zone-propagation-delay", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"parent-ds-ttl", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"parent-propagation-delay", kDnssecPolicy, Support::Implemented, false, &h::policy_duration},
    {"nsec3param", kDnssecPolicy, Support::Implemented, false, &h::policy_nsec3param},
    {"cds-digest-types", kDnssecPolicy, Support::Unimplemented, false, nullptr},
    {"inline-signing", kDnssecPolicy, Support::Unimplemented, false, nullptr},
    // rate-limit { ... };
    {"responses-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"referrals-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"nodata-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"nxdomains-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"errors-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"all-per-second", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"window", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"slip", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"ipv4-prefix-length", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"ipv6-prefix-length", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"max-table-size", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"min-table-size", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"qps-scale", kRateLimit, Support::Implemented, false, &h::rate_limit_number},
    {"exempt-clients", kRateLimit, Support::Implemented, false, &h::rate_limit_exempt},
    {"log-only", kRateLimit, Support::Implemented, false, &h::rate_limit_log_only},
    // controls { ... };  statistics-channels { ... };
    {"inet", kControls, Support::Implemented, true, &h::controls_inet},
    {"unix", kControls, Support::Implemented, true, &h::controls_unix},
    {"inet", kStatistics, Support::Implemented, true, &h::statistics_inet},
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// Clauses cairn accepts (and checks) without applying them, and what happens instead.
struct NotApplied {
    std::string_view name;
    std::string_view reason;
};
constexpr NotApplied kNotApplied[] = {
    {"allow-update", "UPDATE gets NOTIMP"},
    {"match-recursive-only", "views are chosen by match-clients and match-destinations only"},
    {"journal", "journals are kept in cairn.lmdb in the working directory"},
    {"in-view", "a zone is not shared between views: define it in each view"},
    {"buffered", "log channels write each message as it comes"},
    {"stderr", "cairnd writes every category to its standard error already (at --log-level)"},
};

}  // namespace

std::string_view not_applied_reason(std::string_view name) {
    for (const NotApplied& entry : kNotApplied) {
        if (entry.name == name) return entry.reason;
    }
    return {};
}

std::span<const Clause> clause_table() {
    return kClauses;
}

const Clause* find_clause(std::string_view name, Context context) {
    for (const Clause& clause : kClauses) {
        if ((clause.contexts & context) && iequal(clause.name, name)) return &clause;
    }
    return nullptr;
}

std::string_view suggest_keyword(std::string_view word, Context context) {
    std::string_view best;
    std::size_t best_distance = SIZE_MAX;
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    for (const Clause& clause : kClauses) {
        if (!(clause.contexts & context) || clause.support == Support::Ancient) continue;
        // The lengths' difference bounds the distance from below: most clauses need no table at all.
        const std::size_t apart = word.size() > clause.name.size() ? word.size() - clause.name.size()
                                                                   : clause.name.size() - word.size();
        if (apart > limit || apart >= best_distance) continue;
        const std::size_t distance = edit_distance(word, clause.name);
        if (distance < best_distance) {
            best_distance = distance;
            best = clause.name;
        }
    }
    return best_distance <= limit ? best : std::string_view();
}

}  // namespace cairn::config
