#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <ctime>
#include <mutex>

#include "ctl/ccmsg.hpp"
#include "ctl/client.hpp"
#include "ctl/listener.hpp"
#include "ctl/message.hpp"
#include "ctl/session.hpp"
#include "ctl/target.hpp"
#include "dns/text.hpp"

namespace cairn::ctl {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(dns::decode_hex(hex, out));
    return out;
}

ControlKey make_key(const std::string& name, const std::string& algorithm, const std::string& secret) {
    config::Key key;
    key.name_text = name;
    key.algorithm = algorithm;
    key.secret = secret;
    return control_key_from_config(key);
}

const ControlKey& bind_key() {
    static const ControlKey key =
        make_key("rndc-key", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=");
    return key;
}

// The first message BIND 9.18's rndc sent to named for `rndc status`, captured on loopback.
const char* const kRndcHello =
    "000000d200000001055f61757468020000006304687368610100000059a3344453686a5a55726f5461516b6c513848476836392f"
    "74382f716d5038627956354f55654f6f354777774d3d000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000055f6374726c020000003c045f736572010000000a31393336313230323132045f74696d0100"
    "00000a31373935333231323538045f657870010000000a31373935333231333138055f64617461020000000e0474797065010000"
    "00046e756c6c";

TEST(Message, VerifiesWhatBindsRndcSent) {
    const auto frame = from_hex(kRndcHello);
    const ReceivedMessage received = parse_message(frame);
    EXPECT_EQ(received.auth_kind, "hsha");
    EXPECT_EQ(*received.message.data.find("type"), "null");
    EXPECT_EQ(received.message.ctrl.find_uint32("_ser"), 1936120212u);
    EXPECT_TRUE(verify(received, bind_key()));
    EXPECT_FALSE(verify(received,
                        make_key("rndc-key", "hmac-sha256", "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmU=")));
    auto damaged = frame;
    damaged[damaged.size() - 2] ^= 1;  // inside _data
    EXPECT_FALSE(verify(parse_message(damaged), bind_key()));
}

TEST(Message, RoundTripEveryAlgorithm) {
    for (const char* algorithm :
         {"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}) {
        const ControlKey key = make_key("k", algorithm, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=");
        ControlMessage message;
        message.ctrl.set_uint32("_ser", 7);
        message.data.set("type", "zonestatus example.");
        const std::string frame = encode_message(message, key);
        const std::span bytes(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size());
        EXPECT_EQ(frame_size(bytes), frame.size());
        const ReceivedMessage received = parse_message(bytes);
        EXPECT_TRUE(verify(received, key)) << algorithm;
        EXPECT_EQ(received.auth_kind, std::string(algorithm) == "hmac-md5" ? "hmd5" : "hsha");
        EXPECT_EQ(received.auth_value.size(), std::string(algorithm) == "hmac-md5" ? 22u : 89u);
        EXPECT_EQ(*received.message.data.find("type"), "zonestatus example.");
    }
}

TEST(Message, MalformedInputIsAnErrorNotACrash) {
    const auto frame = from_hex(kRndcHello);
    for (std::size_t cut = 0; cut < frame.size(); cut += 7) {
        std::vector<std::uint8_t> part(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_THROW(parse_message(part), ProtocolError);
    }
    std::vector<std::uint8_t> huge = {0x7f, 0xff, 0xff, 0xff};
    EXPECT_THROW(frame_size(huge), ProtocolError);
    // 20 nested tables: each level is key "x", type table, length, then the next level.
    std::vector<std::uint8_t> level;
    for (int i = 0; i < 20; ++i) {
        std::vector<std::uint8_t> next = {1, 'x', kCcTable, 0, 0, 0, static_cast<std::uint8_t>(level.size())};
        next.insert(next.end(), level.begin(), level.end());
        level = next;
    }
    EXPECT_THROW(decode_entries(level), ProtocolError);
}

// Bounded random mutations of a real rndc message: parsing and the session either refuse or answer, and
// nothing mutated ever authenticates.
TEST(Message, MutatedFramesAreRefusedCleanly) {
    const auto original = from_hex(kRndcHello);
    std::uint32_t state = 12345;
    const auto random = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    std::size_t parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        auto frame = original;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = random() % frame.size();
            switch (random() % 3) {
                case 0:
                    frame[at] = static_cast<std::uint8_t>(random());
                    break;
                case 1:
                    frame.erase(frame.begin() + static_cast<std::ptrdiff_t>(at));
                    break;
                default:
                    frame.insert(frame.begin() + static_cast<std::ptrdiff_t>(at),
                                 static_cast<std::uint8_t>(random()));
            }
        }
        if (frame.size() >= 4) {  // keep the length field right so that parsing goes deeper
            const std::size_t length = frame.size() - 4;
            frame[0] = static_cast<std::uint8_t>(length >> 24);
            frame[1] = static_cast<std::uint8_t>(length >> 16);
            frame[2] = static_cast<std::uint8_t>(length >> 8);
            frame[3] = static_cast<std::uint8_t>(length);
        }
        try {
            const ReceivedMessage received = parse_message(frame);
            ++parsed;
            if (frame != original) {
                // A change outside the signed region and the MAC (e.g. in the version) may still verify.
                const bool same_signed = received.signed_region == parse_message(original).signed_region &&
                                         received.auth_value == parse_message(original).auth_value;
                EXPECT_EQ(verify(received, bind_key()), same_signed);
            }
        } catch (const ProtocolError&) {
        }
    }
    EXPECT_GT(parsed, 100u);  // the mutations reach the verifier, not only the framing checks
}

class FakeTarget : public ControlTarget {
  public:
    CommandResult status() override { return CommandResult::success("server is up and running"); }
    CommandResult reload() override {
        ++reloads;
        return CommandResult::success("server reload successful");
    }
    CommandResult reload_zone(const ZoneRef& zone) override {
        last_zone = zone;
        return CommandResult::success("zone reload queued");
    }
    CommandResult reconfig() override { return CommandResult::success(); }
    std::vector<std::shared_ptr<const lifecycle::ZoneState>> find_zones(const ZoneRef& zone) override {
        std::vector<std::shared_ptr<const lifecycle::ZoneState>> out;
        for (const auto& z : zones) {
            if (z.origin == dns::Name::from_text(zone.name, dns::Name()) &&
                (zone.view.empty() || zone.view == z.view))
                out.push_back(std::make_shared<const lifecycle::ZoneState>(z));
        }
        return out;
    }
    CommandResult refresh(const ZoneRef&) override { return CommandResult::failure("not a secondary zone"); }
    CommandResult retransfer(const ZoneRef&) override { return CommandResult::success(); }
    CommandResult notify(const ZoneRef&) override { return CommandResult::success("zone notify queued"); }
    CommandResult sign(const ZoneRef&, bool) override { return CommandResult::success(); }
    CommandResult stop() override {
        stopped = true;
        return CommandResult::success();
    }
    CommandResult querylog(std::optional<bool> on) override {
        querylog_on = on.value_or(!querylog_on);
        return CommandResult::success(std::string("query logging is now ") + (querylog_on ? "on" : "off"));
    }

    int reloads = 0;
    bool stopped = false;
    bool querylog_on = false;
    ZoneRef last_zone;
    std::vector<lifecycle::ZoneState> zones;
};

TEST(Dispatch, CommandsAndArguments) {
    FakeTarget target;
    lifecycle::ZoneState z;
    z.origin = dns::Name::from_text("example.");
    z.view = "_default";
    z.role = lifecycle::ZoneRole::primary;
    z.phase = lifecycle::ZonePhase::loaded;
    z.served_serial = 2024010101;
    z.loaded_at = 1795321252;
    z.file = "/tmp/example.db";
    target.zones = {z, z};
    target.zones[1].view = "other";
    EXPECT_EQ(dispatch("status", target).text, "server is up and running");
    EXPECT_EQ(dispatch("reload", target).code, 0u);
    EXPECT_EQ(target.reloads, 1);
    EXPECT_EQ(dispatch("bogus", target).code, kResultUnknownCommand);
    EXPECT_EQ(dispatch("zonestatus", target).code, kResultFailure);
    const CommandResult missing = dispatch("zonestatus nosuch", target);
    EXPECT_EQ(missing.code, kResultNotFound);
    EXPECT_EQ(missing.text, "no matching zone 'nosuch' in any view");
    EXPECT_EQ(dispatch("zonestatus example", target).text, "zone 'example' was found in multiple views");
    const CommandResult status = dispatch("zonestatus example IN _default", target);
    EXPECT_EQ(status.text,
              "name: example\ntype: primary\nfiles: /tmp/example.db\nserial: 2024010101\nstate: loaded\n"
              "last loaded: Sun, 22 Nov 2026 04:20:52 GMT\nnotifies pending: 0\nsecure: no\ndynamic: no");
    EXPECT_EQ(dispatch("reload example in other", target).text, "zone reload queued");
    EXPECT_EQ(target.last_zone.view, "other");
    EXPECT_EQ(dispatch("zonestatus example CH", target).code, kResultNotFound);
    EXPECT_EQ(dispatch("querylog on", target).text, "query logging is now on");
    EXPECT_EQ(dispatch("querylog", target).text, "query logging is now off");
    EXPECT_NE(dispatch("querylog maybe", target).code, 0u);
    EXPECT_NE(dispatch("stop", target, /*read_only=*/true).code, 0u);
    EXPECT_FALSE(target.stopped);
    EXPECT_EQ(dispatch("stop", target).code, 0u);
    EXPECT_TRUE(target.stopped);
}

TEST(Dispatch, SignedZoneStatusAndDnssecStatus) {
    FakeTarget target;
    lifecycle::ZoneState z;
    z.origin = dns::Name::from_text("example.");
    z.view = "_default";
    z.phase = lifecycle::ZonePhase::loaded;
    z.served_serial = 7;
    z.unsigned_serial = 3;
    z.dnssec_policy = "default";
    z.signing_keys = {{29276, 13, "CSK", "Kexample.+013+29276", 1795321252, std::nullopt}};
    z.rrsig_earliest_expiry = 1796530852;
    z.next_resign = 1796098852;
    target.zones = {z};
    const std::string status = dispatch("zonestatus example", target).text;
    EXPECT_NE(status.find("dnssec-policy: default\nunsigned serial: 3\n"
                          "key: CSK 29276 ECDSAP256SHA256 (Kexample.+013+29276)\n"
                          "earliest rrsig expiration: Sun, 06 Dec 2026 04:20:52 GMT\n"),
              std::string::npos)
        << status;
    EXPECT_NE(status.find("secure: yes"), std::string::npos);
    const CommandResult dnssec = dispatch("dnssec -status example", target, /*read_only=*/true);
    EXPECT_EQ(dnssec.code, 0u);
    EXPECT_EQ(dnssec.text.substr(0, 22), "dnssec-policy: default");
    EXPECT_NE(
        dnssec.text.find("key: 29276 (ECDSAP256SHA256), CSK\n  published:      yes - since Sun, 22 Nov 2026"),
        std::string::npos)
        << dnssec.text;
    EXPECT_NE(dnssec.text.find("No rollover scheduled"), std::string::npos);
    EXPECT_EQ(dispatch("dnssec -rollover -key 1 example", target).code, kResultNotImplemented);
    EXPECT_EQ(dispatch("sign example", target).code, 0u);
    EXPECT_NE(dispatch("sign example", target, /*read_only=*/true).code, 0u);
}

// `rndc dnssec -rollover / -checkds` reach the target with BIND's options parsed; bad ones are refused.
TEST(Dispatch, DnssecRolloverAndCheckdsOptions) {
    struct KeyTarget : FakeTarget {
        std::vector<std::pair<ZoneRef, DnssecCommand>> seen;
        CommandResult dnssec(const ZoneRef& zone, const DnssecCommand& command) override {
            seen.emplace_back(zone, command);
            return CommandResult::success("ok");
        }
    } target;
    lifecycle::ZoneState z;
    z.origin = dns::Name::from_text("example.");
    z.view = "_default";
    z.dnssec_policy = "default";
    target.zones = {z};
    EXPECT_EQ(dispatch("dnssec -rollover -key 29276 -when 20261207000000 example", target).code, 0u);
    EXPECT_EQ(dispatch("dnssec -checkds -key 7 -alg ECDSAP256SHA256 withdrawn example IN", target).code, 0u);
    EXPECT_EQ(dispatch("dnssec -checkds published example", target).code, 0u);
    ASSERT_EQ(target.seen.size(), 3u);
    EXPECT_EQ(target.seen[0].first.name, "example");
    EXPECT_EQ(target.seen[0].first.view, "_default");
    EXPECT_EQ(target.seen[0].second.kind, DnssecCommand::Kind::rollover);
    EXPECT_EQ(target.seen[0].second.tag, 29276);
    EXPECT_EQ(target.seen[0].second.when, 1796601600u);
    EXPECT_EQ(target.seen[1].second.kind, DnssecCommand::Kind::checkds);
    EXPECT_FALSE(target.seen[1].second.published);
    EXPECT_EQ(target.seen[1].second.algorithm, 13);
    EXPECT_EQ(target.seen[1].second.tag, 7);
    EXPECT_TRUE(target.seen[2].second.published);
    EXPECT_FALSE(target.seen[2].second.tag);
    EXPECT_NE(dispatch("dnssec -rollover example", target).code, 0u);  // -key is required
    EXPECT_NE(dispatch("dnssec -checkds example", target).code, 0u);   // published|withdrawn
    EXPECT_NE(dispatch("dnssec -rollover -key x example", target).code, 0u);
    EXPECT_NE(dispatch("dnssec -rollover -key 1 -when soon example", target).code, 0u);
    EXPECT_NE(dispatch("dnssec -rollover -key 1 example", target, /*read_only=*/true).code, 0u);
    EXPECT_EQ(dispatch("dnssec -status example", target, /*read_only=*/true).text, "ok");
    EXPECT_EQ(target.seen.size(), 4u);
}

struct SessionFixture : ::testing::Test {
    FakeTarget target;
    ReplayCache replay;
    std::vector<ControlKey> keys = {bind_key()};
    std::vector<std::string> refusals;
    SessionContext context{&keys,
                           &replay,
                           &target,
                           false,
                           [this](const std::string&, const std::string& why) { refusals.push_back(why); },
                           {}};
    std::int64_t now = 1795321258;

    std::string frame(const std::string& command, std::uint32_t serial, std::int64_t sent,
                      std::optional<std::uint32_t> nonce, const ControlKey& key) {
        ControlMessage m;
        m.ctrl.set_uint32("_ser", serial);
        m.ctrl.set_uint32("_tim", static_cast<std::uint32_t>(sent));
        m.ctrl.set_uint32("_exp", static_cast<std::uint32_t>(sent + 60));
        if (nonce) m.ctrl.set_uint32("_nonce", *nonce);
        m.data.set("type", command);
        return encode_message(m, key);
    }
    static std::span<const std::uint8_t> bytes(const std::string& s) {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
    }
    static ControlMessage open(const std::string& reply) {
        const ReceivedMessage r = parse_message(bytes(reply));
        EXPECT_TRUE(verify(r, bind_key()));
        return r.message;
    }
};

TEST_F(SessionFixture, NonceHandshakeThenCommand) {
    ControlSession session(context, "127.0.0.1#1");
    const auto hello = session.handle(bytes(frame("null", 10, now, std::nullopt, bind_key())), now);
    ASSERT_TRUE(hello);
    const ControlMessage greeting = open(*hello);
    const auto nonce = greeting.ctrl.find_uint32("_nonce");
    ASSERT_TRUE(nonce);
    EXPECT_EQ(*greeting.ctrl.find("_rpl"), "1");
    EXPECT_EQ(greeting.ctrl.find_uint32("_ser"), 10u);
    const auto answer = session.handle(bytes(frame("status", 11, now, nonce, bind_key())), now);
    ASSERT_TRUE(answer);
    const ControlMessage reply = open(*answer);
    EXPECT_EQ(reply.data.find_uint32("result"), 0u);
    EXPECT_EQ(*reply.data.find("text"), "server is up and running");
    EXPECT_TRUE(refusals.empty());
}

TEST_F(SessionFixture, FirstMessageIsNeverRun) {
    ControlSession session(context, "peer");
    ASSERT_TRUE(session.handle(bytes(frame("stop", 10, now, std::nullopt, bind_key())), now));
    EXPECT_FALSE(target.stopped);
}

TEST_F(SessionFixture, RefusesWrongKeyStaleReplayAndBadNonce) {
    const ControlKey other =
        make_key("rndc-key", "hmac-sha256", "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmU=");
    EXPECT_FALSE(ControlSession(context, "p").handle(bytes(frame("null", 1, now, std::nullopt, other)), now));
    EXPECT_FALSE(ControlSession(context, "p")
                     .handle(bytes(frame("null", 2, now - 61, std::nullopt, bind_key())), now));
    EXPECT_FALSE(ControlSession(context, "p")
                     .handle(bytes(frame("null", 3, now + 61, std::nullopt, bind_key())), now));
    const std::string once = frame("null", 4, now, std::nullopt, bind_key());
    EXPECT_TRUE(ControlSession(context, "p").handle(bytes(once), now));
    EXPECT_FALSE(ControlSession(context, "p").handle(bytes(once), now + 1));  // replayed
    ControlSession session(context, "p");
    ASSERT_TRUE(session.handle(bytes(frame("null", 5, now, std::nullopt, bind_key())), now));
    EXPECT_FALSE(session.handle(bytes(frame("stop", 6, now, 12345u, bind_key())), now));
    EXPECT_FALSE(target.stopped);
    EXPECT_FALSE(ControlSession(context, "p").handle(bytes(std::string("\0\0\0\x05\0\0\0\x01x", 9)), now));
    ASSERT_EQ(refusals.size(), 6u);
    EXPECT_NE(refusals[0].find("bad signature"), std::string::npos);
    EXPECT_NE(refusals[1].find("clock skew"), std::string::npos);
    EXPECT_NE(refusals[3].find("duplicate"), std::string::npos);
    EXPECT_NE(refusals[4].find("nonce"), std::string::npos);
}

TEST(Listener, ClientDrivesServerOverLoopback) {
    FakeTarget target;
    std::mutex mutex;
    std::vector<std::string> refused, accepted;
    ChannelOptions channel;
    channel.port = 0;
    channel.keys = {bind_key()};
    ListenerLogs logs;
    logs.refused = [&](const std::string&, const std::string& why) {
        std::lock_guard lock(mutex);
        refused.push_back(why);
    };
    logs.accepted = [&](const std::string&, const std::string& command) {
        std::lock_guard lock(mutex);
        accepted.push_back(command);
    };
    ControlListener listener({channel}, target, logs);
    listener.start();
    ClientOptions options;
    options.port = listener.port(0);
    options.timeout = std::chrono::milliseconds(3000);
    const CommandResult status = run_command(options, bind_key(), "status");
    EXPECT_EQ(status.code, 0u);
    EXPECT_EQ(status.text, "server is up and running");
    EXPECT_EQ(run_command(options, bind_key(), "bogus").error, "unknown command");
    const ControlKey wrong =
        make_key("rndc-key", "hmac-sha256", "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmU=");
    EXPECT_THROW(run_command(options, wrong, "stop"), ClientError);
    EXPECT_FALSE(target.stopped);
    listener.stop();
    std::lock_guard lock(mutex);
    EXPECT_EQ(accepted, (std::vector<std::string>{"status", "bogus"}));
    ASSERT_EQ(refused.size(), 1u);
}

TEST(Listener, AllowListRefusesConnections) {
    FakeTarget target;
    ChannelOptions channel;
    channel.port = 0;
    channel.keys = {bind_key()};
    channel.allow = [](const sockaddr*) { return false; };
    ControlListener listener({channel}, target, {});
    listener.start();
    ClientOptions options;
    options.port = listener.port(0);
    options.timeout = std::chrono::milliseconds(2000);
    EXPECT_THROW(run_command(options, bind_key(), "status"), ClientError);
}

// A plain TCP connection to the channel that sends `first` (maybe nothing) and then stays open.
int idle_connection(std::uint16_t port, const std::string& first = "") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(port);
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    if (!first.empty()) (void)!::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
    return fd;
}

TEST(Listener, IdleConnectionsGiveWayToANewOne) {
    FakeTarget target;
    ChannelOptions channel;
    channel.port = 0;
    channel.keys = {bind_key()};
    ControlListener listener({channel}, target, {});
    listener.start();
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i)
        idle.push_back(idle_connection(listener.port(0), i % 2 == 0 ? "" : std::string("\0\0\1", 3)));
    ClientOptions options;
    options.port = listener.port(0);
    options.timeout = std::chrono::milliseconds(3000);
    EXPECT_EQ(run_command(options, bind_key(), "status").code, 0u);
    listener.stop();
    for (const int fd : idle)
        ::close(fd);
}

TEST(Listener, AStalledRequestMeetsTheRequestTimeout) {
    FakeTarget target;
    ChannelOptions channel;
    channel.port = 0;
    channel.keys = {bind_key()};
    ControlListener listener({channel}, target, {});
    listener.request_timeout = std::chrono::milliseconds(300);
    listener.start();
    const int fd = idle_connection(listener.port(0), std::string("\0\0\0\x40\0\0\0\1", 8));
    pollfd p{fd, POLLIN, 0};
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(::poll(&p, 1, 3000), 1);
    char byte;
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // closed, not answered
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
    ::close(fd);
    listener.stop();
}

}  // namespace
}  // namespace cairn::ctl
