#include "store/journal.hpp"

#include <string>

#include "dns/wire.hpp"
#include "store/diff_codec.hpp"

namespace cairn::store {

namespace {

constexpr std::uint8_t kMetaKind = 0;
constexpr std::uint8_t kEntryKind = 1;

// Per-zone bookkeeping: the live sequence range [first, next) and the summed entry sizes.
struct Meta {
    std::uint32_t first = 0;
    std::uint32_t next = 0;
    std::uint64_t bytes = 0;
    std::uint32_t entries() const { return next - first; }
};

// Each entry value: u32 RR count (for chain_rr_count), then the encoded difference.
constexpr std::size_t kEntryHeader = 4;

std::vector<std::uint8_t> encode_meta(const Meta& m) {
    std::vector<std::uint8_t> out;
    dns::WireWriter w(out);
    w.u32(m.first);
    w.u32(m.next);
    w.u32(static_cast<std::uint32_t>(m.bytes >> 32));
    w.u32(static_cast<std::uint32_t>(m.bytes));
    return out;
}

Meta decode_meta(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != 16) throw StoreError("damaged journal bookkeeping record");
    dns::WireReader r(bytes);
    Meta m;
    m.first = r.u32();
    m.next = r.u32();
    m.bytes = std::uint64_t{r.u32()} << 32;
    m.bytes |= r.u32();
    return m;
}

std::uint32_t u32_at(std::span<const std::uint8_t> v, std::size_t at) {
    return (std::uint32_t{v[at]} << 24) | (std::uint32_t{v[at + 1]} << 16) | (std::uint32_t{v[at + 2]} << 8) |
           v[at + 3];
}

}  // namespace

Journal::Journal(Environment& env, const dns::Name& zone) : env_(env) {
    const auto lower = zone.lowercased();
    prefix_.assign(lower.wire().begin(), lower.wire().end());
}

std::vector<std::uint8_t> Journal::key(std::uint8_t kind, std::uint32_t sequence) const {
    std::vector<std::uint8_t> k = prefix_;
    dns::WireWriter w(k);
    w.u8(kind);
    if (kind == kEntryKind) w.u32(sequence);  // big-endian: key order is sequence order
    return k;
}

JournalInfo Journal::info() const {
    JournalInfo info;
    env_.read([&](const Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Journal, key(kMetaKind), v)) return;
        const Meta m = decode_meta(v);
        info.entries = m.entries();
        info.bytes = static_cast<std::size_t>(m.bytes);
        if (m.entries() == 0) return;
        std::uint32_t from = 0, to = 0;
        if (!txn.get(Table::Journal, key(kEntryKind, m.first), v) || v.size() < kEntryHeader)
            throw StoreError("journal entry missing");
        decode_diff_serials(std::span(v).subspan(kEntryHeader), from, to);
        info.first_serial = from;
        if (!txn.get(Table::Journal, key(kEntryKind, m.next - 1), v) || v.size() < kEntryHeader)
            throw StoreError("journal entry missing");
        decode_diff_serials(std::span(v).subspan(kEntryHeader), from, to);
        info.last_serial = to;
    });
    return info;
}

void Journal::append(const zone::ZoneDiff& diff, std::size_t max_bytes) {
    if (diff.from_serial() == diff.to_serial())
        throw StoreError("journal: a difference must change the serial (" + std::to_string(diff.to_serial()) +
                         ")");
    std::vector<std::uint8_t> value;
    {
        dns::WireWriter w(value);
        w.u32(static_cast<std::uint32_t>(diff.rr_count()));
        const auto encoded = encode_diff(diff);
        w.bytes(encoded);
    }
    env_.write([&](Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        Meta m;
        if (txn.get(Table::Journal, key(kMetaKind), v)) m = decode_meta(v);
        auto drop_oldest = [&] {
            if (!txn.get(Table::Journal, key(kEntryKind, m.first), v))
                throw StoreError("journal entry missing");
            m.bytes -= std::min<std::uint64_t>(m.bytes, v.size());
            txn.erase(Table::Journal, key(kEntryKind, m.first));
            ++m.first;
        };
        if (m.entries() > 0) {
            if (!txn.get(Table::Journal, key(kEntryKind, m.next - 1), v) || v.size() < kEntryHeader)
                throw StoreError("journal entry missing");
            std::uint32_t from = 0, to = 0;
            decode_diff_serials(std::span(v).subspan(kEntryHeader), from, to);
            if (to != diff.from_serial()) {
                while (m.entries() > 0)
                    drop_oldest();
            }
        }
        txn.put(Table::Journal, key(kEntryKind, m.next), value);
        ++m.next;
        m.bytes += value.size();
        while (m.entries() > 1 && m.bytes > max_bytes)
            drop_oldest();
        txn.put(Table::Journal, key(kMetaKind), encode_meta(m));
    });
}

