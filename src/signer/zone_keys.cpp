#include "signer/zone_keys.hpp"

#include "dnssec/records.hpp"
#include "signer/rollover.hpp"

namespace cairn::signer {

ZoneKeys ensure_zone_keys(const config::DnssecPolicy& policy, const dns::Name& zone,
                          const std::string& directory, std::uint32_t now) {
    KeyManagerRun run = run_key_manager(policy, zone, directory, now);
    ZoneKeys out;
    out.notes = std::move(run.notes);
    out.next_key_event = run.next_event;
    for (ManagedKey& k : run.keys) {
        if (k.purged) continue;
        SigningKey signing;
        const bool usable = k.key.private_key.has_value() && (k.key.flags & dnssec::kRevokeFlag) == 0;
        signing.published = dnskey_published(k.key);
        signing.signs_zone = usable && signs_zone_now(k.key);
        signing.signs_keys = usable && signs_keys_now(k.key);
        signing.cds = cds_published(k.key);
        if (!signing.published && !signing.signs_zone && !signing.signs_keys) continue;
        signing.generated = k.created;
        signing.file_base = directory + "/" + k.key.file_base();
        signing.key = std::move(k.key);
        out.keys.push_back(std::move(signing));
    }
    return out;
}

}  // namespace cairn::signer
