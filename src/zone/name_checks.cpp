#include "zone/name_checks.hpp"

namespace cairn::zone {
namespace {

bool is_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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

bool is_hostname(const dns::Name& name, bool wildcard) {
    const std::size_t labels = name.label_count();
    for (std::size_t i = 0; i < labels; ++i) {
        const std::string_view label = name.label(i);
        if (i == 0 && wildcard && label == "*") continue;
        if (!is_host_label(label)) return false;
    }
    return true;
}

bool is_mailbox(const dns::Name& name) {
    const std::size_t labels = name.label_count();
    if (labels == 0) return true;
    for (const char c : name.label(0)) {
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
    }
    for (std::size_t i = 1; i < labels; ++i) {
        if (!is_host_label(name.label(i))) return false;
    }
    return true;
}

bool looks_like_address(const dns::Name& name) {
    const std::size_t labels = name.label_count();
    if (labels == 0) return false;
    const std::string_view first = name.label(0);
    if (first.find(':') != std::string_view::npos) {
        for (const char c : first) {
            const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':') return false;
        }
        return true;
    }
    if (labels < 4) return false;
    for (std::size_t i = 0; i < 4; ++i) {
        if (!is_byte_number(name.label(i))) return false;
    }
    return labels == 4 || !is_byte_number(name.label(4));
}

}  // namespace cairn::zone
