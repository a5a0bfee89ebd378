// SVCB and HTTPS SvcParams (RFC 9460 §2.1, §7 and Appendix A; dohpath from RFC 9461, ohttp from RFC 9540).
#include <algorithm>
#include <array>
#include <optional>

#include "dns/rdata_special.hpp"
#include "dns/text.hpp"

namespace cairn::dns::rdata_detail {
namespace {

enum SvcKey : std::uint16_t {
    kMandatory = 0,
    kAlpn = 1,
    kNoDefaultAlpn = 2,
    kPort = 3,
    kIpv4Hint = 4,
    kEch = 5,
    kIpv6Hint = 6,
    kDohPath = 7,
    kOhttp = 8,
    kInvalidKey = 65535,
};

constexpr std::array<std::string_view, 9> kKeyNames = {
    "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"};

std::optional<std::uint16_t> key_from_text(std::string_view text) {
    for (std::size_t i = 0; i < kKeyNames.size(); ++i) {
        if (text == kKeyNames[i]) return static_cast<std::uint16_t>(i);
    }
    if (text.size() > 3 && text.substr(0, 3) == "key") {
        const auto digits = text.substr(3);
        // RFC 9460 §2.1: no leading zeros.
        if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
        const auto v = parse_decimal(digits, 65535);
        // key65535 is reserved ("Invalid key", RFC 9460 §14.3.2) but BIND reads it, and so do we.
        if (v) return static_cast<std::uint16_t>(*v);
    }
    return std::nullopt;
}

// Printed names stop at RFC 9460's keys: BIND 9.18 reads dohpath and ohttp only as key7 and key8.
void append_key_text(std::string& out, std::uint16_t key) {
    if (key <= kIpv6Hint) {
        out += kKeyNames[key];
    } else {
        out += "key";
        out += std::to_string(key);
    }
}

std::string key_text(std::uint16_t key) {
    std::string s;
    append_key_text(s, key);
    return s;
}

std::uint16_t get16(std::span<const std::uint8_t> d, std::size_t at) {
    return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

// RFC 9460 Appendix A.1: splits a comma-separated value list, where "\," and "\\" (left after
// character-string unescaping) stand for a literal comma and backslash. Items may not be empty.
template <typename Visit>
bool for_each_list_item(std::span<const std::uint8_t> value, std::string& item, Visit visit) {
    item.clear();
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i == value.size() || value[i] == ',') {
            if (item.empty()) return false;
            if (!visit(std::string_view(item))) return false;
            item.clear();
            continue;
        }
        if (value[i] == '\\') {
            if (++i == value.size()) return false;
        }
        item.push_back(static_cast<char>(value[i]));
    }
    return true;
}

// Checks one parameter's wire value; returns a problem or nullptr.
const char* value_problem(std::uint16_t key, std::span<const std::uint8_t> v) {
    switch (key) {
        case kMandatory: {
            if (v.empty() || v.size() % 2) return "mandatory needs a non-empty list of keys";
            for (std::size_t i = 0; i < v.size(); i += 2) {
                const auto k = get16(v, i);
                if (k == kMandatory) return "mandatory may not list itself";
                if (i > 0 && k <= get16(v, i - 2))
                    return "mandatory keys must be unique and in increasing order";
            }
            return nullptr;
        }
        case kAlpn: {
            if (v.empty()) return "alpn needs at least one protocol";
            for (std::size_t i = 0; i < v.size(); i += 1 + v[i]) {
                if (v[i] == 0) return "alpn protocol id is empty";
                if (i + 1 + v[i] > v.size()) return "alpn protocol id runs past the parameter";
            }
            return nullptr;
        }
        case kNoDefaultAlpn:
        case kOhttp:
            return v.empty() ? nullptr : "this key takes no value";
        case kPort:
            return v.size() == 2 ? nullptr : "port must be 2 octets";
        case kIpv4Hint:
            return !v.empty() && v.size() % 4 == 0 ? nullptr : "ipv4hint needs one or more addresses";
        case kIpv6Hint:
            return !v.empty() && v.size() % 16 == 0 ? nullptr : "ipv6hint needs one or more addresses";
        case kDohPath:
            return v.empty() ? "dohpath needs a value" : nullptr;
        default:
            return nullptr;
    }
}

struct Param {
    std::uint16_t key;
    std::size_t value_at;  // in the scratch buffer
    std::size_t value_size;
};

// Presentation value -> wire value, appended to `out`.
// A key written in its generic form (keyNNNNN) takes its value as plain octets, checked as wire data.
void parse_value(RRType type, const FieldSpec& field, std::uint16_t key, std::span<const std::uint8_t> raw,
                 bool generic, std::vector<std::uint8_t>& out) {
    const std::string key_name = key_text(key);
    auto bad = [&](std::string_view problem) {
        fail(type, field.label, key_name + ": " + std::string(problem));
    };
    std::string item;
    const std::size_t start = out.size();
    switch (generic ? static_cast<std::uint16_t>(kInvalidKey) : key) {
        case kMandatory: {
            std::vector<std::uint16_t> keys;
            if (!for_each_list_item(raw, item, [&](std::string_view k) {
                    const auto code = key_from_text(k);
                    if (!code) bad(quote(k) + " is not a parameter key");
                    keys.push_back(*code);
                    return true;
                })) {
                bad("empty item in key list");
            }
            std::sort(keys.begin(), keys.end());
            if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) bad("a key is listed twice");
            for (const auto k : keys) {
                out.push_back(static_cast<std::uint8_t>(k >> 8));
                out.push_back(static_cast<std::uint8_t>(k));
            }
            break;
        }
        case kAlpn:
            if (!for_each_list_item(raw, item, [&](std::string_view id) {
                    if (id.size() > 255) bad("protocol id longer than 255 octets");
                    out.push_back(static_cast<std::uint8_t>(id.size()));
                    out.insert(out.end(), id.begin(), id.end());
                    return true;
                })) {
                bad("empty protocol id");
            }
            break;
        case kPort: {
            const auto v =
                parse_decimal(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), 65535);
            if (!v) bad("not a port number");
            out.push_back(static_cast<std::uint8_t>(*v >> 8));
            out.push_back(static_cast<std::uint8_t>(*v));
            break;
        }
        case kIpv4Hint:
        case kIpv6Hint:
            if (!for_each_list_item(raw, item, [&](std::string_view address) {
                    const bool v4 = key == kIpv4Hint;
                    const auto parsed = v4 ? IpAddress::parse_v4(address) : IpAddress::parse_v6(address);
                    if (!parsed) {
                        bad(quote(address) + (v4 ? " is not an IPv4 address" : " is not an IPv6 address"));
                    }
                    append_octets(*parsed, out);
                    return true;
                })) {
                bad("empty address in list");
            }
            break;
        case kEch:
            if (!decode_base64(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()),
                               out)) {
                bad("not valid base64");
            }
            break;
        default:  // no-default-alpn, ohttp, dohpath, keyNNNNN: the octets as they are
            out.insert(out.end(), raw.begin(), raw.end());
            break;
    }
    if (const char* problem = value_problem(key, std::span<const std::uint8_t>(out).subspan(start)))
        bad(problem);
}

}  // namespace

