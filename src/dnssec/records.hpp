// Typed views of the DNSSEC record types' wire rdata (RFC 4034 §2-§5, RFC 5155 §3-§4, RFC 7344 §3): DNSKEY
// and CDNSKEY, DS and CDS, RRSIG, NSEC, NSEC3, NSEC3PARAM, and their type bitmaps. The rdata codec
// (dns/rdata.hpp) reads and prints these types; the views give the fields to code that signs and checks.
// A view points into the rdata it was parsed from and allocates nothing. Also the key tag (RFC 4034
// Appendix B, with the algorithm 1 rule of B.1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/types.hpp"

namespace cairn::dnssec {

using Bytes = std::span<const std::uint8_t>;

// DNSKEY flags (RFC 4034 §2.1.1, RFC 5011 §3).
inline constexpr std::uint16_t kZoneKeyFlag = 0x0100;
inline constexpr std::uint16_t kRevokeFlag = 0x0080;
inline constexpr std::uint16_t kSepFlag = 0x0001;

// DNSKEY and CDNSKEY (RFC 7344 §3.2: the same rdata).
struct DnskeyView {
    std::uint16_t flags = 0;
    std::uint8_t protocol = 0;
    std::uint8_t algorithm = 0;
    Bytes public_key;

    bool zone_key() const { return (flags & kZoneKeyFlag) != 0; }
    bool sep() const { return (flags & kSepFlag) != 0; }
    bool revoked() const { return (flags & kRevokeFlag) != 0; }
    // At least the fixed fields; protocol and the public key are not checked (a validator ignores a key
    // whose protocol is not 3, RFC 4034 §2.1.2, rather than failing on it).
    static std::optional<DnskeyView> parse(Bytes rdata);
};

// DS and CDS.
struct DsView {
    std::uint16_t key_tag = 0;
    std::uint8_t algorithm = 0;
    std::uint8_t digest_type = 0;
    Bytes digest;
    static std::optional<DsView> parse(Bytes rdata);
};

// RRSIG (RFC 4034 §3.1).
struct RrsigView {
    std::uint16_t type_covered = 0;
    std::uint8_t algorithm = 0;
    std::uint8_t labels = 0;
    std::uint32_t original_ttl = 0;
    std::uint32_t expiration = 0;
    std::uint32_t inception = 0;
    std::uint16_t key_tag = 0;
    Bytes signer;     // uncompressed wire name, as stored (any case)
    Bytes signature;  // the rest of the rdata
    Bytes fields;     // the rdata before the signature: what RFC 4034 §3.1.8.1 signs (signer lowercased)
    static std::optional<RrsigView> parse(Bytes rdata);
};

// RFC 4034 §4.1.2 type bitmap: windows of up to 32 octets.
class TypeBitmap {
  public:
    TypeBitmap() = default;
    explicit TypeBitmap(Bytes windows) : windows_(windows) {}
    // Well-formed windows: increasing, 1-32 octets each, the last octet not zero (RFC 4034 §4.1.2).
    static bool valid(Bytes windows);
    bool contains(std::uint16_t type) const;
    bool contains(dns::RRType type) const { return contains(dns::code(type)); }
    bool empty() const { return windows_.empty(); }
    Bytes wire() const { return windows_; }
    // Calls f(type) for every type in increasing order.
    template <typename F>
    void for_each(F&& f) const {
        std::size_t pos = 0;
        while (pos + 2 <= windows_.size()) {
            const unsigned window = windows_[pos];
            const std::size_t length = windows_[pos + 1];
            for (std::size_t octet = 0; octet < length && pos + 2 + octet < windows_.size(); ++octet) {
                for (unsigned bit = 0; bit < 8; ++bit) {
                    if (windows_[pos + 2 + octet] & (0x80 >> bit))
                        f(static_cast<std::uint16_t>(window * 256 + octet * 8 + bit));
                }
            }
            pos += 2 + length;
        }
    }

  private:
    Bytes windows_;
};

// Builds a type bitmap (for the signer): add types in any order, then append_to().
class TypeBitmapBuilder {
  public:
    void add(std::uint16_t type) { types_.push_back(type); }
    void add(dns::RRType type) { add(dns::code(type)); }
    void append_to(std::vector<std::uint8_t>& out) const;

  private:
    std::vector<std::uint16_t> types_;
};

// NSEC (RFC 4034 §4.1).
struct NsecView {
    Bytes next;  // uncompressed wire name
    TypeBitmap types;
    static std::optional<NsecView> parse(Bytes rdata);
};

inline constexpr std::uint8_t kNsec3Sha1 = 1;       // the one NSEC3 hash algorithm (RFC 5155 §11)
inline constexpr std::uint8_t kNsec3OptOut = 0x01;  // RFC 5155 §3.1.2.1

// NSEC3 (RFC 5155 §3).
struct Nsec3View {
    std::uint8_t hash_algorithm = 0;
    std::uint8_t flags = 0;
    std::uint16_t iterations = 0;
    Bytes salt;
    Bytes next_hash;  // binary, not base32hex
    TypeBitmap types;
    bool opt_out() const { return (flags & kNsec3OptOut) != 0; }
    static std::optional<Nsec3View> parse(Bytes rdata);
};

// NSEC3PARAM (RFC 5155 §4).
struct Nsec3ParamView {
    std::uint8_t hash_algorithm = 0;
    std::uint8_t flags = 0;
    std::uint16_t iterations = 0;
    Bytes salt;
    static std::optional<Nsec3ParamView> parse(Bytes rdata);
};

// The key tag of a DNSKEY's rdata (RFC 4034 Appendix B; for algorithm 1, B.1's rule: the modulus's
// next-to-last two octets).
std::uint16_t key_tag(Bytes dnskey_rdata);

// DNSKEY rdata from its fields.
std::vector<std::uint8_t> dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm, Bytes public_key);

}  // namespace cairn::dnssec
