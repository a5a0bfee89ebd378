// TSIG on the wire: locating the record, the digest of RFC 8945 §4.3, signing and verifying.
#include "dns/tsig.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>

#include "dns/types.hpp"
#include "dns/wire.hpp"

namespace cairn::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::uint16_t kClassAny = static_cast<std::uint16_t>(RRClass::ANY);

std::uint16_t read_u16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

// Steps over a possibly compressed name without building it; where a pointer leads is not our concern.
void skip_name(WireReader& reader) {
    while (true) {
        const std::uint8_t len = reader.u8();
        if ((len & 0xC0) == 0xC0) {
            reader.skip(1);
            return;
        }
        if ((len & 0xC0) != 0) throw ParseError("unsupported label type in domain name");
        if (len == 0) return;
        reader.skip(len);
    }
}

TsigRecord read_tsig_record(std::span<const std::uint8_t> message, std::size_t offset) {
    WireReader reader(message, offset);
    TsigRecord record;
    record.key_name = reader.name();
    reader.skip(2);  // type, already known to be TSIG
    if (reader.u16() != kClassAny) throw ParseError("TSIG record class is not ANY");
    reader.skip(4);  // TTL
    const std::size_t rdlength = reader.u16();
    const std::size_t rdata_end = reader.offset() + rdlength;
    record.algorithm_name = reader.name();
    const std::uint64_t high = reader.u16();
    record.time_signed = (high << 32) | reader.u32();
    record.fudge = reader.u16();
    const auto mac = reader.bytes(reader.u16());
    record.mac.assign(mac.begin(), mac.end());
    record.original_id = reader.u16();
    record.error = reader.u16();
    const auto other = reader.bytes(reader.u16());
    record.other_data.assign(other.begin(), other.end());
    if (reader.offset() != rdata_end) throw ParseError("TSIG rdata length does not match its fields");
    return record;
}

// The message part of the digest: `message` up to `end`, with the original ID in place of the header's
// and ARCOUNT lowered by `removed_records` (the TSIG record itself when verifying).
void digest_message(TsigHmac& hmac, std::span<const std::uint8_t> message, std::size_t end,
                    std::uint16_t original_id, std::uint16_t removed_records) {
    hmac.update_u16(original_id);
    hmac.update(message.subspan(2, 8));
    hmac.update_u16(static_cast<std::uint16_t>(read_u16(message, 10) - removed_records));
    hmac.update(message.subspan(kHeaderSize, end - kHeaderSize));
}

void digest_timers(TsigHmac& hmac, std::uint64_t time_signed, std::uint16_t fudge) {
    hmac.update_u16(static_cast<std::uint16_t>(time_signed >> 32));
    hmac.update_u16(static_cast<std::uint16_t>(time_signed >> 16));
    hmac.update_u16(static_cast<std::uint16_t>(time_signed));
    hmac.update_u16(fudge);
}

// RFC 8945 §4.3.3: names in canonical (lowercase, uncompressed) form.
void digest_variables(TsigHmac& hmac, const Name& key_name, const Name& algorithm_name,
                      std::uint64_t time_signed, std::uint16_t fudge, std::uint16_t error,
                      std::span<const std::uint8_t> other_data) {
    hmac.update(key_name.lowercased().wire());
    hmac.update_u16(kClassAny);
    hmac.update_u16(0);  // TTL
    hmac.update_u16(0);
    hmac.update(algorithm_name.lowercased().wire());
    digest_timers(hmac, time_signed, fudge);
    hmac.update_u16(error);
    hmac.update_u16(static_cast<std::uint16_t>(other_data.size()));
    hmac.update(other_data);
}

void digest_request_mac(TsigHmac& hmac, std::span<const std::uint8_t> request_mac) {
    if (request_mac.empty()) return;
    hmac.update_u16(static_cast<std::uint16_t>(request_mac.size()));
    hmac.update(request_mac);
}

void check_header(const std::vector<std::uint8_t>& message) {
    if (message.size() < kHeaderSize) throw ParseError("message shorter than a DNS header");
    if (read_u16(message, 10) == 0xFFFF) throw ParseError("no room for a TSIG record in ARCOUNT");
}

