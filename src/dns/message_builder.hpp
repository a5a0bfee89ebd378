// Builds response messages into a caller-provided buffer with no heap allocation: the server's hot path
// and zone transfers (one builder reused per message) write through this.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dns/edns.hpp"
#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::dns {

// Where a domain name sits inside wire rdata, as for_each_rdata_name() reports it. A zone can work these out
// once at load time and hand them to add_rr() so that answering needs no rdata walk.
struct RdataNameRef {
    std::uint16_t offset = 0;
    std::uint16_t length = 0;
};

// Usage: reset(); then start_response(query, ...) — or header() fields, set_limit(), set_edns() (which
// reserves room for OPT at the end) and add_question() by hand; start_section(); then per RRset
// begin_rrset(), add_rr()..., commit() — or rollback() when an add_rr() returned false, and set TC if the
// caller wants to (the builder never sets it). finish() writes the header counts and OPT and returns
// the message. Sections must be added in order (answer, authority, additional).
//
// Names are compressed (RFC 1035 §4.1.4): owner names always, and names inside rdata for the types
// rdata_names_compressible() allows. Matching is case-insensitive, so a later name may point at an earlier
// spelling (answers thus echo the question's case). The table of compression targets has a fixed capacity;
// once full, later names are still written correctly, only less compactly.
//
// Names and rdata must be valid uncompressed wire form (as Name, the zone and ParsedQuery hold them); a
// malformed name is a programming error and throws std::invalid_argument.
class MessageBuilder {
  public:
    static constexpr std::size_t kMaxRdataNames = 8;  // more names in one rdata are written uncompressed
    static constexpr std::size_t kMaxEdnsOptionsSize =
        512;  // octets of OPT options a response can carry  // more names in one rdata are written
              // uncompressed

    // `buffer` may be larger than a message can be; at most kMaxMessageSize octets of it are used.
    explicit MessageBuilder(std::span<std::uint8_t> buffer);

    // Forgets everything: an empty message with a zeroed header and the full buffer as limit.
    void reset();

    // Fields other than the counts (which finish() fills in). The rcode's low 4 bits go here; set_rcode()
    // handles extended rcodes.
    Header& header() { return header_; }
    const Header& header() const { return header_; }
    void set_rcode(Rcode rcode);  // the high 8 bits land in OPT, so an extended rcode needs set_edns()

    // Upper bound for the message: the negotiated payload (UDP) or 65535 (TCP). Clamped to the buffer.
    void set_limit(std::size_t limit);
    std::size_t limit() const { return limit_; }
    // Octets held back at the end for the caller to append after finish() (e.g. a TSIG record).
    void reserve_tail(std::size_t octets) { tail_reserve_ = octets; }

    std::size_t size() const { return size_; }
    // Octets still free for records, with OPT's room and the tail reservation set aside.
    std::size_t available() const;

    // Adds an OPT record at finish(); false when even the bare record does not fit.
    bool set_edns(std::uint16_t udp_payload, bool dnssec_ok, std::uint8_t version = 0);
    bool has_edns() const { return edns_; }
    // Options are appended in the order added; each returns false (and adds nothing) when it does not fit
    // or when set_edns() was not called.
    bool add_edns_option(std::uint16_t code, std::span<const std::uint8_t> data);
    bool add_cookie(std::span<const std::uint8_t> cookie) { return add_edns_option(10, cookie); }
    bool add_ede(EdeCode code, std::string_view extra_text = {});
    bool add_expire(std::uint32_t seconds);
    bool add_nsid(std::span<const std::uint8_t> nsid) { return add_edns_option(3, nsid); }

    // Starts the response to `query` (after reset()): id, opcode, RD and CD copied and QR set; the question
    // echoed as sent, when there was one; an OPT record of version 0 with the query's DO bit when the query
    // had EDNS, advertising `server_udp_payload`. The limit becomes 65535 over TCP, otherwise the smaller of
    // the client's effective payload and `server_udp_payload` with EDNS, and 512 without. False only when
    // the question does not fit the buffer.
    bool start_response(const ParsedQuery& query, std::uint16_t server_udp_payload, bool tcp);

    // `qname` in uncompressed wire form (e.g. ParsedQuery::qname). Only before any record.
    bool add_question(std::span<const std::uint8_t> qname, RRType type, RRClass qclass);
    bool add_question(const Name& qname, RRType type, RRClass qclass) {
        return add_question(qname.wire(), type, qclass);
    }

