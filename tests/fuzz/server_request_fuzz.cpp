// The server's request path above the answer engine (server/query_handler.cpp and what it calls): view
// selection, allow-query, TSIG-signed requests, NOTIFY (server/notify_receiver.cpp handing a secondary
// zone's NOTIFYs to the zone lifecycle, whose primary is a closed loopback port), zone transfers out over
// TCP (server/transfer.cpp, xfr/outbound.cpp) and response rate limiting with its slipped answers. The first
// octet picks the transport, the client's address and whether the request is first signed with a
// configured key (so that the signed paths are reached past verification); the rest is the request. Every
// reply must fit its buffer and parse; a transfer stream must end within a bounded number of messages, each
// parsing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "../unit/auth/zone_lines.hpp"
#include "../unit/server/test_acl.hpp"
#include "dns/message.hpp"
#include "dns/tsig.hpp"
#include "fuzz_check.hpp"
#include "lifecycle/zones.hpp"
#include "server/log_setup.hpp"
#include "server/notify_receiver.hpp"
#include "server/published.hpp"
#include "server/query_handler.hpp"
#include "server/serving_state.hpp"

using namespace cairn;
using namespace cairn::server;

namespace {

using cairn::fuzz::check;

std::shared_ptr<dns::TsigKeyring> keyring() {
    static const auto ring = [] {
        auto r = std::make_shared<dns::TsigKeyring>();
        r->add(
            dns::TsigKey::from_config("xfr.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="));
        r->add(dns::TsigKey::from_config("md5.", "hmac-md5", "bWQ1c2VjcmV0bWQ1c2VjcmV0"));
        return r;
    }();
    return ring;
}

using server::testing::acl;

struct World {
    World() {
        setup_stderr_log("off");
        // The lifecycle's store lives in a directory of its own, removed at exit.
        char directory[] = "/tmp/cairn-fuzz-XXXXXX";
        if (::mkdtemp(directory) == nullptr) std::abort();
        store_directory = directory;
        lifecycle::ZonesOptions options;
        options.directory = store_directory;
        options.workers = 1;
        zones = std::make_unique<lifecycle::Zones>(options);
        lifecycle::ZoneConfig secondary;
        secondary.origin = dns::Name::from_text("sec.");
        secondary.role = lifecycle::ZoneRole::secondary;
        xfr::Primary primary;
        primary.address = "127.0.0.1";
        primary.port = 1;  // closed: refreshes fail at once, on loopback
        secondary.primaries = {primary};
        secondary.keys = keyring();
        zones->configure({secondary}, lifecycle::Limits{});
        zones->start_network();

        const auto example = auth::testing::zone_from(
            "example.",
            {"@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ 3600 NS ns1", "ns1 3600 A 192.0.2.1",
             "www 300 A 192.0.2.3", "*.wild 300 A 192.0.2.4", "sub 3600 NS ns.sub", "ns.sub 3600 A 192.0.2.7",
             "big 300 TXT \"" + std::string(200, 'x') + "\" \"" + std::string(200, 'y') + "\""});
        // What the query path holds for the secondary zone (its copy, here a stand-in): who may NOTIFY it.
        const auto sec = auth::testing::zone_from(
            "sec.",
            {"@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ 3600 NS ns1", "ns1 3600 A 192.0.2.1"});
        const auto closed = auth::testing::zone_from(
            "closed.",
            {"@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ 3600 NS ns1", "ns1 3600 A 192.0.2.1"});
        auto state = std::make_unique<ServingState>();
        state->keys = keyring();
        ServedView internal;
        internal.name = "internal";
        internal.match_clients = acl({"10.0.0.0/8"});
        internal.zones = zone::ZoneTable({example});
        internal.allow_transfer.emplace(example.get(), AccessList());
        ServedView outside;
        outside.name = "_default";
        outside.zones = zone::ZoneTable({example, closed, sec});
        ServedView::Secondary notifiers;
        notifiers.allow_notify = acl({"127.58.9.0/24"});
        notifiers.primaries = {*dns::IpAddress::parse("127.0.0.1")};
        outside.secondaries.emplace(sec.get(), std::move(notifiers));
        outside.allow_query.emplace(closed.get(), QueryAccess{acl({"127.0.0.0/8"}), {}});
        outside.restricts_queries = true;
        outside.allow_transfer.emplace(example.get(), acl({"127.0.0.1/32"}));
        rrl::Limits limits;
        limits.responses_per_second = limits.nxdomains_per_second = limits.errors_per_second =
            limits.nodata_per_second = limits.referrals_per_second = 3;
        limits.all_per_second = 50;
        outside.rate_limit = std::make_shared<RateLimit>(limits, acl({"127.58.3.0/24"}));
        state->views.push_back(std::move(internal));
        state->views.push_back(std::move(outside));
        published = std::make_unique<Published<ServingState>>(1, std::move(state));
        auth::Settings settings;
        settings.version_bind = "fuzz";
        settings.nsid = {'n'};
        handler = std::make_unique<QueryHandler>(*published, settings);
        handler->set_notify_receiver([this](std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                            const net::ClientInfo& client, const ServedView& view,
                                            const zone::Zone* zone, const dns::Name* key) {
            return answer_notify(*zones, view, zone, query, out, client, key);
        });
    }
    ~World() {
        zones.reset();
        std::error_code ignored;
        std::filesystem::remove_all(store_directory, ignored);
    }
    std::string store_directory;
    std::unique_ptr<lifecycle::Zones> zones;
    std::unique_ptr<Published<ServingState>> published;
    std::unique_ptr<QueryHandler> handler;
};

void check_reply(std::span<const std::uint8_t> reply) {
    try {
        (void)dns::parse_message(reply);
    } catch (const dns::ParseError& e) {
        std::fprintf(stderr, "reply does not parse: %s\n", e.what());
        std::abort();
    }
}

// Signs `message` (when it parses and carries no TSIG yet) with one of the configured keys.
std::vector<std::uint8_t> signed_copy(std::span<const std::uint8_t> message, unsigned which) {
    std::vector<std::uint8_t> out(message.begin(), message.end());
    try {
        if (dns::parse_message(out).tsig_offset) return out;
    } catch (const dns::ParseError&) {
        return out;
    }
    const dns::TsigKey* key = keyring()->find(dns::Name::from_text(which ? "md5." : "xfr."));
    dns::TsigSignOptions options;
    options.time_signed = static_cast<std::uint64_t>(::time(nullptr));
    dns::tsig_sign(out, *key, options);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 8192) return 0;
    static World world;
    const std::uint8_t mode = data[0];
    std::vector<std::uint8_t> request(data + 1, data + size);
    if (mode & 0x40) request = signed_copy(request, mode & 0x20);
    static const char* const kClients[] = {"127.0.0.1",  "10.1.2.3",    "127.58.1.1", "127.58.3.1",
                                           "127.58.9.9", "192.0.2.200", "::1",        "2001:db8::1"};
    net::ClientInfo client;
    client.source = {*dns::IpAddress::parse(kClients[mode & 7]), 5300};
    client.destination = {*dns::IpAddress::parse(client.source.address.is_v4() ? "127.0.0.1" : "::1"), 53};
    client.transport = (mode & 8) ? net::Transport::tcp : net::Transport::udp;

    QueryHandler& handler = *world.handler;
    handler.begin_batch(0);
    if (client.transport == net::Transport::tcp) {
        if (auto stream = handler.open_stream(request, client)) {
            std::vector<std::uint8_t> message(65535);
            int messages = 0;
            for (std::size_t n; (n = stream->next(message)) != 0;) {
                check(n <= message.size(), "a transfer message fits");
                check_reply(std::span(message).first(n));
                check(++messages < 100, "a transfer of a small zone ends");
            }
            handler.end_batch(0);
            return 0;
        }
    }
    std::vector<std::uint8_t> reply(client.transport == net::Transport::tcp ? 65535 : 4096);
    const std::size_t n = handler.handle(request, reply, client);
    handler.end_batch(0);
    check(n <= reply.size(), "a reply fits its buffer");
    if (n > 0) check_reply(std::span(reply).first(n));
    return 0;
}