void parse_svc_params(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                      std::vector<std::uint8_t>& out) {
    // Values go to a scratch buffer first: parameters are written sorted by key.
    std::vector<std::uint8_t> values;
    std::vector<std::uint8_t> raw;
    std::vector<Param> params;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string_view text = tokens[i].text;
        if (tokens[i].quoted) fail(type, field.label, "parameter key expected, found a quoted string");
        const auto eq = text.find('=');
        const std::string_view key_part = text.substr(0, eq);
        const auto key = key_from_text(key_part);
        if (!key) fail(type, field.label, quote(key_part) + " is not a parameter key");
        bool has_value = eq != std::string_view::npos;
        std::string_view value;
        if (has_value) {
            value = text.substr(eq + 1);
            if (value.empty() && i + 1 < tokens.size() && tokens[i + 1].quoted) {
                value = tokens[++i].text;  // key="value" split by the lexer at the quote
            } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);  // key="value" kept as one token
            }
        }
        raw.clear();
        try {
            append_unescaped(value, raw);
        } catch (const ParseError& e) {
            fail(type, field.label, key_text(*key) + ": " + e.what());
        }
        if (*key == kNoDefaultAlpn || *key == kOhttp) {
            if (!raw.empty()) fail(type, field.label, key_text(*key) + ": this key takes no value");
        } else if (!has_value && *key < kKeyNames.size() && *key != kEch) {
            fail(type, field.label, key_text(*key) + ": missing value");
        }
        const std::size_t at = values.size();
        parse_value(type, field, *key, raw, key_part.substr(0, 3) == "key", values);
        params.push_back({*key, at, values.size() - at});
    }
    std::sort(params.begin(), params.end(), [](const Param& a, const Param& b) { return a.key < b.key; });
    for (std::size_t i = 1; i < params.size(); ++i) {
        if (params[i].key == params[i - 1].key) {
            fail(type, field.label, key_text(params[i].key) + " appears more than once");
        }
    }
    // RFC 9460 §7.1.1: no-default-alpn without alpn leaves no protocol at all (BIND refuses it too).
    const auto has = [&](std::uint16_t k) {
        return std::any_of(params.begin(), params.end(), [&](const Param& p) { return p.key == k; });
    };
    if (has(kNoDefaultAlpn) && !has(kAlpn)) fail(type, field.label, "no-default-alpn needs alpn");
    // RFC 9460 §8: every key listed in mandatory must be present.
    if (!params.empty() && params[0].key == kMandatory) {
        const auto list =
            std::span<const std::uint8_t>(values).subspan(params[0].value_at, params[0].value_size);
        for (std::size_t i = 0; i < list.size(); i += 2) {
            const auto k = get16(list, i);
            if (!has(k)) {
                fail(type, field.label, "mandatory lists " + key_text(k) + ", which is not present");
            }
        }
    }
    for (const auto& p : params) {
        if (p.value_size > 0xFFFF)
            fail(type, field.label, key_text(p.key) + ": value longer than 65535 octets");
        out.push_back(static_cast<std::uint8_t>(p.key >> 8));
        out.push_back(static_cast<std::uint8_t>(p.key));
        out.push_back(static_cast<std::uint8_t>(p.value_size >> 8));
        out.push_back(static_cast<std::uint8_t>(p.value_size));
        out.insert(out.end(), values.begin() + static_cast<std::ptrdiff_t>(p.value_at),
                   values.begin() + static_cast<std::ptrdiff_t>(p.value_at + p.value_size));
    }
}

