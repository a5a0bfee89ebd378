#include "ctl/message.hpp"

#include <openssl/crypto.h>

#include "dns/text.hpp"

namespace cairn::ctl {

namespace {

constexpr std::size_t kMd5Length = 22;
constexpr std::size_t kShaLength = 88;

void put_u32(std::string& out, std::size_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out += static_cast<char>((value >> shift) & 0xFF);
}

std::uint32_t get_u32(std::span<const std::uint8_t> data) {
    return (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) | (std::uint32_t{data[2]} << 8) |
           std::uint32_t{data[3]};
}

// The `_auth` value for `signed_region`: what the hmd5 or hsha entry carries.
std::string auth_value(std::span<const std::uint8_t> signed_region, const ControlKey& key) {
    dns::TsigHmac hmac(key.key);
    hmac.update(signed_region);
    const std::vector<std::uint8_t> digest = hmac.finish();
    std::string encoded;
    dns::append_base64(encoded, digest);
    if (key.key.algorithm == dns::TsigAlgorithm::HmacMd5) {
        encoded.resize(kMd5Length);  // rndc carries the 16-octet MD5 digest as unpadded base64
        return encoded;
    }
    encoded.resize(kShaLength, '\0');
    return static_cast<char>(isccc_algorithm_code(key.key.algorithm)) + encoded;
}

bool is_md5(const ControlKey& key) {
    return key.key.algorithm == dns::TsigAlgorithm::HmacMd5;
}

}  // namespace

std::string encode_message(const ControlMessage& message, const ControlKey& key) {
    CcTable body;
    body.table("_ctrl") = message.ctrl;
    body.table("_data") = message.data;
    std::string signed_region;
    encode_entries(body, signed_region);
    CcTable auth;
    auth.table("_auth").set(
        is_md5(key) ? "hmd5" : "hsha",
        auth_value({reinterpret_cast<const std::uint8_t*>(signed_region.data()), signed_region.size()}, key));
    std::string auth_entries;
    encode_entries(auth, auth_entries);
    std::string frame;
    put_u32(frame, 4 + auth_entries.size() + signed_region.size());
    put_u32(frame, kCcVersion);
    frame += auth_entries;
    frame += signed_region;
    return frame;
}

std::optional<std::size_t> frame_size(std::span<const std::uint8_t> buffer) {
    if (buffer.size() < 4) return std::nullopt;
    const std::uint32_t length = get_u32(buffer);
    if (length > kCcMaxMessage)
        throw ProtocolError("control message of " + std::to_string(length) + " octets is too large");
    if (length < 4) throw ProtocolError("control message too short");
    return std::size_t{length} + 4;
}

ReceivedMessage parse_message(std::span<const std::uint8_t> frame) {
    const std::optional<std::size_t> size = frame_size(frame);
    if (!size || *size != frame.size()) throw ProtocolError("control message length does not match");
    if (get_u32(frame.subspan(4)) != kCcVersion) throw ProtocolError("unknown control protocol version");
    const auto entries = frame.subspan(8);
    ReceivedMessage out;
    const CcTable top = decode_entries(entries);
    if (top.entries().empty()) throw ProtocolError("empty control message");
    std::size_t signed_from = 0;
    if (top.entries().front().key == "_auth") {
        // The first entry's encoded length: key length octet, key, type, value length, value.
        const std::size_t key_length = entries[0];
        signed_from = 1 + key_length + 5 + get_u32(entries.subspan(1 + key_length + 1));
        if (const CcTable* auth = top.entries().front().table.get()) {
            for (const char* kind : {"hmd5", "hsha"}) {
                if (const std::string* value = auth->find(kind)) {
                    out.auth_kind = kind;
                    out.auth_value = *value;
                }
            }
        }
    }
    out.signed_region.assign(entries.begin() + static_cast<std::ptrdiff_t>(signed_from), entries.end());
    if (const CcTable* ctrl = top.find_table("_ctrl")) out.message.ctrl = *ctrl;
    if (const CcTable* data = top.find_table("_data")) out.message.data = *data;
    return out;
}

bool verify(const ReceivedMessage& message, const ControlKey& key) {
    if (message.auth_kind != (is_md5(key) ? "hmd5" : "hsha")) return false;
    const std::string expected = auth_value(message.signed_region, key);
    return expected.size() == message.auth_value.size() &&
           CRYPTO_memcmp(expected.data(), message.auth_value.data(), expected.size()) == 0;
}

}  // namespace cairn::ctl
