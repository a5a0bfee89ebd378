// The secondary side of zone transfers, without I/O: feed the response messages of an AXFR or IXFR as they
// arrive and get either the primary's answer (up to date, a whole zone, or differences) or a TransferError
// that says what was wrong. Nothing here touches the served zone: build_zone() makes a new version.
//
// IXFR response forms (RFC 1995 §4): a first message holding only the primary's SOA means "up to date"
// (or "use TCP" over UDP); SOA then SOA(our serial) starts differences; SOA then anything else is a whole
// zone (AXFR-style). Checks: message ID, QR, opcode, rcode, TC, the question, class and owners inside the
// zone, SOA first and last with the same serial, each difference starting where the previous ended, no
// data after the final SOA, every message parsing, and TSIG on every message (RFC 8945 §5.3.1) when a key
// is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/tsig.hpp"
#include "dns/types.hpp"
#include "zone/diff.hpp"
#include "zone/zone.hpp"
#include "zonefile/master_parser.hpp"

namespace cairn::xfr {

enum class FailureKind : std::uint8_t {
    Network,    // connect, timeout, connection closed before the end
    Refused,    // the primary answered with an error rcode (REFUSED, NOTAUTH, NOTIMP...)
    Malformed,  // a message that does not parse, or a stream that breaks the transfer rules
    Tsig,       // TSIG missing or not verifying
    Serial,     // the primary's serial is not newer than ours
    Zone,       // the data does not form a zone, or a difference does not fit our copy
};
std::string_view failure_kind_name(FailureKind kind);

class TransferError : public std::runtime_error {
  public:
    TransferError(FailureKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    FailureKind kind() const { return kind_; }

  private:
    FailureKind kind_;
};

enum class InboundKind : std::uint8_t { UpToDate, Full, Incremental };

struct InboundResult {
    InboundKind kind = InboundKind::UpToDate;
    zone::Record soa;          // the primary's current SOA
    zone::ParsedZone records;  // Full: every record, the SOA once, stored compactly (no per-RR allocation)
    std::vector<zone::ZoneDiff> diffs;    // Incremental: in order, from our serial to the primary's
    std::optional<std::uint32_t> expire;  // RFC 7314 EXPIRE option, when the primary sent one
    std::size_t messages = 0;
    std::size_t rrs = 0;
    std::size_t bytes = 0;

    std::uint32_t serial() const { return zone::soa_serial(soa.rdata); }
};

struct InboundOptions {
    dns::Name zone;
    dns::RRType type = dns::RRType::AXFR;  // what was asked: AXFR or IXFR
    std::uint16_t query_id = 0;
    std::optional<std::uint32_t> our_serial;  // IXFR: the serial sent in the request
    const dns::TsigKey* tsig_key = nullptr;   // verify every message; must outlive the parser
    std::vector<std::uint8_t> request_mac;    // the MAC our signed request carried
    std::function<std::uint64_t()> clock;     // seconds since the epoch; default: the system clock
    // More records than this (BIND's max-records) ends the transfer as it arrives: a Zone failure, before
    // an oversized zone takes the memory. 0: no limit.
    std::uint64_t max_records = 0;
};

class InboundParser {
  public:
    explicit InboundParser(InboundOptions options);
    ~InboundParser();

    // Takes the next message; true once the transfer is complete (a further message is then an error).
    // Throws TransferError.
    bool feed(std::span<const std::uint8_t> message);
    bool complete() const { return state_ == State::Done; }
    // Call when the stream ended (connection closed or all data read): throws TransferError unless complete.
    InboundResult finish();

  private:
    enum class State : std::uint8_t { Start, AfterFirst, Axfr, Deleting, Adding, Done };
    void take_rr(zone::Record rr);
    void store_full(const zone::Record& rr);
    [[noreturn]] void fail(FailureKind kind, const std::string& what);

    InboundOptions options_;
    State state_ = State::Start;
    InboundResult result_;
    std::unique_ptr<dns::TsigStreamVerifier> verifier_;
    bool failed_ = false;
};

// The new version from a result, never touching `current`: Full -> built from the records; Incremental ->
// `current` with the differences applied; UpToDate -> nullptr. Unless `allow_not_newer` (a forced
// retransfer), a serial that is not newer than `current`'s (RFC 1982) is a Serial failure. Throws
// TransferError.
std::shared_ptr<const zone::Zone> build_zone(const InboundResult& result, const zone::Zone* current,
                                             bool allow_not_newer = false);

}  // namespace cairn::xfr