void check_svc_params(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end) {
    int previous = -1;
    const std::size_t start = pos;
    while (pos < end) {
        if (end - pos < 4) throw ParseError("truncated SvcParam");
        const std::uint16_t key = get16(data, pos);
        const std::size_t length = get16(data, pos + 2);
        if (static_cast<int>(key) <= previous)
            throw ParseError("SvcParam keys must be unique and in increasing order");
        if (end - pos - 4 < length) throw ParseError("SvcParam value runs past the end of the rdata");
        if (const char* problem = value_problem(key, data.subspan(pos + 4, length)))
            throw ParseError(problem);
        previous = key;
        pos += 4 + length;
    }
    // RFC 9460 §7.1.1, as the text form enforces it: no-default-alpn without alpn leaves no protocol.
    bool alpn = false;
    bool no_default_alpn = false;
    for (std::size_t p = start; p < end; p += 4 + get16(data, p + 2)) {
        alpn = alpn || get16(data, p) == kAlpn;
        no_default_alpn = no_default_alpn || get16(data, p) == kNoDefaultAlpn;
    }
    if (no_default_alpn && !alpn) throw ParseError("no-default-alpn needs alpn");
    // Keys named in mandatory must be present.
    if (start < end && get16(data, start) == kMandatory) {
        const std::size_t list_length = get16(data, start + 2);
        for (std::size_t i = 0; i < list_length; i += 2) {
            const auto wanted = get16(data, start + 4 + i);
            bool found = false;
            for (std::size_t p = start; p < end; p += 4 + get16(data, p + 2))
                found = found || get16(data, p) == wanted;
            if (!found) throw ParseError("mandatory lists " + key_text(wanted) + ", which is not present");
        }
    }
}

namespace {

// Character-string escaping inside quotes, with ',' and '\' first escaped for value lists.
void append_list_item(std::string& out, std::span<const std::uint8_t> item) {
    for (const auto c : item) {
        if (c == ',' || c == '\\') {
            out += "\\\\";  // list-level backslash, itself escaped for the character-string
            if (c == '\\')
                out += "\\\\";
            else
                out.push_back(',');
        } else if (c == '"') {
            out += "\\\"";
        } else if (c < 0x20 || c > 0x7E) {
            append_decimal_escape(out, c);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
}

}  // namespace

void append_svc_params_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    bool first = true;
    while (pos < rdata.size()) {
        const std::uint16_t key = get16(rdata, pos);
        const std::size_t length = get16(rdata, pos + 2);
        const auto v = rdata.subspan(pos + 4, length);
        pos += 4 + length;
        if (!first) out.push_back(' ');
        first = false;
        append_key_text(out, key);
        switch (key) {
            case kMandatory:
                out.push_back('=');
                for (std::size_t i = 0; i < v.size(); i += 2) {
                    if (i) out.push_back(',');
                    append_key_text(out, get16(v, i));
                }
                break;
            case kAlpn:
                out += "=\"";
                for (std::size_t i = 0; i < v.size(); i += 1 + v[i]) {
                    if (i) out.push_back(',');
                    append_list_item(out, v.subspan(i + 1, v[i]));
                }
                out.push_back('"');
                break;
            case kNoDefaultAlpn:
                break;
            case kPort:
                out.push_back('=');
                out += std::to_string(get16(v, 0));
                break;
            case kIpv4Hint:
            case kIpv6Hint: {
                out.push_back('=');
                const std::size_t step = key == kIpv4Hint ? 4 : 16;
                for (std::size_t i = 0; i < v.size(); i += step) {
                    if (i) out.push_back(',');
                    IpAddress::from_octets(step == 4 ? AF_INET : AF_INET6, v.data() + i).append_text(out);
                }
                break;
            }
            case kEch:
                if (!v.empty()) {
                    out.push_back('=');
                    append_base64(out, v);
                }
                break;
            default:
                if (!v.empty()) {
                    out.push_back('=');
                    append_quoted_text(out, v);
                }
                break;
        }
    }
}

}  // namespace cairn::dns::rdata_detail
