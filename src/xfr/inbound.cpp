#include "xfr/inbound.hpp"

#include <algorithm>
#include <ctime>

#include "dns/message.hpp"
#include "dns/serial.hpp"

namespace cairn::xfr {

std::string_view failure_kind_name(FailureKind kind) {
    switch (kind) {
        case FailureKind::Network:
            return "network";
        case FailureKind::Refused:
            return "refused";
        case FailureKind::Malformed:
            return "malformed";
        case FailureKind::Tsig:
            return "tsig";
        case FailureKind::Serial:
            return "serial";
        case FailureKind::Zone:
            return "zone";
    }
    return "unknown";
}

namespace {

std::uint64_t system_seconds() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

std::string serial_text(std::uint32_t s) {
    return std::to_string(s);
}

}  // namespace

InboundParser::InboundParser(InboundOptions options) : options_(std::move(options)) {
    if (!options_.clock) options_.clock = system_seconds;
    if (options_.tsig_key != nullptr)
        verifier_ = std::make_unique<dns::TsigStreamVerifier>(*options_.tsig_key, options_.request_mac);
}

InboundParser::~InboundParser() = default;

void InboundParser::fail(FailureKind kind, const std::string& what) {
    failed_ = true;
    throw TransferError(kind, what);
}

bool InboundParser::feed(std::span<const std::uint8_t> wire) {
    if (failed_) throw TransferError(FailureKind::Malformed, "transfer already failed");
    const std::size_t number = result_.messages + 1;
    const std::string where = "message " + std::to_string(number) + ": ";
    if (state_ == State::Done) fail(FailureKind::Malformed, where + "data after the transfer completed");
    dns::Message m;
    try {
        m = dns::parse_message(wire);
    } catch (const dns::ParseError& e) {
        fail(FailureKind::Malformed, where + "does not parse: " + e.what());
    }
    if (verifier_) {
        const dns::TsigVerification v = verifier_->verify(wire, options_.clock());
        if (v.status != dns::TsigStatus::Ok && v.status != dns::TsigStatus::NotSigned)
            fail(FailureKind::Tsig, where + "TSIG " + std::string(dns::tsig_status_to_text(v.status)));
        if (v.status == dns::TsigStatus::NotSigned && number == 1)
            fail(FailureKind::Tsig, where + "the first message of a signed transfer is not signed");
        if (v.status == dns::TsigStatus::Ok && v.record.error != 0)
            fail(FailureKind::Tsig,
                 where + "the primary reports TSIG error " + std::to_string(v.record.error));
    }
    if (m.header.id != options_.query_id) fail(FailureKind::Malformed, where + "wrong message ID");
    if (!m.header.qr) fail(FailureKind::Malformed, where + "not a response");
    if (m.header.opcode != dns::Opcode::QUERY) fail(FailureKind::Malformed, where + "unexpected opcode");
    if (m.rcode() != dns::Rcode::NOERROR)
        fail(FailureKind::Refused, where + "the primary answered " + dns::rcode_to_text(m.rcode()));
    if (m.header.tc) fail(FailureKind::Malformed, where + "truncated (TC) in a transfer");
    if (m.questions.size() > 1) fail(FailureKind::Malformed, where + "more than one question");
    if (m.questions.size() == 1) {
        const dns::Question& q = m.questions[0];
        if (!(q.name == options_.zone) || q.type != options_.type)
            fail(FailureKind::Malformed, where + "the question is not the one asked");
    } else if (number == 1 && m.answer.empty()) {
        fail(FailureKind::Malformed, where + "empty first message");
    }
    if (m.edns) {
        if (const dns::EdnsOption* o = m.edns->find(dns::EdnsOptionCode::EXPIRE)) {
            if (const auto v = dns::parse_expire(o->data); v && !result_.expire) result_.expire = v;
        }
    }
    result_.messages = number;
    result_.bytes += wire.size();
    for (dns::ResourceRecord& rr : m.answer)
        take_rr(zone::Record{std::move(rr.owner), rr.type, rr.rclass, rr.ttl, std::move(rr.rdata)});
    // A first IXFR message holding the primary's SOA alone: nothing newer (RFC 1995 §4).
    if (state_ == State::AfterFirst && number == 1 && options_.type == dns::RRType::IXFR) {
        result_.kind = InboundKind::UpToDate;
        state_ = State::Done;
    }
    if (state_ == State::Done && verifier_ && !verifier_->complete())
        fail(FailureKind::Tsig, where + "the last message of a signed transfer is not signed");
    return state_ == State::Done;
}

void InboundParser::take_rr(zone::Record rr) {
    const std::string where = "message " + std::to_string(result_.messages) + ": ";
    ++result_.rrs;
    const bool is_soa = rr.type == dns::RRType::SOA;
    if (state_ == State::Done) fail(FailureKind::Malformed, where + "records after the final SOA");
    if (!rr.owner.is_subdomain_of(options_.zone))
        fail(FailureKind::Malformed, where + "record outside the zone: " + rr.owner.to_text());
    if (state_ != State::Start && rr.rclass != result_.soa.rclass)
        fail(FailureKind::Malformed, where + "record of another class: " + rr.owner.to_text());
    if (is_soa && (!(rr.owner == options_.zone) || rr.rdata.size() < 20))
        fail(FailureKind::Malformed, where + "SOA for another name: " + rr.owner.to_text());
    const std::uint32_t serial = is_soa ? zone::soa_serial(rr.rdata) : 0;
    const std::uint32_t final_serial = result_.serial();
    switch (state_) {
        case State::Start:
            if (!is_soa) fail(FailureKind::Malformed, where + "the transfer does not start with the SOA");
            result_.soa = std::move(rr);
            state_ = State::AfterFirst;
            return;
        case State::AfterFirst:
            if (options_.type == dns::RRType::IXFR && is_soa && options_.our_serial &&
                serial == *options_.our_serial && serial != final_serial) {
                result_.kind = InboundKind::Incremental;
                result_.diffs.emplace_back();
                result_.diffs.back().old_soa = std::move(rr);
                state_ = State::Deleting;
                return;
            }
            result_.kind = InboundKind::Full;
            result_.records.rclass = result_.soa.rclass;
            store_full(result_.soa);
            state_ = State::Axfr;
            [[fallthrough]];
        case State::Axfr:
            if (!is_soa) {
                store_full(rr);
                return;
            }
            if (serial != final_serial)
                fail(FailureKind::Malformed, where + "the final SOA has serial " + serial_text(serial) +
                                                 ", the first had " + serial_text(final_serial));
            state_ = State::Done;
            return;
        case State::Deleting:
            if (!is_soa) {
                result_.diffs.back().removed.push_back(std::move(rr));
                return;
            }
            result_.diffs.back().new_soa = std::move(rr);
            state_ = State::Adding;
            return;
        case State::Adding: {
            if (!is_soa) {
                result_.diffs.back().added.push_back(std::move(rr));
                return;
            }
            const zone::ZoneDiff& last = result_.diffs.back();
            if (serial == final_serial && last.to_serial() == final_serial) {
                state_ = State::Done;
                return;
            }
            if (serial != last.to_serial())
                fail(FailureKind::Malformed, where + "a difference starts at serial " + serial_text(serial) +
                                                 " after one that ended at " + serial_text(last.to_serial()));
            if (!dns::serial_greater(last.to_serial(), last.from_serial()))
                fail(FailureKind::Malformed, where + "a difference does not increase the serial");
            result_.diffs.emplace_back();
            result_.diffs.back().old_soa = std::move(rr);
            state_ = State::Deleting;
            return;
        }
        case State::Done:
            return;
    }
}

void InboundParser::store_full(const zone::Record& rr) {
    zone::ParsedZone& z = result_.records;
    if (options_.max_records != 0 && z.rrs.size() >= options_.max_records)
        fail(FailureKind::Zone, "message " + std::to_string(result_.messages) + ": more than " +
                                    std::to_string(options_.max_records) +
                                    " records (max-records): transfer stopped");
    const auto owner = rr.owner.wire();
    zone::StoredRecord s;
    s.type = rr.type;
    s.ttl = rr.ttl;
    s.owner_length = static_cast<std::uint8_t>(owner.size());
    // Consecutive records of a transfer mostly share their owner: store it once.
    const bool same_owner = !z.rrs.empty() && z.rrs.back().owner_length == owner.size() &&
                            std::equal(owner.begin(), owner.end(), z.names.begin() + z.rrs.back().owner);
    if (same_owner) {
        s.owner = z.rrs.back().owner;
    } else {
        if (z.names.size() + owner.size() > 0xFFFFFFFFu) fail(FailureKind::Zone, "transfer too large");
        s.owner = static_cast<std::uint32_t>(z.names.size());
        z.names.insert(z.names.end(), owner.begin(), owner.end());
    }
    if (z.rdata_bytes.size() + rr.rdata.size() > 0xFFFFFFFFu) fail(FailureKind::Zone, "transfer too large");
    s.rdata = static_cast<std::uint32_t>(z.rdata_bytes.size());
    s.rdlength = static_cast<std::uint16_t>(rr.rdata.size());
    z.rdata_bytes.insert(z.rdata_bytes.end(), rr.rdata.begin(), rr.rdata.end());
    z.rrs.push_back(s);
}

InboundResult InboundParser::finish() {
    if (failed_) throw TransferError(FailureKind::Malformed, "transfer already failed");
    if (state_ != State::Done) {
        failed_ = true;
        throw TransferError(FailureKind::Network, "the stream ended before the transfer completed (after " +
                                                      std::to_string(result_.messages) + " messages, " +
                                                      std::to_string(result_.rrs) + " records)");
    }
    return std::move(result_);
}

std::shared_ptr<const zone::Zone> build_zone(const InboundResult& result, const zone::Zone* current,
                                             bool allow_not_newer) {
    if (result.kind == InboundKind::UpToDate) return nullptr;
    const std::uint32_t serial = result.serial();
    if (current != nullptr && !allow_not_newer && !dns::serial_greater(serial, current->serial()))
        throw TransferError(FailureKind::Serial, "the primary's serial " + std::to_string(serial) +
                                                     " is not newer than ours (" +
                                                     std::to_string(current->serial()) + ")");
    try {
        if (result.kind == InboundKind::Full) return zone::Zone::build(result.soa.owner, result.records);

        if (current == nullptr) throw TransferError(FailureKind::Zone, "differences received without a zone");
        return zone::apply_diffs(*current, result.diffs);
    } catch (const zone::DiffError& e) {
        throw TransferError(FailureKind::Zone,
                            std::string("the differences do not fit our copy: ") + e.what());
    } catch (const zone::ZoneError& e) {
        throw TransferError(FailureKind::Zone,
                            std::string("the transferred data is not a valid zone: ") + e.what());
    }
}

}  // namespace cairn::xfr