std::optional<std::vector<zone::ZoneDiff>> Journal::chain_from(std::uint32_t serial) const {
    std::optional<std::vector<zone::ZoneDiff>> out;
    env_.read([&](const Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Journal, key(kMetaKind), v)) return;
        const Meta m = decode_meta(v);
        bool found = false;
        std::vector<zone::ZoneDiff> chain;
        for (std::uint32_t seq = m.first; seq != m.next; ++seq) {
            if (!txn.get(Table::Journal, key(kEntryKind, seq), v) || v.size() < kEntryHeader)
                throw StoreError("journal entry missing");
            const auto body = std::span<const std::uint8_t>(v).subspan(kEntryHeader);
            if (!found) {
                std::uint32_t from = 0, to = 0;
                decode_diff_serials(body, from, to);
                if (from != serial) {
                    if (seq + 1 == m.next && to == serial) out.emplace();  // the newest version
                    continue;
                }
                found = true;
            }
            chain.push_back(decode_diff(body));
        }
        if (found) out = std::move(chain);
    });
    return out;
}

std::optional<std::size_t> Journal::chain_rr_count(std::uint32_t serial) const {
    std::optional<std::size_t> out;
    env_.read([&](const Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Journal, key(kMetaKind), v)) return;
        const Meta m = decode_meta(v);
        std::size_t total = 0;
        bool found = false;
        for (std::uint32_t seq = m.first; seq != m.next; ++seq) {
            if (!txn.get(Table::Journal, key(kEntryKind, seq), v) || v.size() < kEntryHeader)
                throw StoreError("journal entry missing");
            std::uint32_t from = 0, to = 0;
            decode_diff_serials(std::span<const std::uint8_t>(v).subspan(kEntryHeader), from, to);
            if (!found && from == serial) found = true;
            if (found) total += u32_at(v, 0);
            if (!found && seq + 1 == m.next && to == serial) out = 0;
        }
        if (found) out = total;
    });
    return out;
}

std::size_t Journal::trim(std::size_t max_bytes) {
    std::size_t dropped = 0;
    env_.write([&](Environment::Txn& txn) {
        dropped = 0;
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Journal, key(kMetaKind), v)) return;
        Meta m = decode_meta(v);
        if (m.bytes <= max_bytes) return;
        while (m.entries() > 1 && m.bytes > max_bytes) {
            if (!txn.get(Table::Journal, key(kEntryKind, m.first), v))
                throw StoreError("journal entry missing");
            m.bytes -= std::min<std::uint64_t>(m.bytes, v.size());
            txn.erase(Table::Journal, key(kEntryKind, m.first));
            ++m.first;
            ++dropped;
        }
        txn.put(Table::Journal, key(kMetaKind), encode_meta(m));
    });
    return dropped;
}

void Journal::clear() {
    env_.write([&](Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        if (!txn.get(Table::Journal, key(kMetaKind), v)) return;
        const Meta m = decode_meta(v);
        for (std::uint32_t seq = m.first; seq != m.next; ++seq)
            txn.erase(Table::Journal, key(kEntryKind, seq));
        txn.erase(Table::Journal, key(kMetaKind));
    });
}

}  // namespace cairn::store
