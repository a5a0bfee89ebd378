#include "ctl/ccmsg.hpp"

#include <charconv>

namespace cairn::ctl {

CcTable::Entry* CcTable::entry(std::string_view key) {
    for (auto& e : entries_) {
        if (e.key == key) return &e;
    }
    return nullptr;
}

void CcTable::set(std::string_view key, std::string_view value) {
    Entry* e = entry(key);
    if (e == nullptr) {
        entries_.push_back({std::string(key), {}, nullptr});
        e = &entries_.back();
    }
    e->binary = std::string(value);
    e->table.reset();
}

CcTable& CcTable::table(std::string_view key) {
    Entry* e = entry(key);
    if (e == nullptr) {
        entries_.push_back({std::string(key), {}, nullptr});
        e = &entries_.back();
    }
    if (!e->table) e->table = std::make_shared<CcTable>();
    return *e->table;
}

const std::string* CcTable::find(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.key == key) return e.table ? nullptr : &e.binary;
    }
    return nullptr;
}

std::optional<std::uint32_t> CcTable::find_uint32(std::string_view key) const {
    const std::string* text = find(key);
    if (text == nullptr || text->empty()) return std::nullopt;
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return value;
}

const CcTable* CcTable::find_table(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.key == key) return e.table.get();
    }
    return nullptr;
}

namespace {

void put_u32(std::string& out, std::size_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out += static_cast<char>((value >> shift) & 0xFF);
}

std::uint32_t get_u32(std::span<const std::uint8_t> data, std::size_t at) {
    return (std::uint32_t{data[at]} << 24) | (std::uint32_t{data[at + 1]} << 16) |
           (std::uint32_t{data[at + 2]} << 8) | std::uint32_t{data[at + 3]};
}

}  // namespace

void encode_entries(const CcTable& table, std::string& out) {
    for (const auto& e : table.entries()) {
        if (e.key.size() > 255) throw ProtocolError("control message key longer than 255 octets");
        out += static_cast<char>(e.key.size());
        out += e.key;
        if (e.table) {
            std::string inner;
            encode_entries(*e.table, inner);
            out += static_cast<char>(kCcTable);
            put_u32(out, inner.size());
            out += inner;
        } else {
            out += static_cast<char>(kCcBinary);
            put_u32(out, e.binary.size());
            out += e.binary;
        }
    }
}

CcTable decode_entries(std::span<const std::uint8_t> data, int depth) {
    if (depth > kCcMaxDepth) throw ProtocolError("control message nested too deeply");
    CcTable table;
    std::size_t at = 0;
    while (at < data.size()) {
        const std::size_t key_length = data[at];
        if (at + 1 + key_length + 5 > data.size()) throw ProtocolError("truncated control message");
        const std::string_view key(reinterpret_cast<const char*>(data.data() + at + 1), key_length);
        at += 1 + key_length;
        const std::uint8_t type = data[at];
        const std::uint32_t length = get_u32(data, at + 1);
        at += 5;
        if (length > data.size() - at) throw ProtocolError("truncated control message value");
        const auto value = data.subspan(at, length);
        at += length;
        if (type == kCcBinary) {
            table.set(key, std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
        } else if (type == kCcTable) {
            table.table(key) = decode_entries(value, depth + 1);
        } else if (type != kCcList) {
            throw ProtocolError("unknown value type " + std::to_string(type) + " in control message");
        }
    }
    return table;
}

}  // namespace cairn::ctl
