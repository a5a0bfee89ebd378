// APL (RFC 3123), IPSECKEY (RFC 4025) and HIP (RFC 8005): field kinds whose layout depends on their own
// contents.
#include "dns/rdata_special.hpp"
#include "dns/text.hpp"

namespace cairn::dns::rdata_detail {
namespace {

std::uint16_t get16(std::span<const std::uint8_t> d, std::size_t at) {
    return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// APL: items "[!]family:address/prefix"; on the wire the address loses its trailing zero octets.

void parse_apl(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
               std::vector<std::uint8_t>& out) {
    for (const auto& token : tokens) {
        std::string_view t = token.text;
        const bool negate = !t.empty() && t[0] == '!';
        if (negate) t.remove_prefix(1);
        const auto colon = t.find(':');
        const auto slash = t.rfind('/');
        if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) {
            fail(type, field.label, quote(token.text) + " is not of the form [!]family:address/prefix");
        }
        const auto family = parse_decimal(t.substr(0, colon), 0xFFFF);
        const auto address = t.substr(colon + 1, slash - colon - 1);
        std::optional<IpAddress> parsed;
        if (family == 1) parsed = IpAddress::parse_v4(address);
        if (family == 2) parsed = IpAddress::parse_v6(address);
        if (!parsed) {
            fail(type, field.label,
                 quote(token.text) + " needs family 1 with an IPv4 or 2 with an IPv6 address");
        }
        const auto octets = parsed->octets();
        std::size_t size = octets.size();
        const auto prefix = parse_decimal(t.substr(slash + 1), size * 8);
        if (!prefix) fail(type, field.label, quote(token.text) + " has a prefix length out of range");
        while (size > 0 && octets[size - 1] == 0)
            --size;
        out.push_back(0);
        out.push_back(static_cast<std::uint8_t>(*family));
        out.push_back(static_cast<std::uint8_t>(*prefix));
        out.push_back(static_cast<std::uint8_t>((negate ? 0x80 : 0) | size));
        out.insert(out.end(), octets.begin(), octets.begin() + static_cast<std::ptrdiff_t>(size));
    }
}

void check_apl(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end) {
    while (pos < end) {
        if (end - pos < 4) throw ParseError("truncated APL item");
        const auto family = get16(data, pos);
        const std::size_t prefix = data[pos + 2];
        const std::size_t length = data[pos + 3] & 0x7F;
        if (end - pos - 4 < length) throw ParseError("APL address runs past the end of the rdata");
        const std::size_t max = family == 1 ? 4 : family == 2 ? 16 : 0;
        if (max && (length > max || prefix > max * 8)) throw ParseError("APL address or prefix too long");
        pos += 4 + length;
    }
}

void append_apl_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    bool first = true;
    while (pos < rdata.size()) {
        const auto family = get16(rdata, pos);
        const std::size_t length = rdata[pos + 3] & 0x7F;
        if (family != 1 && family != 2) throw ParseError("APL family has no presentation form");
        // Trailing zero octets would be dropped when read back (RFC 3123 §4 says not to send them).
        if (length > 0 && rdata[pos + 3 + length] == 0) throw ParseError("APL address with trailing zeros");
        if (!first) out.push_back(' ');
        first = false;
        if (rdata[pos + 3] & 0x80) out.push_back('!');
        out += family == 1 ? "1:" : "2:";
        std::uint8_t a[16] = {};
        std::copy_n(rdata.begin() + static_cast<std::ptrdiff_t>(pos + 4), length, a);
        IpAddress::from_octets(family == 1 ? AF_INET : AF_INET6, a).append_text(out);
        out.push_back('/');
        out += std::to_string(rdata[pos + 2]);
        pos += 4 + length;
    }
}

// ---------------------------------------------------------------------------------------------------------
// IPSECKEY after the precedence: gateway type, algorithm, gateway (none, IPv4, IPv6 or an uncompressed
// name), public key in base64 (optional).

void parse_ipseckey(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                    const Name& origin, std::vector<std::uint8_t>& out) {
    static constexpr FieldSpec kGatewayType{Field::U8, "gateway type"};
    static constexpr FieldSpec kAlgorithm{Field::U8, "algorithm"};
    if (tokens.size() < 3) fail(type, field.label, "needs gateway type, algorithm and gateway");
    const auto gateway_type = parse_number(type, kGatewayType, tokens[0], 3);
    out.push_back(static_cast<std::uint8_t>(gateway_type));
    out.push_back(static_cast<std::uint8_t>(parse_number(type, kAlgorithm, tokens[1], 255)));
    const auto gateway = tokens[2].text;
    switch (gateway_type) {
        case 0:
            if (gateway != ".") fail(type, "gateway", "must be '.' for gateway type 0");
            break;
        case 1:
            if (const auto address = IpAddress::parse_v4(gateway)) {
                append_octets(*address, out);
            } else {
                fail(type, "gateway", quote(gateway) + " is not an IPv4 address");
            }
            break;
        case 2:
            if (const auto address = IpAddress::parse_v6(gateway)) {
                append_octets(*address, out);
            } else {
                fail(type, "gateway", quote(gateway) + " is not an IPv6 address");
            }
            break;
        default:
            try {
                append_name_text(gateway, origin, out);
            } catch (const ParseError& e) {
                fail(type, "gateway", e.what());
            }
    }
    // RFC 4025 lets the key be empty only through the generic form: BIND requires one in text.
    if (tokens.size() < 4) fail(type, "public key", "missing");
    Base64Decoder decoder(out);
    for (const auto& t : tokens.subspan(3)) {
        if (!decoder.feed(t.text)) fail(type, "public key", quote(t.text) + " is not valid base64");
    }
    if (!decoder.finish()) fail(type, "public key", "base64 data does not end on a 4-character boundary");
}

std::size_t walk_ipseckey(const WireWalk& w, std::size_t pos) {
    const std::size_t start = pos;
    pos = need(w, pos, 2);
    switch (w.data[start]) {
        case 0:
            copy_raw(w, start, pos);
            break;
        case 1:
            pos = need(w, pos, 4);
            copy_raw(w, start, pos);
            break;
        case 2:
            pos = need(w, pos, 16);
            copy_raw(w, start, pos);
            break;
        case 3:
            copy_raw(w, start, pos);
            pos = walk_name(w, pos, false);
            break;
        default:
            throw ParseError("IPSECKEY gateway type above 3");
    }
    copy_raw(w, pos, w.end);
    return w.end;
}

void append_ipseckey_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    const std::uint8_t gateway_type = rdata[pos];
    out += std::to_string(gateway_type);
    out.push_back(' ');
    out += std::to_string(rdata[pos + 1]);
    out.push_back(' ');
    pos += 2;
    switch (gateway_type) {
        case 0:
            out.push_back('.');
            break;
        case 1:
            IpAddress::from_octets(AF_INET, rdata.data() + pos).append_text(out);
            pos += 4;
            break;
        case 2:
            IpAddress::from_octets(AF_INET6, rdata.data() + pos).append_text(out);
            pos += 16;
            break;
        default:
            append_wire_name_text(out, rdata, pos);
            break;
    }
    if (pos == rdata.size()) throw ParseError("IPSECKEY without a key has no text form");
    out.push_back(' ');
    append_base64(out, rdata.subspan(pos));
}

