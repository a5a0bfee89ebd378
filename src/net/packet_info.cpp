#include "net/packet_info.hpp"

#include <cstring>

namespace cairn::net {

bool read_destination(msghdr& msg, Endpoint& destination, int& ifindex) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            destination.address.family = AF_INET;
            std::memcpy(destination.address.bytes.data(), &info.ipi_addr, 4);
            ifindex = info.ipi_ifindex;
            return true;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            destination.address.family = AF_INET6;
            std::memcpy(destination.address.bytes.data(), &info.ipi6_addr, 16);
            ifindex = static_cast<int>(info.ipi6_ifindex);
            return true;
        }
    }
    return false;
}

socklen_t write_source(PacketInfoControl& control, const Endpoint& source, int ifindex) {
    msghdr msg{};
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (source.address.is_v4()) {
        in_pktinfo info{};
        std::memcpy(&info.ipi_spec_dst, source.address.bytes.data(), 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof info);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        return CMSG_SPACE(sizeof info);
    }
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, source.address.bytes.data(), 16);
    info.ipi6_ifindex = static_cast<unsigned>(ifindex);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

}  // namespace cairn::net
