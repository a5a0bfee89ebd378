// named.conf text in (include off: the fuzzer reads no other files), the checked configuration out: either
// a ConfigError with diagnostics, or a configuration whose access lists compile and whose inheritance
// resolves for every zone and view. Nothing may crash, hang or leak, whatever the text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.hpp"
#include "fuzz_check.hpp"

using namespace cairn;

namespace {

using cairn::fuzz::check;

void compile_all(const config::Config& config, const config::View* view) {
    static const config::HostNetworks host{{*config::IpPrefix::parse("127.0.0.1/32")},
                                           {*config::IpPrefix::parse("127.0.0.0/8")}};
    const auto client = *dns::IpAddress::parse("127.58.0.1");
    const config::ResolvedRecursion recursion = config.resolve_recursion(view);
    for (const auto& list :
         {config.allow_query(view), recursion.allow_recursion, recursion.allow_query_cache})
        (void)config.compile(list, host).evaluate(client, nullptr);
    if (const config::RateLimit* limit = config.rate_limit(view); limit && limit->exempt_clients)
        (void)config.compile(*limit->exempt_clients, host);
    (void)config.max_udp_size(view);
    (void)config.dnssec_validation(view);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;  // configurations are small; long inputs only slow the search
    const std::string text(reinterpret_cast<const char*>(data), size);
    config::LoadOptions options;
    options.includes = false;
    try {
        const config::LoadResult loaded = config::load_text("fuzz.conf", text, options);
        const config::Config& config = loaded.config;
        for (const auto& warning : loaded.warnings)
            check(!warning.to_string().empty(), "warnings say something");
        compile_all(config, nullptr);
        for (const auto& view : config.views)
            compile_all(config, &view);
        config.for_each_zone([&](const config::Zone& zone, const config::View* view) {
            const config::ResolvedZone resolved = config.resolve_zone(zone, view);
            check(resolved.zone == &zone, "a resolved zone is the zone");
        });
        (void)config.listen_on();
        (void)config.listen_on_v6();
    } catch (const config::ParseFailure& e) {
        check(!e.diagnostic().to_string().empty(), "a parse failure says where");
    } catch (const config::ConfigError& e) {
        check(!e.errors().empty() || std::string(e.what()).size() > 0, "an error says what is wrong");
        for (const auto& error : e.errors())
            (void)error.to_string();
    }
    return 0;
}
