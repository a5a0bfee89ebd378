// The IXFR journals of the primary zones that have ixfr-from-differences: one LMDB environment in the
// server's working directory (cairn.lmdb, opened at the first journaled zone) and a store::Journal per
// (view, zone). A reload that changes such a zone appends the difference between the served version and the
// new one, so that secondaries get IXFR, also after a restart.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "store/environment.hpp"
#include "store/journal.hpp"
#include "zone/zone.hpp"

namespace cairn::server {

class PrimaryJournals {
  public:
    // `directory`: where the environment lives; relative paths are resolved when it is first opened.
    explicit PrimaryJournals(std::string directory) : directory_(std::move(directory)) {}

    // The journal of a zone, opening the environment on first use. Kept until the daemon exits, so that
    // serving snapshots may point at it. Throws store::StoreError.
    const store::Journal* journal(const std::string& view, const zone::Zone& zone);

    // Journals the change from `old_version` to `new_version` (same origin). Returns false, with the reason
    // in `why`, when nothing could be journaled (same serial with different data, store failure).
    bool record(const std::string& view, const zone::Zone& old_version, const zone::Zone& new_version,
                std::size_t max_bytes, std::string& why);

  private:
    store::Journal& open(const std::string& view, const zone::Zone& zone);

    std::string directory_;
    std::unique_ptr<store::Environment> env_;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<store::Journal>> journals_;
};

}  // namespace cairn::server
