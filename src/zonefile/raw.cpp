#include "zonefile/raw.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "zone/large_allocator.hpp"

namespace cairn::zonefile {

using zone::AdditionalLink;
using zone::LargeAllocator;
using zone::Node;
using zone::PackedRRset;
using zone::RdataPointer;
using zone::RRset;
using zone::Zone;
using zone::ZoneError;
namespace {

// Layout, version 2: the zone's arrays, derived ones included, exactly as they sit in memory (little-endian,
// the structs have no padding), so that loading is one read, one checksum pass and one validation pass.
//   header  magic "CAIRNRAW", u32 version, u16 class, u16 origin size, then the element count of each
//           array as u32, in the order below: nodes, RRsets, links, packed RRsets, rdata pointers, names,
//           RR arena, packed arena
//   origin  wire, as spelled
//   arrays  in that order, each starting at a multiple of 8 octets (zero padding)
//   trailer u64 checksum of everything before it
constexpr char kMagic[8] = {'C', 'A', 'I', 'R', 'N', 'R', 'A', 'W'};
constexpr std::size_t kArrayCount = 8;
constexpr std::size_t kHeaderSize = 8 + 4 + 2 + 2 + 4 * kArrayCount;

static_assert(std::endian::native == std::endian::little,
              "the raw format is read by mapping little-endian structs");
static_assert(std::has_unique_object_representations_v<Node> && sizeof(Node) == 32);
static_assert(std::has_unique_object_representations_v<RRset> && sizeof(RRset) == 28);
static_assert(std::has_unique_object_representations_v<AdditionalLink> && sizeof(AdditionalLink) == 8);
static_assert(std::has_unique_object_representations_v<PackedRRset> && sizeof(PackedRRset) == 20);
static_assert(std::has_unique_object_representations_v<RdataPointer> && sizeof(RdataPointer) == 8);

constexpr std::size_t align8(std::size_t n) {
    return (n + 7) & ~std::size_t{7};
}

// Element sizes of the arrays, in file order.
constexpr std::size_t kElementSize[kArrayCount] = {
    sizeof(Node), sizeof(RRset), sizeof(AdditionalLink), sizeof(PackedRRset), sizeof(RdataPointer), 1, 1, 1};

std::uint64_t rotl(std::uint64_t v, int r) {
    return (v << r) | (v >> (64 - r));
}

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// A fast 64-bit checksum (four independent multiply-rotate lanes) for detecting damage, not tampering.
std::uint64_t checksum(std::span<const std::uint8_t> data) {
    constexpr std::uint64_t p1 = 0x9E3779B185EBCA87ULL, p2 = 0xC2B2AE3D27D4EB4FULL;
    std::uint64_t lane[4] = {p1 + p2, p2, 0, 0 - p1};
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int k = 0; k < 4; ++k)
            lane[k] = rotl(lane[k] + load64(p + i + 8 * k) * p2, 31) * p1;
    }
    std::uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18) + n;
    for (; i < n; ++i)
        h = rotl(h ^ (p[i] * p1), 11) * p2;
    h ^= h >> 33;
    h *= p2;
    h ^= h >> 29;
    return h;
}

// The file's bytes, in memory we own and may hand to the zone: large files get huge pages, and the bytes are
// not zero-filled first since every one of them is read from the file.
class RawBuffer {
  public:
    explicit RawBuffer(std::size_t size)
        : size_(size), data_(LargeAllocator<std::uint64_t>().allocate(words(size))) {}
    ~RawBuffer() { LargeAllocator<std::uint64_t>().deallocate(data_, words(size_)); }
    RawBuffer(const RawBuffer&) = delete;
    RawBuffer& operator=(const RawBuffer&) = delete;
    std::uint8_t* data() { return reinterpret_cast<std::uint8_t*>(data_); }
    std::size_t size() const { return size_; }

  private:
    static std::size_t words(std::size_t size) { return size / 8 + 1; }
    std::size_t size_;
    std::uint64_t* data_;
};

template <class T>
std::span<const std::uint8_t> bytes_of(std::span<T> array) {
    return {reinterpret_cast<const std::uint8_t*>(array.data()), array.size_bytes()};
}

