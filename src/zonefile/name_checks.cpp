#include "zonefile/name_checks.hpp"

#include <string_view>

namespace cairn::zonefile {
namespace {

bool is_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string_view label_at(WireName name, std::size_t pos) {
    return {reinterpret_cast<const char*>(name.data() + pos + 1), name[pos]};
}

bool is_host_label(std::string_view label) {
    if (label.empty()) return false;
    for (std::size_t i = 0; i < label.size(); ++i) {
        const auto c = static_cast<unsigned char>(label[i]);
        const bool border = i == 0 || i + 1 == label.size();
        if (!(is_alnum(c) || (!border && c == '-'))) return false;
    }
    return true;
}

bool is_byte_number(std::string_view label) {
    if (label.empty() || label.size() > 3) return false;
    unsigned value = 0;
    for (const char c : label) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= 255;
}

}  // namespace

bool is_hostname(WireName name, bool wildcard) {
    for (std::size_t pos = 0; pos < name.size() && name[pos] != 0; pos += 1 + name[pos]) {
        const std::string_view label = label_at(name, pos);
        if (pos == 0 && wildcard && label == "*") continue;
        if (!is_host_label(label)) return false;
    }
    return true;
}

bool is_mailbox(WireName name) {
    if (name.empty() || name[0] == 0) return true;
    for (const char c : label_at(name, 0)) {
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
    }
    for (std::size_t pos = 1 + name[0]; pos < name.size() && name[pos] != 0; pos += 1 + name[pos]) {
        if (!is_host_label(label_at(name, pos))) return false;
    }
    return true;
}

bool looks_like_address(WireName name) {
    if (name.empty() || name[0] == 0) return false;
    const std::string_view first = label_at(name, 0);
    if (first.find(':') != std::string_view::npos) {
        for (const char c : first) {
            const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':') return false;
        }
        return true;
    }
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
        if (pos >= name.size() || name[pos] == 0 || !is_byte_number(label_at(name, pos))) return false;
        pos += 1 + name[pos];
    }
    return pos >= name.size() || name[pos] == 0 || !is_byte_number(label_at(name, pos));
}

bool wire_is_subdomain(WireName name, WireName ancestor) {
    if (ancestor.size() > name.size()) return false;
    const std::size_t want = name.size() - ancestor.size();
    std::size_t pos = 0;
    while (pos < want)
        pos += 1 + name[pos];
    return pos == want && dns::wire_names_equal(name.subspan(pos), ancestor);
}

}  // namespace cairn::zonefile
