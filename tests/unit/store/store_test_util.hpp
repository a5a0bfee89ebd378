// Temporary LMDB directories and small differences for the store tests.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "dns/rdata.hpp"
#include "zone/diff.hpp"

namespace cairn::store::testing {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cairn-store-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

inline zone::Record rec(std::string_view owner, dns::RRType type, std::string_view rdata,
                        std::uint32_t ttl = 300) {
    const auto origin = dns::Name::from_text("example.com.");
    return zone::Record{dns::Name::from_text(owner, origin), type, dns::RRClass::IN, ttl,
                        dns::rdata_from_text(type, rdata, origin)};
}

inline zone::Record soa(std::uint32_t serial) {
    return rec("@", dns::RRType::SOA, "ns1 hostmaster " + std::to_string(serial) + " 7200 3600 604800 300");
}

// From `from` to `to`: removes host<from> and adds host<to>.
inline zone::ZoneDiff step(std::uint32_t from, std::uint32_t to, std::size_t padding = 0) {
    zone::ZoneDiff d;
    d.old_soa = soa(from);
    d.new_soa = soa(to);
    d.removed.push_back(rec("host" + std::to_string(from), dns::RRType::A, "192.0.2.1"));
    d.added.push_back(rec("host" + std::to_string(to), dns::RRType::A, "192.0.2.1"));
    if (padding > 0) {
        std::string text;  // character-strings hold at most 255 octets each
        for (std::size_t left = padding; left > 0; left -= std::min<std::size_t>(left, 200))
            text += "\"" + std::string(std::min<std::size_t>(left, 200), 'x') + "\" ";
        d.added.push_back(rec("pad", dns::RRType::TXT, text));
    }
    return d;
}

}  // namespace cairn::store::testing
