// The stub resolver's configuration, /etc/resolv.conf (resolv.conf(5), glibc's res_init): nameservers,
// `search`/`domain`, and the options that decide what a dead resolver costs (`timeout`, `attempts`,
// `rotate`). The first step of the article's diagnosis ("verify which resolver the host is actually
// using"), and the arithmetic of its type 1: how long a lookup waits before glibc fails over.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/ip_address.hpp"

namespace cairn::doctor {

struct ResolvConf {
    static constexpr unsigned kMaxNameservers = 3;  // glibc's MAXNS: later lines are ignored
    std::vector<dns::IpAddress> nameservers;        // as listed (port 53: resolv.conf has no ports)
    std::vector<std::string> search;                // `search`, or the one `domain`; the last line wins
    unsigned timeout = 5;                           // seconds per try (RES_TIMEOUT; at most 30)
    unsigned attempts = 2;                          // rounds over the servers (RES_DFLRETRY; at most 5)
    unsigned ndots = 1;
    bool rotate = false;
    std::vector<std::string> ignored;  // lines glibc would ignore too (a 4th nameserver, unknown words)
};

// Parses resolv.conf text as glibc does: unknown keywords and options are ignored (and listed), bad
// numbers are clamped to glibc's limits; no nameserver line means 127.0.0.1, as glibc assumes.
ResolvConf parse_resolv_conf(std::string_view text);

// glibc's wait for one try of one server in round `round` (0 first): res_send's retrans << round, divided
// by the number of servers after the first round, at least a second.
unsigned try_seconds(const ResolvConf& conf, unsigned round);

// How long a lookup that asks a dead (silent) resolver first waits before the next one is asked: the
// first round's try.
unsigned failover_seconds(const ResolvConf& conf);

// How long a lookup takes to fail when every resolver is silent: every try of every round.
unsigned all_silent_seconds(const ResolvConf& conf);

}  // namespace cairn::doctor
