#include "ctl/session.hpp"

#include <openssl/rand.h>

#include "ctl/message.hpp"

namespace cairn::ctl {

bool ReplayCache::first_time(const std::string& key, std::uint32_t serial, std::uint32_t sent,
                             std::int64_t now) {
    std::lock_guard lock(mutex_);
    std::erase_if(seen_, [now](const auto& entry) { return entry.second < now; });
    return seen_.emplace(std::make_tuple(key, serial, sent), now + 2 * kClockSkew).second;
}

std::optional<std::string> ControlSession::refuse(const std::string& reason) {
    if (context_.refused) context_.refused(peer_, reason);
    return std::nullopt;
}

std::optional<std::string> ControlSession::handle(std::span<const std::uint8_t> frame, std::int64_t now) {
    ReceivedMessage received;
    try {
        received = parse_message(frame);
    } catch (const ProtocolError& e) {
        return refuse(std::string("malformed message: ") + e.what());
    }
    if (received.auth_kind.empty()) return refuse("unsigned message");
    const ControlKey* key = nullptr;
    for (const ControlKey& candidate : *context_.keys) {
        if (verify(received, candidate)) {
            key = &candidate;
            break;
        }
    }
    if (key == nullptr) return refuse("bad signature (no key of this channel verifies it)");

    const CcTable& ctrl = received.message.ctrl;
    const std::optional<std::uint32_t> sent = ctrl.find_uint32("_tim");
    const std::optional<std::uint32_t> serial = ctrl.find_uint32("_ser");
    if (!sent || !serial) return refuse("message without _tim or _ser");
    if (*sent + kClockSkew < now || *sent - kClockSkew > now)
        return refuse("clock skew too large (stale or future message)");
    if (const auto expires = ctrl.find_uint32("_exp"); expires && now > *expires)
        return refuse("message expired");
    if (!context_.replay->first_time(key->name, *serial, *sent, now))
        return refuse("duplicate message (replay)");
    if (nonce_ != 0 && ctrl.find_uint32("_nonce") != nonce_) return refuse("bad or missing nonce");

    const std::string* type = received.message.data.find("type");
    const std::string command = type != nullptr ? *type : "";
    CommandResult result;
    if (nonce_ == 0) {
        while (nonce_ == 0) {
            if (RAND_bytes(reinterpret_cast<unsigned char*>(&nonce_), sizeof nonce_) != 1)
                return refuse("no random nonce");
        }
    } else {
        if (context_.accepted) context_.accepted(peer_, command);
        try {
            result = dispatch(command, *context_.target, context_.read_only);
        } catch (const std::exception& e) {
            result = CommandResult::failure(e.what());
        }
    }

    ControlMessage reply;
    for (const char* copied : {"_ser", "_tim", "_exp"}) {
        if (const std::string* value = ctrl.find(copied)) reply.ctrl.set(copied, *value);
    }
    reply.ctrl.set("_rpl", "1");
    reply.ctrl.set_uint32("_nonce", nonce_);
    reply.data.set("type", command);
    reply.data.set_uint32("result", result.code);
    if (!result.ok()) reply.data.set("err", result.error.empty() ? "failure" : result.error);
    if (!result.text.empty()) reply.data.set("text", result.text);
    return encode_message(reply, *key);
}

}  // namespace cairn::ctl
