#include "server/service_manager.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "net/fd.hpp"

namespace cairn::server::service_manager {

bool notify(std::string_view state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0') return false;
    const std::size_t length = std::strlen(path);
    sockaddr_un address{};
    if (length >= sizeof address.sun_path || (path[0] != '/' && path[0] != '@')) return false;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path, length);
    if (path[0] == '@') address.sun_path[0] = '\0';  // Linux's abstract namespace
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
    const net::Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return false;
    return ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address),
                    size) == static_cast<ssize_t>(state.size());
}

std::size_t zone_count(const Settings& settings) {
    std::size_t zones = 0;
    for (const auto& view : settings.views)
        zones += view.zones.size();
    return zones;
}

void ready(std::size_t zones) {
    notify("READY=1\nSTATUS=serving " + std::to_string(zones) + (zones == 1 ? " zone" : " zones"));
}

void reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
}

void stopping() {
    notify("STOPPING=1\nSTATUS=shutting down");
}

}  // namespace cairn::server::service_manager
