#include <algorithm>
#include <ctime>
#include <sstream>

#include "ctl/cache_commands.hpp"
#include "ctl/target.hpp"
#include "dns/types.hpp"
#include "dnssec/key_files.hpp"

namespace cairn::ctl {

namespace {
CommandResult not_implemented() {
    return CommandResult::failure("not available in this server", "not implemented", kResultNotImplemented);
}
}  // namespace

CommandResult ControlTarget::trace(std::optional<unsigned>) {
    return not_implemented();
}
CommandResult ControlTarget::sync(const std::optional<ZoneRef>&, bool) {
    return not_implemented();
}
CommandResult ControlTarget::dumpdb(DumpWhat, const std::vector<std::string>&) {
    return not_implemented();
}
CommandResult ControlTarget::stats() {
    return not_implemented();
}
CommandResult ControlTarget::tsig_list() {
    return not_implemented();
}
CommandResult ControlTarget::dnssec(const ZoneRef&, const DnssecCommand&) {
    return not_implemented();
}

std::string format_rfc1123(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buffer;
}

namespace {

// One line per secondary the zone notifies (issue 17): its serial, how far and since when it is behind,
// its copy's expiry from EDNS EXPIRE, or why it did not answer.
std::string format_secondary(const lifecycle::ZoneState& zone, const lifecycle::SecondaryStatus& secondary,
                             std::int64_t now) {
    std::string out;
    if (secondary.serial) {
        out = "serial " + std::to_string(*secondary.serial);
        const std::uint32_t behind = lifecycle::serials_behind(secondary, zone.served_serial);
        if (secondary.behind_since == 0 && behind == 0) out += " (in step)";
    } else {
        out = "never answered";
    }
    if (secondary.behind_since != 0) {
        const std::uint32_t behind = lifecycle::serials_behind(secondary, zone.served_serial);
        if (behind != 0) out += ", " + std::to_string(behind) + " behind";
        out += " for " + std::to_string(now - secondary.behind_since) + " s (since " +
               format_rfc1123(secondary.behind_since) + ")";
        if (secondary.lagging) out += ", lagging";
    }
    if (secondary.expires_at != 0) out += ", expires in " + std::to_string(secondary.expires_at - now) + " s";
    if (!secondary.error.empty()) out += "; last check: " + secondary.error;
    return out;
}

}  // namespace

std::string format_zone_status(const lifecycle::ZoneState& zone, std::int64_t now) {
    std::string out;
    const auto line = [&](std::string_view name, const std::string& value) {
        out += name;
        out += ": ";
        out += value;
        out += '\n';
    };
    const auto when = [&](std::string_view name, std::int64_t at) {
        if (at != 0) line(name, format_rfc1123(at));
    };
    std::string name = zone.origin.to_text();
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    line("name", name);
    line("type", std::string(lifecycle::to_string(zone.role)));
    if (!zone.view.empty() && zone.view != lifecycle::kDefaultView) line("view", zone.view);
    if (!zone.file.empty()) line("files", zone.file);
    line("serial", zone.served_serial ? std::to_string(*zone.served_serial) : "(not loaded)");
    line("state", std::string(lifecycle::to_string(zone.phase)));
    if (!zone.problem.empty()) line("reason", zone.problem);
    if (zone.nodes != 0) line("nodes", std::to_string(zone.nodes));
    when("last loaded", zone.loaded_at);
    if (zone.last_load.at != 0 && !zone.last_load.ok) line("last load", "failed: " + zone.last_load.detail);
    if (zone.role == lifecycle::ZoneRole::secondary) {
        when("next refresh", zone.timers.next_refresh);
        when("expires", zone.timers.expire_at);
        if (zone.last_refresh.at != 0)
            line("last refresh", zone.last_refresh.ok ? "successful" : "failed: " + zone.last_refresh.detail);
        when("last refresh time", zone.timers.last_refresh);
        if (zone.last_transfer.at != 0)
            line("last transfer", (zone.last_transfer.ok ? "" : "failed: ") + zone.last_transfer.detail);
        if (zone.primary_serial)
            line("primary serial", std::to_string(*zone.primary_serial) + " (" + zone.primary + ")");
        if (!zone.serial_warning.empty()) line("warning", zone.serial_warning);
        if (zone.full_transfer_pending) line("retransfer", "pending");
    }
    if (zone.journal_bytes) line("journal size", std::to_string(*zone.journal_bytes) + " bytes");
    if (zone.journal_entries) line("journal entries", std::to_string(*zone.journal_entries));
    line("notifies pending", std::to_string(zone.notifies_pending));
    for (const lifecycle::SecondaryStatus& secondary : zone.secondaries)
        line("secondary " + secondary.address, format_secondary(zone, secondary, now));
    if (zone.signatures_expire != 0) {
        std::string expiry = format_rfc1123(zone.signatures_expire) + " (in " +
                             std::to_string((zone.signatures_expire - now) / 86400) + " days";
        if (zone.signatures_warning_days != 0)
            expiry += ", " + std::to_string(zone.signatures_warning_days) + "-day warning";
        line("signatures expire", expiry + ")");
    }
    if (!zone.dnssec_policy.empty()) {
        line("dnssec-policy", zone.dnssec_policy);
        if (zone.unsigned_serial) line("unsigned serial", std::to_string(*zone.unsigned_serial));
        for (const lifecycle::SigningKeyStatus& key : zone.signing_keys)
            line("key", key.role + " " + std::to_string(key.tag) + " " +
                            std::string(dns::dnssec_algorithm_mnemonic(key.algorithm)) + " (" + key.file +
                            ")");
        if (zone.rrsig_earliest_expiry) when("earliest rrsig expiration", *zone.rrsig_earliest_expiry);
        when("next resign", zone.next_resign);
        when("next key event", zone.next_key_event);
        if (zone.last_sign.at != 0 && !zone.last_sign.ok)
            line("last sign", "failed: " + zone.last_sign.detail);
    }
    line("secure", zone.signatures_expire != 0 || zone.rrsig_earliest_expiry ? "yes" : "no");
    if (!zone.dnssec_policy.empty()) line("inline signing", "yes");
    line("dynamic", "no");
    out.pop_back();  // rndc prints no final newline in the text
    return out;
}

std::string format_dnssec_status(const lifecycle::ZoneState& zone, std::int64_t now) {
    if (zone.dnssec_policy.empty()) return "Zone does not have dnssec-policy";
    std::string out =
        "dnssec-policy: " + zone.dnssec_policy + "\ncurrent time:  " + format_rfc1123(now) + "\n";
    for (const lifecycle::SigningKeyStatus& key : zone.signing_keys) {
        const std::string since = key.created != 0 ? " - since " + format_rfc1123(key.created) : "";
        out += "\nkey: " + std::to_string(key.tag) + " (" +
               std::string(dns::dnssec_algorithm_mnemonic(key.algorithm)) + "), " + key.role + "\n";
        out += "  published:      yes" + since + "\n";
        out += "  key signing:    " + std::string(key.role != "ZSK" ? "yes" + since : "no") + "\n";
        out += "  zone signing:   " + std::string(key.role != "KSK" ? "yes" + since : "no") + "\n";
        out += key.lifetime
                   ? "\n  Lifetime " + std::to_string(*key.lifetime) + " s (rolled by the key manager)\n"
                   : "\n  No rollover scheduled\n";
    }
    if (zone.rrsig_earliest_expiry)
        out += "\nearliest signature expiration: " + format_rfc1123(*zone.rrsig_earliest_expiry) + "\n";
    if (zone.next_resign != 0) out += "next re-signing: " + format_rfc1123(zone.next_resign) + "\n";
    out.pop_back();
    return out;
}

namespace {

std::vector<std::string> split_words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    std::string word;
    while (in >> word)
        words.push_back(word);
    return words;
}

// `dnssec -status|-rollover|-checkds [options] ZONE...` into `command`; the zone words are left after
// words[0]. False (with `error` set) on a bad subcommand or option.
bool parse_dnssec(std::vector<std::string>& words, DnssecCommand& command, CommandResult& error) {
    if (words.size() < 2) {
        error = CommandResult::failure("dnssec: missing subcommand", "unexpected end of input");
        return false;
    }
    const std::string sub = words[1];
    if (sub == "-status") {
        command.kind = DnssecCommand::Kind::status;
    } else if (sub == "-rollover") {
        command.kind = DnssecCommand::Kind::rollover;
    } else if (sub == "-checkds") {
        command.kind = DnssecCommand::Kind::checkds;
    } else {
        error =
            CommandResult::failure("dnssec: " + sub + " is not implemented (-status, -rollover, -checkds)",
                                   "not implemented", kResultNotImplemented);
        return false;
    }
    std::vector<std::string> rest{words[0]};
    bool have_what = false;
    for (std::size_t i = 2; i < words.size(); ++i) {
        const std::string& w = words[i];
        const bool takes_value = w == "-key" || w == "-alg" || w == "-when";
        if (takes_value && command.kind != DnssecCommand::Kind::status) {
            if (i + 1 >= words.size()) {
                error = CommandResult::failure("dnssec: " + w + " needs a value", "unexpected end of input");
                return false;
            }
            const std::string& value = words[++i];
            if (w == "-when") {
                command.when = dnssec::key_time_from_text(value);
                if (value == "now") command.when = static_cast<std::uint32_t>(std::time(nullptr));
                if (!command.when) {
                    error = CommandResult::failure("dnssec: bad -when '" + value + "' (YYYYMMDDHHMMSS)",
                                                   "bad time");
                    return false;
                }
                continue;
            }
            char* end = nullptr;
            const unsigned long n = std::strtoul(value.c_str(), &end, 10);
            std::optional<std::uint8_t> algorithm;
            if (w == "-alg" && (end == value.c_str() || *end != '\0')) {
                const auto code = dns::dnssec_algorithm_from_text(value);
                if (code) algorithm = *code;
            } else if (end != value.c_str() && *end == '\0' && n <= (w == "-key" ? 65535u : 255u)) {
                if (w == "-key")
                    command.tag = static_cast<std::uint16_t>(n);
                else
                    algorithm = static_cast<std::uint8_t>(n);
            }
            if (w == "-alg") command.algorithm = algorithm;
            if ((w == "-key" && !command.tag) || (w == "-alg" && !command.algorithm)) {
                error = CommandResult::failure("dnssec: bad " + w + " '" + value + "'", "bad number");
                return false;
            }
            continue;
        }
        if (command.kind == DnssecCommand::Kind::checkds && !have_what &&
            (w == "published" || w == "withdrawn")) {
            command.published = w == "published";
            have_what = true;
            continue;
        }
        rest.push_back(w);
    }
    if (command.kind == DnssecCommand::Kind::checkds && !have_what) {
        error =
            CommandResult::failure("dnssec -checkds: published or withdrawn expected", "bad dnssec command");
        return false;
    }
    if (command.kind == DnssecCommand::Kind::rollover && !command.tag) {
        error = CommandResult::failure("dnssec -rollover: -key TAG is required", "bad dnssec command");
        return false;
    }
    words = std::move(rest);
    return true;
}

// `zone [class [view]]` from words[1..]; nullopt (with `error` set) when missing or too many.
std::optional<ZoneRef> zone_argument(const std::vector<std::string>& words, CommandResult& error) {
    if (words.size() < 2 || words.size() > 4) {
        error = CommandResult::failure(words.size() < 2 ? "missing zone name" : "too many arguments",
                                       words.size() < 2 ? "unexpected end of input" : "extra input text",
                                       kResultFailure);
        return std::nullopt;
    }
    ZoneRef zone{words[1], words.size() > 2 ? words[2] : "", words.size() > 3 ? words[3] : ""};
    if (!zone.rrclass.empty() && zone.rrclass != "IN" && zone.rrclass != "in") {
        error = CommandResult::failure("unknown class '" + zone.rrclass + "'", "not found", kResultNotFound);
        return std::nullopt;
    }
    return zone;
}

std::string zone_label(const ZoneRef& zone) {
    return "'" + zone.name + "'" + (zone.view.empty() ? " in any view" : " in view '" + zone.view + "'");
}

// `trace` raises the debug level by one, `trace N` sets it, `notrace` sets 0 (as rndc).
CommandResult run_trace(const std::vector<std::string>& words, ControlTarget& target) {
    if (words[0] == "notrace") {
        if (words.size() > 1) return CommandResult::failure("too many arguments", "extra input text");
        return target.trace(0u);
    }
    if (words.size() > 2) return CommandResult::failure("too many arguments", "extra input text");
    if (words.size() == 1) return target.trace(std::nullopt);
    const std::string& value = words[1];
    if (value.empty() || value.size() > 5 || value.find_first_not_of("0123456789") != std::string::npos)
        return CommandResult::failure("trace: '" + value + "' is not a debug level", "bad number");
    return target.trace(static_cast<unsigned>(std::stoul(value)));
}

// `dumpdb [-all|-cache|-zones|-adb|-bad|-expired|-fail] [view...]`; BIND's default is -cache.
CommandResult run_dumpdb(const std::vector<std::string>& words, ControlTarget& target) {
    ControlTarget::DumpWhat what = ControlTarget::DumpWhat::cache;
    std::vector<std::string> views;
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word == "-all") {
            what = ControlTarget::DumpWhat::all;
        } else if (word == "-zones") {
            what = ControlTarget::DumpWhat::zones;
        } else if (word == "-cache" || word == "-adb" || word == "-bad" || word == "-expired" ||
                   word == "-fail") {
            what = ControlTarget::DumpWhat::cache;
        } else if (!word.empty() && word.front() == '-') {
            return CommandResult::failure("dumpdb: unknown option '" + word + "'", "syntax error");
        } else {
            views.push_back(word);
        }
    }
    return target.dumpdb(what, views);
}

}  // namespace

