#include "zonefile/generate.hpp"

#include <charconv>
#include <cstdio>

namespace cairn::zonefile {
namespace {

// Nibble form: hex digits of `value` lowest first, each followed by '.' while digits remain or the width
// is not used up; the width counts digits and dots alike (BIND's rule, so output matches it exactly).
void append_nibbles(std::string& out, std::uint64_t value, std::uint32_t width, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        out += digits[value & 0x0f];
        value >>= 4;
        if (width > 0) --width;
        if (width > 0 || value != 0) {
            out += '.';
            if (width > 0) --width;
        }
    } while (value != 0 || width > 0);
}

bool parse_int(std::string_view text, std::int64_t& out) {
    if (text.empty()) return false;
    const char* b = text.data();
    const char* e = b + text.size();
    if (*b == '+') ++b;
    const auto r = std::from_chars(b, e, out);
    return r.ec == std::errc() && r.ptr == e;
}

}  // namespace

std::optional<GenerateRange> parse_generate_range(std::string_view text) {
    GenerateRange r;
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::size_t slash = text.find('/', dash);
    const std::string_view a = text.substr(0, dash);
    const std::string_view b =
        text.substr(dash + 1, slash == std::string_view::npos ? text.npos : slash - dash - 1);
    auto number = [](std::string_view s, std::uint32_t& v) {
        const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
        return !s.empty() && res.ec == std::errc() && res.ptr == s.data() + s.size() && v <= 0x7FFFFFFFu;
    };
    if (!number(a, r.start) || !number(b, r.stop)) return std::nullopt;
    if (slash != std::string_view::npos && (!number(text.substr(slash + 1), r.step) || r.step == 0)) {
        return std::nullopt;
    }
    if (r.start > r.stop) return std::nullopt;
    return r;
}

std::string expand_generate_template(std::string_view pattern, std::int64_t value, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < pattern.size();) {
        const char c = pattern[i];
        if (c == '\\') {
            out += c;
            if (i + 1 < pattern.size()) out += pattern[i + 1];
            i += 2;
            continue;
        }
        if (c != '$') {
            out += c;
            ++i;
            continue;
        }
        ++i;
        if (i < pattern.size() && pattern[i] == '$') {
            out += '$';
            ++i;
            continue;
        }
        std::int64_t offset = 0;
        std::int64_t width = 0;
        char base = 'd';
        if (i < pattern.size() && pattern[i] == '{') {
            const std::size_t close = pattern.find('}', i);
            if (close == std::string_view::npos) return "unterminated '${' in $GENERATE template";
            const std::string_view spec = pattern.substr(i + 1, close - i - 1);
            i = close + 1;
            const std::size_t c1 = spec.find(',');
            if (!parse_int(spec.substr(0, c1), offset)) return "bad offset in '${" + std::string(spec) + "}'";
            if (c1 != std::string_view::npos) {
                const std::size_t c2 = spec.find(',', c1 + 1);
                const std::string_view w = spec.substr(c1 + 1, c2 == spec.npos ? spec.npos : c2 - c1 - 1);
                if (!parse_int(w, width) || width < 0 || width > 255) {
                    return "bad width in '${" + std::string(spec) + "}'";
                }
                if (c2 != std::string_view::npos) {
                    const std::string_view b = spec.substr(c2 + 1);
                    if (b.size() != 1 || std::string_view("doxXnN").find(b[0]) == std::string_view::npos) {
                        return "bad base in '${" + std::string(spec) + "}' (d, o, x, X, n or N)";
                    }
                    base = b[0];
                }
            }
        }
        const std::int64_t n = value + offset;
        if (n > 0x7FFFFFFF || n < -0x80000000LL) return "$GENERATE value out of range";
        const int iv = static_cast<int>(n);
        if (base == 'n' || base == 'N') {
            append_nibbles(out, static_cast<std::uint32_t>(iv), static_cast<std::uint32_t>(width),
                           base == 'N');
            continue;
        }
        char fmt[8] = {'%', '0', '*', base, 0};
        char buf[300];
        const int len = std::snprintf(buf, sizeof buf, fmt, static_cast<int>(width), iv);
        if (len < 0 || static_cast<std::size_t>(len) >= sizeof buf) return "$GENERATE field too wide";
        out.append(buf, static_cast<std::size_t>(len));
    }
    return {};
}

}  // namespace cairn::zonefile
