// The primary side of zone transfers: a pure producer of the response messages to an AXFR (RFC 5936) or
// IXFR (RFC 1995) request. No I/O: the caller pulls one message at a time with next(), which is exactly
// what net::ResponseStream wants, so a large transfer streams without blocking a worker or buffering the
// whole zone.
//
// AXFR: SOA, every other RR in canonical order, SOA again; messages filled up to `message_size` with name
// compression; the question in the first message only (RFC 5936 §2.2.1 lets later ones omit it, as BIND
// does); AA set; TC never set (a record larger than `message_size` gets a message of its own, up to
// 65535 octets). IXFR: the client's serial not older than ours -> our SOA alone; the difference chain
// (sequence of differences as journaled, or condensed) when the journal reaches back to the client's
// serial and is smaller than the zone; otherwise the whole zone AXFR-style. Over UDP an IXFR that is not
// up to date gets our SOA alone (RFC 1995 §2), which sends the client to TCP.
//
// Wiring (server): the engine returns Action::transfer with the zone; the server checks the ACL (pure
// input here: refused -> write_refused()), verifies TSIG (dns::tsig_verify_request), looks up the journal
// (store::Journal) and opens the stream with open_transfer(); a net::ResponseStream adapter forwards
// next().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dns/tsig.hpp"
#include "store/journal.hpp"
#include "xfr/request.hpp"
#include "zone/diff.hpp"
#include "zone/zone.hpp"

namespace cairn::xfr {

inline constexpr std::size_t kDefaultMessageSize = 16384;

struct OutboundOptions {
    std::size_t message_size = kDefaultMessageSize;  // target octets per message, at most 65535
    std::uint16_t edns_payload = 1232;               // advertised in our OPT when the request had EDNS
    bool tcp = true;
    bool condense = false;                   // IXFR: one condensed difference instead of the journal's chain
    std::optional<std::uint32_t> expire;     // RFC 7314 value to send when the request asked for EXPIRE
    const dns::TsigKey* tsig_key = nullptr;  // sign every message (RFC 8945 §5.3.1); must outlive the stream
    std::vector<std::uint8_t> request_mac;   // the verified request's MAC
    std::function<std::uint64_t()> clock;    // seconds since the epoch for TSIG; default: the system clock
};

// How a transfer answers.
enum class TransferForm : std::uint8_t {
    Axfr,         // an AXFR, or an IXFR answered with the whole zone (AXFR-style)
    Incremental,  // IXFR differences
    UpToDate,     // IXFR: our SOA alone (client current, or over UDP)
};

class TransferStream {
  public:
    // The whole zone (AXFR, or an IXFR answered AXFR-style).
    static std::unique_ptr<TransferStream> full(std::shared_ptr<const zone::Zone> zone,
                                                const TransferRequest& request, OutboundOptions options);
    // An IXFR answer given the chain of differences from the client's serial (nullopt: the journal does not
    // reach it). Chooses the form as described above.
    static std::unique_ptr<TransferStream> incremental(std::shared_ptr<const zone::Zone> zone,
                                                       const TransferRequest& request,
                                                       std::optional<std::vector<zone::ZoneDiff>> chain,
                                                       OutboundOptions options);

    ~TransferStream();
    TransferForm form() const { return form_; }

    // Writes the next message into `out` (at least 65535 octets is always enough; at least message_size
    // plus the TSIG record suffices unless a single RR is larger) and returns its size; 0 when the transfer
    // is complete. Throws std::length_error when `out` cannot hold a single record.
    std::size_t next(std::span<std::uint8_t> out);
    std::size_t messages_sent() const { return messages_; }

  private:
    struct Item;
    TransferStream(std::shared_ptr<const zone::Zone> zone, const TransferRequest& request,
                   OutboundOptions options, TransferForm form);
    bool current(Item& item) const;
    void advance();
    void normalise();

    std::shared_ptr<const zone::Zone> zone_;
    TransferRequest request_;
    OutboundOptions options_;
    TransferForm form_;
    std::vector<zone::ZoneDiff> diffs_;
    // The RR sequence as segments: a record list (an SOA or a diff's records) or the zone walk.
    struct Segment {
        const std::vector<zone::Record>* records = nullptr;  // nullptr: walk the zone (SOA skipped)
        const zone::Record* single = nullptr;
    };
    std::vector<Segment> segments_;
    std::vector<zone::Record> soas_;  // storage for SOA records the segments point at
    std::size_t segment_ = 0;
    std::size_t index_ = 0;   // in a record list
    std::uint32_t node_ = 0;  // zone walk: node, RRset within it, octet offset within the RRset wire
    std::uint32_t rrset_ = 0;
    std::size_t offset_ = 0;
    std::size_t messages_ = 0;
    std::unique_ptr<dns::TsigStreamSigner> signer_;
};

// Opens the right stream for a request: AXFR -> full(); IXFR -> the journal's chain when it ends at the
// served serial and carries fewer RRs than the zone, else AXFR-style. `journal` may be null (no journal).
std::unique_ptr<TransferStream> open_transfer(std::shared_ptr<const zone::Zone> zone,
                                              const TransferRequest& request, const store::Journal* journal,
                                              OutboundOptions options);

// Every message of a stream, for tests and tools.
std::vector<std::vector<std::uint8_t>> collect(TransferStream& stream);

// The answer to a transfer the ACL refuses: REFUSED, the question echoed, with EDE 18 (Prohibited) when
// the query had EDNS. Returns the size written to `out` (512 octets suffice); 0 when the query is too
// malformed to answer (drop it).
std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                          std::uint16_t edns_payload = 1232);

}  // namespace cairn::xfr
