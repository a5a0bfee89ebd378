// dig-like presentation of messages.
#include <fmt/format.h>

#include "dns/message.hpp"
#include "dns/rdata.hpp"

namespace cairn::dns {
namespace {

std::string hex(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve(data.size() * 2);
    for (const auto b : data)
        out += fmt::format("{:02x}", b);
    return out;
}

std::string printable(std::span<const std::uint8_t> data) {
    std::string out;
    for (const auto b : data)
        out += (b >= 0x20 && b < 0x7F) ? static_cast<char>(b) : '.';
    return out;
}

void append_option(std::string& out, const EdnsOption& option) {
    const auto data = std::span<const std::uint8_t>(option.data);
    switch (static_cast<EdnsOptionCode>(option.code)) {
        case EdnsOptionCode::COOKIE:
            out += fmt::format("; COOKIE: {}\n", hex(data));
            return;
        case EdnsOptionCode::NSID:
            out += fmt::format("; NSID: {} (\"{}\")\n", hex(data), printable(data));
            return;
        case EdnsOptionCode::EXPIRE:
            if (const auto expire = parse_expire(data)) {
                out += fmt::format("; EXPIRE: {}\n", *expire);
            } else {
                out += "; EXPIRE\n";
            }
            return;
        case EdnsOptionCode::EDE:
            if (const auto ede = parse_ede(data)) {
                const auto name = ede_code_name(ede->info_code);
                out += fmt::format("; EDE: {}", ede->info_code);
                if (!name.empty()) out += fmt::format(" ({})", name);
                if (!ede->extra_text.empty()) {
                    out += fmt::format(": ({})",
                                       printable(std::span<const std::uint8_t>(
                                           reinterpret_cast<const std::uint8_t*>(ede->extra_text.data()),
                                           ede->extra_text.size())));
                }
                out += '\n';
                return;
            }
            break;
        default:
            break;
    }
    out += fmt::format("; {}: {}\n", edns_option_name(option.code), hex(data));
}

void append_records(std::string& out, const char* title, const std::vector<ResourceRecord>& records) {
    if (records.empty()) return;
    out += fmt::format("\n;; {} SECTION:\n", title);
    for (const auto& rr : records) {
        out += fmt::format("{}\t{}\t{}\t{}\t{}\n", rr.owner.to_text(), rr.ttl, class_to_text(rr.rclass),
                           type_to_text(rr.type), rdata_to_text(rr.type, rr.rdata));
    }
}

}  // namespace

std::string to_text(const Header& header) {
    std::string flags;
    const std::pair<bool, const char*> bits[] = {{header.qr, "qr"}, {header.aa, "aa"}, {header.tc, "tc"},
                                                 {header.rd, "rd"}, {header.ra, "ra"}, {header.z, "z"},
                                                 {header.ad, "ad"}, {header.cd, "cd"}};
    for (const auto& [set, name] : bits) {
        if (!set) continue;
        if (!flags.empty()) flags += ' ';
        flags += name;
    }
    return fmt::format(
        ";; ->>HEADER<<- opcode: {}, status: {}, id: {}\n"
        ";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
        opcode_to_text(header.opcode), rcode_to_text(static_cast<Rcode>(header.rcode)), header.id, flags,
        header.qdcount, header.ancount, header.nscount, header.arcount);
}

std::string to_text(const Message& message) {
    Header header = message.header;
    std::string out = to_text(header);
    if (message.edns) {
        // The status line shows the full extended rcode, as dig does.
        const auto first_line_end = out.find('\n');
        out = fmt::format(";; ->>HEADER<<- opcode: {}, status: {}, id: {}", opcode_to_text(header.opcode),
                          rcode_to_text(message.rcode()), header.id) +
              out.substr(first_line_end);
        const Edns& edns = *message.edns;
        out += fmt::format("\n;; OPT PSEUDOSECTION:\n; EDNS: version: {}, flags:{}; udp: {}\n", edns.version,
                           edns.dnssec_ok ? " do" : "", edns.udp_payload);
        for (const auto& option : edns.options)
            append_option(out, option);
    }
    if (!message.questions.empty()) {
        out += "\n;; QUESTION SECTION:\n";
        for (const auto& q : message.questions) {
            out += fmt::format(";{}\t\t{}\t{}\n", q.name.to_text(), class_to_text(q.qclass),
                               type_to_text(q.type));
        }
    }
    append_records(out, "ANSWER", message.answer);
    append_records(out, "AUTHORITY", message.authority);
    append_records(out, "ADDITIONAL", message.additional);
    return out;
}

}  // namespace cairn::dns
