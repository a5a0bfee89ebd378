#include "resolver/rfc5011.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "dns/rdata.hpp"
#include "dnssec/ds.hpp"
#include "dnssec/records.hpp"
#include "resolver/nta.hpp"
#include "resolver/signature_check.hpp"

namespace cairn::resolver {
namespace {

// The key's identity: its rdata with REVOKE clear (revoking changes the flags and so the tag).
std::vector<std::uint8_t> identity(const std::vector<std::uint8_t>& rdata) {
    std::vector<std::uint8_t> out = rdata;
    if (out.size() >= 2) out[1] = static_cast<std::uint8_t>(out[1] & ~dnssec::kRevokeFlag);
    return out;
}

std::string time_text(std::int64_t t) {
    return t == 0 ? "-" : compact_time_text(t);
}

std::int64_t time_from(const std::string& text) {
    if (text == "-") return 0;
    const auto t = compact_time_from_text(text);
    if (!t) throw std::runtime_error("bad time '" + text + "'");
    return *t;
}

bool matches_initial(const ManagedZone& z, const std::vector<std::uint8_t>& key) {
    for (const auto& a : z.initial) {
        if (a.is_ds() ? dnssec::ds_matches(z.zone.wire(), a.rdata, key) : identity(a.rdata) == key)
            return true;
    }
    return false;
}

// Whether the revoked key `revoked` (REVOKE set) signed the RRset itself (RFC 5011 §2.1).
bool self_signed(const dns::Name& zone, const RRsetData& dnskeys, const std::vector<std::uint8_t>& revoked,
                 std::int64_t now) {
    const auto view = dnssec::DnskeyView::parse(revoked);
    if (!view) return false;
    ZoneKey k;
    k.rdata = revoked;
    k.tag = dnssec::key_tag(revoked);
    k.flags = view->flags;
    k.algorithm = view->algorithm;
    k.key = dnssec::PublicKey::from_dnskey(view->algorithm, view->public_key);
    if (!k.key) return false;
    dnssec::WorkBudget budget;
    return verify_rrset(dnskeys, zone, std::span<const ZoneKey>(&k, 1), now, budget).secure();
}

std::string zone_text(const dns::Name& zone) {
    return zone.to_text_without_dot();
}

std::string key_text(std::uint16_t tag, const dns::Name& zone) {
    return "key " + std::to_string(tag) + " for zone " + zone_text(zone);
}

}  // namespace

std::optional<Rfc5011Timers> rfc5011_timers_from_text(std::string_view text) {
    std::uint32_t values[3] = {0, 0, 0};
    std::size_t count = 0;
    while (count < 3) {
        const std::size_t slash = text.find('/');
        const std::string_view part = text.substr(0, slash);
        if (part.empty() || part.size() > 9 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        values[count++] = static_cast<std::uint32_t>(std::stoul(std::string(part)));
        if (values[count - 1] == 0) return std::nullopt;
        if (slash == std::string_view::npos) break;
        text.remove_prefix(slash + 1);
        if (count == 3) return std::nullopt;  // a fourth value
    }
    const std::uint64_t hour = values[0];
    const std::uint64_t day = count > 1 ? values[1] : 24 * hour;
    const std::uint64_t month = count > 2 ? values[2] : 30 * day;
    auto clamp = [](std::uint64_t v) {
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, UINT32_MAX));
    };
    Rfc5011Timers t;
    t.min_refresh = clamp(hour);
    t.max_refresh = clamp(std::max<std::uint64_t>(15 * day, hour));
    t.add_hold_down = clamp(month);
    t.remove_hold_down = clamp(month);
    return t;
}

std::string_view to_string(ManagedKeyState s) {
    switch (s) {
        case ManagedKeyState::add_pending:
            return "addpend";
        case ManagedKeyState::valid:
            return "valid";
        case ManagedKeyState::missing:
            return "missing";
        case ManagedKeyState::revoked:
            return "revoked";
    }
    return "?";
}

