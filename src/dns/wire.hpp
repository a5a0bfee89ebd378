// Bounds-checked big-endian reading and writing of wire data.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "dns/name.hpp"

namespace cairn::dns {

// Size of the uncompressed name starting at `at` inside `data` (rdata, or any buffer of wire names); 0 when
// it is malformed (a compression pointer included) or runs past the end.
inline std::size_t rdata_name_size(std::span<const std::uint8_t> data, std::size_t at) {
    std::size_t pos = at;
    while (pos < data.size()) {
        const std::uint8_t len = data[pos];
        if (len > 63) return 0;
        pos += 1 + len;
        if (len == 0) return pos - at <= 255 ? pos - at : 0;
        if (pos - at > 255) return 0;
    }
    return 0;
}

class WireReader {
public:
    explicit WireReader(std::span<const std::uint8_t> data, std::size_t offset = 0) : data_(data), pos_(offset) {}

    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ >= data_.size(); }
    std::span<const std::uint8_t> data() const { return data_; }

    std::uint8_t u8() {
        need(1);
        return data_[pos_++];
    }
    std::uint16_t u16() {
        need(2);
        const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    std::uint32_t u32() {
        need(4);
        const std::uint32_t v = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
                                (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
        pos_ += 4;
        return v;
    }
    std::span<const std::uint8_t> bytes(std::size_t n) {
        need(n);
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    // A possibly compressed name; compression pointers may reach anywhere earlier in `data()`.
    Name name() { return Name::from_wire(data_, pos_); }
    void skip(std::size_t n) {
        need(n);
        pos_ += n;
    }

private:
    void need(std::size_t n) const {
        if (n > data_.size() - pos_) throw ParseError("data runs past the end of the message");
    }
    std::span<const std::uint8_t> data_;
    std::size_t pos_;
};

// Appends big-endian fields to a byte vector.
class WireWriter {
public:
    explicit WireWriter(std::vector<std::uint8_t>& out) : out_(out) {}

    std::size_t size() const { return out_.size(); }
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void bytes(std::string_view b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void name(const Name& n) { bytes(n.wire()); }  // uncompressed
    void patch_u16(std::size_t at, std::uint16_t v) {
        out_[at] = static_cast<std::uint8_t>(v >> 8);
        out_[at + 1] = static_cast<std::uint8_t>(v);
    }

private:
    std::vector<std::uint8_t>& out_;
};

}  // namespace cairn::dns
