// A query name prepared once for every lookup on the hot path: lowercased wire, label offsets and the hash
// of every suffix, so that the zone table and the zone database probe without hashing a name twice.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace cairn::zone {

// Hash of a lowercased uncompressed wire name. Computed right to left so that one pass over a name yields
// the hash of each of its suffixes (every ancestor); the final mix is applied per suffix.
class SuffixHasher {
  public:
    static constexpr std::uint64_t kSeed = 1469598103934665603ULL;
    static constexpr std::uint64_t kPrime = 1099511628211ULL;
    static constexpr std::uint64_t finish(std::uint64_t state) {
        state ^= state >> 29;
        state *= 0xbf58476d1ce4e5b9ULL;
        return state ^ (state >> 32);
    }
    // The hash of a whole lowercased wire name (the same value LookupName gives for its suffix).
    static std::uint64_t hash(std::span<const std::uint8_t> wire) {
        std::uint64_t h = kSeed;
        for (std::size_t i = wire.size(); i-- > 0;)
            h = (h ^ wire[i]) * kPrime;
        return finish(h);
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
        labels_ = 0;
        while (true) {
            if (pos >= n) return false;
            const std::uint8_t len = lowered_wire[pos];
            if (len == 0) break;
            if (len > 63) return false;
            label_offset_[labels_++] = static_cast<std::uint8_t>(pos);
            pos += 1 + len;
        }
        if (pos + 1 != n) return false;
        wire_ = lowered_wire.data();
        size_ = static_cast<std::uint8_t>(n);
        label_offset_[labels_] = static_cast<std::uint8_t>(pos);  // the root label
        std::uint64_t h = SuffixHasher::kSeed;
        std::size_t i = n;
        for (std::size_t label = labels_ + 1; label-- > 0;) {
            const std::size_t start = label_offset_[label];
            while (i > start)
                h = (h ^ lowered_wire[--i]) * SuffixHasher::kPrime;
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