void ManagedKeys::configure(const std::vector<TrustAnchorConfig>& initial) {
    std::lock_guard lock(mutex_);
    for (const auto& a : initial) {
        if (!a.is_managed()) continue;
        ManagedZone& z = zones_[a.zone.lowercased()];
        z.zone = a.zone.lowercased();
        z.initial.push_back(a);
    }
}

bool ManagedKeys::empty() const {
    std::lock_guard lock(mutex_);
    return zones_.empty();
}

ManagedZone* ManagedKeys::find(const dns::Name& zone) {
    const auto it = zones_.find(zone.lowercased());
    return it == zones_.end() ? nullptr : &it->second;
}

std::int64_t ManagedKeys::refresh_interval(std::uint32_t ttl) const {
    return std::clamp<std::int64_t>(ttl / 2, timers_.min_refresh, timers_.max_refresh);
}

bool ManagedKeys::observe(const dns::Name& zone, const RRsetData& dnskeys, std::uint32_t ttl,
                          std::int64_t now) {
    std::lock_guard lock(mutex_);
    ManagedZone* z = find(zone);
    if (z == nullptr) return false;
    struct Seen {
        std::vector<std::uint8_t> id;
        std::vector<std::uint8_t> rdata;
        bool revoked;
        std::uint8_t algorithm;
    };
    std::vector<Seen> seen;
    for (const auto& rdata : dnskeys.rdatas) {
        const auto view = dnssec::DnskeyView::parse(rdata);
        if (!view || !view->zone_key() || !view->sep() || view->protocol != 3) continue;
        seen.push_back({identity(rdata), rdata, view->revoked(), view->algorithm});
    }
    auto known = [&](const std::vector<std::uint8_t>& id) -> ManagedKey* {
        for (auto& k : z->keys) {
            if (k.dnskey == id) return &k;
        }
        return nullptr;
    };
    const std::string days = "30";  // BIND says 30-day whatever -T mkeytimers set
    auto add = [&](const Seen& s, ManagedKeyState state) {
        ManagedKey k;
        k.dnskey = s.id;
        k.tag = dnssec::key_tag(s.id);
        k.algorithm = s.algorithm;
        k.state = state;
        k.first_seen = now;
        if (state == ManagedKeyState::add_pending) k.trust_at = now + timers_.add_hold_down;
        if (state == ManagedKeyState::revoked) k.remove_at = now + timers_.remove_hold_down;
        z->keys.push_back(std::move(k));
    };
    bool changed = false;
    if (!z->initialised) {
        z->keys.clear();
        for (const auto& s : seen) {
            if (s.revoked) continue;
            if (known(s.id)) continue;
            const bool initial = matches_initial(*z, s.id);
            add(s, initial ? ManagedKeyState::valid : ManagedKeyState::add_pending);
            const std::uint16_t tag = z->keys.back().tag;
            events_.push_back(initial
                                  ? "Key " + std::to_string(tag) + " for zone " + zone_text(z->zone) +
                                        " is now trusted (acceptance timer complete)"
                                  : "New key " + std::to_string(tag) + " observed for zone '" +
                                        zone_text(z->zone) + "': starting " + days + "-day acceptance timer");
        }
        z->initialised = true;
        changed = true;
    } else {
        for (const auto& s : seen) {
            ManagedKey* k = known(s.id);
            if (s.revoked) {
                if (!self_signed(z->zone, dnskeys, s.rdata, now)) {  // anyone can set a bit
                    if (k != nullptr && k->trusted())
                        events_.push_back("Active " + key_text(k->tag, z->zone) +
                                          " is revoked but did not self-sign; ignoring");
                    continue;
                }
                const std::uint16_t revoked_tag = dnssec::key_tag(s.rdata);
                if (k == nullptr) {
                    add(s, ManagedKeyState::revoked);
                } else if (k->state != ManagedKeyState::revoked) {
                    events_.push_back(k->trusted()
                                          ? "Trusted " + key_text(revoked_tag, z->zone) + " is now revoked"
                                          : "Pending " + key_text(revoked_tag, z->zone) +
                                                " is now revoked: deleting from the managed keys database");
                    changed = changed || k->trusted();
                    k->state = ManagedKeyState::revoked;
                    k->remove_at = now + timers_.remove_hold_down;
                }
                continue;
            }
            if (k == nullptr) {
                add(s, ManagedKeyState::add_pending);
                events_.push_back("New key " + std::to_string(z->keys.back().tag) + " observed for zone '" +
                                  zone_text(z->zone) + "': starting " + days + "-day acceptance timer");
                continue;
            }
            if (k->state == ManagedKeyState::add_pending && now >= k->trust_at) {
                k->state = ManagedKeyState::valid;
                changed = true;
                events_.push_back("Key " + std::to_string(k->tag) + " for zone " + zone_text(z->zone) +
                                  " is now trusted (acceptance timer complete)");
            } else if (k->state == ManagedKeyState::missing) {
                k->state = ManagedKeyState::valid;
            }
        }
        std::erase_if(z->keys, [&](ManagedKey& k) {
            const bool present =
                std::any_of(seen.begin(), seen.end(), [&](const Seen& s) { return s.id == k.dnskey; });
            if (present) return false;
            if (k.state == ManagedKeyState::valid) {
                k.state = ManagedKeyState::missing;
                events_.push_back("Active " + key_text(k.tag, z->zone) + " unexpectedly missing");
            }
            if (k.state == ManagedKeyState::add_pending) {  // RFC 5011 §2.4.1: start again
                events_.push_back("Pending " + key_text(k.tag, z->zone) +
                                  " unexpectedly missing restarting " + days + "-day acceptance timer");
                return true;
            }
            if (k.state == ManagedKeyState::revoked && now >= k.remove_at) {
                events_.push_back("Revoked " + key_text(k.tag, z->zone) +
                                  " missing: deleting from managed keys database");
                return true;
            }
            return false;
        });
    }
    z->last_refresh = now;
    z->next_refresh = now + refresh_interval(ttl);
    dirty_ = true;
    return changed;
}

