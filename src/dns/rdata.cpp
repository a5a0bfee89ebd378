// The rdata engine: walks a type's field list (rdata_types.cpp) to parse presentation text, to read and
// check wire data, and to print. Field kinds with structure of their own live in rdata_special.cpp.
#include "dns/rdata.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>

#include "dns/name_text.hpp"
#include "dns/rdata_fields.hpp"
#include "dns/rdata_special.hpp"
#include "dns/text.hpp"

namespace cairn::dns {
namespace rdata_detail {

// ---------------------------------------------------------------------------------------------------------
// Shared helpers (declared in rdata_special.hpp)

[[noreturn]] void fail(RRType type, std::string_view field, std::string_view problem) {
    std::string message = type_to_text(type);
    message += ' ';
    message += field;
    message += ": ";
    message += problem;
    throw ParseError(message);
}

std::string quote(std::string_view text) {
    std::string s = "'";
    s += text;
    s += '\'';
    return s;
}

void append_name_text(std::string_view text, const Name& origin, std::vector<std::uint8_t>& out) {
    if (text == "@") {
        const auto w = origin.wire();
        out.insert(out.end(), w.begin(), w.end());
        return;
    }
    append_name_wire(text, &origin, out);
}

std::size_t read_wire_name(std::span<const std::uint8_t> data, std::size_t& pos, std::size_t end,
                           bool decompress, std::vector<std::uint8_t>* out) {
    std::size_t p = pos;
    std::size_t limit = pos;  // compression pointers must point before this
    bool jumped = false;
    std::size_t length = 0;
    while (true) {
        const std::size_t bound = jumped ? data.size() : end;
        if (p >= bound) throw ParseError("domain name runs past the end of the rdata");
        const std::uint8_t len = data[p];
        if ((len & 0xC0) == 0xC0) {
            if (!decompress) throw ParseError("compressed domain name where compression is not allowed");
            if (p + 1 >= bound) throw ParseError("truncated compression pointer");
            const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | data[p + 1];
            if (target >= limit) throw ParseError("compression pointer does not point backwards");
            if (!jumped) pos = p + 2;
            jumped = true;
            limit = target;
            p = target;
            continue;
        }
        if ((len & 0xC0) != 0) throw ParseError("unsupported label type in domain name");
        if (p + 1 + len > bound) throw ParseError("label runs past the end of the rdata");
        length += 1 + len;
        if (length > kMaxNameLength) throw ParseError("domain name longer than 255 octets");
        if (out)
            out->insert(out->end(), data.begin() + static_cast<std::ptrdiff_t>(p),
                        data.begin() + static_cast<std::ptrdiff_t>(p + 1 + len));
        p += 1 + len;
        if (len == 0) break;
    }
    if (!jumped) pos = p;
    return length;
}

void append_wire_name_text(std::string& out, std::span<const std::uint8_t> data, std::size_t& pos) {
    if (data[pos] == 0) {
        out.push_back('.');
        ++pos;
        return;
    }
    while (data[pos] != 0) {
        const std::size_t len = data[pos];
        append_label_text(out, std::string_view(reinterpret_cast<const char*>(data.data() + pos + 1), len));
        out.push_back('.');
        pos += 1 + len;
    }
    ++pos;
}

std::uint64_t parse_number(RRType type, const FieldSpec& field, const TextToken& token, std::uint64_t max) {
    const auto v = parse_decimal(token.text, max);
    if (!v) {
        fail(type, field.label, quote(token.text) + " is not a number from 0 to " + std::to_string(max));
    }
    return *v;
}

std::size_t need(const WireWalk& w, std::size_t pos, std::size_t n) {
    if (pos > w.end || n > w.end - pos) throw ParseError("rdata too short");
    return pos + n;
}

void copy_raw(const WireWalk& w, std::size_t from, std::size_t to) {
    if (w.out) {
        w.out->insert(w.out->end(), w.data.begin() + static_cast<std::ptrdiff_t>(from),
                      w.data.begin() + static_cast<std::ptrdiff_t>(to));
    }
}

std::size_t walk_name(const WireWalk& w, std::size_t pos, bool decompress) {
    const std::size_t at = w.out ? w.out->size() : pos - w.begin;
    const std::size_t length = read_wire_name(w.data, pos, w.end, decompress, w.out);
    if (w.visit) (*w.visit)(at, length);
    return pos;
}

namespace {

// ---------------------------------------------------------------------------------------------------------
// DNSSEC mnemonics

struct Mnemonic {
    std::uint16_t value;
    std::string_view text;
};

constexpr Mnemonic kCertTypes[] = {
    {1, "PKIX"}, {2, "SPKI"},   {3, "PGP"},     {4, "IPKIX"}, {5, "ISPKI"},
    {6, "IPGP"}, {7, "ACPKIX"}, {8, "IACPKIX"}, {253, "URI"}, {254, "OID"},
};

template <std::size_t N>
std::uint64_t parse_mnemonic(RRType type, const FieldSpec& field, const TextToken& token,
                             const Mnemonic (&table)[N], std::uint64_t max) {
    for (const auto& m : table) {
        if (equal_ignoring_ascii_case(token.text, m.text)) return m.value;
    }
    return parse_number(type, field, token, max);
}

std::uint64_t parse_algorithm(RRType type, const FieldSpec& field, const TextToken& token) {
    if (const auto algorithm = dnssec_algorithm_from_text(token.text)) return *algorithm;
    return parse_number(type, field, token, 0xFF);
}

// ---------------------------------------------------------------------------------------------------------
// RRSIG times: YYYYMMDDHHmmSS (UTC), or plain seconds since the epoch. Both are taken modulo 2^32 as
// RFC 4034 §3.1.5 serial arithmetic requires.

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool parse_time(std::string_view text, std::uint32_t& value) {
    if (text.size() != 14) {
        const auto v = parse_decimal(text, 0xFFFFFFFFULL);
        if (!v) return false;
        value = static_cast<std::uint32_t>(*v);
        return true;
    }
    int parts[6];
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) {
        const auto v = parse_decimal(text.substr(pos, static_cast<std::size_t>(widths[i])), 9999);
        if (!v) return false;
        parts[i] = static_cast<int>(*v);
        pos += static_cast<std::size_t>(widths[i]);
    }
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int year = parts[0], month = parts[1], day = parts[2];
    // Any year: the value is taken modulo 2^32 (BIND reads years before 1970 too, and prints them).
    if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && day == 29 && !leap) return false;
    if (parts[3] > 23 || parts[4] > 59 || parts[5] > 60) return false;
    const std::int64_t seconds =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        parts[3] * 3600 + parts[4] * 60 + parts[5];
    value = static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds) & 0xFFFFFFFFULL);
    return true;
}

