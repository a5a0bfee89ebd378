#include "rrl/response_key.hpp"

#include <cstring>

#include "dns/name.hpp"

namespace cairn::rrl {

namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
constexpr std::size_t kHeaderSize = 12;
constexpr std::uint8_t kFlagAa = 0x04;  // in the third header octet

std::uint64_t fnv(std::uint64_t hash, std::uint8_t octet) {
    return (hash ^ dns::lower_ascii(octet)) * kFnvPrime;
}

std::uint16_t get16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

// The offset just past a possibly compressed name at `at`, or 0 when it runs past the end.
std::size_t skip_name(std::span<const std::uint8_t> m, std::size_t at) {
    while (at < m.size()) {
        const std::uint8_t length = m[at];
        if (length == 0) return at + 1;
        if ((length & 0xC0) == 0xC0) return at + 2 <= m.size() ? at + 2 : 0;
        if ((length & 0xC0) != 0) return 0;
        at += 1 + length;
    }
    return 0;
}

// The question name (uncompressed, at offset 12 of a response we wrote): its end, and a hash taken eight
// octets at a time, case folded. 0 when it runs past the end or is compressed.
std::size_t hash_question(std::span<const std::uint8_t> m, std::uint64_t& hash) {
    std::size_t at = kHeaderSize;
    while (at < m.size() && m[at] != 0) {
        if ((m[at] & 0xC0) != 0) return 0;
        at += 1 + m[at];
    }
    if (at >= m.size()) return 0;
    std::uint64_t h = kFnvOffset;
    for (std::size_t i = kHeaderSize; i < at; i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, m.data() + i, std::min<std::size_t>(8, at - i));
        h = (h ^ dns::lower_ascii8(word)) * kFnvPrime;
        h ^= h >> 29;
    }
    hash = h;
    return at + 1;
}

// The offset of the first record after the question and `skip` more records, or 0.
std::size_t skip_records(std::span<const std::uint8_t> m, std::size_t at, std::size_t skip) {
    for (std::size_t i = 0; i < skip; ++i) {
        at = skip_name(m, at);
        if (at == 0 || at + 10 > m.size()) return 0;
        at += 10 + get16(m, at + 8);
    }
    return at <= m.size() ? at : 0;
}

// The offset of the first authority record's owner, or 0 when there is none.
std::size_t authority_offset(std::span<const std::uint8_t> m) {
    if (m.size() < kHeaderSize || get16(m, 8) == 0) return 0;
    std::size_t at = kHeaderSize;
    for (std::uint16_t i = 0; i < get16(m, 4); ++i) {
        at = skip_name(m, at);
        if (at == 0 || at + 4 > m.size()) return 0;
        at += 4;
    }
    return skip_records(m, at, get16(m, 6));
}

}  // namespace

std::size_t counted_name_offset(std::span<const std::uint8_t> response, ResponseKind kind) {
    switch (kind) {
        case ResponseKind::answer:
        case ResponseKind::nodata:
            return response.size() > kHeaderSize && get16(response, 4) == 1 ? kHeaderSize : 0;
        case ResponseKind::referral:
        case ResponseKind::nxdomain:
            return authority_offset(response);
        case ResponseKind::error:
            return 0;
    }
    return 0;
}

bool hash_message_name(std::span<const std::uint8_t> message, std::size_t offset, std::uint64_t& hash) {
    std::uint64_t h = kFnvOffset;
    std::size_t total = 0;
    for (int hops = 0; hops < 64;) {
        if (offset >= message.size()) return false;
        const std::uint8_t length = message[offset];
        if ((length & 0xC0) == 0xC0) {
            if (offset + 1 >= message.size()) return false;
            offset = static_cast<std::size_t>(((length & 0x3F) << 8) | message[offset + 1]);
            ++hops;
            continue;
        }
        if ((length & 0xC0) != 0 || offset + 1 + length > message.size()) return false;
        total += 1 + length;
        if (total > dns::kMaxNameLength) return false;
        for (std::size_t i = 0; i <= length; ++i)
            h = fnv(h, message[offset + i]);
        if (length == 0) {
            hash = h;
            return true;
        }
        offset += 1 + length;
    }
    return false;
}

ResponseKey describe_response(std::span<const std::uint8_t> response, const ResponseFacts& facts) {
    ResponseKey key;
    if (response.size() < kHeaderSize || get16(response, 4) != 1) return key;  // no question: an error
    std::uint64_t qname_hash = 0;
    const std::size_t qname_end = hash_question(response, qname_hash);
    if (qname_end == 0 || qname_end + 4 > response.size()) return key;
    const std::uint16_t qtype = get16(response, qname_end);
    const std::uint16_t qclass = get16(response, qname_end + 2);
    const std::uint16_t ancount = get16(response, 6);

    // The name the response is counted under: the question's, or the owner of the first authority record
    // (the referral's NS set, the NXDOMAIN's SOA).
    auto authority_owner = [&](std::uint64_t& hash) {
        const std::size_t at = authority_offset(response);
        return at != 0 && hash_message_name(response, at, hash);
    };
    auto qname_or_wildcard = [&]() {
        if (!facts.wildcard || facts.zone.empty()) return qname_hash;
        std::uint64_t h = fnv(fnv(kFnvOffset, 1), '*');
        for (const std::uint8_t octet : facts.zone)
            h = fnv(h, octet);
        return h;
    };

    switch (facts.rcode) {
        case dns::Rcode::NOERROR:
            key.qclass = qclass;
            if (ancount > 0) {
                key.kind = ResponseKind::answer;
                key.qtype = qtype;
                key.name_hash = qname_or_wildcard();
            } else if ((response[2] & kFlagAa) == 0 && authority_owner(key.name_hash)) {
                key.kind = ResponseKind::referral;
            } else {
                key.kind = ResponseKind::nodata;
                key.name_hash = qname_or_wildcard();
            }
            return key;
        case dns::Rcode::NXDOMAIN:
            key.kind = ResponseKind::nxdomain;
            if (!authority_owner(key.name_hash))
                key.name_hash = facts.zone.empty() ? qname_hash : dns::wire_name_hash(facts.zone);
            return key;
        default:
            return key;
    }
}

}  // namespace cairn::rrl
