// Clause handlers: each parses one implemented clause's value into the typed configuration. The grammar
// table (grammar.cpp) says where each is valid.
#pragma once

#include "config/parser.hpp"

namespace cairn::config::handlers {

#define CAIRN_CONFIG_HANDLER(name) void name(ClauseParser& p, Scope& s)
// top level
CAIRN_CONFIG_HANDLER(options_statement);
CAIRN_CONFIG_HANDLER(acl_statement);
CAIRN_CONFIG_HANDLER(key_statement);
CAIRN_CONFIG_HANDLER(server_statement);
CAIRN_CONFIG_HANDLER(primaries_statement);
CAIRN_CONFIG_HANDLER(zone_statement);
CAIRN_CONFIG_HANDLER(view_statement);
CAIRN_CONFIG_HANDLER(logging_statement);
CAIRN_CONFIG_HANDLER(controls_statement);
CAIRN_CONFIG_HANDLER(statistics_channels_statement);
CAIRN_CONFIG_HANDLER(dnssec_policy_statement);
CAIRN_CONFIG_HANDLER(probe_statement);  // handlers_probe.cpp, with the clauses inside it
CAIRN_CONFIG_HANDLER(probe_type);
CAIRN_CONFIG_HANDLER(probe_seconds);
CAIRN_CONFIG_HANDLER(probe_servers);
CAIRN_CONFIG_HANDLER(probe_expect);
// options only
CAIRN_CONFIG_HANDLER(directory);
CAIRN_CONFIG_HANDLER(listen_on);
CAIRN_CONFIG_HANDLER(pid_file);
CAIRN_CONFIG_HANDLER(version);
CAIRN_CONFIG_HANDLER(hostname);
CAIRN_CONFIG_HANDLER(server_id);
CAIRN_CONFIG_HANDLER(port);
CAIRN_CONFIG_HANDLER(statistics_file);
CAIRN_CONFIG_HANDLER(key_directory);
CAIRN_CONFIG_HANDLER(transfers_limit);
CAIRN_CONFIG_HANDLER(lmdb_mapsize);
CAIRN_CONFIG_HANDLER(tcp_clients);
CAIRN_CONFIG_HANDLER(tcp_timeout);
CAIRN_CONFIG_HANDLER(blackhole);
CAIRN_CONFIG_HANDLER(querylog);
CAIRN_CONFIG_HANDLER(match_mapped_addresses);
// options and view
CAIRN_CONFIG_HANDLER(recursion);
CAIRN_CONFIG_HANDLER(dnssec_validation);
CAIRN_CONFIG_HANDLER(udp_size);
CAIRN_CONFIG_HANDLER(allow_recursion);
CAIRN_CONFIG_HANDLER(rate_limit);
// options, view and zone
CAIRN_CONFIG_HANDLER(allow_list);
CAIRN_CONFIG_HANDLER(also_notify);
CAIRN_CONFIG_HANDLER(notify);
CAIRN_CONFIG_HANDLER(masterfile_format);
CAIRN_CONFIG_HANDLER(max_journal_size);
CAIRN_CONFIG_HANDLER(ixfr_from_differences);
CAIRN_CONFIG_HANDLER(refresh_retry_limit);
CAIRN_CONFIG_HANDLER(transfer_time_limit);
CAIRN_CONFIG_HANDLER(notify_delay);
CAIRN_CONFIG_HANDLER(secondary_watch);
CAIRN_CONFIG_HANDLER(max_zone_ttl);
CAIRN_CONFIG_HANDLER(source_address);
CAIRN_CONFIG_HANDLER(zone_boolean);
CAIRN_CONFIG_HANDLER(max_records);
CAIRN_CONFIG_HANDLER(zone_dnssec_policy);
// zone only
CAIRN_CONFIG_HANDLER(zone_type);
CAIRN_CONFIG_HANDLER(zone_file);
CAIRN_CONFIG_HANDLER(zone_journal);
CAIRN_CONFIG_HANDLER(zone_primaries);
CAIRN_CONFIG_HANDLER(zone_in_view);
CAIRN_CONFIG_HANDLER(inline_signing);
// the recursive resolver (handlers_recursion.cpp)
CAIRN_CONFIG_HANDLER(recursion_access_list);
CAIRN_CONFIG_HANDLER(forwarders);
CAIRN_CONFIG_HANDLER(forward);
CAIRN_CONFIG_HANDLER(max_cache_size);
CAIRN_CONFIG_HANDLER(cache_duration);
CAIRN_CONFIG_HANDLER(prefetch);
CAIRN_CONFIG_HANDLER(resolver_number);
CAIRN_CONFIG_HANDLER(qname_minimization);
CAIRN_CONFIG_HANDLER(fetch_quota);
CAIRN_CONFIG_HANDLER(resolver_boolean);
CAIRN_CONFIG_HANDLER(stale_answer_client_timeout);
CAIRN_CONFIG_HANDLER(empty_zone_clause);
CAIRN_CONFIG_HANDLER(static_stub_servers);
CAIRN_CONFIG_HANDLER(dump_file);
// DNSSEC validation (handlers_validation.cpp)
CAIRN_CONFIG_HANDLER(trust_anchors);
CAIRN_CONFIG_HANDLER(validate_except);
CAIRN_CONFIG_HANDLER(validation_duration);
CAIRN_CONFIG_HANDLER(synth_from_dnssec);
// view only
CAIRN_CONFIG_HANDLER(match_list);
CAIRN_CONFIG_HANDLER(match_recursive_only);
// key
CAIRN_CONFIG_HANDLER(key_algorithm);
CAIRN_CONFIG_HANDLER(key_secret);
// server
CAIRN_CONFIG_HANDLER(server_keys);
CAIRN_CONFIG_HANDLER(server_boolean);
CAIRN_CONFIG_HANDLER(server_transfers);
CAIRN_CONFIG_HANDLER(server_transfer_format);
// dnssec-policy
CAIRN_CONFIG_HANDLER(policy_keys);
CAIRN_CONFIG_HANDLER(policy_duration);
CAIRN_CONFIG_HANDLER(policy_nsec3param);
// logging
CAIRN_CONFIG_HANDLER(log_channel);
CAIRN_CONFIG_HANDLER(log_category);
CAIRN_CONFIG_HANDLER(channel_file);
CAIRN_CONFIG_HANDLER(channel_syslog);
CAIRN_CONFIG_HANDLER(channel_stderr);
CAIRN_CONFIG_HANDLER(channel_null);
CAIRN_CONFIG_HANDLER(channel_severity);
CAIRN_CONFIG_HANDLER(channel_flag);
CAIRN_CONFIG_HANDLER(channel_print_time);
// rate-limit
CAIRN_CONFIG_HANDLER(rate_limit_number);
CAIRN_CONFIG_HANDLER(rate_limit_exempt);
CAIRN_CONFIG_HANDLER(rate_limit_log_only);
// controls, statistics-channels
CAIRN_CONFIG_HANDLER(controls_inet);
CAIRN_CONFIG_HANDLER(controls_unix);
CAIRN_CONFIG_HANDLER(statistics_inet);
#undef CAIRN_CONFIG_HANDLER

}  // namespace cairn::config::handlers
