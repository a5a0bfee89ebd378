"""A TCP proxy on loopback that can damage a stream, for zone transfer tests.

    with TcpProxy(server.host, server.port, cut_after=300) as proxy:
        dns.query.xfr(proxy.host, "example.test", port=proxy.port)   # fails: cut after 300 octets

Faults apply to each connection's server-to-client stream, counted from its first octet: `cut_after=N`
forwards N octets and then closes both sides; `flip_at=N` inverts every bit of octet N; `trickle=N` lets
N octets a second through (a primary on a dying link). Each connection is served by two threads;
everything is closed by stop(). Faults are read per chunk, so a test may change them between transfers.
`udp=True` also relays UDP datagrams on the same port, untouched (a secondary asks for the SOA over UDP
before it transfers). `swallow=True` (settable at any time) drops every datagram and accepts TCP
connections without ever answering on them: a primary whose packets all vanish. `drop_udp=True` drops the
datagrams only (TCP still works: a firewall that lets no UDP through); `stall_after=N` forwards N octets of
each connection and then nothing more, holding it open (a primary that stops mid-transfer).

What went through is recorded for tests of a secondary's limits: `intervals` holds each TCP connection's
(opened, closed) monotonic times (closed None while open), `peak_concurrent()` the most connections open at
once, `datagrams` the arrival time of each UDP datagram (the kernel's, seconds since the epoch;
`most_in_window()` the most within any window).
`host=` listens on another loopback address (a primary of its own, 127.x.y.z).
"""

from __future__ import annotations

import socket
import struct
import threading
import time

IO_TIMEOUT_S = 0.2
SO_TIMESTAMPNS = 35  # Linux; Python does not name it (SCM_TIMESTAMPNS has the same value)


