#include "dns/message_builder.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "dns/rdata.hpp"

namespace cairn::dns {
namespace {

constexpr std::size_t kPointerLimit = 0x4000;  // compression pointers hold 14 bits of offset
constexpr std::size_t kRecordFixedSize = 10;   // type, class, ttl, rdlength
constexpr std::size_t kMaxRdataNames = 8;

void put_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put_u32(std::uint8_t* p, std::uint32_t v) {
    put_u16(p, static_cast<std::uint16_t>(v >> 16));
    put_u16(p + 2, static_cast<std::uint16_t>(v));
}

}  // namespace

MessageBuilder::MessageBuilder(std::span<std::uint8_t> buffer)
    : buffer_(buffer.data()), capacity_(std::min(buffer.size(), kMaxMessageSize)), limit_(capacity_) {
    if (capacity_ < kHeaderSize) throw std::invalid_argument("message buffer smaller than a header");
}

void MessageBuilder::reset() {
    limit_ = capacity_;
    size_ = kHeaderSize;
    tail_reserve_ = 0;
    header_ = Header{};
    rcode_high_ = 0;
    section_ = Section::Question;
    counts_ = {};
    rrset_start_ = state();
    question_end_ = kHeaderSize;
    question_entries_ = 0;
    edns_ = false;
    edns_options_size_ = 0;
    entry_count_ = 0;
}

void MessageBuilder::set_rcode(Rcode rcode) {
    const auto value = static_cast<std::uint16_t>(rcode);
    header_.rcode = static_cast<std::uint8_t>(value & 0xF);
    rcode_high_ = static_cast<std::uint16_t>(value >> 4);
}

void MessageBuilder::set_limit(std::size_t limit) {
    limit_ = std::clamp(limit, kHeaderSize, capacity_);
}

std::size_t MessageBuilder::opt_size() const {
    return edns_ ? kOptFixedSize + edns_options_size_ : 0;
}

std::size_t MessageBuilder::record_limit() const {
    const std::size_t held = opt_size() + tail_reserve_;
    return limit_ > held ? limit_ - held : 0;
}

std::size_t MessageBuilder::available() const {
    const std::size_t end = record_limit();
    return end > size_ ? end - size_ : 0;
}

bool MessageBuilder::set_edns(std::uint16_t udp_payload, bool dnssec_ok, std::uint8_t version) {
    if (!edns_ && size_ + kOptFixedSize + tail_reserve_ > limit_) return false;
    edns_ = true;
    edns_payload_ = udp_payload;
    edns_do_ = dnssec_ok;
    edns_version_ = version;
    return true;
}

bool MessageBuilder::add_edns_option(std::uint16_t code, std::span<const std::uint8_t> data) {
    const std::size_t needed = kEdnsOptionHeaderSize + data.size();
    if (!edns_ || edns_options_size_ + needed > edns_options_.size() || needed > available()) return false;
    std::uint8_t* out = edns_options_.data() + edns_options_size_;
    put_u16(out, code);
    put_u16(out + 2, static_cast<std::uint16_t>(data.size()));
    if (!data.empty()) std::memcpy(out + 4, data.data(), data.size());
    edns_options_size_ += needed;
    return true;
}

bool MessageBuilder::add_ede(EdeCode code, std::string_view extra_text) {
    std::array<std::uint8_t, 2 + 256> payload{};
    if (extra_text.size() > payload.size() - 2) extra_text = extra_text.substr(0, payload.size() - 2);
    put_u16(payload.data(), static_cast<std::uint16_t>(code));
    if (!extra_text.empty()) std::memcpy(payload.data() + 2, extra_text.data(), extra_text.size());
    return add_edns_option(static_cast<std::uint16_t>(EdnsOptionCode::EDE),
                           std::span<const std::uint8_t>(payload.data(), 2 + extra_text.size()));
}

bool MessageBuilder::add_expire(std::uint32_t seconds) {
    std::array<std::uint8_t, 4> payload{};
    put_u32(payload.data(), seconds);
    return add_edns_option(static_cast<std::uint16_t>(EdnsOptionCode::EXPIRE), payload);
}

void MessageBuilder::restore(const State& s) {
    size_ = s.size;
    entry_count_ = s.entries;
    counts_ = s.counts;
}

bool MessageBuilder::add_question(std::span<const std::uint8_t> qname, RRType type, RRClass qclass) {
    if (section_ != Section::Question) throw std::logic_error("question added after records");
    const State before = state();
    if (!write_name(qname, true) || available() < 4) {
        restore(before);
        return false;
    }
    put_u16(buffer_ + size_, static_cast<std::uint16_t>(type));
    put_u16(buffer_ + size_ + 2, static_cast<std::uint16_t>(qclass));
    size_ += 4;
    ++counts_[0];
    question_end_ = size_;
    question_entries_ = entry_count_;
    return true;
}

void MessageBuilder::start_section(Section section) {
    if (section < section_) throw std::logic_error("message sections must be added in order");
    section_ = section;
}

void MessageBuilder::begin_rrset() {
    rrset_start_ = state();
}
void MessageBuilder::commit() {
    rrset_start_ = state();
}
void MessageBuilder::rollback() {
    restore(rrset_start_);
}

bool MessageBuilder::add_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass,
                            std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
    if (section_ == Section::Question) throw std::logic_error("record added before start_section()");
    const State before = state();
    if (!write_name(owner, true) || available() < kRecordFixedSize) {
        restore(before);
        return false;
    }
    std::uint8_t* fixed = buffer_ + size_;
    put_u16(fixed, static_cast<std::uint16_t>(type));
    put_u16(fixed + 2, static_cast<std::uint16_t>(rclass));
    put_u32(fixed + 4, ttl);
    size_ += kRecordFixedSize;
    const std::size_t rdata_start = size_;
    if (!write_rdata(type, rdata)) {
        restore(before);
        return false;
    }
    put_u16(buffer_ + rdata_start - 2, static_cast<std::uint16_t>(size_ - rdata_start));
    ++counts_[static_cast<std::size_t>(section_)];
    return true;
}

