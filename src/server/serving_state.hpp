// The immutable snapshot workers answer from: each view's zones and access lists. Built by the loader,
// published through Published<ServingState>, never changed once published.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dns/tsig.hpp"
#include "net/handler.hpp"
#include "server/access.hpp"
#include "server/rate_limit.hpp"
#include "server/recursive_view.hpp"
#include "store/journal.hpp"
#include "xfr/secondary.hpp"
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
    // Secondary zones past EXPIRE: still in `zones` so that their names get SERVFAIL, not a referral or
    // REFUSED from elsewhere.
    std::unordered_set<const zone::Zone*> expired;
    bool has_expired = false;  // expired is not empty

    // Secondary zones, for the EDNS EXPIRE (RFC 7314) their transfers carry: the time left, not the SOA's.
    std::unordered_map<const zone::Zone*, std::shared_ptr<const xfr::SecondaryZone>> secondaries;

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

}  // namespace cairn::server