CommandResult dispatch(const std::string& command, ControlTarget& target, bool read_only) {
    std::vector<std::string> words = split_words(command);
    // `dnssec -SUBCOMMAND [options] ZONE ...`: the subcommand and its options go, the zone arguments stay
    // where zone_argument() reads them.
    DnssecCommand dnssec_command;
    if (!words.empty() && words[0] == "dnssec") {
        CommandResult error;
        if (!parse_dnssec(words, dnssec_command, error)) return error;
        if (read_only && dnssec_command.kind != DnssecCommand::Kind::status)
            return CommandResult::failure("command 'dnssec' is not allowed on a read-only control channel",
                                          "permission denied", 6);
    }
    if (words.empty()) return CommandResult::failure("", "unknown command", kResultUnknownCommand);
    const std::string& verb = words[0];
    static const char* const kReadOnly[] = {"null", "status", "zonestatus", "dnssec"};
    bool harmless = false;
    for (const char* name : kReadOnly)
        harmless = harmless || verb == name;
    const bool known = harmless || verb == "reload" || verb == "reconfig" || verb == "refresh" ||
                       verb == "retransfer" || verb == "notify" || verb == "stop" || verb == "halt" ||
                       verb == "querylog" || verb == "trace" || verb == "notrace" || verb == "sync" ||
                       verb == "dumpdb" || verb == "stats" || verb == "tsig-list" || verb == "sign" ||
                       verb == "loadkeys";
    if (is_cache_command(verb)) {
        if (read_only && !is_read_only_cache_command(words))
            return CommandResult::failure(
                "command '" + verb + "' is not allowed on a read-only control channel", "permission denied",
                6);
        return dispatch_cache(words, target.cache());
    }
    if (!known) return CommandResult::failure("", "unknown command", kResultUnknownCommand);
    if (read_only && !harmless) {
        return CommandResult::failure("command '" + verb + "' is not allowed on a read-only control channel",
                                      "permission denied", 6);
    }
    if (verb == "null") return CommandResult::success();
    if (verb == "status") return target.status();
    if (verb == "reconfig") return target.reconfig();
    if (verb == "stop" || verb == "halt") return target.stop();
    if (verb == "querylog") {
        if (words.size() > 2) return CommandResult::failure("too many arguments", "extra input text");
        if (words.size() == 1) return target.querylog(std::nullopt);
        const std::string& value = words[1];
        if (value == "on" || value == "yes" || value == "true" || value == "enable")
            return target.querylog(true);
        if (value == "off" || value == "no" || value == "false" || value == "disable")
            return target.querylog(false);
        return CommandResult::failure("querylog: expected on or off, not '" + value + "'", "bad boolean");
    }
    if (verb == "reload" && words.size() == 1) return target.reload();
    if (verb == "trace" || verb == "notrace") return run_trace(words, target);
    if (verb == "dumpdb") return run_dumpdb(words, target);
    if (verb == "stats" || verb == "tsig-list") {
        if (words.size() > 1) return CommandResult::failure("too many arguments", "extra input text");
        return verb == "stats" ? target.stats() : target.tsig_list();
    }
    if (verb == "sync") {
        std::vector<std::string> rest(words.begin() + 1, words.end());
        const bool clean = !rest.empty() && rest.front() == "-clean";
        if (clean) rest.erase(rest.begin());
        if (rest.empty()) return target.sync(std::nullopt, clean);
        std::vector<std::string> zone_words{"sync"};
        zone_words.insert(zone_words.end(), rest.begin(), rest.end());
        CommandResult error;
        const std::optional<ZoneRef> zone = zone_argument(zone_words, error);
        if (!zone) return error;
        const std::vector<std::shared_ptr<const lifecycle::ZoneState>> found = target.find_zones(*zone);
        if (found.empty())
            return CommandResult::failure("no matching zone " + zone_label(*zone), "not found",
                                          kResultNotFound);
        ZoneRef exact = *zone;
        exact.view = found.front()->view;
        return target.sync(exact, clean);
    }

    CommandResult error;
    const std::optional<ZoneRef> zone = zone_argument(words, error);
    if (!zone) return error;
    const std::vector<std::shared_ptr<const lifecycle::ZoneState>> found = target.find_zones(*zone);
    if (found.empty()) {
        return CommandResult::failure("no matching zone " + zone_label(*zone), "not found", kResultNotFound);
    }
    if (found.size() > 1) {
        return CommandResult::failure("zone '" + zone->name + "' was found in multiple views", "not found",
                                      kResultNotFound);
    }
    ZoneRef exact = *zone;
    exact.view = found.front()->view;
    if (verb == "zonestatus")
        return CommandResult::success(format_zone_status(*found.front(), std::time(nullptr)));
    if (verb == "dnssec") {
        CommandResult result = target.dnssec(exact, dnssec_command);
        if (result.code == kResultNotImplemented && dnssec_command.kind == DnssecCommand::Kind::status)
            return CommandResult::success(
                format_dnssec_status(*found.front(), static_cast<std::int64_t>(std::time(nullptr))));
        return result;
    }
    if (verb == "reload") return target.reload_zone(exact);
    if (verb == "refresh") return target.refresh(exact);
    if (verb == "retransfer") return target.retransfer(exact);
    if (verb == "sign" || verb == "loadkeys") return target.sign(exact, verb == "loadkeys");
    return target.notify(exact);
}

}  // namespace cairn::ctl
