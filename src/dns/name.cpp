#include "dns/name.hpp"

#include <algorithm>
#include <array>

#include "dns/name_text.hpp"
#include "dns/text.hpp"

namespace cairn::dns {
namespace {

// Offsets of each label's length octet in an uncompressed wire name, root excluded. 127 labels fit in 255
// octets at most.
struct LabelOffsets {
    std::array<std::uint8_t, 128> at{};
    std::size_t count = 0;
};

LabelOffsets label_offsets(std::span<const std::uint8_t> wire) {
    LabelOffsets result;
    std::size_t pos = 0;
    while (pos < wire.size() && wire[pos] != 0) {
        result.at[result.count++] = static_cast<std::uint8_t>(pos);
        pos += 1 + wire[pos];
    }
    return result;
}

std::strong_ordering compare_labels(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto ca = lower_ascii(a[i]);
        const auto cb = lower_ascii(b[i]);
        if (ca != cb) return ca <=> cb;
    }
    return a.size() <=> b.size();
}

}  // namespace

Name::Name() : wire_(1, '\0') {}

namespace {

// The one presentation-to-wire name parser: appends the wire form of `text` to `out` (a std::string for
// Name, a byte vector for rdata built in place). A name without a trailing dot is completed with `origin`.
template <class Wire>
void append_text_wire(std::string_view text, const Name* origin, Wire& out) {
    using Octet = typename Wire::value_type;
    const auto quoted = [text] { return "'" + std::string(text) + "'"; };
    if (text.empty()) throw ParseError("empty domain name");
    const std::size_t start = out.size();
    if (text == ".") {
        out.push_back(0);
        return;
    }
    std::size_t label_start = out.size();
    out.push_back(0);
    bool absolute = false;
    auto close_label = [&] {
        const std::size_t len = out.size() - label_start - 1;
        if (len == 0) throw ParseError("empty label in domain name " + quoted());
        if (len > kMaxLabelLength) throw ParseError("label longer than 63 octets in domain name " + quoted());
        out[label_start] = static_cast<Octet>(len);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.') {
            close_label();
            if (i + 1 == text.size()) {
                absolute = true;
                break;
            }
            label_start = out.size();
            out.push_back(0);
        } else if (c == '\\') {
            std::size_t after = i + 1;
            out.push_back(static_cast<Octet>(read_escape(text, after)));
            i = after - 1;
        } else {
            out.push_back(static_cast<Octet>(c));
        }
    }
    if (absolute) {
        out.push_back(0);
    } else {
        close_label();
        if (origin == nullptr) throw ParseError("relative domain name " + quoted() + " with no origin");
        const auto origin_wire = origin->wire();
        out.insert(out.end(), origin_wire.begin(), origin_wire.end());
    }
    if (out.size() - start > kMaxNameLength) {
        throw ParseError("domain name longer than 255 octets: " + quoted());
    }
}

}  // namespace

Name Name::from_text(std::string_view text, const Name* origin) {
    std::string wire;
    wire.reserve(text.size() + 2);
    append_text_wire(text, origin, wire);
    return Name(std::move(wire));
}

void append_name_wire(std::string_view text, const Name* origin, std::vector<std::uint8_t>& out) {
    append_text_wire(text, origin, out);
}

Name Name::from_wire(std::span<const std::uint8_t> message, std::size_t& offset) {
    std::string wire;
    std::size_t pos = offset;
    bool jumped = false;
    // A pointer must point before the label that holds it; that bound shrinks with every jump, so
    // decompression always ends.
    std::size_t limit = offset;
    while (true) {
        if (pos >= message.size()) throw ParseError("domain name runs past the end of the message");
        const std::uint8_t len = message[pos];
        if ((len & 0xC0) == 0xC0) {
            if (pos + 1 >= message.size()) throw ParseError("truncated compression pointer");
            const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | message[pos + 1];
            if (target >= limit) throw ParseError("compression pointer does not point backwards");
            if (!jumped) offset = pos + 2;
            jumped = true;
            limit = target;
            pos = target;
            continue;
        }
        if ((len & 0xC0) != 0) throw ParseError("unsupported label type in domain name");
        if (pos + 1 + len > message.size()) throw ParseError("label runs past the end of the message");
        wire.append(reinterpret_cast<const char*>(message.data() + pos), 1 + len);
        if (wire.size() > kMaxNameLength) throw ParseError("domain name longer than 255 octets");
        pos += 1 + len;
        if (len == 0) break;
    }
    if (!jumped) offset = pos;
    return Name(std::move(wire));
}

