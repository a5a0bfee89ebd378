#include "ctl/cache_commands.hpp"

#include "dns/text.hpp"

namespace cairn::ctl {

namespace {

CommandResult usage(const std::string& text) {
    return CommandResult::failure(text, "syntax error", kResultFailure);
}

bool is_class(const std::string& word) {
    return word == "IN" || word == "in" || word == "CH" || word == "ch" || word == "HS" || word == "hs";
}

// nta -dump | nta [-lifetime D] [-force] [-remove] NAME [CLASS [VIEW]] (BIND's rndc nta)
CommandResult dispatch_nta(const std::vector<std::string>& words, CacheTarget& target) {
    constexpr const char* kUsage =
        "usage: nta -dump | nta [-lifetime duration] [-force] [-remove] domain [class [view]]";
    std::optional<std::uint32_t> lifetime;
    bool force = false, remove = false;
    std::vector<std::string> rest;
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w == "-dump" || w == "-d") return target.nta_dump();
        if (w == "-force" || w == "-f") {
            force = true;
        } else if (w == "-remove" || w == "-r") {
            remove = true;
        } else if (w == "-lifetime" || w == "-l") {
            if (++i == words.size()) return usage(kUsage);
            const auto value = dns::parse_ttl(words[i]);
            if (!value) return usage("nta: bad lifetime '" + words[i] + "'");
            if (*value > 7 * 86400) return usage("nta: lifetime cannot exceed one week");
            lifetime = *value;
        } else if (w == "-class" || w == "-c") {
            if (++i == words.size()) return usage(kUsage);
        } else {
            rest.push_back(w);
        }
    }
    if (rest.empty() || rest.size() > 3) return usage(kUsage);
    if (rest.size() >= 2 && !is_class(rest[1])) return usage("nta: unknown class '" + rest[1] + "'");
    return target.nta(rest[0], lifetime, force, remove,
                      rest.size() == 3 ? std::optional<std::string>(rest[2]) : std::nullopt);
}

}  // namespace

bool is_cache_command(const std::string& verb) {
    return verb == "flush" || verb == "flushname" || verb == "flushtree" || verb == "serve-stale" ||
           verb == "cache" || verb == "nta" || verb == "secroots" || verb == "validation" ||
           verb == "managed-keys";
}

bool is_read_only_cache_command(const std::vector<std::string>& words) {
    if (words.empty()) return false;
    if (words[0] == "cache" || words[0] == "secroots") return true;
    if (words[0] == "nta") return words.size() == 2 && (words[1] == "-dump" || words[1] == "-d");
    if (words[0] == "validation" || words[0] == "managed-keys")
        return words.size() >= 2 && words[1] == "status";
    return words[0] == "serve-stale" && words.size() >= 2 && words[1] == "status";
}

CommandResult dispatch_cache(const std::vector<std::string>& words, CacheTarget* target) {
    if (target == nullptr)
        return CommandResult::failure("this server has no recursive view and no cache", "not found",
                                      kResultNotFound);
    const std::string& verb = words[0];
    if (verb == "flush") {
        if (words.size() > 2) return usage("usage: flush [view]");
        return target->flush(words.size() == 2 ? std::optional<std::string>(words[1]) : std::nullopt);
    }
    if (verb == "flushname" || verb == "flushtree") {
        if (words.size() < 2 || words.size() > 3) return usage("usage: " + verb + " name [view]");
        return target->flush_name(words[1], verb == "flushtree",
                                  words.size() == 3 ? std::optional<std::string>(words[2]) : std::nullopt);
    }
    if (verb == "serve-stale") {
        if (words.size() < 2 || words.size() > 4)
            return usage("usage: serve-stale (on|off|reset|status) [class [view]]");
        const std::string& action = words[1];
        if (action != "on" && action != "off" && action != "reset" && action != "status" && action != "yes" &&
            action != "no" && action != "enable" && action != "disable")
            return usage("serve-stale: expected on, off, reset or status, not '" + action + "'");
        std::optional<std::string> view;
        if (words.size() >= 3) {
            if (!is_class(words[2])) return usage("serve-stale: unknown class '" + words[2] + "'");
            if (words.size() == 4) view = words[3];
        }
        const std::string normal = action == "yes" || action == "enable"   ? "on"
                                   : action == "no" || action == "disable" ? "off"
                                                                           : action;
        return target->serve_stale(normal, view);
    }
    if (verb == "nta") return dispatch_nta(words, *target);
    if (verb == "secroots") {
        std::vector<std::string> views;
        const bool print = words.size() > 1 && words[1] == "-";
        for (std::size_t i = print ? 2 : 1; i < words.size(); ++i)
            views.push_back(words[i]);
        return target->secroots(views, print);
    }
    if (verb == "validation") {
        if (words.size() < 2 || words.size() > 3) return usage("usage: validation (on|off|status) [view]");
        const std::string& action = words[1];
        const std::string normal = action == "yes" || action == "enable" || action == "true"    ? "on"
                                   : action == "no" || action == "disable" || action == "false" ? "off"
                                                                                                : action;
        if (normal != "on" && normal != "off" && normal != "status")
            return usage("validation: expected on, off or status, not '" + action + "'");
        return target->validation(normal,
                                  words.size() == 3 ? std::optional<std::string>(words[2]) : std::nullopt);
    }
    if (verb == "managed-keys") {
        constexpr const char* kUsage = "usage: managed-keys (status|refresh|sync|destroy) [class [view]]";
        if (words.size() < 2 || words.size() > 4) return usage(kUsage);
        const std::string& action = words[1];
        if (action == "destroy")
            return CommandResult::failure(
                "managed-keys destroy is not supported: remove the managed-keys "
                "file while the server is stopped instead",
                "not implemented", kResultNotImplemented);
        if (action != "status" && action != "refresh" && action != "sync")
            return usage("managed-keys: expected status, refresh or sync, not '" + action + "'");
        if (words.size() >= 3 && !is_class(words[2]))
            return usage("managed-keys: unknown class '" + words[2] + "'");
        return target->managed_keys(action,
                                    words.size() == 4 ? std::optional<std::string>(words[3]) : std::nullopt);
    }
    // cache NAME [TYPE] [VIEW]
    if (words.size() < 2 || words.size() > 4) return usage("usage: cache name [type] [view]");
    std::optional<std::string> type, view;
    if (words.size() >= 3) type = words[2];
    if (words.size() == 4) view = words[3];
    return target->inspect(words[1], type, view);
}

}  // namespace cairn::ctl