// RFC 4034 §3.1.5: the times are serial numbers, so the date shown is the one within 68 years of now that
// has this value modulo 2^32 (as BIND does; a fixed 1970 epoch would show far-future times in 1969).
void append_time_text(std::string& out, std::uint32_t value) {
    const std::int64_t now = std::time(nullptr);
    const auto offset = static_cast<std::int32_t>(value - static_cast<std::uint32_t>(now));
    const auto t = static_cast<std::time_t>(now + offset);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    const int year = tm.tm_year + 1900;
    buffer[0] = static_cast<char>('0' + year / 1000);
    buffer[1] = static_cast<char>('0' + year / 100 % 10);
    buffer[2] = static_cast<char>('0' + year / 10 % 10);
    buffer[3] = static_cast<char>('0' + year % 10);
    const int rest[5] = {tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    for (int i = 0; i < 5; ++i) {
        buffer[4 + 2 * i] = static_cast<char>('0' + rest[i] / 10);
        buffer[5 + 2 * i] = static_cast<char>('0' + rest[i] % 10);
    }
    out.append(buffer, 14);
}

// ---------------------------------------------------------------------------------------------------------
// Type bitmaps (RFC 4034 §4.1.2)

void parse_bitmap(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                  std::vector<std::uint8_t>& out) {
    // Signed zones have an NSEC or NSEC3 per name: no heap for the usual handful of types.
    std::array<std::uint16_t, 64> small;
    std::vector<std::uint16_t> large;
    std::span<std::uint16_t> all;
    if (tokens.size() <= small.size()) {
        all = std::span(small).first(tokens.size());
    } else {
        large.resize(tokens.size());
        all = large;
    }
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const auto code = type_from_text(tokens[k].text);
        if (!code) fail(type, field.label, quote(tokens[k].text) + " is not a record type");
        all[k] = static_cast<std::uint16_t>(*code);
    }
    append_type_bitmap(all, out);
}

void check_bitmap(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end) {
    int previous = -1;
    while (pos < end) {
        if (end - pos < 2) throw ParseError("truncated type bitmap window");
        const int window = data[pos];
        const std::size_t length = data[pos + 1];
        if (window <= previous) throw ParseError("type bitmap windows out of order");
        if (length == 0 || length > 32) throw ParseError("type bitmap window length outside 1-32");
        if (end - pos - 2 < length) throw ParseError("type bitmap window runs past the end of the rdata");
        if (data[pos + 1 + length] == 0) throw ParseError("type bitmap window ends in a zero octet");
        previous = window;
        pos += 2 + length;
    }
}

