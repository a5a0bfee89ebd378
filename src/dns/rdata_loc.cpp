// LOC (RFC 1876): the whole rdata is one field kind, read and printed as BIND does.
#include <cstdio>

#include "dns/rdata_special.hpp"
#include "dns/text.hpp"

namespace cairn::dns::rdata_detail {
namespace {

constexpr std::uint32_t kEquator = 0x80000000U;   // latitude/longitude origin: 2^31
constexpr std::int64_t kAltitudeBase = 10000000;  // altitude origin: 100 km below the WGS 84 spheroid, in cm
constexpr std::int64_t kPowers[10] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

// "[-]digits[.digits]" with at most `decimals` fractional digits, in units of 10^-decimals.
bool parse_fixed(std::string_view text, int decimals, bool allow_negative, std::int64_t& value) {
    bool negative = false;
    if (!text.empty() && text[0] == '-' && allow_negative) {
        negative = true;
        text.remove_prefix(1);
    }
    const auto dot = text.find('.');
    const auto whole = text.substr(0, dot);
    const auto whole_value = parse_decimal(whole, 1000000000);
    if (!whole_value) return false;
    std::int64_t result = static_cast<std::int64_t>(*whole_value) * kPowers[decimals];
    if (dot != std::string_view::npos) {
        const auto frac = text.substr(dot + 1);
        if (frac.empty() || frac.size() > static_cast<std::size_t>(decimals)) return false;
        const auto frac_value = parse_decimal(frac, 999);
        if (!frac_value) return false;
        result += static_cast<std::int64_t>(*frac_value) * kPowers[decimals - static_cast<int>(frac.size())];
    }
    value = negative ? -result : result;
    return true;
}

// Metres with an optional "m" suffix, in centimetres.
bool parse_metres(std::string_view text, bool allow_negative, std::int64_t& cm) {
    if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) text.remove_suffix(1);
    return parse_fixed(text, 2, allow_negative, cm);
}

// RFC 1876 size/precision: mantissa and power of ten of a length in centimetres.
std::uint8_t encode_precision(std::int64_t cm) {
    int exponent = 0;
    while (exponent < 9 && cm >= kPowers[exponent + 1])
        ++exponent;
    const auto mantissa = static_cast<int>(cm / kPowers[exponent]);
    return static_cast<std::uint8_t>((mantissa << 4) | exponent);
}

void append_precision_text(std::string& out, std::uint8_t value) {
    const int mantissa = value >> 4;
    const int exponent = value & 0x0F;
    // 0e5 would print as "0m" and read back as 0e0: show such rdata in generic form instead.
    if (mantissa == 0 && exponent != 0)
        throw ParseError("LOC precision with a zero mantissa has no text form");
    char buffer[32];
    if (exponent >= 2) {
        std::snprintf(buffer, sizeof buffer, "%lldm",
                      static_cast<long long>(mantissa * kPowers[exponent - 2]));
    } else {
        std::snprintf(buffer, sizeof buffer, "0.%02lldm",
                      static_cast<long long>(mantissa * kPowers[exponent]));
    }
    out += buffer;
}

std::uint32_t get32(std::span<const std::uint8_t> d, std::size_t at) {
    return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) | (std::uint32_t{d[at + 2]} << 8) |
           d[at + 3];
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

bool hemisphere(std::string_view t, char positive, char negative, int& sign) {
    if (t.size() != 1) return false;
    const char c = static_cast<char>(t[0] & ~0x20);
    if (c == positive)
        sign = 1;
    else if (c == negative)
        sign = -1;
    else
        return false;
    return true;
}

// Reads "d [m [s.sss]] H" from tokens[i...]; returns thousandths of an arc second from the equator or
// meridian, as the wire wants it.
std::uint32_t parse_angle(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                          std::size_t& i, int max_degrees, char positive, char negative,
                          std::string_view what) {
    std::int64_t parts[3] = {0, 0, 0};
    int sign = 0;
    for (int part = 0; part < 4; ++part) {
        if (i >= tokens.size()) fail(type, field.label, std::string(what) + " incomplete");
        const auto t = tokens[i++].text;
        if (part > 0 && hemisphere(t, positive, negative, sign)) break;
        if (part == 3)
            fail(type, field.label,
                 quote(t) + " where " + std::string(1, positive) + " or " + std::string(1, negative) +
                     " was expected");
        std::int64_t v = 0;
        const bool ok = part == 2 ? parse_fixed(t, 3, false, v) : parse_fixed(t, 0, false, v);
        if (!ok) fail(type, field.label, quote(t) + " is not a valid " + std::string(what) + " part");
        parts[part] = v;
    }
    if (parts[0] > max_degrees || parts[1] > 59 || parts[2] > 59999) {
        fail(type, field.label, std::string(what) + " out of range");
    }
    const std::int64_t ms = (parts[0] * 3600 + parts[1] * 60) * 1000 + parts[2];
    if (ms > static_cast<std::int64_t>(max_degrees) * 3600000)
        fail(type, field.label, std::string(what) + " out of range");
    return static_cast<std::uint32_t>(static_cast<std::int64_t>(kEquator) + sign * ms);
}

void append_angle_text(std::string& out, std::uint32_t value, char positive, char negative) {
    std::int64_t v = static_cast<std::int64_t>(value) - kEquator;
    const char h = v < 0 ? negative : positive;
    if (v < 0) v = -v;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%lld %lld %lld.%03lld %c", static_cast<long long>(v / 3600000),
                  static_cast<long long>(v / 60000 % 60), static_cast<long long>(v / 1000 % 60),
                  static_cast<long long>(v % 1000), h);
    out += buffer;
}

}  // namespace

