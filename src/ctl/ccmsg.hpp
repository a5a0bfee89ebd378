// The message format of BIND's control channel (ISC "command channel", lib/isccc): a table of
// key/value pairs where a key is a length-prefixed string (at most 255 octets) and a value is typed:
// binary data or a nested table, each with a 32-bit length. Integers travel as decimal text. A message on
// the wire is a 32-bit length, a 32-bit version (1), then the top-level table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::ctl {

class ProtocolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::uint8_t kCcBinary = 0x01;
inline constexpr std::uint8_t kCcTable = 0x02;
inline constexpr std::uint8_t kCcList = 0x03;
inline constexpr std::uint32_t kCcVersion = 1;
inline constexpr std::size_t kCcMaxMessage = 64 * 1024;  // what we accept from a peer
inline constexpr int kCcMaxDepth = 8;

class CcTable {
  public:
    struct Entry {
        std::string key;
        std::string binary;
        std::shared_ptr<CcTable> table;  // set: the value is a table
    };

    // Replaces the value of `key` or appends it; keeps the order of first insertion.
    void set(std::string_view key, std::string_view value);
    void set_uint32(std::string_view key, std::uint32_t value) { set(key, std::to_string(value)); }
    CcTable& table(std::string_view key);  // the nested table, created when missing

    const std::string* find(std::string_view key) const;  // binary values only
    std::optional<std::uint32_t> find_uint32(std::string_view key) const;
    const CcTable* find_table(std::string_view key) const;
    const std::vector<Entry>& entries() const { return entries_; }

  private:
    Entry* entry(std::string_view key);
    std::vector<Entry> entries_;
};

// The table's entries, without version or length. Throws ProtocolError when a key is longer than 255.
void encode_entries(const CcTable& table, std::string& out);
// Reads a sequence of entries. Lists are skipped (nothing of BIND's control protocol sends them).
// Throws ProtocolError on truncation, unknown types, or nesting deeper than kCcMaxDepth.
CcTable decode_entries(std::span<const std::uint8_t> data, int depth = 0);

}  // namespace cairn::ctl
