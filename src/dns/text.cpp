#include "dns/text.hpp"

#include <array>

#include "dns/name.hpp"

namespace cairn::dns {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase32HexAlphabet = "0123456789abcdefghijklmnopqrstuv";

// Maps an ASCII character to its value in an alphabet; 0xFF when absent.
constexpr std::array<std::uint8_t, 256> make_reverse(std::string_view alphabet, bool fold_case) {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table)
        v = 0xFF;
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        const auto c = static_cast<unsigned char>(alphabet[i]);
        table[c] = static_cast<std::uint8_t>(i);
        if (fold_case && c >= 'a' && c <= 'z') table[c - 32] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr auto kBase64Reverse = make_reverse(kBase64Alphabet, false);
constexpr auto kBase32HexReverse = make_reverse(kBase32HexAlphabet, true);
constexpr auto kHexReverse = make_reverse("0123456789abcdef", true);

}  // namespace

std::uint8_t read_escape(std::string_view text, std::size_t& i) {
    const auto quoted = [text] { return "'" + std::string(text) + "'"; };
    if (i >= text.size()) throw ParseError("lone backslash at the end of " + quoted());
    const char c = text[i];
    if (c < '0' || c > '9') {
        ++i;
        return static_cast<std::uint8_t>(c);
    }
    if (i + 3 > text.size()) throw ParseError("\\DDD escape needs three digits in " + quoted());
    unsigned value = 0;
    for (std::size_t k = 0; k < 3; ++k) {
        const char d = text[i + k];
        if (d < '0' || d > '9') throw ParseError("\\DDD escape needs three digits in " + quoted());
        value = value * 10 + static_cast<unsigned>(d - '0');
    }
    if (value > 255) throw ParseError("\\DDD escape above 255 in " + quoted());
    i += 3;
    return static_cast<std::uint8_t>(value);
}

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    if (text.size() <= 19) {
        // Cannot overflow 64 bits: the common case, with no per-digit overflow checks.
        for (const char c : text) {
            const auto digit = static_cast<unsigned>(c - '0');
            if (digit > 9) return std::nullopt;
            value = value * 10 + digit;
        }
    } else {
        for (const char c : text) {
            const auto digit = static_cast<unsigned>(c - '0');
            if (digit > 9) return std::nullopt;
            if (__builtin_mul_overflow(value, 10U, &value) || __builtin_add_overflow(value, digit, &value)) {
                return std::nullopt;
            }
        }
    }
    if (value > max) return std::nullopt;
    return value;
}

std::optional<std::uint32_t> parse_ttl(std::string_view text) {
    if (text.empty() || text.size() > 63) return std::nullopt;
    std::uint64_t total = 0;
    bool had_unit = false;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
            ++i;
        const auto number = parse_decimal(text.substr(start, i - start), 0xFFFFFFFFULL);
        if (!number) return std::nullopt;
        if (i == text.size()) {
            if (had_unit) return std::nullopt;  // "1h30": BIND rejects a bare number after a unit
            total = *number;
            break;
        }
        std::uint64_t unit = 0;
        switch (text[i]) {
            case 'w':
            case 'W':
                unit = 7 * 24 * 3600;
                break;
            case 'd':
            case 'D':
                unit = 24 * 3600;
                break;
            case 'h':
            case 'H':
                unit = 3600;
                break;
            case 'm':
            case 'M':
                unit = 60;
                break;
            case 's':
            case 'S':
                unit = 1;
                break;
            default:
                return std::nullopt;
        }
        ++i;
        had_unit = true;
        total += *number * unit;
        if (total > 0xFFFFFFFFULL) return std::nullopt;
    }
    return static_cast<std::uint32_t>(total);
}

std::string ttl_to_text(std::uint32_t ttl) {
    return std::to_string(ttl);
}

