// `cairnd -u USER`, as `named -u`: started as root, cairnd binds its sockets and then runs as USER (with
// USER's groups), keeping one capability, CAP_NET_BIND_SERVICE, so that the control channel it reopens on
// a reload can still bind port 953. Everything else root could do is gone: the other capabilities from the
// permitted, effective, inheritable, ambient and bounding sets, and the way back to uid 0.
//
// Capabilities belong to threads. The change happens on the main thread: threads started before it lose
// every capability when glibc moves them to USER's uid with it (they do not keep capabilities across the
// change of uid); threads started after it inherit the main thread's single capability.
#pragma once

#include <sys/types.h>

#include <string>

namespace cairn::server {

struct RunAs {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// USER's uid and primary group from the password database (a number is taken as a uid); throws
// std::runtime_error when there is no such user.
RunAs find_user(const std::string& user);

// Becomes `user` as described above. Already running as that uid: nothing to do. Neither root nor that
// user: throws, as there is no way to become it. Throws std::runtime_error when a step fails (the process
// must then not go on: it may be half-changed).
void drop_privileges(const RunAs& user);

}  // namespace cairn::server
