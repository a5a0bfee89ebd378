#include "dns/message_builder.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "dns/rdata.hpp"

namespace cairn::dns {
namespace {

constexpr std::size_t kPointerLimit = 0x4000;  // compression pointers hold 14 bits of offset
constexpr std::size_t kRecordFixedSize = 10;   // type, class, ttl, rdlength

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
    drop_entries_from(0);
    last_owner_size_ = 0;
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
    if (last_owner_at_ >= s.size) last_owner_size_ = 0;
    size_ = s.size;
    drop_entries_from(s.entries);
    counts_ = s.counts;
}

bool MessageBuilder::add_question(std::span<const std::uint8_t> qname, RRType type, RRClass qclass) {
    if (section_ != Section::Question) throw std::logic_error("question added after records");
    const State before = state();
    if (!write_name(qname) || available() < 4) {
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

bool MessageBuilder::start_response(const ParsedQuery& query, std::uint16_t server_udp_payload, bool tcp) {
    header_.id = query.header.id;
    header_.opcode = query.header.opcode;
    header_.rd = query.header.rd;
    header_.cd = query.header.cd;
    header_.qr = true;
    if (tcp) {
        set_limit(kMaxMessageSize);
    } else if (query.edns.present) {
        set_limit(std::min(query.edns.effective_udp_payload(), std::max(server_udp_payload, kMinUdpPayload)));
    } else {
        set_limit(kMinUdpPayload);
    }
    if (query.edns.present && !set_edns(server_udp_payload, query.edns.dnssec_ok)) return false;
    return !query.has_question || add_question(query.qname, query.qtype, query.qclass);
}

bool MessageBuilder::add_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass,
                            std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
    if (!rdata_names_compressible(type)) return write_rr(owner, type, rclass, ttl, rdata, nullptr, 0);
    struct Found {
        std::array<RdataNameRef, kMaxRdataNames> names{};
        std::size_t count = 0;
    } found;
    Found* sink = &found;  // one pointer: the std::function keeps it inline, with no allocation
    for_each_rdata_name(type, rdata, [sink](std::size_t offset, std::size_t length) {
        if (sink->count < kMaxRdataNames) {
            sink->names[sink->count++] = {static_cast<std::uint16_t>(offset),
                                          static_cast<std::uint16_t>(length)};
        }
    });
    return write_rr(owner, type, rclass, ttl, rdata, found.names.data(), found.count);
}

bool MessageBuilder::add_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass,
                            std::uint32_t ttl, std::span<const std::uint8_t> rdata,
                            std::span<const RdataNameRef> rdata_names) {
    const bool compress = rdata_names_compressible(type);
    return write_rr(owner, type, rclass, ttl, rdata, rdata_names.data(), compress ? rdata_names.size() : 0);
}

bool MessageBuilder::write_rr(std::span<const std::uint8_t> owner, RRType type, RRClass rclass,
                              std::uint32_t ttl, std::span<const std::uint8_t> rdata,
                              const RdataNameRef* names, std::size_t name_count) {
    if (section_ == Section::Question) throw std::logic_error("record added before start_section()");
    const State before = state();
    if (!write_owner(owner) || available() < kRecordFixedSize) {
        restore(before);
        return false;
    }
    std::uint8_t* fixed = buffer_ + size_;
    put_u16(fixed, static_cast<std::uint16_t>(type));
    put_u16(fixed + 2, static_cast<std::uint16_t>(rclass));
    put_u32(fixed + 4, ttl);
    size_ += kRecordFixedSize;
    const std::size_t rdata_start = size_;
    if (!write_rdata(rdata, names, name_count)) {
        restore(before);
        return false;
    }
    put_u16(buffer_ + rdata_start - 2, static_cast<std::uint16_t>(size_ - rdata_start));
    ++counts_[static_cast<std::size_t>(section_)];
    return true;
}

// Copies rdata, writing the listed embedded names through the compressor and the rest verbatim.
bool MessageBuilder::write_rdata(std::span<const std::uint8_t> rdata, const RdataNameRef* names,
                                 std::size_t name_count) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i <= name_count; ++i) {
        const std::size_t literal_end = i < name_count ? names[i].offset : rdata.size();
        if (literal_end < pos || literal_end > rdata.size()) return false;  // names out of order or range
        const std::size_t literal = literal_end - pos;
        if (literal > available()) return false;
        if (literal != 0) std::memcpy(buffer_ + size_, rdata.data() + pos, literal);
        size_ += literal;
        pos = literal_end;
        if (i < name_count) {
            if (names[i].length > rdata.size() - pos) return false;
            if (!write_name(rdata.subspan(pos, names[i].length))) return false;
            pos += names[i].length;
        }
    }
    return true;
}

