#include "store/diff_codec.hpp"

#include <string>

#include "dns/wire.hpp"
#include "store/environment.hpp"

namespace cairn::store {

namespace {

constexpr std::uint8_t kNewOwner = 0;
constexpr std::uint8_t kSameOwner = 1;

void put_record(dns::WireWriter& w, const zone::Record& r, const dns::Name*& previous_owner) {
    if (previous_owner != nullptr && previous_owner->wire().size() == r.owner.wire().size() &&
        std::equal(previous_owner->wire().begin(), previous_owner->wire().end(), r.owner.wire().begin())) {
        w.u8(kSameOwner);
    } else {
        w.u8(kNewOwner);
        w.name(r.owner);
    }
    previous_owner = &r.owner;
    w.u16(static_cast<std::uint16_t>(r.type));
    w.u16(static_cast<std::uint16_t>(r.rclass));
    w.u32(r.ttl);
    w.u16(static_cast<std::uint16_t>(r.rdata.size()));
    w.bytes(r.rdata);
}

void put_records(dns::WireWriter& w, const std::vector<zone::Record>& records) {
    w.u32(static_cast<std::uint32_t>(records.size()));
    const dns::Name* previous = nullptr;
    for (const zone::Record& r : records)
        put_record(w, r, previous);
}

// Names are stored uncompressed; reading one with Name::from_wire on a slice that starts at the name
// keeps a damaged compression pointer from reaching outside it.
zone::Record get_record(dns::WireReader& r, const zone::Record* previous) {
    zone::Record rec;
    const std::uint8_t flag = r.u8();
    if (flag == kSameOwner) {
        if (previous == nullptr) throw dns::ParseError("owner reference without a previous record");
        rec.owner = previous->owner;
    } else if (flag == kNewOwner) {
        const auto rest = r.data().subspan(r.offset());
        std::size_t at = 0;
        rec.owner = dns::Name::from_wire(rest, at);
        r.skip(at);
    } else {
        throw dns::ParseError("bad owner flag");
    }
    rec.type = static_cast<dns::RRType>(r.u16());
    rec.rclass = static_cast<dns::RRClass>(r.u16());
    rec.ttl = r.u32();
    const std::size_t len = r.u16();
    const auto rdata = r.bytes(len);
    rec.rdata.assign(rdata.begin(), rdata.end());
    return rec;
}

std::vector<zone::Record> get_records(dns::WireReader& r) {
    const std::uint32_t count = r.u32();
    // Every record takes at least 11 octets, which bounds a damaged count before any allocation.
    if (count > r.remaining() / 11) throw dns::ParseError("record count beyond the data");
    std::vector<zone::Record> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        out.push_back(get_record(r, out.empty() ? nullptr : &out.back()));
    return out;
}

}  // namespace

std::vector<std::uint8_t> encode_diff(const zone::ZoneDiff& diff) {
    std::vector<std::uint8_t> out;
    dns::WireWriter w(out);
    w.u8(kDiffFormatVersion);
    w.u32(diff.from_serial());
    w.u32(diff.to_serial());
    const dns::Name* previous = nullptr;
    put_record(w, diff.old_soa, previous);
    previous = nullptr;
    put_record(w, diff.new_soa, previous);
    put_records(w, diff.removed);
    put_records(w, diff.added);
    return out;
}

void decode_diff_serials(std::span<const std::uint8_t> bytes, std::uint32_t& from, std::uint32_t& to) {
    if (bytes.size() < 9 || bytes[0] != kDiffFormatVersion)
        throw StoreError("journal entry has an unknown format or is truncated");
    dns::WireReader r(bytes, 1);
    from = r.u32();
    to = r.u32();
}

zone::ZoneDiff decode_diff(std::span<const std::uint8_t> bytes) {
    std::uint32_t from = 0, to = 0;
    decode_diff_serials(bytes, from, to);
    try {
        dns::WireReader r(bytes, 9);
        zone::ZoneDiff d;
        d.old_soa = get_record(r, nullptr);
        d.new_soa = get_record(r, nullptr);
        d.removed = get_records(r);
        d.added = get_records(r);
        if (!r.at_end()) throw dns::ParseError("trailing octets");
        if (d.old_soa.type != dns::RRType::SOA || d.new_soa.type != dns::RRType::SOA ||
            d.from_serial() != from || d.to_serial() != to)
            throw dns::ParseError("SOA records do not match the serials");
        return d;
    } catch (const dns::ParseError& e) {
        throw StoreError(std::string("damaged journal entry: ") + e.what());
    }
}

}  // namespace cairn::store