void put_le(std::uint8_t* out, std::uint64_t v, int octets) {
    for (int i = 0; i < octets; ++i)
        out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_le(const std::uint8_t* p, int octets) {
    std::uint64_t v = 0;
    for (int i = octets; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

std::shared_ptr<const Zone> decode_owned(std::shared_ptr<RawBuffer> buffer) {
    const std::span<std::uint8_t> bytes{buffer->data(), buffer->size()};
    if (bytes.size() < kHeaderSize + 8) throw ZoneError("raw zone file is truncated (no complete header)");
    if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) throw ZoneError("not a cairn raw zone file");
    const auto version = static_cast<std::uint32_t>(get_le(bytes.data() + 8, 4));
    if (version != kRawFormatVersion) {
        throw ZoneError("raw zone file has format version " + std::to_string(version) + ", expected " +
                        std::to_string(kRawFormatVersion));
    }
    const auto body = bytes.first(bytes.size() - 8);
    if (load64(bytes.data() + body.size()) != checksum(body)) {
        throw ZoneError("raw zone file is corrupted or truncated (checksum mismatch)");
    }
    const auto rclass = static_cast<dns::RRClass>(get_le(bytes.data() + 12, 2));
    const std::size_t origin_size = get_le(bytes.data() + 14, 2);
    std::size_t count[kArrayCount];
    std::size_t expected = align8(kHeaderSize + origin_size);
    for (std::size_t k = 0; k < kArrayCount; ++k) {
        count[k] = get_le(bytes.data() + 16 + 4 * k, 4);
        expected += align8(count[k] * kElementSize[k]);
    }
    if (expected + 8 != bytes.size()) throw ZoneError("raw zone file sizes do not add up to the file size");

    const auto origin = bytes.subspan(kHeaderSize, origin_size);
    if (origin_size == 0 || origin_size > 255) throw ZoneError("raw zone file has a malformed origin");
    std::size_t pos = 0;
    while (origin[pos] != 0) {
        if (origin[pos] > 63 || pos + 1 + origin[pos] >= origin_size) {
            throw ZoneError("raw zone file has a malformed origin");
        }
        pos += 1 + origin[pos];
    }
    if (pos + 1 != origin_size) throw ZoneError("raw zone file has a malformed origin");

    // Padding must be zero: a file is accepted only in the one form encode_raw() writes.
    std::size_t at = kHeaderSize + origin_size;
    std::uint8_t* start[kArrayCount];
    for (std::size_t k = 0; k <= kArrayCount; ++k) {
        for (; at % 8 != 0; ++at) {
            if (bytes[at] != 0) throw ZoneError("raw zone file has nonzero padding");
        }
        if (k == kArrayCount) break;
        start[k] = bytes.data() + at;
        at += count[k] * kElementSize[k];
    }
    Zone::Arrays arrays;
    arrays.nodes = {reinterpret_cast<Node*>(start[0]), count[0]};
    arrays.rrsets = {reinterpret_cast<RRset*>(start[1]), count[1]};
    arrays.links = {reinterpret_cast<AdditionalLink*>(start[2]), count[2]};
    arrays.packed_sets = {reinterpret_cast<PackedRRset*>(start[3]), count[3]};
    arrays.pointers = {reinterpret_cast<RdataPointer*>(start[4]), count[4]};
    arrays.names = {start[5], count[5]};
    arrays.rr = {start[6], count[6]};
    arrays.packed = {start[7], count[7]};
    try {
        return Zone::adopt(dns::Name::from_validated_wire(origin), rclass, arrays, std::move(buffer));
    } catch (const ZoneError& e) {
        throw ZoneError(std::string("raw zone file is invalid: ") + e.what());
    }
}

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
    throw ZoneError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::uint64_t raw_checksum(std::span<const std::uint8_t> bytes) {
    return checksum(bytes);
}

std::vector<std::uint8_t> encode_raw(const Zone& zone) {
    const Zone::Arrays& a = zone.arrays();
    const std::span<const std::uint8_t> arrays[kArrayCount] = {
        bytes_of(a.nodes),    bytes_of(a.rrsets), bytes_of(a.links), bytes_of(a.packed_sets),
        bytes_of(a.pointers), bytes_of(a.names),  bytes_of(a.rr),    bytes_of(a.packed)};
    std::size_t size = align8(kHeaderSize + zone.origin().wire_size()) + 8;
    for (const auto& array : arrays)
        size += align8(array.size());
    std::vector<std::uint8_t> out(size, 0);  // the padding stays zero
    std::uint8_t* p = out.data();
    std::memcpy(p, kMagic, sizeof kMagic);
    put_le(p + 8, kRawFormatVersion, 4);
    put_le(p + 12, static_cast<std::uint16_t>(zone.rclass()), 2);
    put_le(p + 14, zone.origin().wire_size(), 2);
    for (std::size_t k = 0; k < kArrayCount; ++k)
        put_le(p + 16 + 4 * k, arrays[k].size() / kElementSize[k], 4);
    std::memcpy(p + kHeaderSize, zone.origin().wire().data(), zone.origin().wire_size());
    std::size_t at = align8(kHeaderSize + zone.origin().wire_size());
    for (const auto& array : arrays) {
        if (!array.empty()) std::memcpy(p + at, array.data(), array.size());
        at += align8(array.size());
    }
    put_le(p + at, checksum(std::span<const std::uint8_t>(out).first(at)), 8);
    return out;
}

std::shared_ptr<const Zone> decode_raw(std::span<const std::uint8_t> bytes) {
    auto buffer = std::make_shared<RawBuffer>(bytes.size());
    if (!bytes.empty()) std::memcpy(buffer->data(), bytes.data(), bytes.size());
    return decode_owned(std::move(buffer));
}

void write_raw(const Zone& zone, const std::string& path) {
    const auto bytes = encode_raw(zone);
    std::string tmp = path + ".tmp.XXXXXX";
    const int fd = mkstemp(tmp.data());
    if (fd < 0) io_error("cannot create a temporary file for", path);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = saved;
            io_error("cannot write", tmp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
        const int saved = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = saved;
        io_error("cannot sync", tmp);
    }
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        io_error("cannot close", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        io_error("cannot rename " + tmp + " to", path);
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::shared_ptr<const Zone> read_raw(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) io_error("cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        io_error("cannot stat", path);
    }
    auto buffer = std::make_shared<RawBuffer>(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < buffer->size()) {
        const ssize_t n = ::read(fd, buffer->data() + done, buffer->size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            io_error("cannot read", path);
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    try {
        if (done != buffer->size()) throw ZoneError("the file shrank while it was read");
        return decode_owned(std::move(buffer));
    } catch (const ZoneError& e) {
        throw ZoneError(path + ": " + e.what());
    }
}

}  // namespace cairn::zonefile
