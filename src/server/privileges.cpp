#include "server/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace cairn::server {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("-u: " + what + ": " + std::strerror(errno));
}

// The calling thread's permitted and effective sets become `keep` alone; inheritable becomes empty.
void set_thread_capabilities(std::uint64_t keep) {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    for (unsigned i = 0; i < _LINUX_CAPABILITY_U32S_3; ++i) {
        const auto bits = static_cast<std::uint32_t>(keep >> (32 * i));
        data[i].permitted = bits;
        data[i].effective = bits;
    }
    if (::syscall(SYS_capset, &header, data) != 0) fail("capset");
}

}  // namespace

RunAs find_user(const std::string& user) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    int error = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found == nullptr && !user.empty() && user.find_first_not_of("0123456789") == std::string::npos) {
        error =
            ::getpwuid_r(static_cast<uid_t>(std::stoul(user)), &entry, buffer.data(), buffer.size(), &found);
    }
    if (found == nullptr) {
        throw std::runtime_error("-u: user '" + user + "' unknown" +
                                 (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
    }
    return RunAs{entry.pw_name, entry.pw_uid, entry.pw_gid};
}

void drop_privileges(const RunAs& user) {
    if (::geteuid() == user.uid && ::getuid() == user.uid) return;
    if (::geteuid() != 0) {
        errno = EPERM;
        fail("cannot become '" + user.name + "' without being root");
    }
    constexpr std::uint64_t kKeep = std::uint64_t{1} << CAP_NET_BIND_SERVICE;
    // Keep the permitted set across the change of uid, on this thread only.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("prctl(PR_SET_KEEPCAPS)");
    // The bounding set: what no program we could ever run may regain. Capabilities past the kernel's last
    // one answer EINVAL, which ends the walk.
    for (unsigned cap = 0; cap < 64; ++cap) {
        if (cap == CAP_NET_BIND_SERVICE) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break;
            fail("prctl(PR_CAPBSET_DROP)");
        }
    }
    // glibc applies these to every thread of the process.
    if (::initgroups(user.name.c_str(), user.gid) != 0) fail("initgroups");
    if (::setgid(user.gid) != 0) fail("setgid");
    if (::setuid(user.uid) != 0) fail("setuid");
    set_thread_capabilities(kKeep);
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) fail("prctl(PR_SET_KEEPCAPS, 0)");
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        fail("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    // The way back must be closed.
    if (::setuid(0) == 0 || ::getuid() != user.uid || ::geteuid() != user.uid) {
        errno = EPERM;
        fail("still able to become root after the change");
    }
}

}  // namespace cairn::server