void append_tsig_record(std::vector<std::uint8_t>& message, const Name& key_name, const Name& algorithm_name,
                        std::uint64_t time_signed, std::uint16_t fudge, std::span<const std::uint8_t> mac,
                        std::uint16_t original_id, std::uint16_t error,
                        std::span<const std::uint8_t> other_data) {
    WireWriter writer(message);
    writer.name(key_name);
    writer.u16(static_cast<std::uint16_t>(RRType::TSIG));
    writer.u16(kClassAny);
    writer.u32(0);
    const std::size_t rdlength_at = writer.size();
    writer.u16(0);
    writer.name(algorithm_name);
    writer.u16(static_cast<std::uint16_t>(time_signed >> 32));
    writer.u32(static_cast<std::uint32_t>(time_signed));
    writer.u16(fudge);
    writer.u16(static_cast<std::uint16_t>(mac.size()));
    writer.bytes(mac);
    writer.u16(original_id);
    writer.u16(error);
    writer.u16(static_cast<std::uint16_t>(other_data.size()));
    writer.bytes(other_data);
    writer.patch_u16(rdlength_at, static_cast<std::uint16_t>(writer.size() - rdlength_at - 2));
    writer.patch_u16(10, static_cast<std::uint16_t>(read_u16(message, 10) + 1));
}

bool time_within_fudge(const TsigRecord& record, std::uint64_t now) {
    const std::uint64_t skew = now > record.time_signed ? now - record.time_signed : record.time_signed - now;
    return skew <= record.fudge;
}

bool mac_length_allowed(const TsigKey& key, std::size_t length) {
    return length <= tsig_digest_length(key.algorithm) && length >= tsig_min_mac_length(key.algorithm);
}

// The checks after the key is known, in RFC 8945 §5.2 order: MAC (length rules, then value), time,
// truncation policy. `hmac` already holds everything before the message itself.
TsigStatus check_signed(TsigHmac& hmac, const TsigKey& key, std::span<const std::uint8_t> message,
                        std::size_t tsig_offset, const TsigRecord& record, bool timers_only,
                        std::uint64_t now) {
    if (!mac_length_allowed(key, record.mac.size())) return TsigStatus::FormErr;
    digest_message(hmac, message, tsig_offset, record.original_id, 1);
    if (timers_only) {
        digest_timers(hmac, record.time_signed, record.fudge);
    } else {
        digest_variables(hmac, record.key_name, record.algorithm_name, record.time_signed, record.fudge,
                         record.error, record.other_data);
    }
    const std::vector<std::uint8_t> expected = hmac.finish();
    if (CRYPTO_memcmp(expected.data(), record.mac.data(), record.mac.size()) != 0) return TsigStatus::BadSig;
    if (!time_within_fudge(record, now)) return TsigStatus::BadTime;
    if (record.mac.size() < key.sent_mac_length()) return TsigStatus::BadTrunc;
    return TsigStatus::Ok;
}

bool key_matches(const TsigKey& key, const TsigRecord& record) {
    return record.key_name == key.name && tsig_algorithm_from_name(record.algorithm_name) == key.algorithm;
}

// A truncating key never answers with a shorter MAC than the request had (as BIND does), so that a peer
// sending full MACs is not refused for BADTRUNC by its own policy.
std::vector<std::uint8_t> truncate_mac(std::vector<std::uint8_t> mac, const TsigKey& key,
                                       std::size_t request_mac_length = 0) {
    mac.resize(std::min(mac.size(), std::max(key.sent_mac_length(), request_mac_length)));
    return mac;
}

}  // namespace

std::string_view tsig_status_to_text(TsigStatus status) {
    switch (status) {
        case TsigStatus::Ok:
            return "NOERROR";
        case TsigStatus::FormErr:
            return "FORMERR";
        case TsigStatus::BadSig:
            return "BADSIG";
        case TsigStatus::BadKey:
            return "BADKEY";
        case TsigStatus::BadTime:
            return "BADTIME";
        case TsigStatus::BadTrunc:
            return "BADTRUNC";
        case TsigStatus::NotSigned:
            return "UNSIGNED";
    }
    return "?";
}

TsigLocation find_tsig(std::span<const std::uint8_t> message) {
    TsigLocation location;
    try {
        WireReader reader(message);
        reader.skip(4);
        const std::size_t questions = reader.u16();
        const std::size_t records = std::size_t{reader.u16()} + reader.u16();
        const std::size_t additional = reader.u16();
        const std::size_t total = records + additional;
        for (std::size_t i = 0; i < questions; ++i) {
            skip_name(reader);
            reader.skip(4);
        }
        for (std::size_t i = 0; i < total; ++i) {
            const std::size_t start = reader.offset();
            skip_name(reader);
            const auto type = static_cast<RRType>(reader.u16());
            reader.skip(6);
            reader.skip(reader.u16());
            if (type != RRType::TSIG) continue;
            // Only as the last record of the additional section, and only once.
            if (i + 1 != total || additional == 0 || !reader.at_end()) {
                location.status = TsigStatus::FormErr;
                return location;
            }
            location.record = read_tsig_record(message, start);
            location.offset = start;
            location.status = TsigStatus::Ok;
        }
    } catch (const ParseError&) {
        location.status = TsigStatus::FormErr;
    }
    return location;
}