bool ManagedKeys::tick(std::int64_t now) {
    std::lock_guard lock(mutex_);
    for (auto& entry : zones_) {  // no structured binding: the lambda uses the zone (clang 14)
        ManagedZone& z = entry.second;
        const std::size_t before = z.keys.size();
        std::erase_if(z.keys, [&](const ManagedKey& k) {
            const bool gone = k.state == ManagedKeyState::revoked && k.remove_at != 0 && now >= k.remove_at;
            if (gone)
                events_.push_back("Revoked " + key_text(k.tag, z.zone) +
                                  " removal timer complete: deleting from the managed keys database");
            return gone;
        });
        if (z.keys.size() != before) dirty_ = true;
    }
    return false;  // forgetting revoked keys changes nothing that is trusted
}

void ManagedKeys::refresh_failed(const dns::Name& zone, std::int64_t now) {
    std::lock_guard lock(mutex_);
    if (ManagedZone* z = find(zone)) z->next_refresh = now + timers_.min_refresh;
}

void ManagedKeys::refresh_now() {
    std::lock_guard lock(mutex_);
    for (auto& [name, z] : zones_)
        z.next_refresh = 0;
}

void ManagedKeys::mark_dirty() {
    std::lock_guard lock(mutex_);
    dirty_ = true;
}

std::vector<std::string> ManagedKeys::take_events() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
}

std::vector<dns::Name> ManagedKeys::due(std::int64_t now) {
    std::lock_guard lock(mutex_);
    std::vector<dns::Name> out;
    for (auto& [name, z] : zones_) {
        if (z.next_refresh > now) continue;
        out.push_back(z.zone);
        z.next_refresh = now + timers_.min_refresh;
    }
    return out;
}

