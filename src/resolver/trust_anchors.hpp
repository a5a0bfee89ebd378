// The trust anchors a validator starts its chains from (RFC 4035 §4.3, RFC 6840 §6.1 for DS anchors):
// for each anchored zone the DS records and DNSKEY records that are trusted now, whatever their source
// (static anchors as configured, managed ones as RFC 5011 has them, rfc5011.hpp). An immutable table:
// the validator publishes a new one when the managed keys change.
//
// Built in (dnssec-validation auto): the root KSKs 20326 (KSK-2017) and 38696 (KSK-2024, signing since
// 2026-10-11), both as initial-key, as BIND's bind.keys carries them (BIND 9.18 has 38696 as initial-ds;
// the key itself is published now, so cairn carries the key).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "resolver/validation_settings.hpp"

namespace cairn::resolver {

std::vector<TrustAnchorConfig> builtin_root_anchors();

struct AnchorKeys {
    dns::Name zone;
    std::vector<std::vector<std::uint8_t>> ds;      // DS rdata
    std::vector<std::vector<std::uint8_t>> dnskey;  // DNSKEY rdata
    bool empty() const { return ds.empty() && dnskey.empty(); }
};

class TrustAnchorTable {
  public:
    TrustAnchorTable() = default;
    void add_ds(const dns::Name& zone, std::vector<std::uint8_t> rdata);
    void add_dnskey(const dns::Name& zone, std::vector<std::uint8_t> rdata);
    // Keeps the zone listed even when nothing in it is trusted (every managed key revoked): its names
    // then cannot validate (BIND: "no valid trust anchor" makes them bogus, not insecure).
    void add_zone(const dns::Name& zone);

    // The deepest anchored zone at or above `name`, or nullptr.
    const AnchorKeys* closest(const dns::Name& name) const;
    const AnchorKeys* find(const dns::Name& zone) const;
    bool empty() const { return zones_.empty(); }
    const std::map<dns::Name, AnchorKeys>& zones() const { return zones_; }

  private:
    std::map<dns::Name, AnchorKeys> zones_;
};

// Parses DNSKEY / DS presentation rdata for an anchor ("257 3 8 AwEAA..." / "20326 8 2 E06D..."): for the
// configuration layer and tests. Throws dns::ParseError.
std::vector<std::uint8_t> anchor_rdata_from_text(TrustAnchorConfig::Kind kind, const std::string& text,
                                                 const dns::Name& zone);

// The key tag and algorithm a configured anchor names (its DS's fields, or its DNSKEY's tag and algorithm),
// as `rndc secroots` and `rndc managed-keys status` list it; nullopt when its rdata does not parse.
struct AnchorId {
    std::uint16_t tag = 0;
    std::uint8_t algorithm = 0;
};
std::optional<AnchorId> anchor_id(const TrustAnchorConfig& anchor);

}  // namespace cairn::resolver
