#include <ctime>
#include <sstream>

#include "ctl/cache_commands.hpp"
#include "ctl/target.hpp"

namespace cairn::ctl {

std::string format_rfc1123(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buffer;
}

std::string format_zone_status(const ZoneStatus& zone) {
    std::string out;
    const auto line = [&](std::string_view name, const std::string& value) {
        out += name;
        out += ": ";
        out += value;
        out += '\n';
    };
    line("name", zone.name);
    line("type", zone.type);
    if (!zone.view.empty() && zone.view != "_default") line("view", zone.view);
    if (!zone.files.empty()) {
        std::string files;
        for (const auto& f : zone.files)
            files += (files.empty() ? "" : ", ") + f;
        line("files", files);
    }
    line("serial", zone.serial ? std::to_string(*zone.serial) : "(not loaded)");
    if (zone.nodes) line("nodes", std::to_string(*zone.nodes));
    if (zone.loaded_at) line("last loaded", format_rfc1123(*zone.loaded_at));
    if (zone.next_refresh) line("next refresh", format_rfc1123(*zone.next_refresh));
    if (zone.expires) line("expires", format_rfc1123(*zone.expires));
    if (!zone.last_refresh.empty()) line("last refresh", zone.last_refresh);
    if (zone.refreshed_at) line("last refresh time", format_rfc1123(*zone.refreshed_at));
    if (zone.journal_bytes) line("journal size", std::to_string(*zone.journal_bytes) + " bytes");
    if (zone.journal_entries) line("journal entries", std::to_string(*zone.journal_entries));
    if (zone.notifies_pending) line("notifies pending", std::to_string(*zone.notifies_pending));
    line("secure", zone.secure ? "yes" : "no");
    line("dynamic", zone.dynamic ? "yes" : "no");
    out.pop_back();  // rndc prints no final newline in the text
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

}  // namespace

CommandResult dispatch(const std::string& command, ControlTarget& target, bool read_only) {
    const std::vector<std::string> words = split_words(command);
    if (words.empty()) return CommandResult::failure("", "unknown command", kResultUnknownCommand);
    const std::string& verb = words[0];
    static const char* const kReadOnly[] = {"null", "status", "zonestatus"};
    bool harmless = false;
    for (const char* name : kReadOnly)
        harmless = harmless || verb == name;
    const bool known = harmless || verb == "reload" || verb == "reconfig" || verb == "refresh" ||
                       verb == "retransfer" || verb == "notify" || verb == "stop" || verb == "halt" ||
                       verb == "querylog";
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

    CommandResult error;
    const std::optional<ZoneRef> zone = zone_argument(words, error);
    if (!zone) return error;
    const std::vector<ZoneStatus> found = target.find_zones(*zone);
    if (found.empty()) {
        return CommandResult::failure("no matching zone " + zone_label(*zone), "not found", kResultNotFound);
    }
    if (found.size() > 1) {
        return CommandResult::failure("zone '" + zone->name + "' was found in multiple views", "not found",
                                      kResultNotFound);
    }
    ZoneRef exact = *zone;
    exact.view = found.front().view;
    if (verb == "zonestatus") return CommandResult::success(format_zone_status(found.front()));
    if (verb == "reload") return target.reload_zone(exact);
    if (verb == "refresh") return target.refresh(exact);
    if (verb == "retransfer") return target.retransfer(exact);
    return target.notify(exact);
}

}  // namespace cairn::ctl
