// Negative trust anchors (RFC 7646): names below which validation is switched off for a while, so that a
// zone an operator knows to be broken (an expired signature, a botched key roll) resolves as insecure
// instead of failing. BIND's behaviour: `rndc nta [-lifetime D] [-force] NAME` adds one for `nta-lifetime`
// (1 hour by default, at most 1 week), `-remove` drops it, `-dump` lists them; they are written to a file
// and survive a restart; every `nta-recheck` (5 minutes) BIND checks whether the zone validates again and
// drops the NTA early unless it was added with -force (BIND fetches NAME/NSEC with the NTA ignored; an
// answer that validates, or proves a denial, ends the NTA at once, and "deleting expired NTA at NAME" is
// logged as for any other expiry). `validate-except` names are permanent NTAs.
//
// Thread-safe. Lookups (one per validation, not per cache hit) take a shared lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "dns/name.hpp"

namespace cairn::resolver {

struct NegativeTrustAnchor {
    dns::Name name;
    std::int64_t expiry = 0;        // Unix time; 0: permanent (validate-except)
    bool forced = false;            // -force: not removed by the recheck
    std::int64_t added = 0;         // Unix time
    std::int64_t next_recheck = 0;  // Unix time of the next nta-recheck; 0: not scheduled yet
    bool permanent() const { return expiry == 0; }
};

class NtaTable {
  public:
    // Adds (or replaces) an NTA; returns the anchor as stored.
    NegativeTrustAnchor add(const dns::Name& name, std::int64_t now, std::uint32_t lifetime, bool forced);
    void add_permanent(const dns::Name& name);  // validate-except
    bool remove(const dns::Name& name);         // false when there was none (permanent ones stay)

    // The NTA covering `name` (at or above it) at `now`, expired ones ignored.
    std::optional<NegativeTrustAnchor> covering(const dns::Name& name, std::int64_t now) const;
    bool empty() const;

    // Drops the anchors that expired by `now` and returns their names (the caller flushes what was
    // cached under them as insecure).
    std::vector<dns::Name> expire(std::int64_t now);

    std::vector<NegativeTrustAnchor> list(std::int64_t now) const;  // unexpired, canonical order

    // nta-recheck: the regular (not forced, not permanent) anchors whose recheck is due at `now`, each
    // rescheduled `interval` later. As BIND, an anchor is rechecked only while it has more than `interval`
    // left to live (0: never).
    std::vector<dns::Name> due_rechecks(std::int64_t now, std::uint32_t interval);
    // The recheck of `name` validated: a regular anchor there ends now (expire() drops it). True when one
    // did.
    bool end_early(const dns::Name& name, std::int64_t now);

    // `rndc nta -dump`: "example.com/VIEW: expiry 07-Dec-2026 16:35:00.000" per line, BIND's form;
    // permanent ones "example.com/VIEW: permanent (validate-except)". "" when there are none.
    std::string dump(std::int64_t now, const std::string& view) const;

    // The file BIND keeps them in (one "NAME regular|forced YYYYMMDDHHMMSS" line each, as BIND's
    // view.nta), and back. Permanent anchors are configuration, not state: never written. Lines that
    // do not parse are skipped and counted in `bad_lines`.
    std::string to_file_text(std::int64_t now) const;
    void load_file_text(const std::string& text, std::int64_t now, std::size_t* bad_lines = nullptr);

  private:
    mutable std::shared_mutex mutex_;
    std::map<dns::Name, NegativeTrustAnchor> anchors_;  // lowercased names
};

// "07-Dec-2026 16:35:00.000" (BIND's dates in rndc output).
std::string bind_date_text(std::int64_t unix_seconds);
// "20261207163500" and back (BIND's NTA file and the RRSIG presentation form).
std::string compact_time_text(std::int64_t unix_seconds);
std::optional<std::int64_t> compact_time_from_text(const std::string& text);

}  // namespace cairn::resolver
