// What the control channel asks of the server. The server implements ControlTarget; src/ctl parses
// commands, checks arguments and formats answers, so that it never depends on the server.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lifecycle/zone_state.hpp"

namespace cairn::ctl {

// BIND's result numbers (isc_result_t), which rndc turns into an exit status; the text goes in `error`.
inline constexpr std::uint32_t kResultSuccess = 0;
inline constexpr std::uint32_t kResultNotFound = 23;
inline constexpr std::uint32_t kResultFailure = 25;
inline constexpr std::uint32_t kResultNotImplemented = 27;
inline constexpr std::uint32_t kResultUnknownCommand = 172;

struct CommandResult {
    std::uint32_t code = kResultSuccess;
    std::string text;   // shown to the operator (stdout on success, stderr on failure)
    std::string error;  // short reason when code != 0 ("not found", "failure")

    static CommandResult success(std::string text = {}) { return {kResultSuccess, std::move(text), {}}; }
    static CommandResult failure(std::string text, std::string error = "failure",
                                 std::uint32_t code = kResultFailure) {
        return {code, std::move(text), std::move(error)};
    }
    bool ok() const { return code == kResultSuccess; }
};

// A zone as named on the command line: `zone [class [view]]`.
struct ZoneRef {
    std::string name;
    std::string rrclass;  // "" : IN
    std::string view;     // "" : any view
};

class CacheTarget;

// `rndc dnssec -status | -rollover -key TAG [-alg A] [-when T] | -checkds [-key TAG] [-alg A] [-when T]
// published|withdrawn` (BIND 9.18's options; TIME as YYYYMMDDHHMMSS or seconds since the epoch).
struct DnssecCommand {
    enum class Kind : std::uint8_t { status, rollover, checkds };
    Kind kind = Kind::status;
    std::optional<std::uint16_t> tag;
    std::optional<std::uint8_t> algorithm;
    std::optional<std::uint32_t> when;
    bool published = true;  // checkds: published (else withdrawn)
};

class ControlTarget {
  public:
    virtual ~ControlTarget() = default;

    virtual CommandResult status() = 0;
    virtual CommandResult reload() = 0;  // configuration and every zone
    virtual CommandResult reload_zone(const ZoneRef& zone) = 0;
    virtual CommandResult reconfig() = 0;  // configuration, new and removed zones; unchanged zones untouched
    // Every zone matching `zone` (several when it is in several views and no view was named), as the
    // lifecycle's snapshots of their state.
    virtual std::vector<std::shared_ptr<const lifecycle::ZoneState>> find_zones(const ZoneRef& zone) = 0;
    virtual CommandResult refresh(const ZoneRef& zone) = 0;
    virtual CommandResult retransfer(const ZoneRef& zone) = 0;
    virtual CommandResult notify(const ZoneRef& zone) = 0;
    // `rndc sign` (every signature made again now) and `rndc loadkeys` (the key directory read again, and
    // the zone signed with what it holds): both run the zone's sign event now.
    virtual CommandResult sign(const ZoneRef& zone, bool loadkeys) = 0;
    virtual CommandResult stop() = 0;  // answers first; the server stops after the reply went out
    // Switches query logging (nullopt: toggle, as `rndc querylog` without argument) and reports the state.
    virtual CommandResult querylog(std::optional<bool> on) = 0;

    // The commands below answer "not implemented" unless the server has them.
    // `trace` (nullopt: one more) / `trace N` / `notrace` (0): the debug level.
    virtual CommandResult trace(std::optional<unsigned> level);
    // `sync [-clean] [zone]`: write what the server holds only in memory to disk (zone: unset for all).
    virtual CommandResult sync(const std::optional<ZoneRef>& zone, bool clean);
    // `dumpdb [-all|-cache|-zones] [view...]`: write each view's cache (-cache, BIND's default), its zones
    // (-zones) or both (-all, as BIND's) to the dump file; -adb, -bad, -expired and -fail count as -cache.
    enum class DumpWhat { all, cache, zones };
    virtual CommandResult dumpdb(DumpWhat what, const std::vector<std::string>& views);
    // `stats`: append the counters to the statistics file.
    virtual CommandResult stats();
    // `tsig-list`: the TSIG keys of each view.
    virtual CommandResult tsig_list();
    // `dnssec ...` on a zone found by find_zones (its view set). Without it, -status shows what the zone's
    // state holds (format_dnssec_status) and the other subcommands are not implemented.
    virtual CommandResult dnssec(const ZoneRef& zone, const DnssecCommand& command);
    // The recursive resolver's caches (cache_commands.hpp); nullptr: the server has none.
    virtual CacheTarget* cache() { return nullptr; }
};

// rndc's layout: `name: value` lines; dates as "Sun, 22 Nov 2026 04:20:52 GMT". BIND's lines, then what
// cairn adds: the zone's state and why, the last transfer, the primary's serial and its warning, and one
// `secondary ADDRESS` line per secondary it notifies (serial, how far and how long behind at `now`, expiry).
std::string format_zone_status(const lifecycle::ZoneState& zone, std::int64_t now);
// `rndc dnssec -status` from the zone's state alone (the keys signing and their roles), for a target that
// does not read the key files (ControlTarget::dnssec not implemented).
std::string format_dnssec_status(const lifecycle::ZoneState& zone, std::int64_t now);
std::string format_rfc1123(std::int64_t seconds_since_epoch);

// Runs one command line (`zonestatus example.com IN internal`) against the target. A read-only channel
// only runs commands that change nothing.
CommandResult dispatch(const std::string& command, ControlTarget& target, bool read_only = false);

}  // namespace cairn::ctl
