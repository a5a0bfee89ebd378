// Helpers shared by the DNSSEC library tests: records from text, zones read from files and grouped into
// RRsets, running the peers' tools (BIND's dnssec-keygen / dnssec-signzone / dnssec-verify, Knot's
// kzonesign) in a temporary directory, and checking every signature of a signed zone.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::dnssec::testing {

inline std::vector<std::uint8_t> rdata(dns::RRType type, std::string_view text,
                                       std::string_view origin = ".") {
    return dns::rdata_from_text(type, text, dns::Name::from_text(origin));
}

inline std::vector<std::uint8_t> wire(std::string_view name) {
    const auto n = dns::Name::from_text(name);
    return {n.wire().begin(), n.wire().end()};
}

inline std::vector<std::uint8_t> from_hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(dns::decode_hex(text, out)) << text;
    return out;
}

inline std::vector<std::uint8_t> from_base64(std::string_view text) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(dns::decode_base64(text, out)) << text;
    return out;
}

// A temporary directory removed with the object.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cairn-dnssec-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data()) ? pattern : "";
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

inline bool have_tool(const char* name) {
    return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command; returns its exit status and its standard output and error.
inline std::pair<int, std::string> run(const std::string& command) {
    std::string output;
    FILE* p = ::popen(("(" + command + ") 2>&1").c_str(), "r");
    if (p == nullptr) return {-1, ""};
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0)
        output.append(buffer, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::vector<zone::Record> read_zone(const std::string& path, std::string_view origin) {
    zonefile::LoadOptions o;
    o.parse.origin = dns::Name::from_text(origin);
    auto loaded = zonefile::load_zone_file(path, o);
    EXPECT_TRUE(loaded.ok) << path;
    return loaded.zone.to_records();
}

// The records of a zone by (lowercased owner, type), RRSIGs by (owner, type covered).
struct ZoneSets {
    struct Set {
        std::vector<std::uint8_t> owner;
        dns::RRType type;
        std::uint32_t ttl = 0;
        std::vector<std::vector<std::uint8_t>> rdatas;
    };
    std::map<std::pair<std::vector<std::uint8_t>, std::uint16_t>, Set> sets, signatures;

    explicit ZoneSets(const std::vector<zone::Record>& records) {
        for (const auto& r : records) {
            const auto owner = r.owner.lowercased();
            std::vector<std::uint8_t> o(owner.wire().begin(), owner.wire().end());
            std::uint16_t type = dns::code(r.type);
            auto* target = &sets;
            if (r.type == dns::RRType::RRSIG) {
                type = static_cast<std::uint16_t>((r.rdata[0] << 8) | r.rdata[1]);
                target = &signatures;
            }
            Set& s = (*target)[{o, type}];
            s.owner = o;
            s.type = r.type;
            s.ttl = r.ttl;
            s.rdatas.push_back(r.rdata);
        }
    }

    const Set* find(std::string_view owner, dns::RRType type) const {
        const auto name = dns::Name::from_text(owner).lowercased();
        const auto it = sets.find({{name.wire().begin(), name.wire().end()}, dns::code(type)});
        return it == sets.end() ? nullptr : &it->second;
    }
};

// Checks every RRSIG of a signed zone against the apex DNSKEYs: the counts of good and bad signatures.
struct SignatureCount {
    std::size_t good = 0, bad = 0, unsigned_sets = 0;
};
inline SignatureCount verify_zone(const std::vector<zone::Record>& records, std::string_view origin) {
    const ZoneSets z(records);
    SignatureCount count;
    const auto* keys = z.find(origin, dns::RRType::DNSKEY);
    if (keys == nullptr) return count;
    for (const auto& [key, set] : z.sets) {
        std::vector<Bytes> rdatas(set.rdatas.begin(), set.rdatas.end());
        const RRsetRef ref{set.owner, set.type, dns::RRClass::IN, rdatas};
        const auto sigs = z.signatures.find(key);
        if (sigs == z.signatures.end()) {
            ++count.unsigned_sets;
            continue;
        }
        for (const auto& sig : sigs->second.rdatas) {
            const auto view = RrsigView::parse(sig);
            bool ok = false;
            for (const auto& k : keys->rdatas) {
                if (key_tag(k) == view->key_tag && verify_rrsig(ref, sig, k) == SignatureFailure::none)
                    ok = true;
            }
            ++(ok ? count.good : count.bad);
        }
    }
    return count;
}

}  // namespace cairn::dnssec::testing
