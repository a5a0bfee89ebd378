#include "resolver/nta.hpp"

#include <algorithm>
#include <ctime>
#include <mutex>
#include <sstream>

namespace cairn::resolver {

std::string bind_date_text(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%d-%b-%Y %H:%M:%S.000", &tm);
    return buffer;
}

std::string compact_time_text(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &tm);
    return buffer;
}

std::optional<std::int64_t> compact_time_from_text(const std::string& text) {
    if (text.size() != 14) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(text.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(text.substr(6, 2));
    tm.tm_hour = std::stoi(text.substr(8, 2));
    tm.tm_min = std::stoi(text.substr(10, 2));
    tm.tm_sec = std::stoi(text.substr(12, 2));
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm));
}

NegativeTrustAnchor NtaTable::add(const dns::Name& name, std::int64_t now, std::uint32_t lifetime,
                                  bool forced) {
    std::unique_lock lock(mutex_);
    NegativeTrustAnchor a{name.lowercased(), now + static_cast<std::int64_t>(lifetime), forced, now};
    auto it = anchors_.find(a.name);
    if (it != anchors_.end() && it->second.permanent()) return it->second;
    anchors_[a.name] = a;
    return a;
}

void NtaTable::add_permanent(const dns::Name& name) {
    std::unique_lock lock(mutex_);
    anchors_[name.lowercased()] = {name.lowercased(), 0, true, 0};
}

bool NtaTable::remove(const dns::Name& name) {
    std::unique_lock lock(mutex_);
    auto it = anchors_.find(name.lowercased());
    if (it == anchors_.end() || it->second.permanent()) return false;
    anchors_.erase(it);
    return true;
}

std::optional<NegativeTrustAnchor> NtaTable::covering(const dns::Name& name, std::int64_t now) const {
    std::shared_lock lock(mutex_);
    if (anchors_.empty()) return std::nullopt;
    for (std::size_t labels = name.label_count() + 1; labels-- > 0;) {
        auto it = anchors_.find(name.suffix(labels).lowercased());
        if (it != anchors_.end() && (it->second.permanent() || it->second.expiry > now)) return it->second;
    }
    return std::nullopt;
}

bool NtaTable::empty() const {
    std::shared_lock lock(mutex_);
    return anchors_.empty();
}

std::vector<dns::Name> NtaTable::expire(std::int64_t now) {
    std::unique_lock lock(mutex_);
    std::vector<dns::Name> gone;
    for (auto it = anchors_.begin(); it != anchors_.end();) {
        if (!it->second.permanent() && it->second.expiry <= now) {
            gone.push_back(it->first);
            it = anchors_.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

std::vector<NegativeTrustAnchor> NtaTable::list(std::int64_t now) const {
    std::shared_lock lock(mutex_);
    std::vector<NegativeTrustAnchor> out;
    for (const auto& [name, a] : anchors_) {
        if (a.permanent() || a.expiry > now) out.push_back(a);
    }
    return out;
}

std::vector<dns::Name> NtaTable::due_rechecks(std::int64_t now, std::uint32_t interval) {
    std::vector<dns::Name> due;
    if (interval == 0) return due;
    std::unique_lock lock(mutex_);
    for (auto& [name, a] : anchors_) {
        if (a.permanent() || a.forced) continue;
        if (a.next_recheck == 0) a.next_recheck = std::max(a.added, now - interval) + interval;
        if (now < a.next_recheck) continue;
        a.next_recheck = now + interval;
        if (a.expiry - now > static_cast<std::int64_t>(interval)) due.push_back(name);
    }
    return due;
}

bool NtaTable::end_early(const dns::Name& name, std::int64_t now) {
    std::unique_lock lock(mutex_);
    auto it = anchors_.find(name.lowercased());
    if (it == anchors_.end() || it->second.permanent() || it->second.forced || it->second.expiry <= now)
        return false;
    it->second.expiry = now;
    return true;
}

std::string NtaTable::dump(std::int64_t now, const std::string& view) const {
    std::string out;
    for (const auto& a : list(now)) {
        if (!out.empty()) out += "\n";
        out += a.name.to_text_without_dot() + (view.empty() ? "" : "/" + view) + ": ";
        out +=
            a.permanent() ? std::string("permanent (validate-except)") : "expiry " + bind_date_text(a.expiry);
    }
    return out;
}

std::string NtaTable::to_file_text(std::int64_t now) const {
    std::string out;
    for (const auto& a : list(now)) {
        if (a.permanent()) continue;
        out += a.name.to_text() + (a.forced ? " forced " : " regular ") + compact_time_text(a.expiry) + "\n";
    }
    return out;
}

void NtaTable::load_file_text(const std::string& text, std::int64_t now, std::size_t* bad_lines) {
    std::istringstream in(text);
    std::string line;
    std::size_t bad = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string name, kind, expiry;
        if (!(fields >> name)) continue;  // blank
        if (!(fields >> kind >> expiry) || (kind != "regular" && kind != "forced")) {
            ++bad;
            continue;
        }
        const auto when = compact_time_from_text(expiry);
        if (!when) {
            ++bad;
            continue;
        }
        if (*when <= now) continue;  // expired while we were down
        try {
            const dns::Name n = dns::Name::from_text(name.back() == '.' ? name : name + ".");
            std::unique_lock lock(mutex_);
            auto it = anchors_.find(n.lowercased());
            if (it != anchors_.end() && it->second.permanent()) continue;
            anchors_[n.lowercased()] = {n.lowercased(), *when, kind == "forced", now};
        } catch (const dns::ParseError&) {
            ++bad;
        }
    }
    if (bad_lines != nullptr) *bad_lines = bad;
}

}  // namespace cairn::resolver