// ---------------------------------------------------------------------------------------------------------
// AMTRELAY after the precedence: "D type relay" in text, one octet D<<7|type then the relay on the wire.

void parse_amtrelay(RRType type, const FieldSpec&, std::span<const TextToken> tokens, const Name& origin,
                    std::vector<std::uint8_t>& out) {
    static constexpr FieldSpec kDiscovery{Field::U8, "discovery optional"};
    static constexpr FieldSpec kRelayType{Field::U8, "relay type"};
    if (tokens.size() < 3) fail(type, "relay", "needs discovery-optional bit, relay type and relay");
    if (tokens.size() > 3) fail(type, "relay", "trailing junk " + quote(tokens[3].text));
    const auto discovery = parse_number(type, kDiscovery, tokens[0], 1);
    const auto relay_type = parse_number(type, kRelayType, tokens[1], 3);
    out.push_back(static_cast<std::uint8_t>((discovery << 7) | relay_type));
    const auto relay = tokens[2].text;
    switch (relay_type) {
        case 0:
            if (relay != ".") fail(type, "relay", "must be '.' for relay type 0");
            break;
        case 1:
            if (const auto address = IpAddress::parse_v4(relay)) {
                append_octets(*address, out);
            } else {
                fail(type, "relay", quote(relay) + " is not an IPv4 address");
            }
            break;
        case 2:
            if (const auto address = IpAddress::parse_v6(relay)) {
                append_octets(*address, out);
            } else {
                fail(type, "relay", quote(relay) + " is not an IPv6 address");
            }
            break;
        default:
            try {
                append_name_text(relay, origin, out);
            } catch (const ParseError& e) {
                fail(type, "relay", e.what());
            }
    }
}

