// The control channel's messages (BIND's isccc tables, the HMAC in _auth, the session's checks) and the
// commands behind them. The first octet picks the mode:
//   even: the rest is a raw frame from an unauthenticated peer: parsed, verified against the channel's keys
//         (HMAC-MD5 and HMAC-SHA256) and handled by a session; it must be refused, never answered;
//   odd:  the rest is a command line (and a few control fields) sent properly: signed, after the nonce
//         exchange, so that the session's checks pass and dispatch() runs it against a fake server. The reply
//         must parse and verify with the key.
// Tables are also decoded directly from the raw bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ctl/ccmsg.hpp"
#include "ctl/control_key.hpp"
#include "ctl/message.hpp"
#include "ctl/session.hpp"
#include "ctl/target.hpp"
#include "fuzz_check.hpp"

using namespace cairn;
using namespace cairn::ctl;

namespace {

using cairn::fuzz::check;

ControlKey key(const char* algorithm, const char* secret) {
    config::Key k;
    k.name_text = "rndc-key";
    k.algorithm = algorithm;
    k.secret = secret;
    return control_key_from_config(k);
}

const std::vector<ControlKey>& keys() {
    static const std::vector<ControlKey> all = {
        key("hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="),
        key("hmac-md5", "bWQ1c2VjcmV0bWQ1c2VjcmV0"),
    };
    return all;
}

class FakeServer : public ControlTarget {
  public:
    CommandResult status() override { return CommandResult::success("server is up and running"); }
    CommandResult reload() override { return CommandResult::success("server reload successful"); }
    CommandResult reload_zone(const ZoneRef& zone) override { return known(zone, "zone reload queued"); }
    CommandResult reconfig() override { return CommandResult::success(); }
    std::vector<std::shared_ptr<const lifecycle::ZoneState>> find_zones(const ZoneRef& zone) override {
        if (zone.name != "example" && zone.name != "example.") return {};
        auto status = std::make_shared<lifecycle::ZoneState>();
        status->origin = dns::Name::from_text("example.");
        status->view = zone.view.empty() ? "_default" : zone.view;
        status->role = lifecycle::ZoneRole::secondary;
        status->file = "example.db";
        status->phase = lifecycle::ZonePhase::refresh_failing;
        status->problem = "timed out";
        status->served_serial = 7;
        status->loaded_at = 1700000000;
        status->timers.next_refresh = 1700003600;
        status->timers.expire_at = 1800000000;
        status->last_refresh = {1700000000, false, "timed out"};
        return {status};
    }
    CommandResult refresh(const ZoneRef& zone) override { return known(zone, "zone refresh queued"); }
    CommandResult retransfer(const ZoneRef& zone) override { return known(zone, ""); }
    CommandResult notify(const ZoneRef& zone) override { return known(zone, "zone notify queued"); }
    CommandResult sign(const ZoneRef& zone, bool) override { return known(zone, "zone signing queued"); }
    CommandResult stop() override { return CommandResult::success(); }
    CommandResult querylog(std::optional<bool> on) override {
        return CommandResult::success(on.value_or(true) ? "query logging is now on" : "off");
    }

  private:
    CommandResult known(const ZoneRef& zone, std::string text) {
        if (!find_zones(zone).empty()) return CommandResult::success(std::move(text));
        return CommandResult::failure("no matching zone '" + zone.name + "' in any view", "not found",
                                      kResultNotFound);
    }
};

constexpr std::int64_t kNow = 1700000000;

std::uint32_t nonce_of(const std::string& reply, const ControlKey& key) {
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size());
    const ReceivedMessage received = parse_message(bytes);
    check(verify(received, key), "our reply verifies with the key");
    return received.message.ctrl.find_uint32("_nonce").value_or(0);
}

void signed_exchange(std::span<const std::uint8_t> input, const SessionContext& context) {
    const ControlKey& signer = keys()[input.empty() ? 0 : input[0] % keys().size()];
    ControlSession session(context, "fuzz");
    ControlMessage hello;
    hello.ctrl.set_uint32("_ser", 1);
    hello.ctrl.set_uint32("_tim", kNow);
    hello.ctrl.set_uint32("_exp", kNow + 60);
    hello.data.set("type", "null");
    const std::string hello_frame = encode_message(hello, signer);
    const auto first = session.handle(
        std::span(reinterpret_cast<const std::uint8_t*>(hello_frame.data()), hello_frame.size()), kNow);
    check(first.has_value(), "a signed hello is answered");
    const std::uint32_t nonce = nonce_of(*first, signer);
    check(nonce != 0, "the hello's answer carries a nonce");

    // The command line, then optionally a skewed time and a wrong nonce from the input.
    const std::string rest(reinterpret_cast<const char*>(input.data()), input.size());
    const std::size_t newline = rest.find('\n');
    ControlMessage command;
    command.ctrl.set_uint32("_ser", 2);
    std::int64_t sent = kNow;
    std::uint32_t echoed = nonce;
    if (newline != std::string::npos && newline + 1 < rest.size()) {
        const auto tweak = static_cast<std::uint8_t>(rest[newline + 1]);
        if (tweak & 1) sent += (tweak >> 1) - 64;
        if (tweak & 0x80) echoed ^= tweak;
    }
    command.ctrl.set_uint32("_tim", static_cast<std::uint32_t>(sent));
    command.ctrl.set_uint32("_nonce", echoed);
    command.data.set(
        "type", rest.substr(input.empty() ? 0 : 1, newline == std::string::npos ? rest.npos : newline - 1));
    const std::string frame = encode_message(command, signer);
    const auto reply =
        session.handle(std::span(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()), kNow);
    if (reply) (void)nonce_of(*reply, signer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > kCcMaxMessage + 64) return 0;
    const std::span<const std::uint8_t> input(data + 1, size - 1);
    static FakeServer server;
    ReplayCache replay;
    SessionContext context;
    context.keys = &keys();
    context.replay = &replay;
    context.target = &server;
    context.read_only = (data[0] & 2) != 0;
    if (data[0] & 1) {
        signed_exchange(input, context);
        return 0;
    }
    try {
        (void)decode_entries(input);
    } catch (const ProtocolError&) {
    }
    try {
        if (const auto framed = frame_size(input); framed && *framed <= input.size()) {
            const ReceivedMessage received = parse_message(input.first(*framed));
            for (const ControlKey& k : keys())
                (void)verify(received, k);
        }
    } catch (const ProtocolError&) {
    }
    ControlSession session(context, "fuzz");
    const auto reply = session.handle(input, kNow);
    check(!reply.has_value(), "a message nobody signed is never answered");
    return 0;
}