    // Moves on to `section`, which must not come before the current one (std::logic_error otherwise).
    void start_section(Section section);
    Section section() const { return section_; }

    // Marks where the RRset begins; rollback() returns to this point, commit() forgets it.
    void begin_rrset();
    void commit();
    void rollback();

    // Appends one record to the current section; `owner` and `rdata` uncompressed wire form. On false
    // nothing of the record stays (the message is as before the call); earlier records of the RRset do.
    bool add_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass, std::uint32_t ttl,
                std::span<const std::uint8_t> rdata);
    bool add_rr(const Name& owner, RRType type, RRClass rclass, std::uint32_t ttl,
                std::span<const std::uint8_t> rdata) {
        return add_rr(owner.wire(), type, rclass, ttl, rdata);
    }
    // The same with the rdata's names given (in order; only used when the type's names are compressible).
    bool add_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass, std::uint32_t ttl,
                std::span<const std::uint8_t> rdata, std::span<const RdataNameRef> rdata_names);

    std::uint16_t count(Section section) const { return counts_[static_cast<std::size_t>(section)]; }

    // Writes the header and OPT; the result stays valid until the next change to the builder.
    std::span<const std::uint8_t> finish();

    // For multi-message transfers: drops every record and keeps the rest (header fields, question, EDNS
    // settings and options, limit), ready for the next message. Call finish() for each message first.
    void restart_after_question();

    static constexpr std::size_t kCompressionCapacity = 128;

  private:
    // A place in the message where a name (or the rest of one) starts, found through an open-addressing
    // hash table keyed by a case-insensitive hash of the name from there to the root. Entries are only
    // ever removed newest first (rollback), which keeps linear probing exact without tombstones.
    struct CompressionEntry {
        std::uint32_t hash;
        std::uint16_t offset;
        std::uint8_t labels;  // from there to the root, the root not counted
        std::uint8_t slot;
    };
    static constexpr std::size_t kCompressionSlots = 2 * kCompressionCapacity;
    static_assert(kCompressionSlots <= 256, "slots are indexed by one octet");

    struct State {
        std::size_t size;
        std::size_t entries;
        std::array<std::uint16_t, 4> counts;
    };

    State state() const { return {size_, entry_count_, counts_}; }
    void drop_entries_from(std::size_t count);
    void restore(const State& s);
    bool write_name(std::span<const std::uint8_t> name, std::size_t* written_at = nullptr);
    bool write_owner(std::span<const std::uint8_t> owner);
    bool suffix_matches(std::size_t offset, std::span<const std::uint8_t> suffix) const;
    bool write_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass, std::uint32_t ttl,
                  std::span<const std::uint8_t> rdata, const RdataNameRef* names, std::size_t name_count);
    bool write_rdata(std::span<const std::uint8_t> rdata, const RdataNameRef* names, std::size_t name_count);
    std::size_t opt_size() const;
    std::size_t record_limit() const;

    std::uint8_t* buffer_;
    std::size_t capacity_;
    std::size_t limit_;
    std::size_t size_ = kHeaderSize;
    std::size_t tail_reserve_ = 0;
    Header header_;
    std::uint16_t rcode_high_ = 0;
    Section section_ = Section::Question;
    std::array<std::uint16_t, 4> counts_{};
    State rrset_start_{};
    std::size_t question_end_ = kHeaderSize;
    std::size_t question_entries_ = 0;

    bool edns_ = false;
    std::uint16_t edns_payload_ = 0;
    bool edns_do_ = false;
    std::uint8_t edns_version_ = 0;
    std::array<std::uint8_t, kMaxEdnsOptionsSize> edns_options_{};
    std::size_t edns_options_size_ = 0;

    std::array<CompressionEntry, kCompressionCapacity> entries_{};
    std::size_t entry_count_ = 0;
    std::array<std::uint8_t, kCompressionSlots> slots_{};  // entry index + 1; 0 is free

    // The previous record's owner, so the records of an RRset reuse it with one comparison.
    std::array<std::uint8_t, kMaxNameLength> last_owner_{};
    std::size_t last_owner_size_ = 0;
    std::size_t last_owner_at_ = 0;
};

}  // namespace cairn::dns
