// Exposes the TSIG codec to tests/system/test_tsig_interop.py, which checks it against dnspython and
// BIND. Messages and MACs go in and out as hex; KEY is ALGORITHM:NAME:BASE64SECRET (as dig -y).
//
//   tsig_tool sign KEY TIME REQUEST_MAC MESSAGE               -> SIGNED_MESSAGE MAC
//   tsig_tool verify-request KEY NOW MESSAGE                  -> STATUS MAC
//   tsig_tool respond KEY NOW REQUEST RESPONSE                -> STATUS SIGNED_RESPONSE
//   tsig_tool verify-response KEY NOW REQUEST_MAC MESSAGE     -> STATUS ERROR
//   tsig_tool sign-stream KEY TIME REQUEST_MAC PATTERN MESSAGE...  -> one SIGNED_MESSAGE per line
//   tsig_tool verify-stream KEY NOW REQUEST_MAC MESSAGE...    -> one STATUS per line, then
//   complete|incomplete
//
// REQUEST_MAC "-" means none; PATTERN has one letter per message, s (signed) or u (unsigned). The stream
// commands read MESSAGEs from standard input, one per line, when none are given (zone transfers outgrow
// the limit on one argument's length).
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "dns/text.hpp"
#include "dns/tsig.hpp"

using namespace cairn::dns;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex_arg(const std::string& text) {
    Bytes out;
    if (text == "-") return out;
    if (!decode_hex(text, out)) throw ParseError("not hex: " + text);
    return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return "-";
    std::string out;
    append_hex(out, bytes, false);
    return out;
}

TsigKey key_arg(const std::string& spec) {
    const auto first = spec.find(':');
    const auto second = spec.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) throw ParseError("KEY is ALG:NAME:SECRET");
    return TsigKey::from_config(spec.substr(first + 1, second - first - 1), spec.substr(0, first),
                                spec.substr(second + 1));
}

// Stream messages from the command line, or from standard input when there are none.
std::vector<std::string> messages_from(const std::vector<std::string>& args, std::size_t first) {
    std::vector<std::string> out(args.begin() + static_cast<long>(std::min(first, args.size())), args.end());
    if (out.empty()) {
        for (std::string line; std::getline(std::cin, line);) {
            if (!line.empty()) out.push_back(line);
        }
    }
    return out;
}

int run(const std::vector<std::string>& args) {
    if (args.size() < 4) throw ParseError("too few arguments");
    const std::string& command = args[0];
    const TsigKey key = key_arg(args[1]);
    const std::uint64_t time = std::stoull(args[2]);
    TsigKeyring ring;
    ring.add(key);
    if (command == "sign" && args.size() == 5) {
        const Bytes request_mac = hex_arg(args[3]);
        Bytes message = hex_arg(args[4]);
        TsigSignOptions options;
        options.time_signed = time;
        options.request_mac = request_mac;
        const Bytes mac = tsig_sign(message, key, options);
        std::cout << hex(message) << ' ' << hex(mac) << '\n';
    } else if (command == "verify-request" && args.size() == 4) {
        const auto result = tsig_verify_request(hex_arg(args[3]), ring, time);
        std::cout << tsig_status_to_text(result.status) << ' ' << hex(result.record.mac) << '\n';
    } else if (command == "respond" && args.size() == 5) {
        const Bytes request = hex_arg(args[3]);
        Bytes response = hex_arg(args[4]);
        const auto result = tsig_verify_request(request, ring, time);
        if (result.status != TsigStatus::NotSigned && result.status != TsigStatus::FormErr) {
            tsig_sign_response(response, result, time);
        }
        std::cout << tsig_status_to_text(result.status) << ' ' << hex(response) << '\n';
    } else if (command == "verify-response" && args.size() == 5) {
        const Bytes request_mac = hex_arg(args[3]);
        const auto result = tsig_verify_response(hex_arg(args[4]), key, request_mac, time);
        std::cout << tsig_status_to_text(result.status) << ' ' << result.record.error << '\n';
    } else if (command == "sign-stream" && args.size() >= 5) {
        const Bytes request_mac = hex_arg(args[3]);
        const std::string& pattern = args[4];
        const std::vector<std::string> messages = messages_from(args, 5);
        if (pattern.size() != messages.size()) throw ParseError("PATTERN needs one letter per message");
        TsigStreamSigner signer(key, request_mac);
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            Bytes message = hex_arg(messages[i]);
            if (pattern[i] == 's') {
                signer.sign(message, time);
            } else {
                signer.skip(message);
            }
            std::cout << hex(message) << '\n';
        }
    } else if (command == "verify-stream" && args.size() >= 4) {
        const Bytes request_mac = hex_arg(args[3]);
        TsigStreamVerifier verifier(key, request_mac);
        for (const std::string& message : messages_from(args, 4)) {
            std::cout << tsig_status_to_text(verifier.verify(hex_arg(message), time).status) << '\n';
        }
        std::cout << (verifier.complete() ? "complete" : "incomplete") << '\n';
    } else {
        throw ParseError("unknown command or wrong argument count: " + command);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "tsig_tool: " << e.what() << '\n';
        return 2;
    }
}