void append_bitmap_text(std::string& out, std::span<const std::uint8_t> data, std::size_t pos,
                        std::size_t end) {
    bool first = true;
    while (pos < end) {
        const unsigned window = data[pos];
        const std::size_t length = data[pos + 1];
        for (std::size_t octet = 0; octet < length; ++octet) {
            const std::uint8_t bits = data[pos + 2 + octet];
            for (unsigned bit = 0; bit < 8; ++bit) {
                if (bits & (0x80 >> bit)) {
                    if (!first) out.push_back(' ');
                    first = false;
                    out += type_to_text(static_cast<RRType>(window * 256 + octet * 8 + bit));
                }
            }
        }
        pos += 2 + length;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Presentation -> wire

// Fields that consume every remaining token.
bool takes_rest(Field kind) {
    switch (kind) {
        case Field::Strings:
        case Field::Hex:
        case Field::Base64:
        case Field::OptBase64:
        case Field::OptString:
        case Field::Bitmap:
        case Field::SvcParams:
        case Field::Loc:
        case Field::Apl:
        case Field::Ipseckey:
        case Field::Amtrelay:
        case Field::Hip:
            return true;
        default:
            return false;
    }
}

void put16(std::vector<std::uint8_t>& out, std::uint64_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint64_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xFFFF);
}

void parse_field(RRType type, const FieldSpec& field, std::span<const TextToken> tokens, const Name& origin,
                 std::vector<std::uint8_t>& out) {
    const TextToken& token = tokens.empty() ? TextToken{} : tokens.front();
    switch (field.kind) {
        case Field::U8:
            out.push_back(static_cast<std::uint8_t>(parse_number(type, field, token, 0xFF)));
            return;
        case Field::U16:
            put16(out, parse_number(type, field, token, 0xFFFF));
            return;
        case Field::U32:
            put32(out, parse_number(type, field, token, 0xFFFFFFFF));
            return;
        case Field::Period: {
            const auto v = parse_ttl(token.text);
            if (!v) fail(type, field.label, quote(token.text) + " is not a number of seconds or a TTL");
            put32(out, *v);
            return;
        }
        case Field::Time: {
            std::uint32_t v = 0;
            if (!parse_time(token.text, v)) {
                fail(type, field.label, quote(token.text) + " is not a YYYYMMDDHHmmSS time or a number");
            }
            put32(out, v);
            return;
        }
        case Field::TypeCode: {
            const auto code = type_from_text(token.text);
            if (!code) fail(type, field.label, quote(token.text) + " is not a record type");
            put16(out, static_cast<std::uint16_t>(*code));
            return;
        }
        case Field::Algorithm:
        case Field::CertAlgorithm:
            out.push_back(static_cast<std::uint8_t>(parse_algorithm(type, field, token)));
            return;
        case Field::CertType:
            put16(out, parse_mnemonic(type, field, token, kCertTypes, 0xFFFF));
            return;
        case Field::Name:
            if (token.quoted) fail(type, field.label, "a domain name may not be quoted");
            try {
                append_name_text(token.text, origin, out);
            } catch (const ParseError& e) {
                fail(type, field.label, e.what());
            }
            return;
        case Field::Ipv4: {
            const auto address = IpAddress::parse_v4(token.text);
            if (!address) fail(type, field.label, quote(token.text) + " is not an IPv4 address");
            append_octets(*address, out);
            return;
        }
        case Field::Ipv6: {
            const auto address = IpAddress::parse_v6(token.text);
            if (!address) fail(type, field.label, quote(token.text) + " is not an IPv6 address");
            append_octets(*address, out);
            return;
        }
        case Field::String:
            try {
                append_character_string(token.text, out);
            } catch (const ParseError& e) {
                fail(type, field.label, e.what());
            }
            return;
        case Field::Strings:
            for (const auto& t : tokens) {
                try {
                    append_character_string(t.text, out);
                } catch (const ParseError& e) {
                    fail(type, field.label, e.what());
                }
            }
            return;
        case Field::Text:
            // BIND insists on quotes for the URI target (RFC 7553 §4.5 writes it as a quoted string).
            if (type == RRType::URI && !token.quoted) fail(type, field.label, "must be a quoted string");
            try {
                append_unescaped(token.text, out);
            } catch (const ParseError& e) {
                fail(type, field.label, e.what());
            }
            return;
        case Field::CaaTag: {
            if (token.text.empty() || token.text.size() > 255)
                fail(type, field.label, "must be 1 to 255 characters");
            for (const char c : token.text) {
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                    fail(type, field.label, quote(token.text) + " may hold only letters and digits");
                }
            }
            out.push_back(static_cast<std::uint8_t>(token.text.size()));
            out.insert(out.end(), token.text.begin(), token.text.end());
            return;
        }
        case Field::Hex: {
            HexDecoder decoder(out);
            for (const auto& t : tokens) {
                if (!decoder.feed(t.text)) fail(type, field.label, quote(t.text) + " is not hexadecimal");
            }
            if (!decoder.finish()) fail(type, field.label, "odd number of hexadecimal digits");
            return;
        }
        case Field::OptString:
            if (tokens.size() > 1) fail(type, field.label, "trailing junk " + quote(tokens[1].text));
            if (!tokens.empty()) {
                try {
                    append_character_string(token.text, out);
                } catch (const ParseError& e) {
                    fail(type, field.label, e.what());
                }
            }
            return;
        case Field::Ilnp64: {
            // Four groups of 1-4 hex digits.
            std::size_t group = 0;
            std::size_t i = 0;
            const std::string_view t = token.text;
            bool ok = true;
            for (; ok && group < 4; ++group) {
                unsigned value = 0;
                const std::size_t start = i;
                while (i < t.size() && i - start < 4) {
                    const char c = t[i];
                    const int d = c >= '0' && c <= '9'   ? c - '0'
                                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                         : -1;
                    if (d < 0) break;
                    value = value * 16 + static_cast<unsigned>(d);
                    ++i;
                }
                ok = i > start && (group == 3 ? i == t.size() : i < t.size() && t[i] == ':');
                if (group < 3) ++i;
                out.push_back(static_cast<std::uint8_t>(value >> 8));
                out.push_back(static_cast<std::uint8_t>(value));
            }
            if (!ok) fail(type, field.label, quote(t) + " is not of the form xxxx:xxxx:xxxx:xxxx");
            return;
        }
        case Field::OptBase64:
        case Field::Base64: {
            Base64Decoder decoder(out);
            for (const auto& t : tokens) {
                if (!decoder.feed(t.text)) fail(type, field.label, quote(t.text) + " is not valid base64");
            }
            if (!decoder.finish())
                fail(type, field.label, "base64 data does not end on a 4-character boundary");
            return;
        }
        case Field::HexSalt: {
            const std::size_t at = out.size();
            out.push_back(0);
            if (token.text != "-") {
                if (!decode_hex(token.text, out))
                    fail(type, field.label, quote(token.text) + " is not hexadecimal");
                if (out.size() - at - 1 > 255) fail(type, field.label, "longer than 255 octets");
            }
            out[at] = static_cast<std::uint8_t>(out.size() - at - 1);
            return;
        }
        case Field::Base32Hash: {
            const std::size_t at = out.size();
            out.push_back(0);
            if (!decode_base32hex(token.text, out)) {
                fail(type, field.label, quote(token.text) + " is not base32hex");
            }
            const std::size_t length = out.size() - at - 1;
            if (length == 0 || length > 255) fail(type, field.label, "must be 1 to 255 octets");
            out[at] = static_cast<std::uint8_t>(length);
            return;
        }
        case Field::Bitmap:
            parse_bitmap(type, field, tokens, out);
            return;
        case Field::Eui48:
        case Field::Eui64: {
            const std::size_t octets = field.kind == Field::Eui48 ? 6 : 8;
            const std::string_view t = token.text;
            bool ok = t.size() == octets * 3 - 1;
            for (std::size_t i = 0; ok && i < octets; ++i) {
                if (i > 0 && t[i * 3 - 1] != '-') ok = false;
            }
            const std::size_t at = out.size();
            for (std::size_t i = 0; ok && i < octets; ++i)
                ok = decode_hex(t.substr(i * 3, 2), out);
            if (!ok) {
                out.resize(at);
                fail(type, field.label, quote(t) + " is not of the form xx-xx-...-xx");
            }
            return;
        }
        case Field::SvcParams:
            parse_svc_params(type, field, tokens, out);
            return;
        case Field::Loc:
            parse_loc(type, field, tokens, out);
            return;
        case Field::Apl:
            parse_apl(type, field, tokens, out);
            return;
        case Field::Ipseckey:
            parse_ipseckey(type, field, tokens, origin, out);
            return;
        case Field::Amtrelay:
            parse_amtrelay(type, field, tokens, origin, out);
            return;
        case Field::Nsap: {
            const std::string_view t = token.text;
            if (t.size() < 2 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) {
                fail(type, field.label, quote(t) + " must start with 0x");
            }
            HexDecoder decoder(out);
            const std::size_t start = out.size();
            for (std::size_t i = 2; i < t.size(); ++i) {
                if (t[i] == '.') continue;
                if (!decoder.feed(t.substr(i, 1))) fail(type, field.label, quote(t) + " is not hexadecimal");
            }
            if (!decoder.finish()) fail(type, field.label, "odd number of hexadecimal digits");
            if (out.size() == start) fail(type, field.label, "empty");
            return;
        }
        case Field::Base64Dash:
            if (token.text != "-" && !decode_base64(token.text, out)) {
                fail(type, field.label, quote(token.text) + " is not valid base64");
            }
            return;
        case Field::Hip:
            parse_hip(type, field, tokens, origin, out);
            return;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Wire walking: one pass that checks structure, optionally copies (expanding compressed names) and reports
// the embedded names.

std::size_t walk_field(const WireWalk& w, Field kind, std::size_t pos) {
    switch (kind) {
        case Field::U8:
        case Field::Algorithm:
        case Field::CertAlgorithm:
            return need(w, pos, 1);
        case Field::U16:
        case Field::TypeCode:
        case Field::CertType:
            return need(w, pos, 2);
        case Field::U32:
        case Field::Period:
        case Field::Time:
        case Field::Ipv4:
            return need(w, pos, 4);
        case Field::Ipv6:
            return need(w, pos, 16);
        case Field::Eui48:
            return need(w, pos, 6);
        case Field::Eui64:
        case Field::Ilnp64:
            return need(w, pos, 8);
        case Field::OptString:
            if (pos == w.end) return pos;
            need(w, pos, 1);
            return need(w, pos + 1, w.data[pos]);
        case Field::Name:
            return walk_name(w, pos, w.decompress);
        case Field::String:
            need(w, pos, 1);
            return need(w, pos + 1, w.data[pos]);
        case Field::Strings: {
            if (pos >= w.end) throw ParseError("no character-string");
            while (pos < w.end)
                pos = need(w, pos + 1, w.data[pos]);
            return pos;
        }
        case Field::Text:
        case Field::Hex:
        case Field::Base64:
        case Field::OptBase64:
            return w.end;
        case Field::CaaTag: {
            need(w, pos, 1);
            const std::size_t length = w.data[pos];
            if (length == 0) throw ParseError("empty CAA tag");
            const std::size_t next = need(w, pos + 1, length);
            for (std::size_t i = pos + 1; i < next; ++i) {
                const auto c = w.data[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                    throw ParseError("CAA tag holds a character other than a letter or digit");
                }
            }
            return next;
        }
        case Field::HexSalt:
            need(w, pos, 1);
            return need(w, pos + 1, w.data[pos]);
        case Field::Base32Hash:
            need(w, pos, 1);
            if (w.data[pos] == 0) throw ParseError("empty NSEC3 next hashed owner");
            return need(w, pos + 1, w.data[pos]);
        case Field::Bitmap:
            check_bitmap(w.data, pos, w.end);
            return w.end;
        case Field::SvcParams:
            check_svc_params(w.data, pos, w.end);
            return w.end;
        case Field::Loc:
            check_loc(w.data, pos, w.end);
            return w.end;
        case Field::Apl:
            check_apl(w.data, pos, w.end);
            return w.end;
        case Field::Ipseckey:
            return walk_ipseckey(w, pos);
        case Field::Amtrelay:
            return walk_amtrelay(w, pos);
        case Field::Hip:
            return walk_hip(w, pos);
        case Field::Nsap:
            if (pos >= w.end) throw ParseError("empty NSAP address");
            return w.end;
        case Field::Base64Dash:
            return w.end;
    }
    return w.end;
}

void walk(const TypeSpec& spec, const WireWalk& w) {
    std::size_t pos = w.begin;
    for (std::size_t i = 0; i < spec.field_count; ++i) {
        const Field kind = spec.fields[i].kind;
        std::size_t next;
        try {
            next = walk_field(w, kind, pos);
        } catch (const ParseError& e) {
            fail(static_cast<RRType>(spec.code), spec.fields[i].label, e.what());
        }
        if (kind != Field::Name && kind != Field::Ipseckey && kind != Field::Hip && kind != Field::Amtrelay)
            copy_raw(w, pos, next);
        pos = next;
    }
    if (pos != w.end) {
        throw ParseError(type_to_text(static_cast<RRType>(spec.code)) + " rdata has " +
                         std::to_string(w.end - pos) + " octets of trailing junk");
    }
    check_type_rules(
        spec, w.out ? std::span<const std::uint8_t>(*w.out) : w.data.subspan(w.begin, w.end - w.begin));
}

// ---------------------------------------------------------------------------------------------------------
// Wire -> presentation, on rdata already walked (so every read is in bounds).

void print_field(std::string& out, Field kind, std::span<const std::uint8_t> d, std::size_t& pos) {
    auto u16 = [&](std::size_t at) { return static_cast<unsigned>((d[at] << 8) | d[at + 1]); };
    auto u32 = [&](std::size_t at) {
        return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) |
               (std::uint32_t{d[at + 2]} << 8) | d[at + 3];
    };
    switch (kind) {
        case Field::U8:
        case Field::Algorithm:
            out += std::to_string(d[pos]);
            pos += 1;
            return;
        case Field::U16:
            out += std::to_string(u16(pos));
            pos += 2;
            return;
        case Field::CertAlgorithm: {
            const auto mnemonic = dnssec_algorithm_mnemonic(d[pos]);
            out += mnemonic.empty() ? std::to_string(d[pos]) : std::string(mnemonic);
            pos += 1;
            return;
        }
        case Field::CertType: {
            const auto v = u16(pos);
            pos += 2;
            for (const auto& m : kCertTypes) {
                if (m.value == v) {
                    out += m.text;
                    return;
                }
            }
            out += std::to_string(v);
            return;
        }
        case Field::TypeCode:
            out += type_to_text(static_cast<RRType>(u16(pos)));
            pos += 2;
            return;
        case Field::U32:
        case Field::Period:
            out += std::to_string(u32(pos));
            pos += 4;
            return;
        case Field::Time:
            append_time_text(out, u32(pos));
            pos += 4;
            return;
        case Field::Name:
            append_wire_name_text(out, d, pos);
            return;
        case Field::Ipv4:
            IpAddress::from_octets(AF_INET, d.data() + pos).append_text(out);
            pos += 4;
            return;
        case Field::Ipv6:
            IpAddress::from_octets(AF_INET6, d.data() + pos).append_text(out);
            pos += 16;
            return;
        case Field::Eui48:
        case Field::Eui64: {
            const std::size_t n = kind == Field::Eui48 ? 6 : 8;
            for (std::size_t i = 0; i < n; ++i) {
                if (i) out.push_back('-');
                append_hex(out, d.subspan(pos + i, 1), false);
            }
            pos += n;
            return;
        }
        case Field::String:
            append_quoted_text(out, d.subspan(pos + 1, d[pos]));
            pos += 1 + d[pos];
            return;
        case Field::Strings:
            for (bool first = true; pos < d.size(); first = false) {
                if (!first) out.push_back(' ');
                append_quoted_text(out, d.subspan(pos + 1, d[pos]));
                pos += 1 + d[pos];
            }
            return;
        case Field::Text:
            append_quoted_text(out, d.subspan(pos));
            pos = d.size();
            return;
        case Field::CaaTag:
            out.append(reinterpret_cast<const char*>(d.data() + pos + 1), d[pos]);
            pos += 1 + d[pos];
            return;
        case Field::Hex:
            append_hex(out, d.subspan(pos));
            pos = d.size();
            return;
        case Field::Base64:
        case Field::OptBase64:
            append_base64(out, d.subspan(pos));
            pos = d.size();
            return;
        case Field::OptString:
            if (pos < d.size()) {
                append_quoted_text(out, d.subspan(pos + 1, d[pos]));
                pos += 1 + d[pos];
            }
            return;
        case Field::Ilnp64: {
            static constexpr char kDigits[] = "0123456789abcdef";
            for (std::size_t g = 0; g < 4; ++g) {
                if (g) out.push_back(':');
                const unsigned v = static_cast<unsigned>((d[pos + 2 * g] << 8) | d[pos + 2 * g + 1]);
                bool started = false;
                for (int shift = 12; shift >= 0; shift -= 4) {
                    const unsigned nibble = (v >> shift) & 15;
                    if (nibble || started || shift == 0) {
                        out.push_back(kDigits[nibble]);
                        started = true;
                    }
                }
            }
            pos += 8;
            return;
        }
        case Field::HexSalt:
            if (d[pos] == 0) {
                out.push_back('-');
            } else {
                append_hex(out, d.subspan(pos + 1, d[pos]));
            }
            pos += 1 + d[pos];
            return;
        case Field::Base32Hash:
            append_base32hex(out, d.subspan(pos + 1, d[pos]), true);
            pos += 1 + d[pos];
            return;
        case Field::Bitmap:
            append_bitmap_text(out, d, pos, d.size());
            pos = d.size();
            return;
        case Field::SvcParams:
            append_svc_params_text(out, d, pos);
            pos = d.size();
            return;
        case Field::Loc:
            append_loc_text(out, d, pos);
            pos = d.size();
            return;
        case Field::Apl:
            append_apl_text(out, d, pos);
            pos = d.size();
            return;
        case Field::Ipseckey:
            append_ipseckey_text(out, d, pos);
            pos = d.size();
            return;
        case Field::Amtrelay:
            append_amtrelay_text(out, d, pos);
            pos = d.size();
            return;
        case Field::Nsap:
            out += "0x";
            append_hex(out, d.subspan(pos), false);
            pos = d.size();
            return;
        case Field::Base64Dash:
            if (pos == d.size()) {
                out.push_back('-');
            } else {
                append_base64(out, d.subspan(pos));
            }
            pos = d.size();
            return;
        case Field::Hip:
            append_hip_text(out, d, pos);
            pos = d.size();
            return;
    }
}

// A printable form needs at least one token for every field; empty "to the end" data has none.
bool printable(Field kind, std::span<const std::uint8_t> d, std::size_t pos) {
    switch (kind) {
        case Field::Hex:
        case Field::Base64:
        case Field::Strings:
            return pos < d.size();
        default:
            return true;
    }
}

}  // namespace
}  // namespace rdata_detail

