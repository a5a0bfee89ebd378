#include "doctor/resolv_conf.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace cairn::doctor {

namespace {

unsigned option_value(std::string_view text, unsigned fallback, unsigned max) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return fallback;
    return std::min(value, max);
}

}  // namespace

ResolvConf parse_resolv_conf(std::string_view text) {
    ResolvConf conf;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        const auto comment = line.find_first_of("#;");
        if (comment != std::string::npos) line.erase(comment);
        std::istringstream words(line);
        std::string keyword;
        if (!(words >> keyword)) continue;
        std::vector<std::string> args;
        for (std::string word; words >> word;)
            args.push_back(word);
        if (keyword == "nameserver" && !args.empty()) {
            const auto address = dns::IpAddress::parse(args[0]);
            if (!address || conf.nameservers.size() >= ResolvConf::kMaxNameservers) {
                conf.ignored.push_back(line);
                continue;
            }
            conf.nameservers.push_back(*address);
        } else if (keyword == "search") {
            conf.search = args;
        } else if (keyword == "domain" && !args.empty()) {
            conf.search = {args[0]};
        } else if (keyword == "options") {
            for (const auto& option : args) {
                const std::string_view o(option);
                if (o.starts_with("timeout:")) {
                    conf.timeout = std::max(1u, option_value(o.substr(8), conf.timeout, 30));
                } else if (o.starts_with("attempts:")) {
                    conf.attempts = std::max(1u, option_value(o.substr(9), conf.attempts, 5));
                } else if (o.starts_with("ndots:")) {
                    conf.ndots = option_value(o.substr(6), conf.ndots, 15);
                } else if (o == "rotate") {
                    conf.rotate = true;
                } else {
                    conf.ignored.push_back("options " + option);
                }
            }
        } else {
            conf.ignored.push_back(line);
        }
    }
    if (conf.nameservers.empty()) conf.nameservers.push_back(*dns::IpAddress::parse("127.0.0.1"));
    return conf;
}

unsigned try_seconds(const ResolvConf& conf, unsigned round) {
    unsigned seconds = conf.timeout << round;
    if (round > 0 && !conf.nameservers.empty()) seconds /= static_cast<unsigned>(conf.nameservers.size());
    return std::max(1u, seconds);
}

unsigned failover_seconds(const ResolvConf& conf) {
    return try_seconds(conf, 0);
}

unsigned all_silent_seconds(const ResolvConf& conf) {
    unsigned total = 0;
    for (unsigned round = 0; round < conf.attempts; ++round)
        total += try_seconds(conf, round) * static_cast<unsigned>(conf.nameservers.size());
    return total;
}

}  // namespace cairn::doctor
