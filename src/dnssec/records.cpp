#include "dnssec/records.hpp"

#include "dns/rdata.hpp"
#include "dns/wire.hpp"

namespace cairn::dnssec {
namespace {

std::uint16_t get16(Bytes b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t get32(Bytes b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           b[at + 3];
}

}  // namespace

std::optional<DnskeyView> DnskeyView::parse(Bytes rdata) {
    if (rdata.size() < 4) return std::nullopt;
    return DnskeyView{get16(rdata, 0), rdata[2], rdata[3], rdata.subspan(4)};
}

std::optional<DsView> DsView::parse(Bytes rdata) {
    if (rdata.size() < 4) return std::nullopt;
    return DsView{get16(rdata, 0), rdata[2], rdata[3], rdata.subspan(4)};
}

std::optional<RrsigView> RrsigView::parse(Bytes rdata) {
    constexpr std::size_t kFixed = 18;
    if (rdata.size() < kFixed + 1) return std::nullopt;
    const std::size_t signer_size = dns::rdata_name_size(rdata, kFixed);
    if (signer_size == 0) return std::nullopt;
    RrsigView v;
    v.type_covered = get16(rdata, 0);
    v.algorithm = rdata[2];
    v.labels = rdata[3];
    v.original_ttl = get32(rdata, 4);
    v.expiration = get32(rdata, 8);
    v.inception = get32(rdata, 12);
    v.key_tag = get16(rdata, 16);
    v.signer = rdata.subspan(kFixed, signer_size);
    v.fields = rdata.first(kFixed + signer_size);
    v.signature = rdata.subspan(kFixed + signer_size);
    return v;
}

bool TypeBitmap::valid(Bytes w) {
    int previous = -1;
    std::size_t pos = 0;
    while (pos < w.size()) {
        if (w.size() - pos < 2) return false;
        const int window = w[pos];
        const std::size_t length = w[pos + 1];
        if (window <= previous || length == 0 || length > 32 || w.size() - pos - 2 < length) return false;
        if (w[pos + 1 + length] == 0) return false;
        previous = window;
        pos += 2 + length;
    }
    return true;
}

bool TypeBitmap::contains(std::uint16_t type) const {
    const unsigned want_window = type >> 8;
    const unsigned octet = (type & 0xFF) / 8;
    std::size_t pos = 0;
    while (pos + 2 <= windows_.size()) {
        const unsigned window = windows_[pos];
        const std::size_t length = windows_[pos + 1];
        if (window == want_window) {
            if (octet >= length || pos + 2 + octet >= windows_.size()) return false;
            return (windows_[pos + 2 + octet] & (0x80 >> (type & 7))) != 0;
        }
        if (window > want_window) return false;
        pos += 2 + length;
    }
    return false;
}

void TypeBitmapBuilder::append_to(std::vector<std::uint8_t>& out) const {
    std::vector<std::uint16_t> types = types_;
    dns::append_type_bitmap(types, out);
}

std::optional<NsecView> NsecView::parse(Bytes rdata) {
    const std::size_t next_size = dns::rdata_name_size(rdata, 0);
    if (next_size == 0) return std::nullopt;
    const auto types = rdata.subspan(next_size);
    if (!TypeBitmap::valid(types)) return std::nullopt;
    return NsecView{rdata.first(next_size), TypeBitmap(types)};
}

std::optional<Nsec3View> Nsec3View::parse(Bytes rdata) {
    if (rdata.size() < 5) return std::nullopt;
    Nsec3View v;
    v.hash_algorithm = rdata[0];
    v.flags = rdata[1];
    v.iterations = get16(rdata, 2);
    const std::size_t salt_size = rdata[4];
    if (rdata.size() < 5 + salt_size + 1) return std::nullopt;
    v.salt = rdata.subspan(5, salt_size);
    const std::size_t hash_at = 5 + salt_size;
    const std::size_t hash_size = rdata[hash_at];
    if (hash_size == 0 || rdata.size() < hash_at + 1 + hash_size) return std::nullopt;
    v.next_hash = rdata.subspan(hash_at + 1, hash_size);
    const auto types = rdata.subspan(hash_at + 1 + hash_size);
    if (!TypeBitmap::valid(types)) return std::nullopt;
    v.types = TypeBitmap(types);
    return v;
}

std::optional<Nsec3ParamView> Nsec3ParamView::parse(Bytes rdata) {
    if (rdata.size() < 5 || rdata.size() != 5u + rdata[4]) return std::nullopt;
    return Nsec3ParamView{rdata[0], rdata[1], get16(rdata, 2), rdata.subspan(5)};
}

std::uint16_t key_tag(Bytes rdata) {
    if (rdata.size() >= 4 && rdata[3] == 1) {
        // RSA/MD5: the most significant 16 of the least significant 24 bits of the modulus, which ends the
        // rdata.
        if (rdata.size() < 7) return 0;
        return get16(rdata, rdata.size() - 3);
    }
    std::uint32_t ac = 0;
    for (std::size_t i = 0; i < rdata.size(); ++i)
        ac += (i & 1) ? rdata[i] : static_cast<std::uint32_t>(rdata[i]) << 8;
    ac += (ac >> 16) & 0xFFFF;
    return static_cast<std::uint16_t>(ac & 0xFFFF);
}

std::vector<std::uint8_t> dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm, Bytes public_key) {
    std::vector<std::uint8_t> out;
    out.reserve(4 + public_key.size());
    dns::WireWriter w(out);
    w.u16(flags);
    w.u8(3);
    w.u8(algorithm);
    w.bytes(public_key);
    return out;
}

}  // namespace cairn::dnssec