using namespace rdata_detail;

namespace {

// Reads RFC 3597 "\# LEN HEX..." (tokens after the "\#").
void parse_generic(RRType type, std::span<const TextToken> tokens, std::vector<std::uint8_t>& out) {
    const std::string name = type_to_text(type);
    if (tokens.empty()) throw ParseError(name + " generic rdata: missing length after \\#");
    const auto length = parse_decimal(tokens[0].text, 0xFFFF);
    if (!length)
        throw ParseError(name + " generic rdata: " + quote(tokens[0].text) + " is not a length of 0-65535");
    const std::size_t start = out.size();
    HexDecoder decoder(out);
    for (const auto& t : tokens.subspan(1)) {
        if (!decoder.feed(t.text))
            throw ParseError(name + " generic rdata: " + quote(t.text) + " is not hexadecimal");
    }
    if (!decoder.finish()) throw ParseError(name + " generic rdata: odd number of hexadecimal digits");
    if (out.size() - start != *length) {
        throw ParseError(name + " generic rdata: length " + std::to_string(*length) + " but " +
                         std::to_string(out.size() - start) + " octets of data");
    }
    const TypeSpec* spec = find_type_spec(type);
    if (spec && !(spec->flags & kGenericOnly)) {
        WireWalk w;
        w.data = std::span<const std::uint8_t>(out).subspan(start);
        w.end = w.data.size();
        walk(*spec, w);
    }
}

bool is_generic_marker(std::span<const TextToken> tokens) {
    return !tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#";
}

void parse_text_rdata(RRType type, std::span<const TextToken> tokens, const Name& origin,
                      std::vector<std::uint8_t>& out) {
    if (is_generic_marker(tokens)) return parse_generic(type, tokens.subspan(1), out);
    const TypeSpec* spec = find_type_spec(type);
    if (!spec) {
        throw ParseError(type_to_text(type) + " rdata must be in the generic form \\# LENGTH HEX (RFC 3597)");
    }
    if (spec->flags & kGenericOnly) {
        throw ParseError(type_to_text(type) +
                         " rdata can only be written in the generic form \\# LENGTH HEX");
    }
    if (is_meta_type(type)) throw ParseError(type_to_text(type) + " is a meta type and cannot hold data");
    std::size_t next = 0;
    for (std::size_t i = 0; i < spec->field_count; ++i) {
        const FieldSpec& field = spec->fields[i];
        if (takes_rest(field.kind)) {
            const auto rest = tokens.subspan(next);
            const bool may_be_empty = field.kind == Field::Bitmap || field.kind == Field::SvcParams ||
                                      field.kind == Field::Apl || field.kind == Field::OptBase64 ||
                                      field.kind == Field::OptString;
            if (rest.empty() && !may_be_empty) {
                fail(type, field.label, "missing");
            }
            parse_field(type, field, rest, origin, out);
            next = tokens.size();
            continue;
        }
        if (next >= tokens.size()) fail(type, field.label, "missing");
        parse_field(type, field, tokens.subspan(next, 1), origin, out);
        ++next;
    }
    if (next < tokens.size()) {
        throw ParseError(type_to_text(type) + " rdata: trailing junk " + quote(tokens[next].text));
    }
}

}  // namespace

