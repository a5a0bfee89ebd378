// The immutable snapshot workers answer from: each view's zones and access lists. Built by the loader,
// published through Published<ServingState>, never changed once published.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dns/edns.hpp"
#include "dns/tsig.hpp"
#include "lifecycle/zone_config.hpp"
#include "lifecycle/zones.hpp"
#include "net/handler.hpp"
#include "server/access.hpp"
#include "server/rate_limit.hpp"
#include "server/recursive_view.hpp"
#include "store/journal.hpp"
#include "zone/zone_table.hpp"

namespace cairn::server {

struct ServedView {
    std::string name;
    AccessList match_clients;
    AccessList match_destinations;
    zone::ZoneTable zones;
    // Zones whose allow-query admits less than everyone; the rest answer anyone.
    std::unordered_map<const zone::Zone*, QueryAccess> allow_query;
    bool restricts_queries = false;  // allow_query is not empty
    // Every zone's allow-transfer (a zone missing here is never transferred).
    std::unordered_map<const zone::Zone*, AccessList> allow_transfer;

    // `key`: the TSIG key that verified the request (match-clients { key "k."; }), or nullptr.
    bool matches(const net::ClientInfo& client, const dns::Name* key = nullptr) const {
        return match_clients.allows_source(client, key) && match_destinations.allows_destination(client, key);
    }
    // The same with the client's addresses converted beforehand (view_for converts them once for all views).
    bool matches(const AccessList::Candidate& source, const AccessList::Candidate& destination,
                 const dns::Name* key) const {
        return match_clients.allows(source, key) && match_destinations.allows(destination, key);
    }
    // Zones that answer SERVFAIL with an EDE saying why: a zone that failed to load (`zone not loaded:
    // FILE:LINE: ...`), a secondary without a copy yet, one past EXPIRE. Each is in `zones` (a placeholder
    // holding only an SOA when there is no copy) so that its names get SERVFAIL, not a referral or REFUSED
    // from elsewhere. The lifecycle's ZoneState says why; the text is taken from it when published.
    struct Unavailable {
        dns::EdeCode code = dns::EdeCode::NotReady;
        std::string text;
    };
    std::unordered_map<const zone::Zone*, Unavailable> unavailable;
    bool has_unavailable = false;  // unavailable is not empty
    const Unavailable* unavailable_for(const zone::Zone* zone) const {
        if (!has_unavailable || zone == nullptr) return nullptr;
        const auto found = unavailable.find(zone);
        return found == unavailable.end() ? nullptr : &found->second;
    }

    // Secondary zones: who may NOTIFY them (the primaries' addresses, any port, and allow-notify), and their
    // expire deadline, for the EDNS EXPIRE (RFC 7314) their transfers carry: the time left, not the SOA's.
    struct Secondary {
        AccessList allow_notify;
        std::vector<dns::IpAddress> primaries;
        std::shared_ptr<const std::atomic<std::int64_t>> expire_at;  // seconds since the epoch; 0: none
    };
    std::unordered_map<const zone::Zone*, Secondary> secondaries;
    const Secondary* secondary_for(const zone::Zone* zone) const {
        const auto found = secondaries.find(zone);
        return found == secondaries.end() ? nullptr : &found->second;
    }

    // How transfers out of each zone go: provide-ixfr, max-transfer-time-out / -idle-out.
    struct TransferPolicy {
        bool provide_ixfr = true;
        std::uint32_t max_time = 7200, max_idle = 3600;  // seconds
    };
    std::unordered_map<const zone::Zone*, TransferPolicy> transfer_policies;
    // The `server` statements that apply to clients of this view (provide-ixfr, transfer-format).
    std::vector<lifecycle::ServerRule> servers;

    // recursion yes: who may recurse or read the cache, and the resolver (recursive_view.hpp); null: the
    // view only answers from its zones.
    std::shared_ptr<const ViewRecursion> recursion;

    // Response rate limiting (null: none). Its accounts outlive snapshots: they belong to the configuration.
    std::shared_ptr<RateLimit> rate_limit;

    // IXFR journals of primary zones with ixfr-from-differences; they outlive every snapshot.
    std::unordered_map<const zone::Zone*, const store::Journal*> journals;

    const store::Journal* journal_for(const zone::Zone* zone) const {
        const auto found = journals.find(zone);
        return found == journals.end() ? nullptr : found->second;
    }
    const AccessList* allow_transfer_for(const zone::Zone* zone) const {
        const auto found = allow_transfer.find(zone);
        return found == allow_transfer.end() ? nullptr : &found->second;
    }
    const QueryAccess* allow_query_for(const zone::Zone* zone) const {
        const auto found = allow_query.find(zone);
        return found == allow_query.end() ? nullptr : &found->second;
    }
};

struct ServingState {
    std::vector<ServedView> views;
    std::shared_ptr<const dns::TsigKeyring> keys;  // shared: transfers in progress keep theirs
    // blackhole: queries from these addresses get no answer at all.
    AccessList blackhole;
    bool has_blackhole = false;

    // The first view the client matches (views are tried in configuration order), or nullptr. `key`: the
    // TSIG key that verified the request, or nullptr.
    const ServedView* view_for(const net::ClientInfo& client, const dns::Name* key = nullptr) const {
        if (views.size() == 1) return views[0].matches(client, key) ? &views[0] : nullptr;
        const AccessList::Candidate source = AccessList::candidate(client.source.address);
        const AccessList::Candidate destination = AccessList::candidate(client.destination.address);
        for (const auto& view : views) {
            if (view.matches(source, destination, key)) return &view;
        }
        return nullptr;
    }
};

struct Settings;

// The snapshot for `settings` and what the lifecycle serves (Zones::zones()): every configured zone of
// every view, with a placeholder for each zone that has no version to answer from.
std::unique_ptr<const ServingState> build_serving_state(const Settings& settings,
                                                        const std::vector<lifecycle::ZoneView>& zones);

}  // namespace cairn::server
