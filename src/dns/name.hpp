// Domain names (RFC 1035 §3.1, RFC 4343 case rules, RFC 4034 §6.1 canonical order).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cairn::dns {

inline constexpr std::size_t kMaxNameLength = 255;  // octets in wire form, root label included
inline constexpr std::size_t kMaxLabelLength = 63;

// Thrown for malformed presentation or wire data; the zone and config layers add file and line.
class ParseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// ASCII-only lowering: DNS names compare case-insensitively on A-Z only (RFC 4343).
constexpr std::uint8_t lower_ascii(std::uint8_t c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
// Whether two texts are equal but for ASCII case: names, mnemonics and keywords in presentation form.
constexpr bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower_ascii(static_cast<std::uint8_t>(a[i])) != lower_ascii(static_cast<std::uint8_t>(b[i]))) {
            return false;
        }
    }
    return true;
}
// The same on eight octets at once (any byte order): each byte that is A-Z gains 0x20.
constexpr std::uint64_t lower_ascii8(std::uint64_t x) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    const std::uint64_t heptets = x & ~kHigh;
    const std::uint64_t at_least_a = heptets + kOnes * (0x80 - 'A');   // high bit set where >= 'A'
    const std::uint64_t above_z = heptets + kOnes * (0x80 - 'Z' - 1);  // high bit set where > 'Z'
    const std::uint64_t upper = at_least_a & ~above_z & ~x & kHigh;
    return x | (upper >> 2);
}

// An absolute domain name held in uncompressed wire form with its original case. Comparison and hashing
// ignore ASCII case; the spelling is kept so answers echo it.
class Name {
  public:
    Name();  // the root

    // Presentation form with \. and \DDD escapes. A name without a trailing dot is relative: it is
    // completed with `origin`, and is an error when no origin is given. "@" is not handled here (it is
    // zone-file syntax). Throws ParseError.
    static Name from_text(std::string_view text, const Name* origin = nullptr);
    static Name from_text(std::string_view text, const Name& origin) { return from_text(text, &origin); }

    // Reads a possibly compressed name from a message at `offset`, advancing it past the name as it stands
    // in the message. Compression pointers must point strictly backwards, which also rules out loops.
    // Throws ParseError.
    static Name from_wire(std::span<const std::uint8_t> message, std::size_t& offset);

    // Builds from uncompressed wire bytes already known to be valid (e.g. from a zone's own storage).
    static Name from_validated_wire(std::span<const std::uint8_t> wire);

    std::string to_text() const;  // absolute, with trailing dot; "." for the root
    // "example.com": no trailing dot, as operators write names and BIND's messages print them; "." for the
    // root.
    std::string to_text_without_dot() const;
    // Relative to `origin` when below it ("@" when equal); absolute otherwise.
    std::string to_text_relative(const Name& origin) const;

    std::span<const std::uint8_t> wire() const {
        return {reinterpret_cast<const std::uint8_t*>(wire_.data()), wire_.size()};
    }
    std::size_t wire_size() const { return wire_.size(); }
    std::size_t label_count() const;  // the root label is not counted
    bool is_root() const { return wire_.size() == 1; }
    bool is_wildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }
    std::string_view label(std::size_t index) const;  // 0 is the leftmost label

    Name parent() const;                         // strips the leftmost label; the root's parent is root
    Name suffix(std::size_t labels) const;       // the rightmost `labels` labels
    Name prepend(std::string_view label) const;  // throws ParseError on length limits
    Name concat(const Name& origin) const;       // this name, treated as relative, under origin
    Name lowercased() const;

    bool is_subdomain_of(const Name& ancestor) const;  // true when equal, too
    std::size_t common_suffix_labels(const Name& other) const;

    bool operator==(const Name& other) const;
    // RFC 4034 §6.1 canonical order.
    std::strong_ordering operator<=>(const Name& other) const;
    std::size_t hash() const;  // case-insensitive

  private:
    explicit Name(std::string wire) : wire_(std::move(wire)) {}
    std::string wire_;  // uncompressed wire form, ends with the root label
};

// Compares uncompressed wire names in canonical order without building Name objects.
std::strong_ordering canonical_compare(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
bool wire_names_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
std::size_t wire_name_hash(std::span<const std::uint8_t> wire);

struct NameHash {
    std::size_t operator()(const Name& n) const { return n.hash(); }
};

// Appends the presentation form of one label (escaping specials and non-printables) to `out`.
void append_label_text(std::string& out, std::string_view label);

}  // namespace cairn::dns
