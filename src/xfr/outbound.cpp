#include "xfr/outbound.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "dns/serial.hpp"
#include "zone/zone_wire.hpp"

namespace cairn::xfr {

struct TransferStream::Item {
    std::span<const std::uint8_t> owner;
    dns::RRType type = dns::RRType::A;
    dns::RRClass rclass = dns::RRClass::IN;
    std::uint32_t ttl = 0;
    std::span<const std::uint8_t> rdata;
};

namespace {

std::uint64_t system_seconds() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

// Room for the TSIG record appended after each message: owner (key name), fixed RR fields, algorithm name,
// the fixed rdata fields, a MAC of the longest digest, and BADTIME's six octets of other data.
std::size_t tsig_reserve(const dns::TsigKey& key) {
    return key.name.wire_size() + 10 + dns::tsig_algorithm_name(key.algorithm).wire_size() + 16 +
           dns::kTsigMaxMacLength + 6;
}

}  // namespace

TransferStream::TransferStream(std::shared_ptr<const zone::Zone> zone, const TransferRequest& request,
                               OutboundOptions options, TransferForm form)
    : zone_(std::move(zone)), request_(request), options_(std::move(options)), form_(form) {
    if (!options_.clock) options_.clock = system_seconds;
    if (options_.tsig_key != nullptr)
        signer_ = std::make_unique<dns::TsigStreamSigner>(*options_.tsig_key, options_.request_mac);
    soas_.reserve(1);
    soas_.push_back(zone::soa_record(*zone_));
}

TransferStream::~TransferStream() = default;

std::unique_ptr<TransferStream> TransferStream::full(std::shared_ptr<const zone::Zone> zone,
                                                     const TransferRequest& request,
                                                     OutboundOptions options) {
    const bool udp_ixfr = !options.tcp && request.type == dns::RRType::IXFR;
    std::unique_ptr<TransferStream> s(
        new TransferStream(std::move(zone), request, std::move(options),
                           udp_ixfr ? TransferForm::UpToDate : TransferForm::Axfr));
    s->segments_.push_back({nullptr, &s->soas_[0]});
    if (!udp_ixfr) {
        s->segments_.push_back({nullptr, nullptr});
        s->segments_.push_back({nullptr, &s->soas_[0]});
    }
    s->normalise();
    return s;
}

std::unique_ptr<TransferStream> TransferStream::incremental(std::shared_ptr<const zone::Zone> zone,
                                                            const TransferRequest& request,
                                                            std::optional<std::vector<zone::ZoneDiff>> chain,
                                                            OutboundOptions options) {
    const std::uint32_t serial = zone->serial();
    const bool current = request.client_serial && !dns::serial_less(*request.client_serial, serial);
    if (current || !options.tcp) {
        std::unique_ptr<TransferStream> s(
            new TransferStream(std::move(zone), request, std::move(options), TransferForm::UpToDate));
        s->segments_.push_back({nullptr, &s->soas_[0]});
        s->normalise();
        return s;
    }
    const auto usable = [&] {
        if (!chain || chain->empty() || !request.client_serial) return false;
        if (chain->front().from_serial() != *request.client_serial || chain->back().to_serial() != serial)
            return false;
        std::size_t rrs = 0;
        for (const zone::ZoneDiff& d : *chain)
            rrs += d.rr_count();
        return rrs < zone->rr_count();
    };
    if (!usable()) return full(std::move(zone), request, std::move(options));

    const bool condense = options.condense && chain->size() > 1;
    std::unique_ptr<TransferStream> s(
        new TransferStream(std::move(zone), request, std::move(options), TransferForm::Incremental));
    if (condense) {
        s->diffs_.push_back(zone::condense(*chain));
    } else {
        s->diffs_ = std::move(*chain);
    }
    s->segments_.push_back({nullptr, &s->soas_[0]});
    for (const zone::ZoneDiff& d : s->diffs_) {
        s->segments_.push_back({nullptr, &d.old_soa});
        s->segments_.push_back({&d.removed, nullptr});
        s->segments_.push_back({nullptr, &d.new_soa});
        s->segments_.push_back({&d.added, nullptr});
    }
    s->segments_.push_back({nullptr, &s->soas_[0]});
    s->normalise();
    return s;
}

bool TransferStream::current(Item& item) const {
    if (segment_ >= segments_.size()) return false;
    const Segment& seg = segments_[segment_];
    if (seg.single != nullptr || seg.records != nullptr) {
        const zone::Record& r = seg.single != nullptr ? *seg.single : (*seg.records)[index_];
        item = {r.owner.wire(), r.type, r.rclass, r.ttl, r.rdata};
        return true;
    }
    const zone::Zone& z = *zone_;
    const zone::Node& n = z.node(node_);
    const zone::RRset& set = z.rrsets(n)[rrset_];
    const auto w = z.wire(set).subspan(offset_);
    item.owner = z.spelling(n);
    item.type = static_cast<dns::RRType>(set.type);
    item.rclass = static_cast<dns::RRClass>(zone::read16(w, 4));
    item.ttl = zone::read32(w, 6);
    item.rdata = w.subspan(zone::kRRHeaderSize, zone::read16(w, 10));
    return true;
}

// Moves the cursor forward to an RR that exists: across exhausted segments, RRsets and nodes, and past
// the apex SOA in the zone walk (it is sent first and last instead).
void TransferStream::normalise() {
    while (segment_ < segments_.size()) {
        const Segment& seg = segments_[segment_];
        if (seg.single != nullptr) {
            if (index_ == 0) return;
        } else if (seg.records != nullptr) {
            if (index_ < seg.records->size()) return;
        } else {
            const zone::Zone& z = *zone_;
            while (node_ < z.node_count()) {
                const auto sets = z.rrsets(z.node(node_));
                if (rrset_ >= sets.size()) {
                    ++node_;
                    rrset_ = 0;
                    offset_ = 0;
                    continue;
                }
                const zone::RRset& set = sets[rrset_];
                if ((node_ == zone::Zone::apex() &&
                     set.type == static_cast<std::uint16_t>(dns::RRType::SOA)) ||
                    offset_ >= set.wire_size) {
                    ++rrset_;
                    offset_ = 0;
                    continue;
                }
                return;
            }
        }
        ++segment_;
        index_ = 0;
        node_ = rrset_ = 0;
        offset_ = 0;
    }
}

void TransferStream::advance() {
    const Segment& seg = segments_[segment_];
    if (seg.single != nullptr || seg.records != nullptr) {
        ++index_;
    } else {
        const zone::Zone& z = *zone_;
        const zone::RRset& set = z.rrsets(z.node(node_))[rrset_];
        offset_ += zone::kRRHeaderSize + zone::read16(z.wire(set), offset_ + 10);
    }
    normalise();
}

std::size_t TransferStream::next(std::span<std::uint8_t> out) {
    Item item;
    if (!current(item) && messages_ > 0) return 0;
    const std::size_t largest = std::min<std::size_t>(out.size(), dns::kMaxMessageSize);
    dns::MessageBuilder b(out);
    b.reset();
    dns::Header& h = b.header();
    h.id = request_.id;
    h.qr = true;
    h.opcode = dns::Opcode::QUERY;
    h.aa = true;
    b.set_limit(std::min(options_.message_size, largest));
    if (signer_) b.reserve_tail(tsig_reserve(*options_.tsig_key));
    if (request_.edns) {
        b.set_edns(options_.edns_payload, request_.dnssec_ok);
        if (messages_ == 0 && request_.expire_requested && options_.expire) b.add_expire(*options_.expire);
    }
    if (messages_ == 0 && !b.add_question(request_.zone, request_.type, request_.qclass))
        throw std::length_error("transfer message buffer too small for the question");
    b.start_section(dns::Section::Answer);
    while (current(item)) {
        if (!b.add_rr(item.owner, item.type, item.rclass, item.ttl, item.rdata)) {
            if (b.count(dns::Section::Answer) > 0) break;
            if (b.limit() < largest) {  // one record larger than a normal message: give it its own
                b.set_limit(largest);
                continue;
            }
            throw std::length_error("transfer message buffer too small for one record");
        }
        advance();
    }
    const auto message = b.finish();
    ++messages_;
    if (!signer_) return message.size();
    std::vector<std::uint8_t> signed_message(message.begin(), message.end());
    signer_->sign(signed_message, options_.clock());
    if (signed_message.size() > out.size())
        throw std::length_error("transfer message buffer too small for TSIG");
    std::memcpy(out.data(), signed_message.data(), signed_message.size());
    return signed_message.size();
}

std::unique_ptr<TransferStream> open_transfer(std::shared_ptr<const zone::Zone> zone,
                                              const TransferRequest& request, const store::Journal* journal,
                                              OutboundOptions options) {
    if (request.type != dns::RRType::IXFR)
        return TransferStream::full(std::move(zone), request, std::move(options));
    std::optional<std::vector<zone::ZoneDiff>> chain;
    const bool current = request.client_serial && !dns::serial_less(*request.client_serial, zone->serial());
    if (journal != nullptr && request.client_serial && !current && options.tcp) {
        // Decide from the entry headers before decoding anything: a chain as large as the zone is not sent.
        const auto rrs = journal->chain_rr_count(*request.client_serial);
        if (rrs && *rrs > 0 && *rrs < zone->rr_count()) chain = journal->chain_from(*request.client_serial);
    }
    return TransferStream::incremental(std::move(zone), request, std::move(chain), std::move(options));
}

std::vector<std::vector<std::uint8_t>> collect(TransferStream& stream) {
    std::vector<std::vector<std::uint8_t>> out;
    std::vector<std::uint8_t> buffer(dns::kMaxMessageSize);
    while (const std::size_t n = stream.next(buffer))
        out.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                          std::uint16_t edns_payload) {
    dns::ParsedQuery q;
    const dns::QueryStatus status = dns::parse_query(query, q);
    if (status == dns::QueryStatus::Drop) return 0;
    dns::MessageBuilder b(out);
    b.reset();
    if (!b.start_response(q, edns_payload, true)) return 0;
    if (status == dns::QueryStatus::FormErr) {
        b.set_rcode(dns::Rcode::FORMERR);
        return b.finish().size();
    }
    b.set_rcode(dns::Rcode::REFUSED);
    if (q.edns.present) b.add_ede(dns::EdeCode::Prohibited);
    return b.finish().size();
}

}  // namespace cairn::xfr