bool MessageBuilder::write_rdata(RRType type, std::span<const std::uint8_t> rdata) {
    if (!rdata_names_compressible(type)) {
        if (rdata.size() > available()) return false;
        if (!rdata.empty()) std::memcpy(buffer_ + size_, rdata.data(), rdata.size());
        size_ += rdata.size();
        return true;
    }
    struct Embedded {
        std::size_t offset;
        std::size_t length;
    };
    std::array<Embedded, kMaxRdataNames> names{};
    std::size_t name_count = 0;
    auto* names_ptr = &names;
    auto* count_ptr = &name_count;
    for_each_rdata_name(type, rdata, [names_ptr, count_ptr](std::size_t offset, std::size_t length) {
        if (*count_ptr < kMaxRdataNames) (*names_ptr)[(*count_ptr)++] = {offset, length};
    });
    std::size_t pos = 0;
    for (std::size_t i = 0; i <= name_count; ++i) {
        const std::size_t literal_end = i < name_count ? names[i].offset : rdata.size();
        const std::size_t literal = literal_end - pos;
        if (literal > available()) return false;
        if (literal != 0) std::memcpy(buffer_ + size_, rdata.data() + pos, literal);
        size_ += literal;
        pos = literal_end;
        if (i < name_count) {
            if (!write_name(rdata.subspan(names[i].offset, names[i].length), true)) return false;
            pos += names[i].length;
        }
    }
    return true;
}

