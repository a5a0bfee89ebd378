#include "xfr/notify.hpp"

#include <algorithm>
#include <ctime>
#include <limits>
#include <random>
#include <unordered_set>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "dns/rdata.hpp"
#include "dns/tsig.hpp"
#include "zone/diff.hpp"

namespace cairn::xfr {

std::vector<std::uint8_t> build_notify(const dns::Name& zone, const zone::Record* soa, std::uint16_t id) {
    std::vector<std::uint8_t> buffer(1024);
    dns::MessageBuilder b(buffer);
    b.reset();
    b.header().id = id;
    b.header().opcode = dns::Opcode::NOTIFY;
    b.header().aa = true;
    b.add_question(zone, dns::RRType::SOA, dns::RRClass::IN);
    if (soa != nullptr) {
        b.start_section(dns::Section::Answer);
        b.add_rr(soa->owner, dns::RRType::SOA, soa->rclass, soa->ttl, soa->rdata);
    }
    const auto w = b.finish();
    return {w.begin(), w.end()};
}

NotifyRequest read_notify(std::span<const std::uint8_t> message) {
    const dns::Message m = dns::parse_message(message);
    if (m.header.qr) throw dns::ParseError("a NOTIFY request must not be a response");
    if (m.header.opcode != dns::Opcode::NOTIFY) throw dns::ParseError("not a NOTIFY");
    if (m.questions.size() != 1 || m.questions[0].type != dns::RRType::SOA)
        throw dns::ParseError("a NOTIFY must ask one SOA question");
    NotifyRequest r;
    r.id = m.header.id;
    r.zone = m.questions[0].name;
    for (const dns::ResourceRecord& rr : m.answer) {
        if (rr.type == dns::RRType::SOA && rr.owner == r.zone && rr.rdata.size() >= 20)
            r.serial = zone::soa_serial(rr.rdata);
    }
    r.tsig = m.tsig_offset.has_value();
    return r;
}

std::size_t write_notify_response(std::span<const std::uint8_t> request, std::span<std::uint8_t> out,
                                  dns::Rcode rcode) {
    dns::ParsedQuery q;
    const dns::QueryStatus status = dns::parse_query(request, q);
    if (status == dns::QueryStatus::Drop) return 0;
    dns::MessageBuilder b(out);
    b.reset();
    if (!b.start_response(q, 1232, false)) return 0;
    b.header().opcode = dns::Opcode::NOTIFY;
    b.header().rd = false;
    if (status == dns::QueryStatus::FormErr) {
        b.set_rcode(dns::Rcode::FORMERR);
    } else {
        b.header().aa = rcode == dns::Rcode::NOERROR;
        b.set_rcode(rcode);
    }
    return b.finish().size();
}

NotifyTargets notify_targets(const zone::Zone& zone, NotifyMode mode,
                             const std::vector<std::string>& also_notify,
                             const std::vector<std::string>& own_addresses) {
    NotifyTargets out;
    std::unordered_set<std::string> seen;
    const std::unordered_set<std::string> own(own_addresses.begin(), own_addresses.end());
    auto add = [&](const std::string& address) {
        if (seen.insert(address).second) out.addresses.push_back(address);
    };
    if (mode == NotifyMode::Yes) {
        const zone::Record soa = zone::soa_record(zone);
        std::size_t at = 0;
        const dns::Name mname = dns::Name::from_wire(soa.rdata, at);
        std::vector<dns::Name> targets;
        zone.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass,
                             std::uint32_t, std::span<const std::uint8_t> rdata) {
            if (type != dns::RRType::NS) return;
            if (!(dns::Name::from_validated_wire(owner) == zone.origin())) return;
            std::size_t pos = 0;
            dns::Name target = dns::Name::from_wire(rdata, pos);
            if (!(target == mname)) targets.push_back(std::move(target));
        });
        std::vector<bool> resolved(targets.size(), false);
        std::vector<std::vector<std::string>> addresses(targets.size());
        zone.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass,
                             std::uint32_t, std::span<const std::uint8_t> rdata) {
            if (type != dns::RRType::A && type != dns::RRType::AAAA) return;
            const dns::Name name = dns::Name::from_validated_wire(owner);
            for (std::size_t i = 0; i < targets.size(); ++i) {
                if (targets[i] == name) {
                    addresses[i].push_back(dns::rdata_to_text(type, rdata));
                    resolved[i] = true;
                }
            }
        });
        for (std::size_t i = 0; i < targets.size(); ++i) {
            if (!resolved[i]) out.unresolved.push_back(targets[i]);
            for (const std::string& a : addresses[i]) {
                if (own.count(a) == 0) {
                    add(a);
                } else if (std::find(out.ourselves.begin(), out.ourselves.end(), a) == out.ourselves.end()) {
                    out.ourselves.push_back(a);
                }
            }
        }
    }
    if (mode != NotifyMode::No) {
        for (const std::string& a : also_notify)
            add(a);
    }
    return out;
}

