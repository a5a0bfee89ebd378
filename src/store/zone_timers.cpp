#include "store/zone_timers.hpp"

#include "dns/wire.hpp"

namespace cairn::store {

namespace {

constexpr std::uint8_t kTimersVersion = 1;
constexpr std::size_t kTimersSize = 1 + 3 * 8 + 4 + 1;

std::vector<std::uint8_t> key_of(const dns::Name& zone) {
    const auto lower = zone.lowercased();
    return {lower.wire().begin(), lower.wire().end()};
}

void put64(dns::WireWriter& w, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    w.u32(static_cast<std::uint32_t>(u >> 32));
    w.u32(static_cast<std::uint32_t>(u));
}

std::int64_t get64(dns::WireReader& r) {
    std::uint64_t u = std::uint64_t{r.u32()} << 32;
    u |= r.u32();
    return static_cast<std::int64_t>(u);
}

std::vector<std::uint8_t> encode(const ZoneTimers& t) {
    std::vector<std::uint8_t> value;
    dns::WireWriter w(value);
    w.u8(kTimersVersion);
    put64(w, t.last_refresh);
    put64(w, t.next_refresh);
    put64(w, t.expire_at);
    w.u32(t.serial);
    w.u8(t.last_failed ? 1 : 0);
    return value;
}

}  // namespace

void save_timers(Environment& env, const dns::Name& zone, const ZoneTimers& t) {
    const std::vector<std::uint8_t> value = encode(t);
    env.write([&](Environment::Txn& txn) { txn.put(Table::Timers, key_of(zone), value); });
}

void save_timers_batch(Environment& env, const std::map<dns::Name, ZoneTimers>& timers) {
    env.write([&](Environment::Txn& txn) {
        for (const auto& [zone, t] : timers)
            txn.put(Table::Timers, key_of(zone), encode(t));
    });
}

std::optional<ZoneTimers> load_timers(const Environment& env, const dns::Name& zone) {
    std::optional<ZoneTimers> out;
    env.read([&](const Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Timers, key_of(zone), v)) return;
        if (v.size() != kTimersSize || v[0] != kTimersVersion)
            throw StoreError("damaged timer record for " + zone.to_text());
        dns::WireReader r(v, 1);
        ZoneTimers t;
        t.last_refresh = get64(r);
        t.next_refresh = get64(r);
        t.expire_at = get64(r);
        t.serial = r.u32();
        t.last_failed = r.u8() != 0;
        out = t;
    });
    return out;
}

void erase_timers(Environment& env, const dns::Name& zone) {
    env.write([&](Environment::Txn& txn) { txn.erase(Table::Timers, key_of(zone)); });
}

}  // namespace cairn::store