void rdata_from_text(RRType type, std::span<const TextToken> tokens, const Name& origin,
                     std::vector<std::uint8_t>& out) {
    const std::size_t start = out.size();
    try {
        parse_text_rdata(type, tokens, origin, out);
        if (out.size() - start > 0xFFFF)
            throw ParseError(type_to_text(type) + " rdata longer than 65535 octets");
        if (const TypeSpec* spec = find_type_spec(type); spec && !is_generic_marker(tokens)) {
            check_type_rules(*spec, std::span<const std::uint8_t>(out).subspan(start));
        }
    } catch (...) {
        out.resize(start);
        throw;
    }
}

std::vector<std::uint8_t> rdata_from_text(RRType type, std::span<const TextToken> tokens,
                                          const Name& origin) {
    std::vector<std::uint8_t> out;
    rdata_from_text(type, tokens, origin, out);
    return out;
}

std::vector<TextToken> tokenize_rdata(std::string_view text) {
    std::vector<TextToken> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')') {
            ++i;
        } else if (c == ';') {
            while (i < text.size() && text[i] != '\n')
                ++i;
        } else if (c == '"') {
            const std::size_t start = ++i;
            while (i < text.size() && text[i] != '"')
                i += text[i] == '\\' ? 2 : 1;
            if (i >= text.size()) throw ParseError("unterminated quoted string");
            tokens.push_back({text.substr(start, i - start), true});
            ++i;
        } else {
            const std::size_t start = i;
            while (i < text.size()) {
                const char d = text[i];
                if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '(' || d == ')' || d == ';' ||
                    d == '"') {
                    break;
                }
                i += d == '\\' ? 2 : 1;
            }
            i = std::min(i, text.size());
            tokens.push_back({text.substr(start, i - start), false});
        }
    }
    return tokens;
}

