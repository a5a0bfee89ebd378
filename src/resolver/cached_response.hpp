// Writes a resolver's response to a client from cache entries, with no allocation: the header (RA set, AA
// never), the question as the client sent it, records copied from the entries' rendered form with their
// owners pointed at names already in the message and their TTLs set to the time left, and OPT (the client's
// DO echoed, max-udp-size advertised, an EDE option when there is something to say).
//
// Answers that do not fit the client's limit are sent with TC set and no records (RFC 2181 §9: a resolver
// that truncates should not hand out a partial RRset; the client retries over TCP).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dns/edns.hpp"
#include "dns/message_query.hpp"
#include "dns/types.hpp"
#include "resolver/cache_entry.hpp"

namespace cairn::resolver {

// Where a name sits in the message being written (so that later owners can point at it or at a suffix of
// it), with its lowercased wire form.
struct NameInMessage {
    std::size_t offset = 0;
    std::array<std::uint8_t, 255> lower;  // `size` octets set
    std::size_t size = 0;
    std::span<const std::uint8_t> wire() const { return {lower.data(), size}; }
};

class CachedResponseWriter {
  public:
    // `max_udp_size`: what the server allows itself over UDP (max-udp-size).
    CachedResponseWriter(std::span<std::uint8_t> out, const dns::ParsedQuery& query, bool tcp,
                         std::uint16_t max_udp_size);

    // The question name, at offset 12.
    const NameInMessage& question_name() const { return qname_; }

    // Appends every record of `block` (rendered records, kRenderedRrHeader + rdata each) with `owner` as
    // their owner and `ttl` as their TTL, to the current section. `owner_at` is where that name (or a name
    // it is a suffix of) already stands. On false (no room) the message is as before and `overflow()` is
    // set. When `last_rdata` is given, it receives where the last record's rdata starts.
    bool add_records(std::span<const std::uint8_t> block, std::uint16_t count, const NameInMessage& owner_at,
                     std::span<const std::uint8_t> owner_lower, std::uint32_t ttl,
                     std::size_t* last_rdata = nullptr);
    // Appends a proof block's records (cache_entry.hpp: each with its own owner) with `ttl`, to the
    // current section; all or nothing, as add_records.
    bool add_owned_records(std::span<const std::uint8_t> block, const NameInMessage& near, std::uint32_t ttl);
    void next_section();  // answer -> authority -> additional
    void authority_section() {
        if (section_ < 1) section_ = 1;
    }
    void set_ad(bool ad) { ad_ = ad; }

    void set_rcode(dns::Rcode rcode) { rcode_ = rcode; }
    void set_ede(dns::EdeCode code, std::string_view text);  // text must outlive finish()
    // A COOKIE option (client cookie and server cookie) ahead of the EDE; must outlive finish(). Only with
    // EDNS in the query (a client sends a cookie only with it).
    void set_cookie(std::span<const std::uint8_t> cookie) { cookie_ = cookie; }
    bool overflow() const { return overflow_; }
    std::size_t size() const { return size_; }
    std::span<std::uint8_t> buffer() const { return out_; }

    // Writes the header and OPT; with overflow() the records are dropped and TC set. Returns the size, 0
    // when even the question does not fit.
    std::size_t finish();

  private:
    std::size_t opt_size() const;
    bool write_owner(const NameInMessage& at, std::span<const std::uint8_t> owner_lower);

    std::span<std::uint8_t> out_;
    const dns::ParsedQuery& query_;
    std::size_t limit_ = 0;
    std::size_t size_ = 0;
    std::size_t question_end_ = 0;
    std::array<std::uint16_t, 3> counts_{};
    std::size_t section_ = 0;
    bool overflow_ = false;
    bool ad_ = false;
    dns::Rcode rcode_ = dns::Rcode::NOERROR;
    std::uint16_t max_udp_size_;
    bool has_ede_ = false;
    dns::EdeCode ede_code_ = dns::EdeCode::OtherError;
    std::string_view ede_text_;
    std::span<const std::uint8_t> cookie_;
    NameInMessage qname_;
};

// Where a name ends up when it is written as an rdata's target: for following CNAME chains.
void name_at(NameInMessage& out, std::size_t offset, std::span<const std::uint8_t> wire);

}  // namespace cairn::resolver