NotifyRound::NotifyRound(std::vector<std::string> targets, std::int64_t now, std::uint32_t first_retry,
                         unsigned max_attempts)
    : first_retry_(std::max<std::uint32_t>(first_retry, 1)), max_attempts_(std::max(max_attempts, 1u)) {
    for (std::string& t : targets)
        targets_.push_back({std::move(t), now, 0, false, false});
}

std::vector<std::string> NotifyRound::due(std::int64_t now) {
    std::vector<std::string> out;
    for (Target& t : targets_) {
        if (t.answered || t.gave_up || now < t.next) continue;
        if (t.attempts >= max_attempts_) {  // the last send had its interval to be answered
            t.gave_up = true;
            continue;
        }
        ++t.attempts;
        t.next = now + (std::int64_t{first_retry_} << std::min(t.attempts - 1, 20u));
        out.push_back(t.address);
    }
    return out;
}

void NotifyRound::answered(const std::string& target) {
    for (Target& t : targets_) {
        if (t.address == target && !t.gave_up) t.answered = true;
    }
}

std::uint32_t NotifyRound::pending() const {
    return static_cast<std::uint32_t>(std::count_if(
        targets_.begin(), targets_.end(), [](const Target& t) { return !t.answered && !t.gave_up; }));
}

bool NotifyRound::finished() const {
    return std::all_of(targets_.begin(), targets_.end(),
                       [](const Target& t) { return t.answered || t.gave_up; });
}

std::int64_t NotifyRound::next_event() const {
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (const Target& t : targets_) {
        if (!t.answered && !t.gave_up) next = std::min(next, t.next);
    }
    return next;
}

std::vector<std::string> NotifyRound::given_up() const {
    std::vector<std::string> out;
    for (const Target& t : targets_) {
        if (t.gave_up) out.push_back(t.address);
    }
    return out;
}

SignedQuery make_notify(const Primary& target, const dns::Name& zone, const zone::Record* soa) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    SignedQuery query;
    query.id = static_cast<std::uint16_t>(rng());
    query.wire = build_notify(zone, soa, query.id);
    if (target.key != nullptr) {
        dns::TsigSignOptions so;
        so.time_signed = static_cast<std::uint64_t>(std::time(nullptr));
        query.mac = dns::tsig_sign(query.wire, *target.key, so);
    }
    return query;
}

dns::Rcode read_notify_answer(const Primary& target, const SignedQuery& query,
                              std::span<const std::uint8_t> answer) {
    if (target.key != nullptr) {
        const auto v = dns::tsig_verify_response(answer, *target.key, query.mac,
                                                 static_cast<std::uint64_t>(std::time(nullptr)));
        if (v.status != dns::TsigStatus::Ok)
            throw TransferError(FailureKind::Tsig, target.to_text() + ": NOTIFY answer TSIG " +
                                                       std::string(dns::tsig_status_to_text(v.status)));
    }
    try {
        const dns::Message m = dns::parse_message(answer);
        if (m.header.opcode != dns::Opcode::NOTIFY)
            throw TransferError(FailureKind::Malformed,
                                target.to_text() + ": NOTIFY answered with another opcode");
        return m.rcode();
    } catch (const dns::ParseError& e) {
        throw TransferError(FailureKind::Malformed,
                            target.to_text() + ": NOTIFY answer does not parse: " + e.what());
    }
}

dns::Rcode send_notify(const Primary& target, const dns::Name& zone, const zone::Record* soa,
                       std::chrono::milliseconds timeout) {
    const SignedQuery query = make_notify(target, zone, soa);
    const auto answer = udp_exchange(target, query.wire, timeout);
    if (!answer) throw TransferError(FailureKind::Network, target.to_text() + ": no answer to NOTIFY");
    return read_notify_answer(target, query, *answer);
}

}  // namespace cairn::xfr
