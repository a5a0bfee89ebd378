/* The floor under every UDP server in bench/auth: a responder that does no DNS work at all. It reads
 * queries in batches with recvmmsg (waiting for the first), sets QR and sends each back unchanged with one
 * sendmmsg per batch: the system-call pattern cairnd's UDP thread follows. What it spends per query is
 * what the machine charges for the transport, user time included (on a VM with page-table isolation a
 * system call's exit and the TLB refills after it show up as user time), so a server's figure minus this
 * one is the cost of its own work. With PAUSE_US it coalesces as cairnd does (net/udp_coalescing.hpp):
 * after a batch of two or more that left the socket drained, it sleeps PAUSE_US and reads what gathered
 * without blocking.
 *
 *     udp_echo PORT [PAUSE_US]   serves 127.0.0.1:PORT until killed (PAUSE_US 0, the default: no pause)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

enum { kBatch = 64, kSize = 512 };

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: udp_echo PORT [PAUSE_US]\n");
        return 2;
    }
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr*)&address, sizeof address) != 0) {
        perror("udp_echo: bind");
        return 1;
    }
    static struct mmsghdr rx[kBatch], tx[kBatch];
    static struct iovec rx_iov[kBatch], tx_iov[kBatch];
    static struct sockaddr_in peers[kBatch];
    static unsigned char buffers[kBatch][kSize];
    for (int i = 0; i < kBatch; ++i) {
        rx_iov[i].iov_base = buffers[i];
        rx_iov[i].iov_len = kSize;
        rx[i].msg_hdr.msg_iov = &rx_iov[i];
        rx[i].msg_hdr.msg_iovlen = 1;
        rx[i].msg_hdr.msg_name = &peers[i];
    }
    const long pause_us = argc == 3 ? atol(argv[2]) : 0;
    const struct timespec pause = {pause_us / 1000000, (pause_us % 1000000) * 1000};
    if (pause_us > 0) prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    int pausing = 0;
    for (;;) {
        if (pausing) nanosleep(&pause, NULL);
        for (int i = 0; i < kBatch; ++i)
            rx[i].msg_hdr.msg_namelen = sizeof peers[i];
        const int n = recvmmsg(fd, rx, kBatch, pausing ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
        pausing = pause_us > 0 && n >= 2 && n < kBatch;
        if (n <= 0) continue;
        int replies = 0;
        for (int i = 0; i < n; ++i) {
            if (rx[i].msg_len < 12) continue;
            buffers[i][2] |= 0x80;
            tx_iov[replies].iov_base = buffers[i];
            tx_iov[replies].iov_len = rx[i].msg_len;
            memset(&tx[replies], 0, sizeof tx[replies]);
            tx[replies].msg_hdr.msg_iov = &tx_iov[replies];
            tx[replies].msg_hdr.msg_iovlen = 1;
            tx[replies].msg_hdr.msg_name = &peers[i];
            tx[replies].msg_hdr.msg_namelen = rx[i].msg_hdr.msg_namelen;
            ++replies;
        }
        if (replies > 0) sendmmsg(fd, tx, (unsigned)replies, MSG_DONTWAIT);
    }
}