std::vector<ManagedKeys::Trusted> ManagedKeys::trusted() const {
    std::lock_guard lock(mutex_);
    std::vector<Trusted> out;
    for (const auto& [name, z] : zones_) {
        Trusted t{z.zone, {}, {}};
        if (!z.initialised) {
            for (const auto& a : z.initial)
                (a.is_ds() ? t.ds : t.dnskeys).push_back(a.rdata);
        } else {
            for (const auto& k : z.keys) {
                if (k.trusted()) t.dnskeys.push_back(k.dnskey);
            }
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<ManagedZone> ManagedKeys::zones() const {
    std::lock_guard lock(mutex_);
    std::vector<ManagedZone> out;
    for (const auto& [name, z] : zones_)
        out.push_back(z);
    return out;
}

std::string ManagedKeys::to_text(std::int64_t now) const {
    std::lock_guard lock(mutex_);
    std::string out = "; cairn managed keys (RFC 5011 state), written " + compact_time_text(now) + "\n";
    out += "; ZONE initialised LAST-REFRESH | ZONE STATE TRUST-AT REMOVE-AT FIRST-SEEN DNSKEY\n";
    for (const auto& [name, z] : zones_) {
        if (!z.initialised) continue;
        out += z.zone.to_text() + " initialised " + time_text(z.last_refresh) + "\n";
        for (const auto& k : z.keys) {
            out += z.zone.to_text() + " " + std::string(to_string(k.state)) + " " + time_text(k.trust_at) +
                   " " + time_text(k.remove_at) + " " + time_text(k.first_seen) + " " +
                   dns::rdata_to_text(dns::RRType::DNSKEY, k.dnskey) + " ; id " + std::to_string(k.tag) +
                   "\n";
        }
    }
    return out;
}

void ManagedKeys::load_text(const std::string& text) {
    std::map<dns::Name, ManagedZone> loaded;
    {
        std::lock_guard lock(mutex_);
        loaded = zones_;
    }
    for (auto& [name, z] : loaded) {
        z.keys.clear();
        z.initialised = false;
    }
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (const auto semicolon = line.find(';'); semicolon != std::string::npos) line.resize(semicolon);
        std::istringstream fields(line);
        std::string zone_text, state;
        if (!(fields >> zone_text)) continue;
        try {
            if (!(fields >> state)) throw std::runtime_error("no state");
            const dns::Name zone = dns::Name::from_text(zone_text).lowercased();
            auto it = loaded.find(zone);
            if (it == loaded.end()) continue;  // no longer configured
            ManagedZone& z = it->second;
            if (state == "initialised") {
                std::string refreshed;
                fields >> refreshed;
                z.initialised = true;
                z.last_refresh = time_from(refreshed.empty() ? "-" : refreshed);
                continue;
            }
            ManagedKey k;
            if (state == "addpend")
                k.state = ManagedKeyState::add_pending;
            else if (state == "valid")
                k.state = ManagedKeyState::valid;
            else if (state == "missing")
                k.state = ManagedKeyState::missing;
            else if (state == "revoked")
                k.state = ManagedKeyState::revoked;
            else
                throw std::runtime_error("unknown state '" + state + "'");
            std::string trust_at, remove_at, first_seen;
            if (!(fields >> trust_at >> remove_at >> first_seen)) throw std::runtime_error("missing times");
            k.trust_at = time_from(trust_at);
            k.remove_at = time_from(remove_at);
            k.first_seen = time_from(first_seen);
            std::string rdata;
            std::getline(fields >> std::ws, rdata);
            k.dnskey = identity(dns::rdata_from_text(dns::RRType::DNSKEY, rdata, zone));
            k.tag = dnssec::key_tag(k.dnskey);
            if (const auto view = dnssec::DnskeyView::parse(k.dnskey)) k.algorithm = view->algorithm;
            z.keys.push_back(std::move(k));
        } catch (const std::exception& e) {
            throw std::runtime_error("line " + std::to_string(number) + ": " + e.what());
        }
    }
    std::lock_guard lock(mutex_);
    zones_ = std::move(loaded);
}

bool ManagedKeys::take_dirty() {
    std::lock_guard lock(mutex_);
    const bool d = dirty_;
    dirty_ = false;
    return d;
}

}  // namespace cairn::resolver
