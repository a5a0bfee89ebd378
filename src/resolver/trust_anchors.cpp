#include "resolver/trust_anchors.hpp"

#include <algorithm>

#include "dns/rdata.hpp"
#include "dnssec/records.hpp"

namespace cairn::resolver {
namespace {

// IANA's root-anchors.xml (and Debian's dns-root-data root.key).
constexpr const char* kRootKsk2017 =
    "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnL"
    "h4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tar"
    "pVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2"
    "hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
constexpr const char* kRootKsk2024 =
    "257 3 8 AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmO"
    "ElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8P"
    "kcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyva"
    "BevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=";

void add_unique(std::vector<std::vector<std::uint8_t>>& list, std::vector<std::uint8_t> rdata) {
    if (std::find(list.begin(), list.end(), rdata) == list.end()) list.push_back(std::move(rdata));
}

}  // namespace

std::vector<TrustAnchorConfig> builtin_root_anchors() {
    std::vector<TrustAnchorConfig> out;
    for (const char* key : {kRootKsk2017, kRootKsk2024}) {
        TrustAnchorConfig a;
        a.zone = dns::Name();
        a.kind = TrustAnchorConfig::Kind::initial_key;
        a.rdata = anchor_rdata_from_text(a.kind, key, a.zone);
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<std::uint8_t> anchor_rdata_from_text(TrustAnchorConfig::Kind kind, const std::string& text,
                                                 const dns::Name& zone) {
    const bool ds = kind == TrustAnchorConfig::Kind::static_ds || kind == TrustAnchorConfig::Kind::initial_ds;
    return dns::rdata_from_text(ds ? dns::RRType::DS : dns::RRType::DNSKEY, text, zone);
}

void TrustAnchorTable::add_zone(const dns::Name& zone) {
    auto& entry = zones_[zone.lowercased()];
    entry.zone = zone.lowercased();
}

void TrustAnchorTable::add_ds(const dns::Name& zone, std::vector<std::uint8_t> rdata) {
    add_zone(zone);
    add_unique(zones_[zone.lowercased()].ds, std::move(rdata));
}

void TrustAnchorTable::add_dnskey(const dns::Name& zone, std::vector<std::uint8_t> rdata) {
    add_zone(zone);
    add_unique(zones_[zone.lowercased()].dnskey, std::move(rdata));
}

const AnchorKeys* TrustAnchorTable::find(const dns::Name& zone) const {
    const auto it = zones_.find(zone.lowercased());
    return it == zones_.end() ? nullptr : &it->second;
}

const AnchorKeys* TrustAnchorTable::closest(const dns::Name& name) const {
    if (zones_.empty()) return nullptr;
    for (std::size_t labels = name.label_count() + 1; labels-- > 0;) {
        if (const AnchorKeys* a = find(name.suffix(labels))) return a;
    }
    return nullptr;
}

std::optional<AnchorId> anchor_id(const TrustAnchorConfig& anchor) {
    if (anchor.is_ds()) {
        const auto ds = dnssec::DsView::parse(anchor.rdata);
        if (!ds) return std::nullopt;
        return AnchorId{ds->key_tag, ds->algorithm};
    }
    const auto key = dnssec::DnskeyView::parse(anchor.rdata);
    if (!key) return std::nullopt;
    return AnchorId{dnssec::key_tag(anchor.rdata), key->algorithm};
}

}  // namespace cairn::resolver
