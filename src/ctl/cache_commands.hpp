// The control channel's commands on the recursive resolver's caches, with BIND's rndc syntax:
//   flush [VIEW]                    the view's cache (every view's without one)
//   flushname NAME [VIEW]           every entry owned by NAME (positive, negative, failure)
//   flushtree NAME [VIEW]           NAME and every name below it
//   serve-stale (on|off|reset|status) [CLASS [VIEW]]
// and cairn's own:
//   cache NAME [TYPE] [VIEW]        what the cache holds for NAME and why (records and remaining TTL, the
//                                   server each came from, negative and failure entries with their cause)
// and DNSSEC validation's, which act on the same resolvers:
//   nta -dump | nta [-lifetime D] [-force] [-remove] NAME [CLASS [VIEW]]
//                                   negative trust anchors (RFC 7646): the cache below NAME is flushed
//   secroots [-] [VIEW...]          the trust anchors and NTAs, into the secroots file (named.secroots);
//                                   with -, in the answer
//   validation (on|off|status) [VIEW]
//   managed-keys (status|refresh|sync) [CLASS [VIEW]]
//                                   RFC 5011 trust anchors: their state (BIND 9.18's layout), a refresh of
//                                   every managed zone's DNSKEY RRset now, the state file written now
// Unlike BIND, flushes say how many entries they removed. The server implements CacheTarget, whose
// cache_dump() gives `dumpdb` (dispatch.cpp) each view's cache for the dump file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ctl/target.hpp"

namespace cairn::ctl {

class CacheTarget {
  public:
    virtual ~CacheTarget() = default;
    // `view` unset: every view with a cache.
    virtual CommandResult flush(const std::optional<std::string>& view) = 0;
    virtual CommandResult flush_name(const std::string& name, bool tree,
                                     const std::optional<std::string>& view) = 0;
    // One view's cache as `dumpdb` writes it in that view's part of the dump file, under BIND's "; Cache dump
    // of view 'V' (cache V)" header; nullopt when the view has no cache.
    virtual std::optional<std::string> cache_dump(const std::string& view) = 0;
    virtual CommandResult serve_stale(const std::string& action, const std::optional<std::string>& view) = 0;
    virtual CommandResult inspect(const std::string& name, const std::optional<std::string>& type,
                                  const std::optional<std::string>& view) = 0;
    // lifetime unset: nta-lifetime; remove: `nta -remove`.
    virtual CommandResult nta(const std::string& name, std::optional<std::uint32_t> lifetime, bool force,
                              bool remove, const std::optional<std::string>& view) = 0;
    virtual CommandResult nta_dump() = 0;
    // print: `secroots -`, the text in the answer; otherwise it goes to the secroots file.
    virtual CommandResult secroots(const std::vector<std::string>& views, bool print) = 0;
    virtual CommandResult validation(const std::string& action, const std::optional<std::string>& view) = 0;
    // action: status, refresh or sync.
    virtual CommandResult managed_keys(const std::string& action, const std::optional<std::string>& view) = 0;
};

// Whether `verb` is one of these commands, and whether it changes nothing (allowed on read-only channels).
bool is_cache_command(const std::string& verb);
bool is_read_only_cache_command(const std::vector<std::string>& words);

// Runs a cache command; `target` null: the server has no resolver.
CommandResult dispatch_cache(const std::vector<std::string>& words, CacheTarget* target);

}  // namespace cairn::ctl