bool MessageBuilder::suffix_matches(std::size_t offset, std::span<const std::uint8_t> suffix) const {
    std::size_t pos = offset;
    std::size_t at = 0;
    while (true) {
        std::uint8_t len = buffer_[pos];
        while ((len & 0xC0) == 0xC0) {
            pos = (static_cast<std::size_t>(len & 0x3F) << 8) | buffer_[pos + 1];
            len = buffer_[pos];
        }
        if (len != suffix[at]) return false;
        if (len == 0) return true;
        for (std::size_t i = 1; i <= len; ++i) {
            if (lower_ascii(buffer_[pos + i]) != lower_ascii(suffix[at + i])) return false;
        }
        pos += 1 + len;
        at += 1 + len;
    }
}

bool MessageBuilder::write_name(std::span<const std::uint8_t> name, bool compress) {
    std::array<std::uint8_t, 128> label_at{};
    std::size_t labels = 0;
    for (std::size_t pos = 0; pos < name.size() && name[pos] != 0; pos += 1 + name[pos]) {
        label_at[labels++] = static_cast<std::uint8_t>(pos);
    }

    // The longest suffix already in the message, found by trying suffixes from the longest down.
    std::size_t literal_labels = labels;
    std::size_t pointer = 0;
    if (compress) {
        for (std::size_t first = 0; first < labels && literal_labels == labels; ++first) {
            const auto suffix_labels = static_cast<std::uint8_t>(labels - first);
            const auto suffix = name.subspan(label_at[first]);
            for (std::size_t e = 0; e < entry_count_; ++e) {
                if (entries_[e].labels == suffix_labels && suffix_matches(entries_[e].offset, suffix)) {
                    literal_labels = first;
                    pointer = entries_[e].offset;
                    break;
                }
            }
        }
    }

    const std::size_t literal_size = literal_labels == labels ? name.size() - 1 : label_at[literal_labels];
    const std::size_t total = literal_size + (literal_labels == labels ? 1 : 2);
    if (total > available()) return false;
    for (std::size_t i = 0; i < literal_labels; ++i) {
        const std::size_t at = size_ + label_at[i];
        if (compress && at < kPointerLimit && entry_count_ < kCompressionCapacity) {
            entries_[entry_count_++] = {static_cast<std::uint16_t>(at),
                                        static_cast<std::uint8_t>(labels - i)};
        }
    }
    if (literal_size != 0) std::memcpy(buffer_ + size_, name.data(), literal_size);
    size_ += literal_size;
    if (literal_labels == labels) {
        buffer_[size_++] = 0;
    } else {
        put_u16(buffer_ + size_, static_cast<std::uint16_t>(0xC000 | pointer));
        size_ += 2;
    }
    return true;
}

std::span<const std::uint8_t> MessageBuilder::finish() {
    Header h = header_;
    h.qdcount = counts_[0];
    h.ancount = counts_[1];
    h.nscount = counts_[2];
    h.arcount = counts_[3];
    std::size_t end = size_;
    if (edns_) {
        std::uint8_t* opt = buffer_ + end;
        opt[0] = 0;  // root owner
        put_u16(opt + 1, static_cast<std::uint16_t>(RRType::OPT));
        put_u16(opt + 3, edns_payload_);
        const std::uint32_t ttl = (std::uint32_t{static_cast<std::uint8_t>(rcode_high_)} << 24) |
                                  (std::uint32_t{edns_version_} << 16) | (edns_do_ ? kEdnsFlagDo : 0u);
        put_u32(opt + 5, ttl);
        put_u16(opt + 9, static_cast<std::uint16_t>(edns_options_size_));
        if (edns_options_size_ != 0)
            std::memcpy(opt + kOptFixedSize, edns_options_.data(), edns_options_size_);
        end += opt_size();
        ++h.arcount;
    }
    h.write(buffer_);
    return {buffer_, end};
}

void MessageBuilder::restart_after_question() {
    size_ = question_end_;
    entry_count_ = question_entries_;
    counts_ = {counts_[0], 0, 0, 0};
    section_ = Section::Question;
    rrset_start_ = state();
}

}  // namespace cairn::dns