bool MessageBuilder::write_owner(std::span<const std::uint8_t> owner) {
    if (owner.size() > 1 && owner.size() == last_owner_size_ &&
        std::memcmp(owner.data(), last_owner_.data(), owner.size()) == 0) {
        if (available() < 2) return false;
        put_u16(buffer_ + size_, static_cast<std::uint16_t>(0xC000 | last_owner_at_));
        size_ += 2;
        return true;
    }
    std::size_t at = 0;
    if (!write_name(owner, &at)) return false;
    if (at < kPointerLimit && owner.size() > 1) {
        std::memcpy(last_owner_.data(), owner.data(), owner.size());
        last_owner_size_ = owner.size();
        last_owner_at_ = at;
    } else {
        last_owner_size_ = 0;
    }
    return true;
}

void MessageBuilder::drop_entries_from(std::size_t count) {
    while (entry_count_ > count)
        slots_[entries_[--entry_count_].slot] = 0;
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
        const std::uint8_t* a = buffer_ + pos + 1;
        const std::uint8_t* b = suffix.data() + at + 1;
        for (std::size_t i = 0; i < len; ++i) {
            if (a[i] != b[i] && lower_ascii(a[i]) != lower_ascii(b[i])) return false;
        }
        pos += 1 + len;
        at += 1 + len;
    }
}

// Writes `name` compressed; `written_at`, when given, receives an offset holding the whole name without a
// leading pointer (where it starts, or where its pointer points), for later pointers to it.
bool MessageBuilder::write_name(std::span<const std::uint8_t> name, std::size_t* written_at) {
    std::array<std::uint8_t, 128> label_at;  // filled up to `labels`; not cleared, this runs per name
    std::size_t labels = 0;
    std::size_t end = 0;
    while (end < name.size() && name[end] != 0 && labels < label_at.size()) {
        if (name[end] > kMaxLabelLength) break;
        label_at[labels++] = static_cast<std::uint8_t>(end);
        end += 1 + name[end];
    }
    if (end + 1 != name.size() || name.size() > kMaxNameLength) {
        throw std::invalid_argument("MessageBuilder needs names in uncompressed wire form");
    }

    // FNV-1a hashes of every suffix, built from the root label leftwards. OR-ing 0x20 folds ASCII case
    // (and a few punctuation pairs too, which only costs a rare extra comparison).
    std::array<std::uint32_t, 128> suffix_hash;
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = labels; i-- > 0;) {
        const std::size_t at = label_at[i];
        for (std::size_t k = at; k <= at + name[at]; ++k)
            hash = (hash ^ (name[k] | 0x20u)) * 16777619u;
        suffix_hash[i] = hash;
    }

    // The longest suffix already in the message, trying suffixes from the longest down.
    std::size_t literal_labels = labels;
    std::size_t pointer = 0;
    for (std::size_t first = 0; first < labels && literal_labels == labels; ++first) {
        const std::uint32_t h = suffix_hash[first];
        const auto suffix_labels = static_cast<std::uint8_t>(labels - first);
        for (std::size_t slot = h % kCompressionSlots; slots_[slot] != 0;
             slot = (slot + 1) % kCompressionSlots) {
            const CompressionEntry& entry = entries_[slots_[slot] - 1];
            if (entry.hash == h && entry.labels == suffix_labels &&
                suffix_matches(entry.offset, name.subspan(label_at[first]))) {
                literal_labels = first;
                pointer = entry.offset;
                break;
            }
        }
    }

    const std::size_t literal_size = literal_labels == labels ? name.size() - 1 : label_at[literal_labels];
    const std::size_t total = literal_size + (literal_labels == labels ? 1 : 2);
    if (total > available()) return false;
    for (std::size_t i = 0; i < literal_labels; ++i) {
        const std::size_t at = size_ + label_at[i];
        if (at >= kPointerLimit || entry_count_ == kCompressionCapacity) break;
        std::size_t slot = suffix_hash[i] % kCompressionSlots;
        while (slots_[slot] != 0)
            slot = (slot + 1) % kCompressionSlots;
        entries_[entry_count_] = {suffix_hash[i], static_cast<std::uint16_t>(at),
                                  static_cast<std::uint8_t>(labels - i), static_cast<std::uint8_t>(slot)};
        slots_[slot] = static_cast<std::uint8_t>(++entry_count_);
    }
    if (written_at != nullptr) *written_at = literal_labels == 0 && labels != 0 ? pointer : size_;
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
    if (last_owner_at_ >= question_end_) last_owner_size_ = 0;
    size_ = question_end_;
    drop_entries_from(question_entries_);
    counts_ = {counts_[0], 0, 0, 0};
    section_ = Section::Question;
    rrset_start_ = state();
}

}  // namespace cairn::dns
