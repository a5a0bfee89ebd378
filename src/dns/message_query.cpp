#include "dns/message_query.hpp"

#include <cstring>

namespace cairn::dns {
namespace {

constexpr std::size_t kRecordFixedSize = 10;  // type, class, ttl, rdlength

std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Moves `pos` past a possibly compressed name without expanding it. Only the framing is checked: labels
// are in bounds and of a valid type, and a pointer points backwards.
bool skip_name(std::span<const std::uint8_t> packet, std::size_t& pos) {
    std::size_t total = 0;
    while (pos < packet.size()) {
        const std::uint8_t len = packet[pos];
        if ((len & 0xC0) == 0xC0) {
            if (pos + 1 >= packet.size()) return false;
            const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | packet[pos + 1];
            if (target >= pos) return false;
            pos += 2;
            return true;
        }
        if ((len & 0xC0) != 0) return false;
        total += 1 + len;
        if (total > kMaxNameLength) return false;
        pos += 1 + len;
        if (len == 0) return true;
    }
    return false;
}

// Copies `size` octets lowercased, eight at a time (length octets, below 64, are left as they are).
void copy_lowered(const std::uint8_t* from, std::size_t size, std::uint8_t* to) {
    const auto lower8 = [&](std::size_t at) {
        std::uint64_t v;
        std::memcpy(&v, from + at, 8);
        v = lower_ascii8(v);
        std::memcpy(to + at, &v, 8);
    };
    std::size_t at = 0;
    for (; at + 8 <= size; at += 8)
        lower8(at);
    if (at == size) return;
    if (size >= 8) {
        lower8(size - 8);  // overlaps octets already done, which lowering leaves as they are
        return;
    }
    for (; at < size; ++at)
        to[at] = lower_ascii(from[at]);
}

// Reads the uncompressed qname into `out`; false when it is malformed or compressed.
bool read_qname(std::span<const std::uint8_t> packet, std::size_t& pos, ParsedQuery& out) {
    const std::size_t start = pos;
    std::size_t labels = 0;
    while (true) {
        if (pos >= packet.size()) return false;
        const std::uint8_t len = packet[pos];
        if ((len & 0xC0) != 0) return false;  // a pointer has nothing valid to point at; other types unknown
        const std::size_t name_size = pos - start + 1 + len;
        if (name_size > kMaxNameLength || pos + 1 + len > packet.size()) return false;
        if (len == 0) break;
        out.label_offsets[labels++] = static_cast<std::uint8_t>(pos - start);
        pos += 1 + len;
    }
    ++pos;
    out.qname = packet.subspan(start, pos - start);
    out.label_count = static_cast<std::uint8_t>(labels);
    copy_lowered(packet.data() + start, pos - start, out.qname_lower_storage.data());
    return true;
}

bool read_edns(std::uint16_t rclass, std::uint32_t ttl, std::span<const std::uint8_t> rdata,
               QueryEdns& edns) {
    edns.present = true;
    edns.udp_payload = rclass;
    edns.version = static_cast<std::uint8_t>(ttl >> 16);
    edns.dnssec_ok = (ttl & kEdnsFlagDo) != 0;
    bool cookie_valid = true;
    const bool framed =
        for_each_edns_option(rdata, [&](std::uint16_t code, std::span<const std::uint8_t> data) {
            switch (static_cast<EdnsOptionCode>(code)) {
                case EdnsOptionCode::COOKIE:
                    if (edns.cookie_size != 0) break;  // only the first counts
                    if (!cookie_size_valid(data.size())) {
                        cookie_valid = false;
                        break;
                    }
                    for (std::size_t i = 0; i < data.size(); ++i)
                        edns.cookie[i] = data[i];
                    edns.cookie_size = static_cast<std::uint8_t>(data.size());
                    break;
                case EdnsOptionCode::NSID:
                    edns.nsid = true;
                    break;
                case EdnsOptionCode::EXPIRE:
                    edns.expire = true;
                    break;
                case EdnsOptionCode::TCP_KEEPALIVE:
                    edns.tcp_keepalive = true;
                    break;
                case EdnsOptionCode::PADDING:
                    edns.padding = true;
                    break;
                default:
                    edns.other_options = true;
                    break;
            }
        });
    return framed && cookie_valid;
}

// Resets the scalar fields only: the arrays are read no further than their recorded sizes, and clearing
// them would cost more than the rest of the parse.
void clear(ParsedQuery& out) {
    out.header = Header{};
    out.has_question = false;
    out.qname = {};
    out.label_count = 0;
    out.qtype = RRType::A;
    out.qclass = RRClass::IN;
    QueryEdns& e = out.edns;
    e.present = e.dnssec_ok = e.nsid = e.expire = e.tcp_keepalive = e.padding = e.other_options = false;
    e.version = 0;
    e.udp_payload = 0;
    e.cookie_size = 0;
    out.question_end = out.answer_offset = out.authority_offset = out.additional_offset = 0;
    out.has_tsig = false;
    out.tsig_offset = 0;
}

}  // namespace

QueryStatus parse_query(std::span<const std::uint8_t> packet, ParsedQuery& out) {
    clear(out);
    if (packet.size() < kHeaderSize || packet.size() > kMaxMessageSize) return QueryStatus::Drop;
    out.header = Header::read(packet.data());
    if (out.header.qr) return QueryStatus::Drop;

    const Header& h = out.header;
    if (h.qdcount > 1) return QueryStatus::FormErr;
    std::size_t pos = kHeaderSize;
    if (h.qdcount == 1) {
        if (!read_qname(packet, pos, out) || packet.size() - pos < 4) return QueryStatus::FormErr;
        out.qtype = static_cast<RRType>(read_u16(packet.data() + pos));
        out.qclass = static_cast<RRClass>(read_u16(packet.data() + pos + 2));
        pos += 4;
        out.has_question = true;
    }
    out.question_end = static_cast<std::uint16_t>(pos);

    bool seen_opt = false;
    const std::uint16_t counts[3] = {h.ancount, h.nscount, h.arcount};
    std::uint16_t* const offsets[3] = {&out.answer_offset, &out.authority_offset, &out.additional_offset};
    for (std::size_t section = 0; section < 3; ++section) {
        *offsets[section] = static_cast<std::uint16_t>(pos);
        const bool in_additional = section == 2;
        for (std::size_t i = 0; i < counts[section]; ++i) {
            const std::size_t record_start = pos;
            const bool root_owner = pos < packet.size() && packet[pos] == 0;
            if (!skip_name(packet, pos) || packet.size() - pos < kRecordFixedSize)
                return QueryStatus::FormErr;
            const std::uint8_t* fixed = packet.data() + pos;
            const auto type = static_cast<RRType>(read_u16(fixed));
            const std::uint16_t rclass = read_u16(fixed + 2);
            const std::uint32_t ttl = (std::uint32_t{read_u16(fixed + 4)} << 16) | read_u16(fixed + 6);
            const std::uint16_t rdlength = read_u16(fixed + 8);
            pos += kRecordFixedSize;
            if (packet.size() - pos < rdlength) return QueryStatus::FormErr;
            const auto rdata = packet.subspan(pos, rdlength);
            pos += rdlength;

            if (type == RRType::OPT) {
                if (!in_additional || seen_opt || !root_owner) return QueryStatus::FormErr;
                seen_opt = true;
                if (!read_edns(rclass, ttl, rdata, out.edns)) return QueryStatus::FormErr;
            } else if (type == RRType::TSIG) {
                if (!in_additional || i + 1 != counts[section]) return QueryStatus::FormErr;
                out.has_tsig = true;
                out.tsig_offset = static_cast<std::uint16_t>(record_start);
            }
        }
    }
    if (pos != packet.size()) return QueryStatus::FormErr;  // trailing octets

    // RFC 7873 §5.4: a query with no question is how a client asks for a server cookie.
    if (h.qdcount == 0 && !(h.opcode == Opcode::QUERY && out.edns.cookie_size != 0))
        return QueryStatus::FormErr;
    return QueryStatus::Ok;
}

std::size_t peek_qname(std::span<const std::uint8_t> packet, std::uint8_t (&lowered)[kMaxNameLength]) {
    constexpr std::size_t kHeader = 12;
    if (packet.size() < kHeader + 5 || packet[4] != 0 || packet[5] != 1) return 0;
    std::size_t pos = kHeader;
    while (true) {
        const std::uint8_t len = packet[pos];
        if ((len & 0xC0) != 0) return 0;
        pos += 1 + len;
        if (pos - kHeader > kMaxNameLength || pos + 4 > packet.size()) return 0;
        if (len == 0) break;
    }
    const std::size_t size = pos - kHeader;
    copy_lowered(packet.data() + kHeader, size, lowered);
    return size;
}

}  // namespace cairn::dns
