#include "zone/raw.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn::zone {
namespace {

// Layout (all integers little-endian):
//   header  magic "CAIRNRAW", u32 version, u16 class, u16 origin size, u32 nodes, u32 RRsets,
//           u32 name-arena size, u32 RR-arena size
//   origin  wire
//   names   the name arena
//   nodes   per node: u32 name, u32 spelling, u32 first RRset, u16 RRset count, u8 name size, u8 zero
//   RRsets  per RRset: u32 wire offset, u32 wire size, u16 type, u16 count
//   RRs     the RR arena
//   trailer u64 checksum of everything before it
constexpr char kMagic[8] = {'C', 'A', 'I', 'R', 'N', 'R', 'A', 'W'};
constexpr std::size_t kHeaderSize = 8 + 4 + 2 + 2 + 4 * 4;
constexpr std::size_t kNodeSize = 16;
constexpr std::size_t kRRsetSize = 12;

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

class Out {
  public:
    std::vector<std::uint8_t> bytes;
    void u8(std::uint8_t v) { bytes.push_back(v); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v));
        u8(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v));
        u16(static_cast<std::uint16_t>(v >> 16));
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v));
        u32(static_cast<std::uint32_t>(v >> 32));
    }
    void raw(std::span<const std::uint8_t> b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
};

class In {
  public:
    explicit In(std::span<const std::uint8_t> b) : b_(b) {}
    std::size_t remaining() const { return b_.size() - pos_; }
    std::span<const std::uint8_t> take(std::size_t n, const char* what) {
        if (n > remaining()) throw ZoneError(std::string("raw zone file is truncated in its ") + what);
        auto out = b_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::uint8_t u8() { return take(1, "fields")[0]; }
    std::uint16_t u16() {
        const auto s = take(2, "fields");
        return static_cast<std::uint16_t>(s[0] | (s[1] << 8));
    }
    std::uint32_t u32() {
        const std::uint32_t lo = u16();
        return lo | (std::uint32_t{u16()} << 16);
    }

  private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
};

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
    throw ZoneError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::uint64_t raw_checksum(std::span<const std::uint8_t> bytes) {
    return checksum(bytes);
}

std::vector<std::uint8_t> encode_raw(const Zone& zone) {
    Out out;
    std::size_t estimate = kHeaderSize + zone.names_.size() + zone.rr_.size() +
                           zone.nodes_.size() * kNodeSize + zone.rrsets_.size() * kRRsetSize + 300;
    out.bytes.reserve(estimate);
    out.raw({reinterpret_cast<const std::uint8_t*>(kMagic), sizeof kMagic});
    out.u32(kRawFormatVersion);
    out.u16(static_cast<std::uint16_t>(zone.rclass_));
    out.u16(static_cast<std::uint16_t>(zone.origin_.wire_size()));
    out.u32(static_cast<std::uint32_t>(zone.nodes_.size()));
    out.u32(static_cast<std::uint32_t>(zone.rrsets_.size()));
    out.u32(static_cast<std::uint32_t>(zone.names_.size()));
    out.u32(static_cast<std::uint32_t>(zone.rr_.size()));
    out.raw(zone.origin_.wire());
    out.raw(zone.names_);
    for (const Node& n : zone.nodes_) {
        out.u32(n.name);
        out.u32(n.spelling);
        out.u32(n.first_rrset);
        out.u16(n.rrset_count);
        out.u8(n.name_size);
        out.u8(0);
    }
    for (const RRset& s : zone.rrsets_) {
        out.u32(s.wire);
        out.u32(s.wire_size);
        out.u16(s.type);
        out.u16(s.count);
    }
    out.raw(zone.rr_);
    out.u64(checksum(out.bytes));
    return std::move(out.bytes);
}

std::shared_ptr<const Zone> decode_raw(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kHeaderSize + 8) throw ZoneError("raw zone file is truncated (no complete header)");
    if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) throw ZoneError("not a cairn raw zone file");
    In in(bytes.subspan(sizeof kMagic));
    const std::uint32_t version = in.u32();
    if (version != kRawFormatVersion) {
        throw ZoneError("raw zone file has format version " + std::to_string(version) + ", expected " +
                        std::to_string(kRawFormatVersion));
    }
    const auto body = bytes.first(bytes.size() - 8);
    if (load64(bytes.data() + body.size()) != checksum(body)) {
        throw ZoneError("raw zone file is corrupted or truncated (checksum mismatch)");
    }
    Zone::Parts parts;
    parts.rclass = static_cast<dns::RRClass>(in.u16());
    const std::size_t origin_size = in.u16();
    const std::size_t nodes = in.u32();
    const std::size_t rrsets = in.u32();
    const std::size_t names = in.u32();
    const std::size_t rr = in.u32();
    const std::size_t expected =
        kHeaderSize + origin_size + names + nodes * kNodeSize + rrsets * kRRsetSize + rr + 8;
    if (expected != bytes.size()) throw ZoneError("raw zone file sizes do not add up to the file size");
    const auto origin = in.take(origin_size, "origin");
    if (origin_size == 0 || origin_size > 255) throw ZoneError("raw zone file has a malformed origin");
    std::size_t pos = 0;
    while (origin[pos] != 0) {
        if (origin[pos] > 63 || pos + 1 + origin[pos] >= origin_size) {
            throw ZoneError("raw zone file has a malformed origin");
        }
        pos += 1 + origin[pos];
    }
    if (pos + 1 != origin_size) throw ZoneError("raw zone file has a malformed origin");
    parts.origin = dns::Name::from_validated_wire(origin);
    const auto name_bytes = in.take(names, "names");
    parts.names.assign(name_bytes.begin(), name_bytes.end());
    parts.nodes.resize(nodes);
    for (Node& n : parts.nodes) {
        n.name = in.u32();
        n.spelling = in.u32();
        n.first_rrset = in.u32();
        n.rrset_count = in.u16();
        n.name_size = in.u8();
        if (in.u8() != 0) throw ZoneError("raw zone file has a nonzero reserved octet");
    }
    parts.rrsets.resize(rrsets);
    for (RRset& s : parts.rrsets) {
        s.wire = in.u32();
        s.wire_size = in.u32();
        s.type = in.u16();
        s.count = in.u16();
    }
    const auto rr_bytes = in.take(rr, "records");
    parts.rr.assign(rr_bytes.begin(), rr_bytes.end());
    try {
        return std::make_shared<const Zone>(std::move(parts));
    } catch (const ZoneError& e) {
        throw ZoneError(std::string("raw zone file is invalid: ") + e.what());
    }
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
    // Not zero-filled: every octet is read from the file before use.
    const auto capacity = static_cast<std::size_t>(st.st_size);
    std::unique_ptr<std::uint8_t[]> bytes(new std::uint8_t[capacity]);
    std::size_t done = 0;
    while (done < capacity) {
        const ssize_t n = ::read(fd, bytes.get() + done, capacity - done);
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
        return decode_raw({bytes.get(), done});
    } catch (const ZoneError& e) {
        throw ZoneError(path + ": " + e.what());
    }
}

}  // namespace cairn::zone
