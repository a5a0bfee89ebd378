#include "dnssec/key_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "dnssec/records.hpp"

namespace cairn::dnssec {
namespace {

// One timing slot and its tag in each file (nullptr: the file does not carry it). BIND 9.18 writes
// PublishCDS/DeleteCDS in .state files and reads SyncPublish/SyncDelete there: both are read.
struct TimingTag {
    KeyTime KeyTiming::*slot;
    const char* key;    // "; Tag: ..." comment in .key
    const char* priv;   // "Tag: ..." in .private
    const char* state;  // "Tag: ..." in .state
    const char* state_alias;
};
constexpr TimingTag kTimingTags[] = {
    {&KeyTiming::created, "Created", "Created", "Generated", nullptr},
    {&KeyTiming::publish, "Publish", "Publish", "Published", nullptr},
    {&KeyTiming::activate, "Activate", "Activate", "Active", nullptr},
    {&KeyTiming::revoke, "Revoke", "Revoke", "Revoked", nullptr},
    {&KeyTiming::inactive, "Inactive", "Inactive", "Retired", nullptr},
    {&KeyTiming::deleted, "Delete", "Delete", "Removed", nullptr},
    {&KeyTiming::ds_publish, nullptr, "DSPublish", "DSPublish", nullptr},
    {&KeyTiming::ds_delete, nullptr, nullptr, "DSRemoved", nullptr},
    {&KeyTiming::sync_publish, "SyncPublish", "SyncPublish", "PublishCDS", "SyncPublish"},
    {&KeyTiming::sync_delete, "SyncDelete", "SyncDelete", "DeleteCDS", "SyncDelete"},
    {&KeyTiming::dnskey_change, nullptr, nullptr, "DNSKEYChange", nullptr},
    {&KeyTiming::zrrsig_change, nullptr, nullptr, "ZRRSIGChange", nullptr},
    {&KeyTiming::krrsig_change, nullptr, nullptr, "KRRSIGChange", nullptr},
    {&KeyTiming::ds_change, nullptr, nullptr, "DSChange", nullptr},
};

using Number = std::optional<std::uint32_t> KeyMetadata::*;
struct NumberTag {
    Number slot;
    const char* name;
    bool in_private;
    const char* alias;
};
constexpr NumberTag kNumberTags[] = {
    {&KeyMetadata::predecessor, "Predecessor", true, nullptr},
    {&KeyMetadata::successor, "Successor", true, nullptr},
    {&KeyMetadata::max_ttl, "MaxTTL", true, nullptr},
    {&KeyMetadata::roll_period, "RollPeriod", true, nullptr},
    {&KeyMetadata::lifetime, "Lifetime", false, nullptr},
    {&KeyMetadata::ds_pub_count, "DSPubCount", false, nullptr},
    {&KeyMetadata::ds_del_count, "DSDelCount", false, "DSRemCount"},
};

using State = std::optional<KeyState> KeyMetadata::*;
struct StateTag {
    State slot;
    const char* name;
};
constexpr StateTag kStateTags[] = {
    {&KeyMetadata::dnskey, "DNSKEYState"}, {&KeyMetadata::zrrsig, "ZRRSIGState"},
    {&KeyMetadata::krrsig, "KRRSIGState"}, {&KeyMetadata::ds, "DSState"},
    {&KeyMetadata::goal, "GoalState"},
};

// The algorithm names BIND writes in .private files ("Algorithm: 13 (ECDSAP256SHA256)").
const char* private_algorithm_name(std::uint8_t algorithm) {
    switch (algorithm) {
        case 5:
            return "RSASHA1";
        case 7:
            return "NSEC3RSASHA1";
        case 8:
            return "RSASHA256";
        case 10:
            return "RSASHA512";
        case 13:
            return "ECDSAP256SHA256";
        case 14:
            return "ECDSAP384SHA384";
        case 15:
            return "ED25519";
        case 16:
            return "ED448";
        default:
            return "?";
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

struct Line {
    std::size_t number;
    std::string_view tag;    // without the colon
    std::string_view value;  // the first token of the value
    std::string_view rest;   // the whole value
};

// "Tag: value ..." lines; blank lines and ';' comments skipped.
std::vector<Line> tagged_lines(const std::string& text) {
    std::vector<Line> out;
    std::size_t number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        ++number;
        std::string_view line = trim(std::string_view(text).substr(start, end - start));
        start = end + 1;
        if (line.empty() || line.front() == ';') {
            if (end == text.size()) break;
            continue;
        }
        const std::size_t colon = line.find(':');
        Line l{number, line.substr(0, colon == std::string_view::npos ? line.size() : colon), {}, {}};
        if (colon != std::string_view::npos) {
            l.rest = trim(line.substr(colon + 1));
            l.value = l.rest.substr(0, std::min(l.rest.find_first_of(" \t"), l.rest.size()));
        }
        out.push_back(l);
        if (end == text.size()) break;
    }
    return out;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw KeyFileError("cannot read " + path + ": " + std::strerror(errno));
    return s.str();
}

[[noreturn]] void file_error(const std::string& path, std::size_t line, const std::string& what) {
    throw KeyFileError(path + (line ? ":" + std::to_string(line) : std::string()) + ": " + what);
}

std::uint32_t number_value(const std::string& path, const Line& l) {
    const auto v = dns::parse_decimal(l.value, 0xFFFFFFFFULL);
    if (!v) file_error(path, l.number, std::string(l.tag) + " is not a number");
    return static_cast<std::uint32_t>(*v);
}

std::uint32_t time_value(const std::string& path, const Line& l) {
    const auto v = key_time_from_text(l.value);
    if (!v) file_error(path, l.number, std::string(l.tag) + " is not a YYYYMMDDHHMMSS time");
    return *v;
}

std::vector<std::uint8_t> base64_value(const std::string& path, const Line& l) {
    std::vector<std::uint8_t> out;
    std::string joined;
    for (const char c : l.rest) {
        if (c != ' ' && c != '\t') joined.push_back(c);
    }
    if (!dns::decode_base64(joined, out)) file_error(path, l.number, std::string(l.tag) + " is not base64");
    return out;
}

// Atomic write with the given mode.
void write_file(const std::string& path, const std::string& text, mode_t mode) {
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        throw KeyFileError("cannot create a temporary file for " + path + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, mode) == 0;
    std::size_t done = 0;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int error = ok ? errno : saved;
        ::unlink(tmp.c_str());
        throw KeyFileError("cannot write " + path + ": " + std::strerror(error));
    }
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void read_public(const std::string& path, const std::string& text, BindKey& key) {
    // The DNSKEY record: owner [ttl] [class] DNSKEY rdata; comments and parentheses as in a zone file.
    const auto tokens = dns::tokenize_rdata(text);
    if (tokens.size() < 3) file_error(path, 0, "no DNSKEY record");
    try {
        key.zone = dns::Name::from_text(tokens[0].text);
    } catch (const dns::ParseError& e) {
        file_error(path, 0, std::string("bad owner name: ") + e.what());
    }
    std::size_t i = 1;
    for (; i < tokens.size(); ++i) {
        const auto t = tokens[i].text;
        if (dns::equal_ignoring_ascii_case(t, "DNSKEY") || dns::equal_ignoring_ascii_case(t, "KEY")) break;
        if (const auto ttl = dns::parse_ttl(t); ttl && !t.empty() && t[0] >= '0' && t[0] <= '9') {
            key.ttl = *ttl;
        } else if (const auto c = dns::class_from_text(t)) {
            key.rclass = *c;
        } else {
            file_error(path, 0, "unexpected '" + std::string(t) + "' before the record type");
        }
    }
    if (i == tokens.size()) file_error(path, 0, "no DNSKEY record");
    std::vector<std::uint8_t> rdata;
    try {
        rdata = dns::rdata_from_text(dns::RRType::DNSKEY, std::span(tokens).subspan(i + 1), key.zone);
    } catch (const dns::ParseError& e) {
        file_error(path, 0, e.what());
    }
    const auto view = DnskeyView::parse(rdata);
    if (!view) file_error(path, 0, "malformed DNSKEY");
    key.flags = view->flags;
    key.algorithm = view->algorithm;
    key.public_key.assign(view->public_key.begin(), view->public_key.end());
    // Timing in the comment lines ("; Created: 20240101000000 (...)").
    std::istringstream lines(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::string_view l = trim(line);
        if (l.empty() || l.front() != ';') continue;
        l = trim(l.substr(1));
        for (const auto& t : kTimingTags) {
            if (t.key == nullptr) continue;
            const std::string_view tag = t.key;
            if (l.size() > tag.size() && l.substr(0, tag.size()) == tag && l[tag.size()] == ':') {
                const std::string_view rest = trim(l.substr(tag.size() + 1));
                const auto v = key_time_from_text(rest.substr(0, std::min(rest.find(' '), rest.size())));
                if (!v) file_error(path, number, std::string(tag) + " is not a YYYYMMDDHHMMSS time");
                key.timing.*(t.slot) = *v;
            }
        }
    }
}

void read_private(const std::string& path, const std::string& text, BindKey& key) {
    PrivateFields fields;
    std::vector<std::uint8_t>* rsa_slots[] = {
        &fields.modulus, &fields.public_exponent, &fields.private_exponent, &fields.prime1,
        &fields.prime2,  &fields.exponent1,       &fields.exponent2,        &fields.coefficient};
    constexpr const char* kRsaTags[] = {"Modulus", "PublicExponent", "PrivateExponent", "Prime1",
                                        "Prime2",  "Exponent1",      "Exponent2",       "Coefficient"};
    bool format_seen = false;
    for (const Line& l : tagged_lines(text)) {
        if (l.tag == "Private-key-format") {
            if (l.value.size() < 4 || l.value.substr(0, 3) != "v1.")
                file_error(path, l.number, "unsupported Private-key-format " + std::string(l.value));
            format_seen = true;
        } else if (l.tag == "Algorithm") {
            if (number_value(path, l) != key.algorithm)
                file_error(path, l.number, "the algorithm differs from the .key file's");
        } else if (l.tag == "PrivateKey") {
            fields.private_key = base64_value(path, l);
        } else if (l.tag == "Engine" || l.tag == "Label") {
            file_error(path, l.number,
                       "keys held in a cryptographic engine (" + std::string(l.tag) + ") are not supported");
        } else {
            bool known = false;
            for (std::size_t i = 0; i < std::size(kRsaTags) && !known; ++i) {
                if (l.tag == kRsaTags[i]) {
                    *rsa_slots[i] = base64_value(path, l);
                    known = true;
                }
            }
            for (const auto& t : kTimingTags) {
                if (!known && t.priv != nullptr && l.tag == t.priv) {
                    key.timing.*(t.slot) = time_value(path, l);
                    known = true;
                }
            }
            for (const auto& t : kNumberTags) {
                if (!known && t.in_private && l.tag == t.name) {
                    key.metadata.*(t.slot) = number_value(path, l);
                    known = true;
                }
            }
        }
    }
    if (!format_seen) file_error(path, 0, "not a private key file (no Private-key-format line)");
    try {
        key.private_key = PrivateKey::from_fields(key.algorithm, fields);
    } catch (const KeyError& e) {
        file_error(path, 0, e.what());
    }
    if (key.private_key->public_key_field() != key.public_key)
        file_error(path, 0, "the private key does not belong to the public key of the .key file");
}

std::optional<KeyState> state_from_text(std::string_view text) {
    for (const KeyState s :
         {KeyState::hidden, KeyState::rumoured, KeyState::omnipresent, KeyState::unretentive}) {
        if (text == to_text(s)) return s;
    }
    return std::nullopt;
}

void read_state(const std::string& path, const std::string& text, BindKey& key) {
    for (const Line& l : tagged_lines(text)) {
        if (l.tag == "Algorithm") {
            if (number_value(path, l) != key.algorithm)
                file_error(path, l.number, "the algorithm differs from the .key file's");
            continue;
        }
        if (l.tag == "Length") continue;  // derived from the key
        if (l.tag == "KSK" || l.tag == "ZSK") {
            if (l.value != "yes" && l.value != "no")
                file_error(path, l.number, std::string(l.tag) + " is not yes or no");
            (l.tag == "KSK" ? key.metadata.ksk : key.metadata.zsk) = l.value == "yes";
            continue;
        }
        for (const auto& t : kTimingTags) {
            if (l.tag == t.state || (t.state_alias && l.tag == t.state_alias))
                key.timing.*(t.slot) = time_value(path, l);
        }
        for (const auto& t : kNumberTags) {
            if (l.tag == t.name || (t.alias && l.tag == t.alias))
                key.metadata.*(t.slot) = number_value(path, l);
        }
        for (const auto& t : kStateTags) {
            if (l.tag != t.name) continue;
            const auto s = state_from_text(l.value);
            if (!s) file_error(path, l.number, "unknown key state '" + std::string(l.value) + "'");
            key.metadata.*(t.slot) = *s;
        }
    }
    key.has_state = true;
}

std::string dnskey_text(const BindKey& key) {
    std::string out = key.zone.to_text();
    out += ' ';
    if (key.ttl) out += std::to_string(*key.ttl) + ' ';
    out += dns::class_to_text(key.rclass);
    out += " DNSKEY ";
    out += dns::rdata_to_text(dns::RRType::DNSKEY, key.dnskey_rdata());
    out += '\n';
    return out;
}

std::string public_text(const BindKey& key) {
    std::string out = "; This is a ";
    if (key.flags & kRevokeFlag) out += "revoked ";
    out += key.ksk() ? "key" : "zone";
    out += "-signing key, keyid " + std::to_string(key.tag()) + ", for " + key.zone.to_text() + "\n";
    for (const auto& t : kTimingTags) {
        if (t.key == nullptr || !(key.timing.*(t.slot))) continue;
        const std::uint32_t v = *(key.timing.*(t.slot));
        out += std::string("; ") + t.key + ": " + key_time_to_text(v) + " (" + key_time_to_ctime(v) + ")\n";
    }
    return out + dnskey_text(key);
}

std::string private_text(const BindKey& key) {
    std::string out = "Private-key-format: v1.3\n";
    out +=
        "Algorithm: " + std::to_string(key.algorithm) + " (" + private_algorithm_name(key.algorithm) + ")\n";
    const PrivateFields f = key.private_key->fields();
    auto field = [&](const char* tag, const std::vector<std::uint8_t>& value) {
        out += tag;
        out += ": ";
        dns::append_base64(out, value);
        out += '\n';
    };
    if (f.private_key.empty()) {
        field("Modulus", f.modulus);
        field("PublicExponent", f.public_exponent);
        field("PrivateExponent", f.private_exponent);
        field("Prime1", f.prime1);
        field("Prime2", f.prime2);
        field("Exponent1", f.exponent1);
        field("Exponent2", f.exponent2);
        field("Coefficient", f.coefficient);
    } else {
        field("PrivateKey", f.private_key);
    }
    for (const auto& t : kNumberTags) {
        if (t.in_private && key.metadata.*(t.slot))
            out += std::string(t.name) + ": " + std::to_string(*(key.metadata.*(t.slot))) + "\n";
    }
    for (const auto& t : kTimingTags) {
        if (t.priv != nullptr && key.timing.*(t.slot))
            out += std::string(t.priv) + ": " + key_time_to_text(*(key.timing.*(t.slot))) + "\n";
    }
    return out;
}

std::string state_text(const BindKey& key) {
    std::string out =
        "; This is the state of key " + std::to_string(key.tag()) + ", for " + key.zone.to_text() + "\n";
    out += "Algorithm: " + std::to_string(key.algorithm) + "\n";
    const auto pub = PublicKey::from_dnskey(key.algorithm, key.public_key);
    out += "Length: " + std::to_string(pub ? pub->bits() : 0) + "\n";
    auto number = [&](const char* name) {
        for (const auto& t : kNumberTags) {
            if (std::strcmp(t.name, name) == 0 && key.metadata.*(t.slot))
                out += std::string(name) + ": " + std::to_string(*(key.metadata.*(t.slot))) + "\n";
        }
    };
    auto time = [&](const char* name) {
        for (const auto& t : kTimingTags) {
            if (std::strcmp(t.state, name) == 0 && key.timing.*(t.slot)) {
                const std::uint32_t v = *(key.timing.*(t.slot));
                out += std::string(name) + ": " + key_time_to_text(v) + " (" + key_time_to_ctime(v) + ")\n";
            }
        }
    };
    auto boolean = [&](const char* name, const std::optional<bool>& v) {
        if (v) out += std::string(name) + ": " + (*v ? "yes" : "no") + "\n";
    };
    // BIND 9.18's order (write_key_state in lib/dns/dst_api.c).
    number("Lifetime");
    number("Predecessor");
    number("Successor");
    boolean("KSK", key.metadata.ksk);
    boolean("ZSK", key.metadata.zsk);
    for (const char* t : {"Generated", "Published", "Active", "Retired", "Revoked", "Removed", "DSPublish",
                          "DSRemoved", "PublishCDS", "DeleteCDS"})
        time(t);
    number("DSPubCount");
    number("DSDelCount");
    for (const char* t : {"DNSKEYChange", "ZRRSIGChange", "KRRSIGChange", "DSChange"})
        time(t);
    for (const auto& t : kStateTags) {
        if (key.metadata.*(t.slot))
            out += std::string(t.name) + ": " + to_text(*(key.metadata.*(t.slot))) + "\n";
    }
    return out;
}

std::string strip_suffix(const std::string& path) {
    for (const char* suffix : {".key", ".private", ".state"}) {
        const std::string s = suffix;
        if (path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0)
            return path.substr(0, path.size() - s.size());
    }
    return path;
}

// `t` (Unix seconds) in UTC, formatted by strftime's `format`.
std::string utc_text(std::uint32_t t, const char* format) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[64];
    const std::size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
    return std::string(buffer, n);
}

}  // namespace

std::string key_time_to_ctime(std::uint32_t t) {
    return utc_text(t, "%a %b %e %H:%M:%S %Y");
}

const char* to_text(KeyState s) {
    switch (s) {
        case KeyState::hidden:
            return "hidden";
        case KeyState::rumoured:
            return "rumoured";
        case KeyState::omnipresent:
            return "omnipresent";
        case KeyState::unretentive:
            return "unretentive";
    }
    return "hidden";
}

std::string key_time_to_text(std::uint32_t t) {
    return utc_text(t, "%Y%m%d%H%M%S");
}

std::optional<std::uint32_t> key_time_from_text(std::string_view text) {
    if (text.size() != 14) {
        const auto v = dns::parse_decimal(text, 0xFFFFFFFFULL);
        if (!v) return std::nullopt;
        return static_cast<std::uint32_t>(*v);
    }
    std::tm tm{};
    int* parts[] = {&tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec};
    const std::size_t widths[] = {4, 2, 2, 2, 2, 2};
    std::size_t pos = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        const auto v = dns::parse_decimal(text.substr(pos, widths[i]), 9999);
        if (!v) return std::nullopt;
        *parts[i] = static_cast<int>(*v);
        pos += widths[i];
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t t = timegm(&tm);
    if (t < 0 || t > 0xFFFFFFFFLL) return std::nullopt;
    return static_cast<std::uint32_t>(t);
}

std::vector<std::uint8_t> BindKey::dnskey_rdata() const {
    return dnssec::dnskey_rdata(flags, algorithm, public_key);
}

std::uint16_t BindKey::tag() const {
    return key_tag(dnskey_rdata());
}

std::string BindKey::file_base() const {
    char numbers[16];
    std::snprintf(numbers, sizeof numbers, "+%03u+%05u", unsigned{algorithm}, unsigned{tag()});
    return "K" + zone.lowercased().to_text() + numbers;
}

BindKey BindKey::make(const dns::Name& zone, std::uint16_t flags, PrivateKey key) {
    BindKey k;
    k.zone = zone.lowercased();
    k.flags = flags;
    k.algorithm = key.algorithm();
    k.public_key = key.public_key_field();
    k.private_key = std::move(key);
    return k;
}

BindKey read_key(const std::string& path_base) {
    const std::string base = strip_suffix(path_base);
    BindKey key;
    const auto pub = read_file(base + ".key");
    if (!pub) throw KeyFileError("cannot read " + base + ".key: " + std::strerror(errno));
    read_public(base + ".key", *pub, key);
    if (const auto priv = read_file(base + ".private")) read_private(base + ".private", *priv, key);
    if (const auto state = read_file(base + ".state")) read_state(base + ".state", *state, key);
    return key;
}

void write_key(const std::string& directory, const BindKey& key) {
    const std::string base = (directory.empty() ? std::string(".") : directory) + "/" + key.file_base();
    if (key.private_key) write_file(base + ".private", private_text(key), 0600);
    write_file(base + ".key", public_text(key), 0644);
    if (key.has_state) write_file(base + ".state", state_text(key), 0644);
}

std::vector<BindKey> read_zone_keys(const std::string& directory, const dns::Name& zone) {
    const std::string prefix = "K" + zone.lowercased().to_text() + "+";
    std::vector<std::string> bases;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > prefix.size() + 4 && name.compare(0, prefix.size(), prefix) == 0 &&
            name.compare(name.size() - 4, 4, ".key") == 0) {
            bases.push_back(entry.path().string());
        }
    }
    if (ec) throw KeyFileError("cannot list " + directory + ": " + ec.message());
    std::sort(bases.begin(), bases.end());
    std::vector<BindKey> keys;
    for (const auto& b : bases)
        keys.push_back(read_key(b));
    return keys;
}

}  // namespace cairn::dnssec