std::vector<std::uint8_t> rdata_from_text(RRType type, std::string_view text, const Name& origin) {
    const auto tokens = tokenize_rdata(text);
    return rdata_from_text(type, tokens, origin);
}

std::string rdata_to_generic_text(std::span<const std::uint8_t> rdata) {
    std::string out = "\\# " + std::to_string(rdata.size());
    if (!rdata.empty()) {
        out.push_back(' ');
        append_hex(out, rdata);
    }
    return out;
}

std::string rdata_to_text(RRType type, std::span<const std::uint8_t> rdata) {
    const TypeSpec* spec = find_type_spec(type);
    if (!spec || (spec->flags & kGenericOnly)) return rdata_to_generic_text(rdata);
    try {
        WireWalk w;
        w.data = rdata;
        w.end = rdata.size();
        walk(*spec, w);
    } catch (const ParseError&) {
        return rdata_to_generic_text(rdata);
    }
    std::string out;
    out.reserve(rdata.size() * 2 + 16);
    std::size_t pos = 0;
    try {
        for (std::size_t i = 0; i < spec->field_count; ++i) {
            const Field kind = spec->fields[i].kind;
            if (!printable(kind, rdata, pos)) return rdata_to_generic_text(rdata);
            if (i) out.push_back(' ');
            print_field(out, kind, rdata, pos);
            // Empty SvcParams or type bitmaps print nothing: no separator left dangling.
            if (!out.empty() && out.back() == ' ') out.pop_back();
        }
    } catch (const ParseError&) {
        return rdata_to_generic_text(rdata);
    }
    return out;
}