bool tsig_present(std::span<const std::uint8_t> message) noexcept {
    if (message.size() < kHeaderSize || (message[10] == 0 && message[11] == 0)) return false;
    const std::size_t questions = read_u16(message, 4);
    const std::size_t records =
        std::size_t{read_u16(message, 6)} + read_u16(message, 8) + read_u16(message, 10);
    std::size_t at = kHeaderSize;
    // A name ends at its root label or at a compression pointer; bounds are checked by the callers' loop.
    const auto skip_name_at = [&](std::size_t pos) -> std::size_t {
        while (pos < message.size()) {
            const std::uint8_t len = message[pos];
            if ((len & 0xC0) == 0xC0) return pos + 2;
            if ((len & 0xC0) != 0) return message.size() + 1;
            if (len == 0) return pos + 1;
            pos += std::size_t{len} + 1;
        }
        return message.size() + 1;
    };
    for (std::size_t i = 0; i < questions; ++i)
        at = skip_name_at(at) + 4;
    std::uint16_t type = 0;
    for (std::size_t i = 0; i < records; ++i) {
        at = skip_name_at(at);
        if (at + 10 > message.size()) return false;
        type = read_u16(message, at);
        at += 10 + std::size_t{read_u16(message, at + 8)};
    }
    return at <= message.size() && type == static_cast<std::uint16_t>(RRType::TSIG);
}

std::size_t tsig_response_reserve(const TsigVerification& request) {
    constexpr std::size_t kFixed = 10 + 6 + 2 + 2 + 2 + 2 + 2 + 6;  // RR header, rdata fields, Other Data
    return request.record.key_name.wire_size() + request.record.algorithm_name.wire_size() + kFixed +
           std::max(kTsigMaxMacLength, request.record.mac.size());
}

namespace {

// A verification under way: the message's TSIG record found and taken, or the status saying why not.
TsigVerification located_tsig(std::span<const std::uint8_t> message, std::uint64_t now) {
    TsigVerification result;
    result.now = now;
    TsigLocation location = find_tsig(message);
    result.status = location.status;
    if (location.status == TsigStatus::Ok) {
        result.record = std::move(location.record);
        result.tsig_offset = location.offset;
    }
    return result;
}

}  // namespace

TsigVerification tsig_verify_request(std::span<const std::uint8_t> message, const TsigKeyring& keyring,
                                     std::uint64_t now) {
    TsigVerification result = located_tsig(message, now);
    if (result.status != TsigStatus::Ok) return result;
    result.key = keyring.find(result.record.key_name, result.record.algorithm_name);
    if (result.key == nullptr) {
        result.status = TsigStatus::BadKey;
        return result;
    }
    TsigHmac hmac(*result.key);
    result.status = check_signed(hmac, *result.key, message, result.tsig_offset, result.record, false, now);
    return result;
}

TsigVerification tsig_verify_response(std::span<const std::uint8_t> message, const TsigKey& key,
                                      std::span<const std::uint8_t> request_mac, std::uint64_t now) {
    TsigVerification result = located_tsig(message, now);
    if (result.status != TsigStatus::Ok) return result;
    if (!key_matches(key, result.record)) {
        result.status = TsigStatus::BadKey;
        return result;
    }
    result.key = &key;
    if (result.record.mac.empty() && result.record.error != 0) {
        result.status = TsigStatus::BadSig;
        return result;
    }
    TsigHmac hmac(key);
    digest_request_mac(hmac, request_mac);
    result.status = check_signed(hmac, key, message, result.tsig_offset, result.record, false, now);
    return result;
}

std::vector<std::uint8_t> tsig_sign(std::vector<std::uint8_t>& message, const TsigKey& key,
                                    const TsigSignOptions& options) {
    check_header(message);
    const std::uint16_t original_id = options.original_id.value_or(read_u16(message, 0));
    const Name& algorithm_name = tsig_algorithm_name(key.algorithm);
    TsigHmac hmac(key);
    digest_request_mac(hmac, options.request_mac);
    digest_message(hmac, message, message.size(), original_id, 0);
    digest_variables(hmac, key.name, algorithm_name, options.time_signed, options.fudge, options.error,
                     options.other_data);
    std::vector<std::uint8_t> mac = truncate_mac(hmac.finish(), key, options.request_mac.size());
    append_tsig_record(message, key.name, algorithm_name, options.time_signed, options.fudge, mac,
                       original_id, options.error, options.other_data);
    return mac;
}