def _arrival(ancillary) -> float:
    """The kernel's receive time of a datagram (seconds since the epoch), else now."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return time.time()


class TcpProxy:
    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        cut_after: int | None = None,
        flip_at: int | None = None,
        udp: bool = False,
        trickle: int | None = None,
        swallow: bool = False,
        drop_udp: bool = False,
        stall_after: int | None = None,
        host: str = "127.0.0.1",
    ):
        self.upstream = (upstream_host, upstream_port)
        self.cut_after = cut_after
        self.flip_at = flip_at
        self.trickle = trickle
        self.swallow = swallow
        self.drop_udp = drop_udp
        self.stall_after = stall_after
        self.udp = udp
        self._udp: socket.socket | None = None
        self.host = host
        self.port = 0
        self.connections = 0
        self.intervals: list[list] = []  # [opened, closed or None] per TCP connection, monotonic seconds
        self.datagrams: list[float] = []  # arrival of each UDP datagram (the kernel's time)
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> "TcpProxy":
        for _ in range(20):
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._listener.bind((self.host, 0))
            self.port = self._listener.getsockname()[1]
            if not self.udp:
                break
            self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                self._udp.bind((self.host, self.port))
                break
            except OSError:
                self._udp.close()
                self._udp = None
                self._listener.close()
        if self.udp and self._udp is None:
            raise RuntimeError("no loopback port free for both TCP and UDP")
        self._listener.listen(16)
        self._listener.settimeout(IO_TIMEOUT_S)
        self._spawn(self._accept_loop)
        if self._udp is not None:
            self._udp.settimeout(IO_TIMEOUT_S)
            # The kernel's arrival time of each datagram: a proxy thread that runs late on a loaded machine
            # does not bunch up what arrived spread out.
            self._udp.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            self._spawn(self._udp_loop)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2)
        with self._lock:
            for sock in self._sockets:
                sock.close()
        if self._listener is not None:
            self._listener.close()
        if self._udp is not None:
            self._udp.close()

    def __enter__(self) -> "TcpProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> socket.socket:
        sock.settimeout(IO_TIMEOUT_S)
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            interval = [time.monotonic(), None]
            with self._lock:
                self.intervals.append(interval)
            self._track(client)
            if self.swallow:
                continue  # held open, never answered, closed by stop()
            try:
                server = self._track(socket.create_connection(self.upstream, timeout=2))
            except OSError:
                client.close()
                interval[1] = time.monotonic()
                continue
            self._spawn(self._pump, client, server, False, interval)
            self._spawn(self._pump, server, client, True, interval)

    def _udp_loop(self) -> None:
        assert self._udp is not None
        while not self._stopping.is_set():
            try:
                datagram, ancillary, _, client = self._udp.recvmsg(65535, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.datagrams.append(_arrival(ancillary))
            if self.swallow or self.drop_udp:
                continue
            self._spawn(self._relay_datagram, datagram, client)

    def _relay_datagram(self, datagram: bytes, client) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as upstream:
            upstream.settimeout(2)
            try:
                upstream.sendto(datagram, self.upstream)
                answer = upstream.recv(65535)
                assert self._udp is not None
                self._udp.sendto(answer, client)
            except OSError:
                pass

    def _pump(self, source: socket.socket, sink: socket.socket, damage: bool, interval: list) -> None:
        """Copies source to sink until EOF, applying the faults when `damage` (server to client)."""
        offset = 0
        while not self._stopping.is_set():
            if damage and self.stall_after is not None and offset >= self.stall_after:
                self._stopping.wait(IO_TIMEOUT_S)  # holds the connection, sends nothing more
                if sink.fileno() < 0:
                    break
                continue
            try:
                chunk = source.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            if damage:
                chunk = self._damaged(chunk, offset)
            try:
                if damage and self.trickle:
                    self._send_slowly(sink, chunk)
                else:
                    sink.sendall(chunk)
            except OSError:
                break
            offset += len(chunk)
            if damage and self.cut_after is not None and offset >= self.cut_after:
                break
        # Closing both ends tells each peer at once, whichever direction ended first.
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if interval[1] is None:
            interval[1] = time.monotonic()

    def peak_concurrent(self, overlap: float = 0.3) -> int:
        """The most TCP connections open at once (see peak_concurrent())."""
        with self._lock:
            return peak_concurrent(list(self.intervals), overlap)

    def most_in_window(self, window: float = 1.0) -> int:
        """The most UDP datagrams that arrived within any `window` seconds."""
        with self._lock:
            times = sorted(self.datagrams)
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] > window:
                first += 1
            most = max(most, last - first + 1)
        return most

    def _send_slowly(self, sink: socket.socket, chunk: bytes) -> None:
        """`trickle` octets a second, in tenths, until stop()."""
        step = max(1, (self.trickle or 1) // 10)
        for at in range(0, len(chunk), step):
            if self._stopping.wait(0.1):
                return
            sink.sendall(chunk[at : at + step])

    def _damaged(self, chunk: bytes, offset: int) -> bytes:
        if self.cut_after is not None:
            chunk = chunk[: max(0, self.cut_after - offset)]
        if self.stall_after is not None:
            chunk = chunk[: max(0, self.stall_after - offset)]
        if self.flip_at is not None and offset <= self.flip_at < offset + len(chunk):
            data = bytearray(chunk)
            data[self.flip_at - offset] ^= 0xFF
            chunk = bytes(data)
        return chunk


def peak_concurrent(intervals: list[list], overlap: float = 0.3) -> int:
    """The most of these [opened, closed] intervals (closed None: still open) open at once, counting two as
    overlapping only when both were open for more than `overlap` seconds together: a connection closing as
    the next one opens is not two at once. Intervals of several proxies may be pooled."""
    now = time.monotonic()
    spans = [(opened, closed if closed is not None else now) for opened, closed in intervals]
    peak = 0
    for opened, _ in spans:
        at = opened + overlap
        peak = max(peak, sum(1 for start, end in spans if start <= at and end >= at))
    return peak