Name Name::from_validated_wire(std::span<const std::uint8_t> wire) {
    return Name(std::string(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

void append_label_text(std::string& out, std::string_view label) {
    for (const char ch : label) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '.':
            case ';':
            case '\\':
            case '(':
            case ')':
            case '"':
            case '@':
            case '$':
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
                break;
            default:
                if (c <= 0x20 || c >= 0x7F) {
                    append_decimal_escape(out, c);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
}

std::string Name::to_text_without_dot() const {
    std::string text = to_text();
    if (text.size() > 1) text.pop_back();
    return text;
}

std::string Name::to_text() const {
    if (is_root()) return ".";
    std::string out;
    out.reserve(wire_.size() + 1);
    std::size_t pos = 0;
    while (static_cast<std::uint8_t>(wire_[pos]) != 0) {
        const std::size_t len = static_cast<std::uint8_t>(wire_[pos]);
        append_label_text(out, std::string_view(wire_).substr(pos + 1, len));
        out.push_back('.');
        pos += 1 + len;
    }
    return out;
}

std::string Name::to_text_relative(const Name& origin) const {
    if (*this == origin) return "@";
    if (!is_subdomain_of(origin) || origin.is_root()) return to_text();
    std::string out;
    const std::size_t keep = label_count() - origin.label_count();
    std::size_t pos = 0;
    for (std::size_t i = 0; i < keep; ++i) {
        const std::size_t len = static_cast<std::uint8_t>(wire_[pos]);
        if (i) out.push_back('.');
        append_label_text(out, std::string_view(wire_).substr(pos + 1, len));
        pos += 1 + len;
    }
    return out;
}

std::size_t Name::label_count() const {
    return label_offsets(wire()).count;
}

std::string_view Name::label(std::size_t index) const {
    const auto offsets = label_offsets(wire());
    if (index >= offsets.count) return {};
    const std::size_t pos = offsets.at[index];
    return std::string_view(wire_).substr(pos + 1, static_cast<std::uint8_t>(wire_[pos]));
}

Name Name::parent() const {
    if (is_root()) return *this;
    const std::size_t len = static_cast<std::uint8_t>(wire_[0]);
    return Name(wire_.substr(1 + len));
}

Name Name::suffix(std::size_t labels) const {
    const auto offsets = label_offsets(wire());
    if (labels >= offsets.count) return *this;
    if (labels == 0) return Name();  // offsets.at[count] is no label: the root
    return Name(wire_.substr(offsets.at[offsets.count - labels]));
}

Name Name::prepend(std::string_view label) const {
    if (label.empty()) throw ParseError("empty label");
    if (label.size() > kMaxLabelLength) throw ParseError("label longer than 63 octets");
    if (wire_.size() + 1 + label.size() > kMaxNameLength)
        throw ParseError("domain name longer than 255 octets");
    std::string wire;
    wire.reserve(wire_.size() + 1 + label.size());
    wire.push_back(static_cast<char>(label.size()));
    wire.append(label);
    wire.append(wire_);
    return Name(std::move(wire));
}

Name Name::concat(const Name& origin) const {
    if (wire_.size() - 1 + origin.wire_.size() > kMaxNameLength) {
        throw ParseError("domain name longer than 255 octets");
    }
    std::string wire = wire_.substr(0, wire_.size() - 1);
    wire.append(origin.wire_);
    return Name(std::move(wire));
}

Name Name::lowercased() const {
    std::string wire = wire_;
    std::size_t pos = 0;
    while (static_cast<std::uint8_t>(wire[pos]) != 0) {
        const std::size_t len = static_cast<std::uint8_t>(wire[pos]);
        for (std::size_t i = pos + 1; i <= pos + len; ++i) {
            wire[i] = static_cast<char>(lower_ascii(static_cast<std::uint8_t>(wire[i])));
        }
        pos += 1 + len;
    }
    return Name(std::move(wire));
}

bool Name::is_subdomain_of(const Name& ancestor) const {
    if (ancestor.wire_.size() > wire_.size()) return false;
    // Walk our labels until the remaining suffix has the ancestor's length, then compare.
    std::size_t pos = 0;
    const std::size_t want = wire_.size() - ancestor.wire_.size();
    while (pos < want)
        pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
    if (pos != want) return false;
    return wire_names_equal(wire().subspan(pos), ancestor.wire());
}

std::size_t Name::common_suffix_labels(const Name& other) const {
    const auto a = label_offsets(wire());
    const auto b = label_offsets(other.wire());
    std::size_t common = 0;
    while (common < a.count && common < b.count) {
        const std::size_t pa = a.at[a.count - 1 - common];
        const std::size_t pb = b.at[b.count - 1 - common];
        const auto la = wire().subspan(pa + 1, static_cast<std::uint8_t>(wire_[pa]));
        const auto lb = other.wire().subspan(pb + 1, static_cast<std::uint8_t>(other.wire_[pb]));
        if (compare_labels(la, lb) != std::strong_ordering::equal) break;
        ++common;
    }
    return common;
}

bool Name::operator==(const Name& other) const {
    return wire_names_equal(wire(), other.wire());
}

std::strong_ordering Name::operator<=>(const Name& other) const {
    return canonical_compare(wire(), other.wire());
}

std::size_t Name::hash() const {
    return wire_name_hash(wire());
}

std::strong_ordering canonical_compare(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    const auto la = label_offsets(a);
    const auto lb = label_offsets(b);
    std::size_t ia = la.count;
    std::size_t ib = lb.count;
    while (ia > 0 && ib > 0) {
        --ia;
        --ib;
        const std::size_t pa = la.at[ia];
        const std::size_t pb = lb.at[ib];
        const auto order = compare_labels(a.subspan(pa + 1, a[pa]), b.subspan(pb + 1, b[pb]));
        if (order != std::strong_ordering::equal) return order;
    }
    return ia <=> ib;
}

bool wire_names_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    if (a.size() != b.size()) return false;
    // Length octets are below 64 so lowering them is harmless; comparing the whole buffer is enough.
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
    }
    return true;
}

std::size_t wire_name_hash(std::span<const std::uint8_t> wire) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const auto c : wire) {
        h ^= lower_ascii(c);
        h *= 1099511628211ULL;
    }
    return static_cast<std::size_t>(h);
}

}  // namespace cairn::dns
