#include "dnssec/nsec3.hpp"

// OpenSSL 3's one-shot SHA1() goes through EVP_Q_digest, which fetches the algorithm and allocates a context
// on every call; the query path hashes NSEC3 names, so the low-level functions (deprecated, still built and
// assembly-accelerated) are used: no allocation, no lock.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>
#include <vector>

#include "dns/name.hpp"
#include "dns/text.hpp"

namespace cairn::dnssec {

bool nsec3_hash(Bytes name, Bytes salt, std::uint16_t iterations, Nsec3Hash& out, WorkBudget* budget) {
    if (budget != nullptr) {
        if (!budget->spend_nsec3_hash()) return false;
        budget->count_sha1(1u + iterations);
    }
    if (name.size() > 255 || salt.size() > 255) return false;
    std::uint8_t lowered[255];
    for (std::size_t i = 0; i < name.size(); ++i)
        lowered[i] = dns::lower_ascii(name[i]);
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, lowered, name.size());
    SHA1_Update(&ctx, salt.data(), salt.size());
    SHA1_Final(out.data(), &ctx);
    for (std::uint16_t k = 0; k < iterations; ++k) {
        SHA1_Init(&ctx);
        SHA1_Update(&ctx, out.data(), kNsec3HashSize);
        SHA1_Update(&ctx, salt.data(), salt.size());
        SHA1_Final(out.data(), &ctx);
    }
    return true;
}

std::string nsec3_label(Bytes hash) {
    std::string out;
    dns::append_base32hex(out, hash, false);
    return out;
}

bool nsec3_owner_hash(Bytes owner, Nsec3Hash& out) {
    if (owner.empty() || owner[0] != 32 || owner.size() < 34) return false;
    std::vector<std::uint8_t> decoded;
    const std::string_view label(reinterpret_cast<const char*>(owner.data() + 1), 32);
    if (!dns::decode_base32hex(label, decoded) || decoded.size() != kNsec3HashSize) return false;
    std::memcpy(out.data(), decoded.data(), kNsec3HashSize);
    return true;
}

std::strong_ordering compare_hashes(Bytes a, Bytes b) {
    const std::size_t common = std::min(a.size(), b.size());
    const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return a.size() <=> b.size();
}

bool nsec3_covers(Bytes owner, Bytes next, Bytes hash) {
    const auto after_owner = compare_hashes(hash, owner) == std::strong_ordering::greater;
    const auto before_next = compare_hashes(hash, next) == std::strong_ordering::less;
    if (compare_hashes(owner, next) == std::strong_ordering::less) return after_owner && before_next;
    // The last NSEC3 of the chain wraps around to the first (a chain of one covers all but its owner).
    return after_owner || before_next;
}

}  // namespace cairn::dnssec