void parse_loc(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
               std::vector<std::uint8_t>& out) {
    std::size_t i = 0;
    const auto latitude = parse_angle(type, field, tokens, i, 90, 'N', 'S', "latitude");
    const auto longitude = parse_angle(type, field, tokens, i, 180, 'E', 'W', "longitude");
    if (i >= tokens.size()) fail(type, field.label, "altitude missing");
    std::int64_t altitude = 0;
    if (!parse_metres(tokens[i].text, true, altitude) || altitude < -kAltitudeBase ||
        altitude > 0xFFFFFFFFLL - kAltitudeBase) {
        fail(type, field.label, quote(tokens[i].text) + " is not a valid altitude");
    }
    ++i;
    // Size, horizontal and vertical precision default to 1 m, 10 km and 10 m.
    std::int64_t precision[3] = {100, 1000000, 1000};
    static constexpr std::string_view kNames[3] = {"size", "horizontal precision", "vertical precision"};
    for (int k = 0; k < 3 && i < tokens.size(); ++k, ++i) {
        if (!parse_metres(tokens[i].text, false, precision[k]) || precision[k] > 9000000000LL) {
            fail(type, field.label, quote(tokens[i].text) + " is not a valid " + std::string(kNames[k]));
        }
    }
    if (i < tokens.size()) fail(type, field.label, "trailing junk " + quote(tokens[i].text));
    out.push_back(0);  // version
    for (const auto p : precision)
        out.push_back(encode_precision(p));
    put32(out, latitude);
    put32(out, longitude);
    put32(out, static_cast<std::uint32_t>(altitude + kAltitudeBase));
}

void check_loc(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end) {
    if (end - pos != 16) throw ParseError("LOC rdata must be 16 octets");
    if (data[pos] != 0) throw ParseError("LOC version other than 0");
    for (std::size_t k = 1; k <= 3; ++k) {
        if ((data[pos + k] >> 4) > 9 || (data[pos + k] & 0x0F) > 9)
            throw ParseError("LOC precision out of range");
    }
    const auto lat = static_cast<std::int64_t>(get32(data, pos + 4)) - kEquator;
    const auto lon = static_cast<std::int64_t>(get32(data, pos + 8)) - kEquator;
    if (lat > 90LL * 3600000 || lat < -90LL * 3600000) throw ParseError("LOC latitude out of range");
    if (lon > 180LL * 3600000 || lon < -180LL * 3600000) throw ParseError("LOC longitude out of range");
}

void append_loc_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    append_angle_text(out, get32(rdata, pos + 4), 'N', 'S');
    out.push_back(' ');
    append_angle_text(out, get32(rdata, pos + 8), 'E', 'W');
    std::int64_t altitude = static_cast<std::int64_t>(get32(rdata, pos + 12)) - kAltitudeBase;
    char buffer[64];
    const char* sign = altitude < 0 ? "-" : "";
    if (altitude < 0) altitude = -altitude;
    std::snprintf(buffer, sizeof buffer, " %s%lld.%02lldm", sign, static_cast<long long>(altitude / 100),
                  static_cast<long long>(altitude % 100));
    out += buffer;
    for (std::size_t k = 1; k <= 3; ++k) {
        out.push_back(' ');
        append_precision_text(out, rdata[pos + k]);
    }
}

}  // namespace cairn::dns::rdata_detail