std::size_t walk_amtrelay(const WireWalk& w, std::size_t pos) {
    const std::size_t start = pos;
    pos = need(w, pos, 1);
    switch (w.data[start] & 0x7F) {
        case 0:
            break;
        case 1:
            pos = need(w, pos, 4);
            break;
        case 2:
            pos = need(w, pos, 16);
            break;
        case 3:
            copy_raw(w, start, pos);
            return walk_name(w, pos, false);
        default:
            pos = w.end;
            break;  // relay types from later RFCs: opaque
    }
    copy_raw(w, start, pos);
    return pos;
}

void append_amtrelay_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    const unsigned relay_type = rdata[pos] & 0x7F;
    if (relay_type > 3) throw ParseError("AMTRELAY relay type without a text form");
    out += (rdata[pos] & 0x80) ? "1 " : "0 ";
    out += std::to_string(relay_type);
    out.push_back(' ');
    ++pos;
    switch (relay_type) {
        case 0:
            out.push_back('.');
            break;
        case 1:
            IpAddress::from_octets(AF_INET, rdata.data() + pos).append_text(out);
            break;
        case 2:
            IpAddress::from_octets(AF_INET6, rdata.data() + pos).append_text(out);
            break;
        default:
            append_wire_name_text(out, rdata, pos);
            break;
    }
}

// ---------------------------------------------------------------------------------------------------------
// HIP: HIT length, public key algorithm, public key length, HIT, public key, rendezvous servers (names, never
// compressed). Presented as "algorithm HIT-in-hex key-in-base64 [server...]".

void parse_hip(RRType type, const FieldSpec&, std::span<const TextToken> tokens, const Name& origin,
               std::vector<std::uint8_t>& out) {
    static constexpr FieldSpec kAlgorithm{Field::U8, "public key algorithm"};
    if (tokens.size() < 3) fail(type, "host identity", "needs algorithm, HIT and public key");
    const std::size_t start = out.size();
    out.resize(start + 4);
    out[start + 1] = static_cast<std::uint8_t>(parse_number(type, kAlgorithm, tokens[0], 255));
    if (!decode_hex(tokens[1].text, out)) fail(type, "HIT", quote(tokens[1].text) + " is not hexadecimal");
    const std::size_t hit_length = out.size() - start - 4;
    if (hit_length == 0 || hit_length > 255) fail(type, "HIT", "must be 1 to 255 octets");
    if (!decode_base64(tokens[2].text, out))
        fail(type, "public key", quote(tokens[2].text) + " is not valid base64");
    const std::size_t key_length = out.size() - start - 4 - hit_length;
    if (key_length > 0xFFFF) fail(type, "public key", "longer than 65535 octets");
    out[start] = static_cast<std::uint8_t>(hit_length);
    out[start + 2] = static_cast<std::uint8_t>(key_length >> 8);
    out[start + 3] = static_cast<std::uint8_t>(key_length);
    for (const auto& t : tokens.subspan(3)) {
        try {
            append_name_text(t.text, origin, out);
        } catch (const ParseError& e) {
            fail(type, "rendezvous server", e.what());
        }
    }
}

std::size_t walk_hip(const WireWalk& w, std::size_t pos) {
    const std::size_t start = pos;
    need(w, pos, 4);
    const std::size_t hit_length = w.data[pos];
    const std::size_t key_length = get16(w.data, pos + 2);
    if (hit_length == 0) throw ParseError("HIP with an empty HIT");
    pos = need(w, pos + 4, hit_length + key_length);
    copy_raw(w, start, pos);
    while (pos < w.end)
        pos = walk_name(w, pos, false);
    return pos;
}

void append_hip_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos) {
    const std::size_t hit_length = rdata[pos];
    const std::size_t key_length = get16(rdata, pos + 2);
    if (key_length == 0) throw ParseError("HIP without a public key has no text form");
    out += std::to_string(rdata[pos + 1]);
    out.push_back(' ');
    append_hex(out, rdata.subspan(pos + 4, hit_length));
    out.push_back(' ');
    append_base64(out, rdata.subspan(pos + 4 + hit_length, key_length));
    pos += 4 + hit_length + key_length;
    while (pos < rdata.size()) {
        out.push_back(' ');
        append_wire_name_text(out, rdata, pos);
    }
}

}  // namespace cairn::dns::rdata_detail
