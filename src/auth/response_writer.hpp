// Writes response sections into the caller's buffer without allocating. Zone RRsets are stored
// pre-rendered with the owner as a pointer to the question name (C0 0C), so placing one is a bounds check,
// a memcpy and, when the owner is another name already in the message, a patch of each owner pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "zone/zone.hpp"

namespace cairn::auth {

enum SectionIndex : std::uint8_t { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

inline constexpr std::size_t kMaxPointerTarget = 0x3FFF;

inline void store16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

inline void store32(std::uint8_t* p, std::uint32_t v) {
    store16(p, static_cast<std::uint16_t>(v >> 16));
    store16(p + 2, static_cast<std::uint16_t>(v));
}

// A name that is already in the message uncompressed at `offset` (the question name, or a name inside
// rdata we wrote), with its wire form for the rare case that the offset is beyond pointer reach.
struct NameRef {
    std::size_t offset = 12;
    std::span<const std::uint8_t> wire;
};

class ResponseWriter {
  public:
    ResponseWriter(std::uint8_t* buffer, std::size_t start, std::size_t limit)
        : buf_(buffer), pos_(start), limit_(limit) {}

    std::size_t size() const { return pos_; }
    std::size_t limit() const { return limit_; }
    std::uint16_t count(SectionIndex s) const { return count_[s]; }
    std::uint8_t* data() { return buf_; }
    bool fits(std::size_t n) const { return limit_ - pos_ >= n; }

    // Places an RRset with the given owner. Returns the message offset of its first RR, or kFailed when
    // it does not fit (nothing is written then). `compact` tells whether the RRset kept its stored layout,
    // so that offsets inside it (additional links) are valid.
    static constexpr std::size_t kFailed = ~std::size_t{0};
    std::size_t put_rrset(const zone::Zone& z, const zone::RRset& set, const NameRef& owner,
                          SectionIndex section, bool& compact, std::uint32_t ttl_override = 0,
                          bool override_ttl = false) {
        const std::size_t start = pos_;
        if (owner.offset <= kMaxPointerTarget) {
            // The compressed rendering when its inner pointers stay within reach, else the plain one.
            const zone::PackedRRset* packed = z.packed(set);
            if (packed != nullptr && start + packed->max_inner > kMaxPointerTarget) packed = nullptr;
            const auto w = packed ? z.wire(*packed) : z.wire(set);
            if (!fits(w.size())) return kFailed;
            std::memcpy(buf_ + pos_, w.data(), w.size());
            if (owner.offset != 12 || override_ttl) {
                const auto pointer = static_cast<std::uint16_t>(0xC000 | owner.offset);
                std::size_t at = pos_;
                const std::size_t end = pos_ + w.size();
                while (at < end) {
                    store16(buf_ + at, pointer);
                    if (override_ttl) store32(buf_ + at + 6, ttl_override);
                    at += zone::kRRHeaderSize + ((buf_[at + 10] << 8) | buf_[at + 11]);
                }
            }
            if (packed) {
                const std::size_t owner_end = owner.offset + owner.wire.size();
                for (const zone::RdataPointer& p : z.pointers(*packed)) {
                    const std::size_t target =
                        p.kind == zone::RdataPointer::owner_suffix ? owner_end - p.value : start + p.value;
                    store16(buf_ + start + p.at, static_cast<std::uint16_t>(0xC000 | target));
                }
            }
            pos_ += w.size();
            // Additional links point into the packed rendering when there is one.
            compact = packed != nullptr || z.packed(set) == nullptr;
        } else {
            // Owner out of pointer reach: write it in full before each RR.
            const auto w = z.wire(set);
            const std::size_t need = w.size() + set.count * (owner.wire.size() - 2);
            if (!fits(need)) return kFailed;
            std::size_t at = 0;
            while (at < w.size()) {
                const std::size_t rr_size = zone::kRRHeaderSize + ((w[at + 10] << 8) | w[at + 11]);
                std::memcpy(buf_ + pos_, owner.wire.data(), owner.wire.size());
                pos_ += owner.wire.size();
                std::memcpy(buf_ + pos_, w.data() + at + 2, rr_size - 2);
                if (override_ttl) store32(buf_ + pos_ + 4, ttl_override);
                pos_ += rr_size - 2;
                at += rr_size;
            }
            compact = false;
        }
        count_[section] = static_cast<std::uint16_t>(count_[section] + set.count);
        return start;
    }

    // Writes an owner (pointer when reachable) and the fixed RR fields; returns the rdata offset or
    // kFailed when `rdlength` more octets would not fit.
    std::size_t put_rr_header(const NameRef& owner, std::uint16_t type, std::uint16_t rclass,
                              std::uint32_t ttl, std::size_t rdlength, SectionIndex section) {
        const std::size_t owner_size = owner.offset <= kMaxPointerTarget ? 2 : owner.wire.size();
        if (!fits(owner_size + 10 + rdlength)) return kFailed;
        if (owner.offset <= kMaxPointerTarget) {
            store16(buf_ + pos_, static_cast<std::uint16_t>(0xC000 | owner.offset));
        } else {
            std::memcpy(buf_ + pos_, owner.wire.data(), owner.wire.size());
        }
        pos_ += owner_size;
        store16(buf_ + pos_, type);
        store16(buf_ + pos_ + 2, rclass);
        store32(buf_ + pos_ + 4, ttl);
        store16(buf_ + pos_ + 8, static_cast<std::uint16_t>(rdlength));
        pos_ += 10;
        ++count_[section];
        return pos_;
    }
    void advance(std::size_t n) { pos_ += n; }  // after put_rr_header: rdata written in place

    // Section order is answer, authority, additional; rolling back to a mark undoes whole records.
    struct Mark {
        std::size_t pos;
        std::uint16_t count[3];
    };
    Mark mark() const { return {pos_, {count_[0], count_[1], count_[2]}}; }
    void rollback(const Mark& m) {
        pos_ = m.pos;
        for (int i = 0; i < 3; ++i)
            count_[i] = m.count[i];
    }

    // Raises the limit (the OPT record is written into the space reserved for it).
    void set_limit(std::size_t limit) { limit_ = limit; }

  private:
    std::uint8_t* buf_;
    std::size_t pos_;
    std::size_t limit_;
    std::uint16_t count_[3] = {0, 0, 0};
};

}  // namespace cairn::auth
