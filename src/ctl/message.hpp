// Signed control messages: `_auth` (the HMAC), `_ctrl` (serial, times, nonce, reply flag) and `_data`
// (the command and its answer), framed as BIND's rndc and named exchange them over TCP.
//
// The HMAC covers the encoded entries that follow `_auth` in the top-level table. HMAC-MD5 sends
// `_auth { hmd5: BASE64 }` with the padding removed (22 octets); the SHA family sends
// `_auth { hsha: ALG BASE64 }`, the base64 (with padding) zero-filled to 88 octets after one octet of
// algorithm code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ctl/ccmsg.hpp"
#include "ctl/control_key.hpp"

namespace cairn::ctl {

struct ControlMessage {
    CcTable ctrl;
    CcTable data;
};

// The whole frame: length, version, _auth, _ctrl, _data.
std::string encode_message(const ControlMessage& message, const ControlKey& key);

// A frame as received, parsed but not yet authenticated.
struct ReceivedMessage {
    ControlMessage message;
    std::string auth_kind;  // "hmd5", "hsha" or "" when unsigned
    std::string auth_value;
    std::vector<std::uint8_t> signed_region;
};

// How many octets the frame at the start of `buffer` takes in all (length field included), once its length
// field is there; throws ProtocolError when it announces more than kCcMaxMessage.
std::optional<std::size_t> frame_size(std::span<const std::uint8_t> buffer);
// `frame` is one whole frame, length field included. Throws ProtocolError when malformed.
ReceivedMessage parse_message(std::span<const std::uint8_t> frame);
// True when the message is signed with `key` (constant-time comparison).
bool verify(const ReceivedMessage& message, const ControlKey& key);

}  // namespace cairn::ctl