std::vector<std::uint8_t> rdata_from_wire(RRType type, std::span<const std::uint8_t> message,
                                          std::size_t offset, std::size_t rdlength) {
    if (offset > message.size() || rdlength > message.size() - offset) {
        throw ParseError(type_to_text(type) + " rdata runs past the end of the message");
    }
    std::vector<std::uint8_t> out;
    const TypeSpec* spec = find_type_spec(type);
    if (!spec || (spec->flags & kGenericOnly)) {
        out.assign(message.begin() + static_cast<std::ptrdiff_t>(offset),
                   message.begin() + static_cast<std::ptrdiff_t>(offset + rdlength));
        return out;
    }
    out.reserve(rdlength + 16);
    WireWalk w;
    w.data = message;
    w.begin = offset;
    w.end = offset + rdlength;
    w.decompress = (spec->flags & kDecompress) != 0;
    w.out = &out;
    walk(*spec, w);
    if (out.size() > 0xFFFF)
        throw ParseError(type_to_text(type) + " rdata longer than 65535 octets once expanded");
    return out;
}

bool rdata_names_compressible(RRType type) {
    const TypeSpec* spec = find_type_spec(type);
    return spec && (spec->flags & kCompress);
}

void for_each_rdata_name(RRType type, std::span<const std::uint8_t> rdata,
                         const std::function<void(std::size_t offset, std::size_t length)>& visit) {
    const TypeSpec* spec = find_type_spec(type);
    if (!spec || (spec->flags & kGenericOnly)) return;
    WireWalk w;
    w.data = rdata;
    w.end = rdata.size();
    w.visit = &visit;
    walk(*spec, w);
}

