#include "resolver/cached_response.hpp"

#include <algorithm>
#include <cstring>

#include "dns/message.hpp"

namespace cairn::resolver {
namespace {

constexpr std::size_t kMaxPointer = 0x3FFF;

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, static_cast<std::uint16_t>(v >> 16));
    put16(p + 2, static_cast<std::uint16_t>(v));
}

// Offset of `suffix` inside `name` when it is `name` or one of its ancestors (both lowercased wire).
std::size_t suffix_offset(std::span<const std::uint8_t> name, std::span<const std::uint8_t> suffix) {
    std::size_t pos = 0;
    while (pos < name.size() && name.size() - pos > suffix.size())
        pos += std::size_t{name[pos]} + 1;
    if (pos < name.size() && name.size() - pos == suffix.size() &&
        std::memcmp(name.data() + pos, suffix.data(), suffix.size()) == 0)
        return pos;
    return SIZE_MAX;
}

}  // namespace

void name_at(NameInMessage& out, std::size_t offset, std::span<const std::uint8_t> wire) {
    out.offset = offset;
    out.size = std::min(wire.size(), out.lower.size());
    for (std::size_t i = 0; i < out.size; ++i)
        out.lower[i] = dns::lower_ascii(wire[i]);
}

CachedResponseWriter::CachedResponseWriter(std::span<std::uint8_t> out, const dns::ParsedQuery& query,
                                           bool tcp, std::uint16_t max_udp_size)
    : out_(out), query_(query), max_udp_size_(max_udp_size) {
    std::size_t limit = dns::kMaxMessageSize;
    if (!tcp) {
        limit = query.edns.present ? std::min<std::size_t>(query.edns.effective_udp_payload(),
                                                           std::max<std::uint16_t>(max_udp_size, 512))
                                   : 512;
    }
    limit_ = std::min(limit, out.size());
    size_ = dns::kHeaderSize;
    const std::size_t question = query.has_question ? query.qname.size() + 4 : 0;
    if (size_ + question > limit_) {
        overflow_ = true;
        question_end_ = size_;
        return;
    }
    if (query.has_question) {
        std::memcpy(out_.data() + size_, query.qname.data(), query.qname.size());
        put16(out_.data() + size_ + query.qname.size(), dns::code(query.qtype));
        put16(out_.data() + size_ + query.qname.size() + 2, dns::code(query.qclass));
        name_at(qname_, size_, query.qname_lower());
    }
    size_ += question;
    question_end_ = size_;
}

std::size_t CachedResponseWriter::opt_size() const {
    if (!query_.edns.present) return 0;
    return dns::kOptFixedSize + (has_ede_ ? dns::kEdnsOptionHeaderSize + 2 + ede_text_.size() : 0) +
           (cookie_.empty() ? 0 : dns::kEdnsOptionHeaderSize + cookie_.size());
}

void CachedResponseWriter::set_ede(dns::EdeCode code, std::string_view text) {
    has_ede_ = true;
    ede_code_ = code;
    ede_text_ = text.substr(0, 300);  // keep it well inside any UDP limit
}

void CachedResponseWriter::next_section() {
    if (section_ < 2) ++section_;
}

bool CachedResponseWriter::write_owner(const NameInMessage& at, std::span<const std::uint8_t> owner) {
    const std::size_t pos = suffix_offset(at.wire(), owner);
    if (owner.size() > 1 && pos != SIZE_MAX && at.offset + pos <= kMaxPointer) {
        if (limit_ - size_ < 2) return false;
        put16(out_.data() + size_, static_cast<std::uint16_t>(0xC000 | (at.offset + pos)));
        size_ += 2;
        return true;
    }
    if (limit_ - size_ < owner.size()) return false;
    std::memcpy(out_.data() + size_, owner.data(), owner.size());  // lowercased: owners need no case
    size_ += owner.size();
    return true;
}

bool CachedResponseWriter::add_records(std::span<const std::uint8_t> block, std::uint16_t count,
                                       const NameInMessage& owner_at,
                                       std::span<const std::uint8_t> owner_lower, std::uint32_t ttl,
                                       std::size_t* last_rdata) {
    if (overflow_) return false;
    const std::size_t start = size_;
    const std::size_t reserve = opt_size();
    const std::size_t limit = limit_;
    limit_ = limit_ > reserve ? limit_ - reserve : 0;
    std::size_t pos = 0;
    bool ok = true;
    for (std::uint16_t i = 0; i < count && ok; ++i) {
        const std::size_t rdlength = (std::size_t{block[pos + 10]} << 8) | block[pos + 11];
        const std::size_t rest = kRenderedRrHeader - 2 + rdlength;  // type .. rdata
        ok = write_owner(owner_at, owner_lower) && limit_ - size_ >= rest;
        if (!ok) break;
        std::uint8_t* p = out_.data() + size_;
        std::memcpy(p, block.data() + pos + 2, rest);
        put32(p + 4, ttl);
        if (last_rdata != nullptr) *last_rdata = size_ + 10;
        size_ += rest;
        pos += kRenderedRrHeader + rdlength;
    }
    limit_ = limit;
    if (!ok) {
        size_ = start;
        overflow_ = true;
        return false;
    }
    counts_[section_] = static_cast<std::uint16_t>(counts_[section_] + count);
    return true;
}

