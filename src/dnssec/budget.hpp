// A bound on the cryptographic work one operation may cost, against KeyTrap (CVE-2023-50387: many keys
// with colliding tags times many signatures) and NSEC3 hashing floods (CVE-2023-50868: many closest-encloser
// candidates times many iterations). The validator makes one per upstream answer and one per client
// query and passes it down; every signature verification, every key tried for a signature and every NSEC3
// hash (with its iterations) is charged to it, and once a limit is reached the work stops and the answer
// is judged without it (BIND 9.18.24+ and Unbound 1.19.1+ give up the same way, as SERVFAIL).
//
// The defaults are at least as strict as BIND's (max-validations-per-fetch 16, four keys tried per
// signature after KeyTrap) and Unbound's (eight NSEC3 hash calculations per step, RFC 9276 iterations).
#pragma once

#include <cstdint>

namespace cairn::dnssec {

struct WorkLimits {
    std::uint32_t signature_verifications = 16;  // cryptographic verifications per operation
    std::uint32_t keys_per_signature = 4;        // DNSKEYs with the signature's tag and algorithm tried
    std::uint32_t nsec3_hashes = 32;             // NSEC3 hash computations (each of 1 + iterations SHA-1s)
    std::uint32_t nsec3_iterations = 50;         // RFC 9276 §3.2: above this, NSEC3 is treated as insecure
};

enum class WorkLimit : std::uint8_t { none, signature_verifications, keys_per_signature, nsec3_hashes };

class WorkBudget {
  public:
    WorkBudget() = default;
    explicit WorkBudget(const WorkLimits& limits) : limits_(limits) {}

    const WorkLimits& limits() const { return limits_; }

    // Each returns false (and records which limit) when the work may not be done.
    bool spend_verification() {
        return spend(verifications_, limits_.signature_verifications, WorkLimit::signature_verifications);
    }
    // `tried` is the number of keys already tried for the current signature.
    bool may_try_key(std::uint32_t tried) {
        if (tried < limits_.keys_per_signature) return true;
        exceeded_ = WorkLimit::keys_per_signature;
        return false;
    }
    bool spend_nsec3_hash() { return spend(nsec3_hashes_, limits_.nsec3_hashes, WorkLimit::nsec3_hashes); }

    std::uint32_t verifications() const { return verifications_; }
    std::uint32_t nsec3_hashes() const { return nsec3_hashes_; }
    std::uint64_t sha1_blocks() const { return sha1_operations_; }  // SHA-1 computations done for NSEC3
    void count_sha1(std::uint32_t n) { sha1_operations_ += n; }
    // The limit that stopped work, or none.
    WorkLimit exceeded() const { return exceeded_; }

  private:
    bool spend(std::uint32_t& used, std::uint32_t limit, WorkLimit which) {
        if (used >= limit) {
            exceeded_ = which;
            return false;
        }
        ++used;
        return true;
    }

    WorkLimits limits_;
    std::uint32_t verifications_ = 0;
    std::uint32_t nsec3_hashes_ = 0;
    std::uint64_t sha1_operations_ = 0;
    WorkLimit exceeded_ = WorkLimit::none;
};

}  // namespace cairn::dnssec
