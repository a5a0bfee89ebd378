#include "dnssec/ds.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/records.hpp"

namespace cairn::dnssec {

std::optional<std::vector<std::uint8_t>> ds_digest(Bytes owner, Bytes dnskey_rdata,
                                                   std::uint8_t digest_type) {
    static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    const EVP_MD* md = digest_type == 1   ? sha1
                       : digest_type == 2 ? sha256
                       : digest_type == 4 ? sha384
                                          : nullptr;
    if (md == nullptr) return std::nullopt;
    std::vector<std::uint8_t> data;
    data.reserve(owner.size() + dnskey_rdata.size());
    for (const std::uint8_t c : owner)
        data.push_back(dns::lower_ascii(c));
    data.insert(data.end(), dnskey_rdata.begin(), dnskey_rdata.end());
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned size = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr) != 1) return std::nullopt;
    out.resize(size);
    return out;
}

std::vector<std::uint8_t> make_ds_rdata(Bytes owner, Bytes dnskey_rdata, std::uint8_t digest_type) {
    if (!can_make_digest(digest_type))
        throw KeyError("cannot make DS digest type " + std::to_string(digest_type));
    if (dnskey_rdata.size() < 4) throw KeyError("malformed DNSKEY rdata");
    const auto digest = ds_digest(owner, dnskey_rdata, digest_type);
    if (!digest) throw KeyError("OpenSSL could not compute a digest");
    std::vector<std::uint8_t> out;
    out.reserve(4 + digest->size());
    dns::WireWriter w(out);
    w.u16(key_tag(dnskey_rdata));
    w.u8(dnskey_rdata[3]);
    w.u8(digest_type);
    w.bytes(*digest);
    return out;
}

bool ds_matches(Bytes owner, Bytes ds_rdata, Bytes dnskey_rdata) {
    const auto ds = DsView::parse(ds_rdata);
    if (!ds || dnskey_rdata.size() < 4 || ds->algorithm != dnskey_rdata[3] ||
        ds->key_tag != key_tag(dnskey_rdata))
        return false;
    if (!can_check_digest(ds->digest_type)) return false;
    const auto digest = ds_digest(owner, dnskey_rdata, ds->digest_type);
    return digest && digest->size() == ds->digest.size() &&
           std::equal(digest->begin(), digest->end(), ds->digest.begin());
}

}  // namespace cairn::dnssec
