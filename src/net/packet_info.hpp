// The packet-info control messages of UDP sockets bound to a wildcard address (IP_PKTINFO, IPV6_PKTINFO):
// reading the address a datagram was sent to, and naming the address a reply leaves from, so that a client
// that asked 192.0.2.1 hears back from 192.0.2.1 whatever the routing table would pick.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "net/endpoint.hpp"

namespace cairn::net {

// Room for one IPv4 or IPv6 packet-info control message.
struct alignas(cmsghdr) PacketInfoControl {
    std::uint8_t bytes[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
};

// Reads the destination address (and the interface) from a received message's packet-info control
// message; false when there is none.
bool read_destination(msghdr& msg, Endpoint& destination, int& ifindex);

// Writes a control message that sends from `source` (on interface `ifindex`, which link-local sources need)
// into `control` and returns its length for msg_controllen.
socklen_t write_source(PacketInfoControl& control, const Endpoint& source, int ifindex);

}  // namespace cairn::net