std::string duration_to_text(std::uint32_t seconds) {
    if (seconds == 0) return "0s";
    static constexpr std::array<std::pair<std::uint32_t, char>, 5> kUnits{
        {{7 * 24 * 3600, 'w'}, {24 * 3600, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
    std::string out;
    for (const auto& [size, letter] : kUnits) {
        if (seconds >= size) {
            out += std::to_string(seconds / size);
            out.push_back(letter);
            seconds %= size;
        }
    }
    return out;
}

void append_unescaped(std::string_view token, std::vector<std::uint8_t>& out) {
    for (std::size_t i = 0; i < token.size();) {
        if (token[i] == '\\') {
            ++i;
            out.push_back(read_escape(token, i));
        } else {
            out.push_back(static_cast<std::uint8_t>(token[i++]));
        }
    }
}

void append_character_string(std::string_view token, std::vector<std::uint8_t>& out) {
    const std::size_t length_at = out.size();
    out.push_back(0);
    append_unescaped(token, out);
    const std::size_t length = out.size() - length_at - 1;
    if (length > 255) {
        out.resize(length_at);
        throw ParseError("character-string longer than 255 octets");
    }
    out[length_at] = static_cast<std::uint8_t>(length);
}

void append_quoted_text(std::string& out, std::span<const std::uint8_t> data) {
    out.push_back('"');
    for (const auto c : data) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c > 0x7E) {
            append_decimal_escape(out, c);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

void append_base64(std::string& out, std::span<const std::uint8_t> data) {
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v =
            (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out.push_back(kBase64Alphabet[(v >> 18) & 63]);
        out.push_back(kBase64Alphabet[(v >> 12) & 63]);
        out.push_back(kBase64Alphabet[(v >> 6) & 63]);
        out.push_back(kBase64Alphabet[v & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest == 0) return;
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
}

bool Base64Decoder::feed(std::string_view text) {
    std::size_t i = 0;
    if (count_ == 0 && !ended_) {
        // Fast path: whole quads without padding, written with one resize.
        const std::size_t quads = text.size() / 4;
        const std::size_t base = out_.size();
        out_.resize(base + quads * 3);
        std::uint8_t* dst = out_.data() + base;
        for (; i + 4 <= text.size(); i += 4) {
            const auto a = kBase64Reverse[static_cast<unsigned char>(text[i])];
            const auto b = kBase64Reverse[static_cast<unsigned char>(text[i + 1])];
            const auto c = kBase64Reverse[static_cast<unsigned char>(text[i + 2])];
            const auto d = kBase64Reverse[static_cast<unsigned char>(text[i + 3])];
            if ((a | b | c | d) & 0xC0) break;  // padding or a bad character: the careful path decides
            const std::uint32_t v =
                (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
            *dst++ = static_cast<std::uint8_t>(v >> 16);
            *dst++ = static_cast<std::uint8_t>(v >> 8);
            *dst++ = static_cast<std::uint8_t>(v);
        }
        out_.resize(static_cast<std::size_t>(dst - out_.data()));
    }
    for (const char ch : text.substr(i)) {
        if (ended_) return false;
        const auto c = static_cast<unsigned char>(ch);
        if (c == '=') {
            if (count_ < 2) return false;
            ++padding_;
            quad_ <<= 6;
        } else {
            const auto d = kBase64Reverse[c];
            if (d == 0xFF || padding_) return false;
            quad_ = (quad_ << 6) | d;
        }
        if (++count_ == 4) {
            out_.push_back(static_cast<std::uint8_t>(quad_ >> 16));
            if (padding_ < 2) out_.push_back(static_cast<std::uint8_t>(quad_ >> 8));
            if (padding_ < 1) out_.push_back(static_cast<std::uint8_t>(quad_));
            ended_ = padding_ > 0;
            count_ = 0;
            padding_ = 0;
            quad_ = 0;
        }
    }
    return true;
}

bool decode_base64(std::string_view text, std::vector<std::uint8_t>& out) {
    Base64Decoder decoder(out);
    return decoder.feed(text) && decoder.finish();
}

bool HexDecoder::feed(std::string_view text) {
    for (const char ch : text) {
        const auto d = kHexReverse[static_cast<unsigned char>(ch)];
        if (d == 0xFF) return false;
        if (half_) {
            out_.push_back(static_cast<std::uint8_t>((high_ << 4) | d));
        } else {
            high_ = d;
        }
        half_ = !half_;
    }
    return true;
}

void append_base32hex(std::string& out, std::span<const std::uint8_t> data, bool uppercase) {
    const std::string_view alphabet = uppercase ? "0123456789ABCDEFGHIJKLMNOPQRSTUV" : kBase32HexAlphabet;
    std::uint64_t buffer = 0;
    int bits = 0;
    for (const auto c : data) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(alphabet[(buffer >> bits) & 31]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
}

bool decode_base32hex(std::string_view text, std::vector<std::uint8_t>& out) {
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    // Valid unpadded lengths leave 0, 2, 4, 5 or 7 characters in the last group of 8.
    const std::size_t tail = text.size() % 8;
    if (tail == 1 || tail == 3 || tail == 6) return false;
    std::uint64_t buffer = 0;
    int bits = 0;
    for (const char ch : text) {
        const auto d = kBase32HexReverse[static_cast<unsigned char>(ch)];
        if (d == 0xFF) return false;
        buffer = (buffer << 5) | d;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits));
        }
    }
    // Leftover bits must be zero, as RFC 4648 §3.5 requires of canonical encoders.
    return (buffer & ((1u << bits) - 1)) == 0;
}

void append_hex(std::string& out, std::span<const std::uint8_t> data, bool uppercase) {
    const char* digits = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
    for (const auto c : data) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
}

bool decode_hex(std::string_view text, std::vector<std::uint8_t>& out) {
    HexDecoder decoder(out);
    return decoder.feed(text) && decoder.finish();
}

}  // namespace cairn::dns