void append_type_bitmap(std::span<std::uint16_t> types, std::vector<std::uint8_t>& out) {
    std::sort(types.begin(), types.end());
    const auto codes =
        types.first(static_cast<std::size_t>(std::unique(types.begin(), types.end()) - types.begin()));
    std::size_t i = 0;
    while (i < codes.size()) {
        const unsigned window = codes[i] >> 8;
        std::uint8_t bits[32] = {};
        unsigned length = 0;
        for (; i < codes.size() && (codes[i] >> 8) == window; ++i) {
            const unsigned low = codes[i] & 0xFF;
            bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
            length = low / 8 + 1;
        }
        out.push_back(static_cast<std::uint8_t>(window));
        out.push_back(static_cast<std::uint8_t>(length));
        out.insert(out.end(), bits, bits + length);
    }
}

namespace {

// Lowers the letters of the names embedded in `rdata` (wire rdata of `type`, in place) when the type's
// canonical form asks for it; false when it does not (the octets are then canonical as they are).
bool lower_rdata_names(RRType type, std::span<std::uint8_t> rdata) {
    const TypeSpec* spec = find_type_spec(type);
    if (!spec || !(spec->flags & kLowercase)) return false;
    for_each_rdata_name(type, rdata, [&](std::size_t offset, std::size_t length) {
        std::size_t pos = offset;
        while (pos < offset + length && rdata[pos] != 0) {
            const std::size_t len = rdata[pos];
            for (std::size_t i = pos + 1; i <= pos + len; ++i)
                rdata[i] = lower_ascii(rdata[i]);
            pos += 1 + len;
        }
    });
    return true;
}

std::strong_ordering compare_octets(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    const std::size_t common = std::min(a.size(), b.size());
    const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return a.size() <=> b.size();
}

}  // namespace

std::vector<std::uint8_t> rdata_canonical(RRType type, std::span<const std::uint8_t> rdata) {
    std::vector<std::uint8_t> out(rdata.begin(), rdata.end());
    lower_rdata_names(type, out);
    return out;
}

std::strong_ordering rdata_canonical_compare(RRType type, std::span<const std::uint8_t> a,
                                             std::span<const std::uint8_t> b) {
    const auto plain = compare_octets(a, b);
    if (plain == std::strong_ordering::equal) return plain;
    const TypeSpec* spec = find_type_spec(type);
    if (!spec || !(spec->flags & kLowercase)) return plain;
    // Rdata with names is short: lower copies on the stack, on the heap only past 512 octets.
    constexpr std::size_t kInline = 512;
    std::array<std::uint8_t, kInline> inline_a, inline_b;
    std::vector<std::uint8_t> heap_a, heap_b;
    auto copy = [](std::span<const std::uint8_t> in, std::array<std::uint8_t, kInline>& small,
                   std::vector<std::uint8_t>& large) -> std::span<std::uint8_t> {
        if (in.size() <= kInline) {
            std::copy(in.begin(), in.end(), small.begin());
            return {small.data(), in.size()};
        }
        large.assign(in.begin(), in.end());
        return large;
    };
    const auto ca = copy(a, inline_a, heap_a);
    const auto cb = copy(b, inline_b, heap_b);
    lower_rdata_names(type, ca);
    lower_rdata_names(type, cb);
    return compare_octets(ca, cb);
}

}  // namespace cairn::dns
