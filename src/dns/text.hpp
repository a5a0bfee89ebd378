// Presentation-format building blocks shared by the rdata codec, the zone file parser and tools: TTLs and
// durations, character-strings, and the base64 / base32hex / hex encodings of RFC 4648.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::dns {

// RFC 2181 §8: TTLs are 31-bit values; a larger value read from a zone file is treated as 0 (BIND warns
// and does the same). parse_ttl itself accepts the whole 32-bit range so callers can choose the policy.
inline constexpr std::uint32_t kMaxTtl = 0x7FFFFFFF;

// A TTL or duration as BIND reads it: plain seconds ("3600") or a sequence of NUMBER UNIT pairs with units
// w d h m s in either case ("1h30m", "1W2d"). Like BIND, a bare number may not follow a unit ("1h30"), and
// the total must fit in 32 bits. Returns nullopt for anything else.
std::optional<std::uint32_t> parse_ttl(std::string_view text);

// Plain decimal seconds, as BIND writes TTLs in zone files.
std::string ttl_to_text(std::uint32_t ttl);
// Largest-units-first form ("1w2d3h4m5s", "0s" for zero) for logs and human output; parse_ttl reads it back.
std::string duration_to_text(std::uint32_t seconds);

// A decimal number of at most `max` (no sign, no spaces). nullopt when malformed or out of range.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max);

// The escape that follows a backslash in presentation format (RFC 1035 §5.1), read from text[i] on: \DDD
// (exactly three decimal digits, at most 255) stands for that octet, \X for any other X itself. Returns the
// octet and moves `i` past the escape. Throws ParseError naming `text` when the escape is cut short or
// above 255.
std::uint8_t read_escape(std::string_view text, std::size_t& i);

// Appends `octet` as \DDD (three decimal digits), the escape for octets that have no printable form.
inline void append_decimal_escape(std::string& out, std::uint8_t octet) {
    out.push_back('\\');
    out.push_back(static_cast<char>('0' + octet / 100));
    out.push_back(static_cast<char>('0' + (octet / 10) % 10));
    out.push_back(static_cast<char>('0' + octet % 10));
}

// One character-string (RFC 1035 §5.1) from its presentation token, quotes already removed, with \X and
// \DDD escapes resolved. Appends the length octet and the octets to `out`. Throws ParseError when the
// string exceeds 255 octets or an escape is malformed.
void append_character_string(std::string_view token, std::vector<std::uint8_t>& out);
// Same escapes, without length octet or length limit (e.g. CAA value, URI target). Throws ParseError.
void append_unescaped(std::string_view token, std::vector<std::uint8_t>& out);

// BIND style: always quoted, `"` and `\` escaped, octets outside 0x20-0x7E as \DDD.
void append_quoted_text(std::string& out, std::span<const std::uint8_t> data);

// RFC 4648 encodings. Encoders append to `out`. Decoders append to `out` and return false on malformed
// input (bad character, bad padding, odd hex digit count); they ignore nothing, so callers concatenate
// tokens first when a field may be split over several.
void append_base64(std::string& out, std::span<const std::uint8_t> data);
bool decode_base64(std::string_view text, std::vector<std::uint8_t>& out);
// No padding; lowercase unless `uppercase` (BIND prints NSEC3 hashes in uppercase).
void append_base32hex(std::string& out, std::span<const std::uint8_t> data, bool uppercase = false);
bool decode_base32hex(std::string_view text,
                      std::vector<std::uint8_t>& out);  // either case, padding optional
void append_hex(std::string& out, std::span<const std::uint8_t> data, bool uppercase = true);
bool decode_hex(std::string_view text, std::vector<std::uint8_t>& out);  // either case

// Decoders fed piece by piece, for fields split over several presentation tokens at arbitrary points.
// feed() and finish() return false on malformed input; decoded octets are appended to `out` as they come.
class Base64Decoder {
  public:
    explicit Base64Decoder(std::vector<std::uint8_t>& out) : out_(out) {}
    bool feed(std::string_view text);
    bool finish() const { return count_ == 0; }  // input must end on a quad boundary

  private:
    std::vector<std::uint8_t>& out_;
    std::uint32_t quad_ = 0;
    int count_ = 0;       // characters in the current quad
    int padding_ = 0;     // '=' seen in the current quad
    bool ended_ = false;  // a padded quad was completed: nothing may follow
};

class HexDecoder {
  public:
    explicit HexDecoder(std::vector<std::uint8_t>& out) : out_(out) {}
    bool feed(std::string_view text);
    bool finish() const { return !half_; }

  private:
    std::vector<std::uint8_t>& out_;
    std::uint8_t high_ = 0;
    bool half_ = false;
};

}  // namespace cairn::dns
