#include "dnssec/signature.hpp"

#include <algorithm>
#include <cstring>

#include "dns/rdata.hpp"
#include "dns/wire.hpp"
#include "dnssec/algorithm.hpp"

namespace cairn::dnssec {
namespace {

// Label offsets of an uncompressed wire name (the root not counted); empty when malformed.
std::size_t label_offsets(Bytes name, std::uint8_t (&offsets)[128]) {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (pos < name.size() && name[pos] != 0) {
        if (count == 128) return 0;
        offsets[count++] = static_cast<std::uint8_t>(pos);
        pos += 1 + name[pos];
    }
    return count;
}

void append_lowered(std::vector<std::uint8_t>& out, Bytes name) {
    std::size_t pos = 0;
    while (pos < name.size()) {
        const std::size_t len = name[pos];
        out.push_back(static_cast<std::uint8_t>(len));
        for (std::size_t i = 1; i <= len && pos + i < name.size(); ++i)
            out.push_back(dns::lower_ascii(name[pos + i]));
        pos += 1 + len;
        if (len == 0) break;
    }
}

}  // namespace

std::uint8_t rrsig_labels(Bytes owner) {
    std::uint8_t offsets[128];
    std::size_t labels = label_offsets(owner, offsets);
    if (labels > 0 && owner[0] == 1 && owner[1] == '*') --labels;
    return static_cast<std::uint8_t>(labels);
}

std::vector<std::vector<std::uint8_t>> canonical_rdatas(dns::RRType type, std::span<const Bytes> rdatas) {
    std::vector<std::vector<std::uint8_t>> out;
    out.reserve(rdatas.size());
    for (const Bytes r : rdatas)
        out.push_back(dns::rdata_canonical(type, r));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool append_signed_data(std::vector<std::uint8_t>& out, Bytes rrsig_fields, const RRsetRef& rrset,
                        std::uint8_t labels, std::uint32_t original_ttl) {
    std::uint8_t offsets[128];
    const std::size_t owner_labels = label_offsets(rrset.owner, offsets);
    if (labels > owner_labels || rrsig_fields.size() < 19) return false;
    // The RRSIG fields with the signer name lowercased (RFC 4034 §6.2 lists RRSIG; RFC 6840 §5.1).
    out.insert(out.end(), rrsig_fields.begin(), rrsig_fields.begin() + 18);
    append_lowered(out, rrsig_fields.subspan(18));
    // The owner: "*." and the rightmost `labels` labels when the RRset came from a wildcard.
    std::vector<std::uint8_t> owner;
    if (labels < owner_labels) {
        owner.push_back(1);
        owner.push_back('*');
        append_lowered(owner, rrset.owner.subspan(offsets[owner_labels - labels]));
    } else {
        append_lowered(owner, rrset.owner);
    }
    const auto type = dns::code(rrset.type);
    const auto rclass = dns::code(rrset.rclass);
    dns::WireWriter w(out);
    for (const auto& rdata : canonical_rdatas(rrset.type, rrset.rdatas)) {
        w.bytes(owner);
        w.u16(type);
        w.u16(rclass);
        w.u32(original_ttl);
        w.u16(static_cast<std::uint16_t>(rdata.size()));
        w.bytes(rdata);
    }
    return true;
}

std::vector<std::uint8_t> sign_rrset(const RRsetRef& rrset, const SignatureFields& f, const PrivateKey& key) {
    std::vector<std::uint8_t> rdata;
    dns::WireWriter w(rdata);
    w.u16(dns::code(f.type_covered));
    w.u8(f.algorithm);
    w.u8(f.labels);
    w.u32(f.original_ttl);
    w.u32(f.expiration);
    w.u32(f.inception);
    w.u16(f.key_tag);
    const auto signer = f.signer.lowercased();
    w.name(signer);
    std::vector<std::uint8_t> data;
    if (!append_signed_data(data, rdata, rrset, f.labels, f.original_ttl))
        throw KeyError("RRSIG label count exceeds the owner's");
    const auto signature = key.sign(data);
    w.bytes(signature);
    return rdata;
}

const char* to_text(SignatureFailure f) {
    switch (f) {
        case SignatureFailure::none:
            return "valid";
        case SignatureFailure::malformed:
            return "malformed RRSIG";
        case SignatureFailure::wrong_type:
            return "RRSIG covers another type";
        case SignatureFailure::wrong_labels:
            return "RRSIG label count exceeds the owner's";
        case SignatureFailure::wrong_key:
            return "RRSIG names another key";
        case SignatureFailure::unsupported:
            return "unsupported algorithm";
        case SignatureFailure::bad_signature:
            return "signature does not verify";
    }
    return "?";
}

SignatureFailure verify_rrsig(const RRsetRef& rrset, Bytes rrsig_rdata, Bytes dnskey_rdata,
                              const PublicKey& key) {
    const auto sig = RrsigView::parse(rrsig_rdata);
    if (!sig) return SignatureFailure::malformed;
    if (sig->type_covered != dns::code(rrset.type)) return SignatureFailure::wrong_type;
    const auto dnskey = DnskeyView::parse(dnskey_rdata);
    if (!dnskey || !dnskey->zone_key() || dnskey->protocol != 3 || dnskey->algorithm != sig->algorithm ||
        key_tag(dnskey_rdata) != sig->key_tag || key.algorithm() != sig->algorithm) {
        return SignatureFailure::wrong_key;
    }
    // Signed data: about the RRset's size plus the fields; kept on the heap (RRsets can be large).
    std::vector<std::uint8_t> data;
    try {
        if (!append_signed_data(data, sig->fields, rrset, sig->labels, sig->original_ttl))
            return SignatureFailure::wrong_labels;
    } catch (const dns::ParseError&) {
        return SignatureFailure::malformed;  // rdata the codec cannot put in canonical form
    }
    return key.verify(data, sig->signature) ? SignatureFailure::none : SignatureFailure::bad_signature;
}

SignatureFailure verify_rrsig(const RRsetRef& rrset, Bytes rrsig_rdata, Bytes dnskey_rdata) {
    const auto key = PublicKey::from_dnskey_rdata(dnskey_rdata);
    if (!key) {
        return dnskey_rdata.size() >= 4 && !can_verify(dnskey_rdata[3]) ? SignatureFailure::unsupported
                                                                        : SignatureFailure::wrong_key;
    }
    return verify_rrsig(rrset, rrsig_rdata, dnskey_rdata, *key);
}

bool signature_time_valid(const RrsigView& rrsig, std::uint32_t now) {
    const auto since_inception = static_cast<std::int32_t>(now - rrsig.inception);
    const auto until_expiration = static_cast<std::int32_t>(rrsig.expiration - now);
    return since_inception >= 0 && until_expiration >= 0;
}

}  // namespace cairn::dnssec
