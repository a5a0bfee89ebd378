// TSIG (RFC 8945) verification on whatever arrives, and the sign/verify pair on whatever the fuzzer builds.
// The first octet picks the key (algorithm, truncation) and the mode; the rest is a message:
//   - verified as a request against a keyring (the seeds are signed with its keys, so that the MAC
//     comparison is reached), as a response to a request MAC, and through a stream verifier, split into
//     messages at 0xFF 0xFF 0xFF marks;
//   - signed with the key as a request, answered and signed as a response and as a stream: each must
//     verify with the key, the request MAC, or the stream verifier (a round trip that must succeed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dns/message.hpp"
#include "dns/tsig.hpp"
#include "fuzz_check.hpp"

using namespace cairn::dns;

namespace {

using cairn::fuzz::check;

constexpr std::uint64_t kNow = 1700000000;

const std::vector<TsigKey>& keys() {
    static const std::vector<TsigKey> all = {
        TsigKey::from_config("k1.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="),
        TsigKey::from_config("k2.", "hmac-md5", "bWQ1c2VjcmV0bWQ1c2VjcmV0"),
        TsigKey::from_config("k3.", "hmac-sha512-256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="),
        TsigKey::from_config("k4.", "hmac-sha1", "c2hhMXNoYTFzaGExc2hhMQ=="),
    };
    return all;
}

const TsigKeyring& keyring() {
    static const TsigKeyring ring = [] {
        TsigKeyring r;
        for (const auto& key : keys())
            r.add(key);
        return r;
    }();
    return ring;
}

// Splits at 0xFF 0xFF 0xFF (a mark no short DNS message needs), keeping at most 8 pieces.
std::vector<std::vector<std::uint8_t>> pieces(std::span<const std::uint8_t> input) {
    std::vector<std::vector<std::uint8_t>> out(1);
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (i + 2 < input.size() && input[i] == 0xFF && input[i + 1] == 0xFF && input[i + 2] == 0xFF &&
            out.size() < 8) {
            out.emplace_back();
            i += 2;
            continue;
        }
        out.back().push_back(input[i]);
    }
    return out;
}

void verify_received(std::span<const std::uint8_t> message, const TsigKey& key) {
    (void)tsig_present(message);
    (void)find_tsig(message);
    const TsigVerification request = tsig_verify_request(message, keyring(), kNow);
    if (request.status == TsigStatus::Ok) check(request.key != nullptr, "a verified request names its key");
    const std::vector<std::uint8_t> mac(key.sent_mac_length(), 0x42);
    (void)tsig_verify_response(message, key, mac, kNow);
    if (request.status != TsigStatus::FormErr && request.status != TsigStatus::NotSigned &&
        message.size() < 4096) {
        std::vector<std::uint8_t> answer(message.begin(), message.end());
        if (request.tsig_offset >= 12 && request.tsig_offset <= answer.size()) {
            answer.resize(request.tsig_offset);
            answer[2] |= 0x80;
            answer[10] = answer[11] = 0;  // the additional section is cut with the TSIG: no count left over
            try {
                (void)tsig_sign_response(answer, request, kNow);
            } catch (const ParseError&) {
            }
        }
    }
}

// Messages that parse, carry no TSIG yet and leave room for one: what a signer is given.
bool signable(const std::vector<std::uint8_t>& message) {
    if (message.size() < 12 || message.size() > 2048) return false;
    try {
        return !parse_message(message).tsig_offset.has_value();
    } catch (const ParseError&) {
        return false;
    }
}

void round_trip(std::span<const std::uint8_t> input, const TsigKey& key) {
    std::vector<std::vector<std::uint8_t>> parts;
    for (auto& part : pieces(input)) {
        if (signable(part)) parts.push_back(std::move(part));
    }
    if (parts.empty()) return;
    std::vector<std::uint8_t> request = parts[0];
    TsigSignOptions options;
    options.time_signed = kNow;
    const std::vector<std::uint8_t> request_mac = tsig_sign(request, key, options);
    const TsigVerification verified = tsig_verify_request(request, keyring(), kNow);
    check(verified.status == TsigStatus::Ok, "a request signed with a known key verifies");
    check(verified.key != nullptr && verified.key->name == key.name, "by that key");

    std::vector<std::uint8_t> answer = parts.size() > 1 ? parts[1] : parts[0];
    answer[2] |= 0x80;
    (void)tsig_sign_response(answer, verified, kNow);
    check(tsig_verify_response(answer, key, request_mac, kNow).status == TsigStatus::Ok,
          "the signed answer verifies against the request MAC");

    TsigStreamSigner signer(key, request_mac);
    TsigStreamVerifier verifier(key, request_mac);
    for (std::size_t i = 1; i < parts.size() || i == 1; ++i) {
        std::vector<std::uint8_t> message = i < parts.size() ? parts[i] : parts[0];
        message[2] |= 0x80;
        (void)signer.sign(message, kNow);
        check(verifier.verify(message, kNow).status == TsigStatus::Ok,
              "every signed stream message verifies");
    }
    check(verifier.complete(), "a stream signed throughout is complete");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 16384) return 0;
    const TsigKey& key = keys()[data[0] % keys().size()];
    const std::span<const std::uint8_t> input(data + 1, size - 1);
    if (data[0] & 0x80) {
        round_trip(input, key);
        return 0;
    }
    verify_received(input, key);
    TsigStreamVerifier stream(key, std::vector<std::uint8_t>(key.sent_mac_length(), 0x42));
    for (const auto& part : pieces(input))
        (void)stream.verify(part, kNow);
    return 0;
}