bool CachedResponseWriter::add_owned_records(std::span<const std::uint8_t> block, const NameInMessage& near,
                                             std::uint32_t ttl) {
    if (overflow_) return false;
    const std::size_t start = size_;
    const std::size_t reserve = opt_size();
    const std::size_t limit = limit_;
    limit_ = limit_ > reserve ? limit_ - reserve : 0;
    std::size_t pos = 0;
    std::uint16_t count = 0;
    bool ok = true;
    while (ok && pos < block.size()) {
        std::size_t end = pos;
        while (block[end] != 0)
            end += std::size_t{block[end]} + 1;
        const auto owner = block.subspan(pos, end + 1 - pos);
        pos = end + 1;
        const std::size_t rdlength = (std::size_t{block[pos + 10]} << 8) | block[pos + 11];
        const std::size_t rest = kRenderedRrHeader - 2 + rdlength;
        ok = write_owner(near, owner) && limit_ - size_ >= rest;
        if (!ok) break;
        std::uint8_t* p = out_.data() + size_;
        std::memcpy(p, block.data() + pos + 2, rest);
        put32(p + 4, ttl);
        size_ += rest;
        pos += kRenderedRrHeader + rdlength;
        ++count;
    }
    limit_ = limit;
    if (!ok) {
        size_ = start;
        overflow_ = true;
        return false;
    }
    counts_[section_] = static_cast<std::uint16_t>(counts_[section_] + count);
    return true;
}

std::size_t CachedResponseWriter::finish() {
    if (limit_ < dns::kHeaderSize) return 0;
    if (size_ + opt_size() > limit_) overflow_ = true;
    if (overflow_) {
        size_ = question_end_;
        counts_ = {};
    }
    if (size_ + opt_size() > limit_) has_ede_ = false;
    dns::Header h;
    h.id = query_.header.id;
    h.qr = true;
    h.opcode = query_.header.opcode;
    h.tc = overflow_;
    h.rd = query_.header.rd;
    h.ra = true;
    h.ad = ad_ && !overflow_;
    h.cd = query_.header.cd;
    const auto rcode = static_cast<std::uint16_t>(rcode_);
    h.rcode = static_cast<std::uint8_t>(rcode & 0xF);
    h.qdcount = query_.has_question ? 1 : 0;
    h.ancount = counts_[0];
    h.nscount = counts_[1];
    h.arcount = counts_[2];
    if (query_.edns.present && size_ + opt_size() <= limit_) {
        ++h.arcount;
        std::uint8_t* p = out_.data() + size_;
        p[0] = 0;  // root owner
        put16(p + 1, dns::code(dns::RRType::OPT));
        put16(p + 3, std::max<std::uint16_t>(max_udp_size_, 512));
        p[5] = static_cast<std::uint8_t>(rcode >> 4);
        p[6] = 0;  // version
        put16(p + 7, query_.edns.dnssec_ok ? dns::kEdnsFlagDo : 0);
        const std::size_t options = opt_size() - dns::kOptFixedSize;
        put16(p + 9, static_cast<std::uint16_t>(options));
        std::uint8_t* o = p + dns::kOptFixedSize;
        if (!cookie_.empty()) {
            put16(o, static_cast<std::uint16_t>(dns::EdnsOptionCode::COOKIE));
            put16(o + 2, static_cast<std::uint16_t>(cookie_.size()));
            std::memcpy(o + 4, cookie_.data(), cookie_.size());
            o += dns::kEdnsOptionHeaderSize + cookie_.size();
        }
        if (has_ede_) {
            put16(o, static_cast<std::uint16_t>(dns::EdnsOptionCode::EDE));
            put16(o + 2, static_cast<std::uint16_t>(2 + ede_text_.size()));
            put16(o + 4, static_cast<std::uint16_t>(ede_code_));
            if (!ede_text_.empty()) std::memcpy(o + 6, ede_text_.data(), ede_text_.size());
        }
        size_ += opt_size();
    }
    h.write(out_.data());
    return size_;
}

}  // namespace cairn::resolver
