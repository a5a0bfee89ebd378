// Exposes the message codecs to tests/system/test_message_interop.py, which checks them against dnspython.
// Reads one hex-encoded message per line on standard input and writes one line (or block) per message:
//
//   message_tool rebuild   -> the message parsed by parse_message and re-encoded by MessageBuilder, as hex;
//                             "error: REASON" when it does not parse
//   message_tool query     -> parse_query's verdict: "ok QNAME QTYPE QCLASS EDNS PAYLOAD DO VERSION COOKIE",
//                             "formerr ID" or "drop"
//   message_tool print     -> to_text (dig-like), then a line "--"; "error: REASON" when it does not parse
#include <iostream>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "dns/text.hpp"

using namespace cairn::dns;

namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    append_hex(out, bytes, false);
    return out.empty() ? "-" : out;
}

void query(const std::vector<std::uint8_t>& wire) {
    ParsedQuery q;
    switch (parse_query(wire, q)) {
        case QueryStatus::Drop:
            std::cout << "drop\n";
            return;
        case QueryStatus::FormErr:
            std::cout << "formerr " << q.header.id << '\n';
            return;
        case QueryStatus::Ok:
            break;
    }
    std::cout << "ok " << (q.has_question ? Name::from_validated_wire(q.qname).to_text() : "-") << ' '
              << type_to_text(q.qtype) << ' ' << class_to_text(q.qclass) << ' ' << (q.edns.present ? 1 : 0)
              << ' ' << q.edns.udp_payload << ' ' << (q.edns.dnssec_ok ? 1 : 0) << ' ' << int{q.edns.version}
              << ' ' << hex({q.edns.cookie.data(), q.edns.cookie_size}) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    const std::string command = argc == 2 ? argv[1] : "";
    if (command != "rebuild" && command != "query" && command != "print") {
        std::cerr << "usage: message_tool rebuild|query|print < hex messages, one per line\n";
        return 2;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::vector<std::uint8_t> wire;
        if (!decode_hex(line, wire)) {
            std::cerr << "message_tool: not hex: " << line << '\n';
            return 2;
        }
        if (command == "query") {
            query(wire);
            continue;
        }
        try {
            const Message message = parse_message(wire);
            if (command == "rebuild") {
                std::cout << hex(to_wire(message)) << '\n';
            } else {
                std::cout << to_text(message) << "--\n";
            }
        } catch (const std::exception& e) {
            std::cout << "error: " << e.what() << '\n';
        }
    }
    return 0;
}
