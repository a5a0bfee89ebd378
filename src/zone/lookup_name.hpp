// A query name prepared once for every lookup on the hot path: lowercased wire, label offsets and the hash
// of every suffix, so that the zone table and the zone database probe without hashing a name twice.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace cairn::zone {

// Hash of a lowercased uncompressed wire name. Labels are taken right to left so that one pass over a name
// yields the hash of each of its suffixes (every ancestor); the final mix is applied per suffix. Each label
// (its length octet and text) is folded in eight octets at a time, read little-endian and zero-padded: the
// length octet makes the padding unambiguous.
class SuffixHasher {
  public:
    static constexpr std::uint64_t kSeed = 1469598103934665603ULL;
    static constexpr std::uint64_t kPrime = 0x9E3779B97F4A7C15ULL;
    static constexpr std::uint64_t finish(std::uint64_t state) {
        state ^= state >> 29;
        state *= 0xbf58476d1ce4e5b9ULL;
        return state ^ (state >> 32);
    }
    // Folds the label at [begin, end) of `name` (`size` octets in all, readable) into `state`.
    static std::uint64_t fold_label(std::uint64_t state, const std::uint8_t* name, std::size_t size,
                                    std::size_t begin, std::size_t end) {
        std::size_t at = begin;
        do {
            const std::size_t take = end - at < 8 ? end - at : 8;
            const std::uint64_t chunk = load(name, size, at) & (~std::uint64_t{0} >> (64 - 8 * take));
            state = (state ^ chunk) * kPrime;
            state = (state << 27) | (state >> 37);
            at += 8;
        } while (at < end);
        return state;
    }
    // The hash of a whole lowercased wire name (the same value LookupName gives for its suffix).
    static std::uint64_t hash(std::span<const std::uint8_t> wire) {
        std::uint8_t offsets[256];
        std::size_t labels = 0;
        for (std::size_t pos = 0; pos < wire.size(); pos += 1 + wire[pos])
            offsets[labels++] = static_cast<std::uint8_t>(pos);
        std::uint64_t h = kSeed;
        std::size_t end = wire.size();
        while (labels-- > 0) {
            h = fold_label(h, wire.data(), wire.size(), offsets[labels], end);
            end = offsets[labels];
        }
        return finish(h);
    }

  private:
    // Up to eight octets from `at` on, little-endian, zero beyond `size`; never reads outside [0, size).
    static std::uint64_t load(const std::uint8_t* name, std::size_t size, std::size_t at) {
        std::uint64_t v = 0;
        if (at + 8 <= size) {
            std::memcpy(&v, name + at, 8);
            return little_endian(v);
        }
        if (size >= 8) {
            std::memcpy(&v, name + size - 8, 8);
            return little_endian(v) >> (8 * (at + 8 - size));
        }
        for (std::size_t i = at; i < size; ++i)
            v |= std::uint64_t{name[i]} << (8 * (i - at));
        return v;
    }
    static std::uint64_t little_endian(std::uint64_t v) {
        if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(v);
        return v;
    }
};

class LookupName {
  public:
    static constexpr std::size_t kMaxLabels = 128;

    // Takes an uncompressed wire name whose ASCII letters are already lowercased. Returns false (and
    // leaves the object unusable) when the bytes are not exactly one valid name.
    bool assign(std::span<const std::uint8_t> lowered_wire) {
        const std::size_t n = lowered_wire.size();
        if (n == 0 || n > 255) return false;
        std::size_t pos = 0;
        std::size_t labels = 0;  // a local: stores to label_offset_ (octets) could alias a member counter
        while (true) {
            if (pos >= n) return false;
            const std::uint8_t len = lowered_wire[pos];
            if (len == 0) break;
            if (len > 63) return false;
            label_offset_[labels++] = static_cast<std::uint8_t>(pos);
            pos += 1 + len;
        }
        if (pos + 1 != n) return false;
        labels_ = labels;
        wire_ = lowered_wire.data();
        size_ = static_cast<std::uint8_t>(n);
        label_offset_[labels] = static_cast<std::uint8_t>(pos);  // the root label
        std::uint64_t h = SuffixHasher::kSeed;
        std::size_t end = n;
        for (std::size_t label = labels + 1; label-- > 0;) {
            const std::size_t start = label_offset_[label];
            h = SuffixHasher::fold_label(h, lowered_wire.data(), n, start, end);
            end = start;
            suffix_hash_[label] = SuffixHasher::finish(h);
        }
        return true;
    }

    std::size_t labels() const { return labels_; }  // root not counted
    std::size_t size() const { return size_; }
    std::span<const std::uint8_t> wire() const { return {wire_, size_}; }
    // The name with its `skip` leftmost labels removed (skip == labels() gives the root).
    std::span<const std::uint8_t> suffix(std::size_t skip) const {
        return {wire_ + label_offset_[skip], static_cast<std::size_t>(size_ - label_offset_[skip])};
    }
    std::uint64_t suffix_hash(std::size_t skip) const { return suffix_hash_[skip]; }
    std::size_t offset_of_label(std::size_t skip) const { return label_offset_[skip]; }

  private:
    // Deliberately left uninitialized: assign() fills the entries in use, and zeroing 1 KiB per query
    // would cost more than the lookup.
    const std::uint8_t* wire_ = nullptr;
    std::uint8_t size_ = 0;
    std::size_t labels_ = 0;
    std::array<std::uint8_t, kMaxLabels + 1> label_offset_;
    std::array<std::uint64_t, kMaxLabels + 1> suffix_hash_;
};

}  // namespace cairn::zone
