// What a view's validator keeps on disk, in the working directory (`directory`), so that a restart neither
// forgets nor re-trusts anything:
//   - VIEW.nta: the negative trust anchors added with `rndc nta`, BIND's file and format (one
//     "NAME regular|forced YYYYMMDDHHMMSS" line each); read back at start, where the ones that expired
//     meanwhile are dropped, and removed when none are left (as BIND does);
//   - the RFC 5011 state of `initial-key` / `initial-ds` anchors (rfc5011.hpp): managed-keys.cairn for the
//     default view, VIEW.mkeys.cairn for the others. BIND keeps managed-keys.bind / VIEW.mkeys, a zone of
//     KEYDATA records; cairn's file is its own text format, so it has its own names and never reads or
//     overwrites BIND's. A file that does not parse is logged, kept aside as FILE.bad and the anchors
//     start again from the configuration.
// Loaded when a view's resolver is made (start, or a reload that changed its settings); written atomically
// (write, fsync, rename) when it changes: at once after `rndc nta`, from the housekeeping (about once a
// second) when an NTA expired or a managed key moved on, and at stop.
#pragma once

#include <mutex>
#include <string>

#include "resolver/context.hpp"

namespace cairn::server {

// The file name for a view: the view's name, with what a path must not hold ('/', '\', a leading '.',
// control characters) written as %XX.
std::string view_file_name(const std::string& view, const std::string& suffix);

class ValidationFiles {
  public:
    // Reads the view's files into `context` (its NTAs and managed keys); logs what it could not read.
    void load(const std::string& view, resolver::ResolverContext& context);
    // Writes whichever of the files changed since they were read or last written. Thread-safe.
    void save(resolver::ResolverContext& context);

    const std::string& nta_path() const { return nta_path_; }
    const std::string& managed_keys_path() const { return managed_keys_path_; }

  private:
    std::mutex mutex_;
    std::string view_;
    std::string nta_path_;
    std::string managed_keys_path_;
    std::string nta_written_;  // the NTA file's text as last read or written ("" when there is none)
    bool managed_keys_unsaved_ = false;  // the last write failed: try again next time
};

}  // namespace cairn::server
