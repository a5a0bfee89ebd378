// The secondary's client, I/O at the edge: plain blocking sockets with timeouts, meant to run on a
// transfer thread (never on the query path). SOA queries go over UDP and fall back to TCP on TC;
// transfers run over TCP and are parsed and checked by InboundParser as the messages arrive. Every failure
// is a TransferError naming the primary and the cause; nothing here touches the served zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/tsig.hpp"
#include "xfr/inbound.hpp"
#include "zone/zone.hpp"

namespace cairn::xfr {

struct Primary {
    std::string address;  // an IPv4 or IPv6 literal
    std::uint16_t port = 53;
    const dns::TsigKey* key = nullptr;  // sign requests and verify answers; must outlive the call

    std::string to_text() const;  // "192.0.2.1#53", as BIND logs it
};

struct ClientOptions {
    std::chrono::milliseconds io_timeout{10000};          // connect and each read or write
    std::chrono::milliseconds transfer_timeout{7200000};  // a whole transfer (BIND's max-transfer-time-in)
    int udp_attempts = 2;
    bool edns = true;
    std::uint16_t edns_udp_size = 1232;  // advertised in our queries (BIND's edns-udp-size)
    bool request_expire = true;          // EDNS EXPIRE (RFC 7314) on SOA queries and transfers
    std::size_t max_message_bytes = 65535;
    std::function<std::uint64_t()> clock;  // seconds since the epoch (TSIG); default: the system clock
};

struct SoaAnswer {
    zone::Record soa;
    std::optional<std::uint32_t> expire;
    bool tcp = false;  // the UDP answer was truncated
    std::uint32_t serial() const { return zone::soa_serial(soa.rdata); }
};

// A query as sent: its wire form (signed with the primary's key when it has one), the MAC the answer's
// TSIG must cover, and its ID. SOA, AXFR or IXFR (with `our_soa` in the authority section).
struct SignedQuery {
    std::vector<std::uint8_t> wire;
    std::vector<std::uint8_t> mac;
    std::uint16_t id = 0;
};
SignedQuery make_signed_query(const Primary& primary, const dns::Name& zone, dns::RRType type,
                              const zone::Record* our_soa, const ClientOptions& options);

// Reads the answer to an SOA query: verified against the primary's key, NOERROR and authoritative, with
// the zone's SOA in the answer section. Throws TransferError (Tsig, Refused, Malformed).
SoaAnswer read_soa_answer(const Primary& primary, const dns::Name& zone, const SignedQuery& query,
                          std::span<const std::uint8_t> wire, const ClientOptions& options, bool tcp);

// One UDP exchange: sends `query` and returns the first response carrying its ID; nullopt on timeout.
// Throws TransferError (Network) when the socket cannot be used.
std::optional<std::vector<std::uint8_t>> udp_exchange(const Primary& server,
                                                      std::span<const std::uint8_t> query,
                                                      std::chrono::milliseconds timeout);

// Asks `primary` for the zone's SOA. Throws TransferError (Network, Refused, Malformed, Tsig).
SoaAnswer query_soa(const Primary& primary, const dns::Name& zone, const ClientOptions& options);

// Runs one transfer: IXFR with `our_soa` in authority when given, else AXFR. Returns the parsed, checked
// result (not yet a zone: see build_zone). Throws TransferError.
InboundResult fetch(const Primary& primary, const dns::Name& zone, const zone::Record* our_soa,
                    const ClientOptions& options);

struct RefreshResult {
    enum class Outcome : std::uint8_t { UpToDate, Transferred };
    Outcome outcome = Outcome::UpToDate;
    std::shared_ptr<const zone::Zone> zone;  // Transferred: the new version
    std::vector<zone::ZoneDiff> diffs;       // Transferred by IXFR: the differences applied, for a journal
    InboundKind kind = InboundKind::UpToDate;
    std::uint32_t serial = 0;             // the primary's serial
    std::optional<std::uint32_t> expire;  // RFC 7314, from the SOA check or the transfer
    std::string primary;                  // who answered
    std::size_t messages = 0, bytes = 0;
};

// One refresh as the SOA timers call for it (RFC 1996 §4 / BIND): ask each primary in order for its SOA;
// not newer than `current` (RFC 1982) -> UpToDate; newer -> IXFR when we hold a copy (accepting an
// AXFR-style answer), AXFR when the primary refuses IXFR or we hold nothing; the first primary that works
// wins. Throws TransferError carrying every primary's failure when none worked.
RefreshResult refresh_zone(const std::vector<Primary>& primaries, const dns::Name& zone,
                           std::shared_ptr<const zone::Zone> current, const ClientOptions& options);

}  // namespace cairn::xfr