std::vector<std::uint8_t> tsig_sign_response(std::vector<std::uint8_t>& response,
                                             const TsigVerification& request, std::uint64_t now) {
    check_header(response);
    const TsigRecord& asked = request.record;
    TsigSignOptions options;
    options.time_signed = now;
    options.fudge = asked.fudge;
    options.request_mac = asked.mac;
    std::uint8_t server_time[6];
    switch (request.status) {
        case TsigStatus::Ok:
            return tsig_sign(response, *request.key, options);
        case TsigStatus::BadTime:
            // §5.2.3: the client's time stays in Time Signed so that the answer itself verifies; ours goes
            // in Other Data.
            for (int i = 0; i < 6; ++i)
                server_time[i] = static_cast<std::uint8_t>(now >> (8 * (5 - i)));
            options.time_signed = asked.time_signed;
            options.other_data = server_time;
            [[fallthrough]];
        case TsigStatus::BadTrunc:
            options.error = static_cast<std::uint16_t>(request.status);
            response[3] =
                static_cast<std::uint8_t>((response[3] & 0xF0) | static_cast<std::uint8_t>(Rcode::NOTAUTH));
            return tsig_sign(response, *request.key, options);
        case TsigStatus::BadSig:
        case TsigStatus::BadKey:
            // §5.3.2: never signed, whatever key may be at hand.
            response[3] =
                static_cast<std::uint8_t>((response[3] & 0xF0) | static_cast<std::uint8_t>(Rcode::NOTAUTH));
            append_tsig_record(response, asked.key_name, asked.algorithm_name, now, asked.fudge, {},
                               read_u16(response, 0), static_cast<std::uint16_t>(request.status), {});
            return {};
        case TsigStatus::FormErr:
        case TsigStatus::NotSigned:
            break;
    }
    throw std::invalid_argument("tsig_sign_response: the request had no usable TSIG record");
}

TsigStreamSigner::TsigStreamSigner(const TsigKey& key, std::span<const std::uint8_t> request_mac,
                                   std::uint16_t fudge)
    : key_(key), request_mac_(request_mac.begin(), request_mac.end()), fudge_(fudge), hmac_(key) {}

std::vector<std::uint8_t> TsigStreamSigner::sign(std::vector<std::uint8_t>& message, std::uint64_t now) {
    std::vector<std::uint8_t> mac;
    if (first_) {
        TsigSignOptions options;
        options.time_signed = now;
        options.fudge = fudge_;
        options.request_mac = request_mac_;
        mac = tsig_sign(message, key_, options);
        mac_length_ = mac.size();
        first_ = false;
    } else {
        check_header(message);
        const std::uint16_t id = read_u16(message, 0);
        digest_message(hmac_, message, message.size(), id, 0);
        digest_timers(hmac_, now, fudge_);
        mac = hmac_.finish();
        mac.resize(mac_length_);  // the length the first message settled
        append_tsig_record(message, key_.name, tsig_algorithm_name(key_.algorithm), now, fudge_, mac, id, 0,
                           {});
    }
    digest_request_mac(hmac_, mac);
    return mac;
}

void TsigStreamSigner::skip(std::span<const std::uint8_t> message) {
    if (first_) throw std::logic_error("the first message of a TSIG stream must be signed");
    hmac_.update(message);
}

TsigStreamVerifier::TsigStreamVerifier(const TsigKey& key, std::span<const std::uint8_t> request_mac)
    : key_(key), request_mac_(request_mac.begin(), request_mac.end()), hmac_(key) {}

TsigVerification TsigStreamVerifier::verify(std::span<const std::uint8_t> message, std::uint64_t now) {
    TsigVerification result;
    result.now = now;
    if (failed_) {
        result.status = TsigStatus::BadSig;
        return result;
    }
    if (first_) {
        result = tsig_verify_response(message, key_, request_mac_, now);
        if (result.status == TsigStatus::NotSigned) result.status = TsigStatus::FormErr;
    } else {
        TsigLocation location = find_tsig(message);
        result.status = location.status;
        if (location.status == TsigStatus::NotSigned) {
            if (++unsigned_run_ > kTsigMaxUnsignedRun) {
                failed_ = true;
                result.status = TsigStatus::BadSig;
                return result;
            }
            hmac_.update(message);
            return result;
        }
        if (location.status != TsigStatus::Ok) {
            failed_ = true;
            return result;
        }
        result.record = std::move(location.record);
        result.tsig_offset = location.offset;
        if (!key_matches(key_, result.record)) {
            result.status = TsigStatus::BadKey;
        } else {
            result.key = &key_;
            result.status = check_signed(hmac_, key_, message, result.tsig_offset, result.record, true, now);
        }
    }
    if (result.status != TsigStatus::Ok) {
        failed_ = true;
        return result;
    }
    first_ = false;
    unsigned_run_ = 0;
    digest_request_mac(hmac_, result.record.mac);
    return result;
}

}  // namespace cairn::dns
