"""When each request reached the fake Bot API's socket, as the kernel stamped it.

The fake Bot API's own clock reads the time when its event loop gets to a request: on a
shared 2-core machine, a moment when its process waits for a core makes calls that left
evenly look bunched. The kernel stamps a packet as it arrives on the loopback interface,
whatever the processes are doing; that is the time Telegram's servers would count. Reading
packets needs CAP_NET_RAW (root): without it, `Arrivals.start` returns False and the
benchmark says it falls back to the fake's clock.
"""

from __future__ import annotations

import socket
import struct
import threading

ETH_P_ALL = 0x0003
PACKET_HOST = 0  # a packet arriving, not the copy seen leaving
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
ETHERNET_HEADER = 14


class Arrivals:
    """Records the kernel's arrival time of each request to `port` whose first line holds
    `marker` (b"/sendMessage"), from a thread of its own."""

    def __init__(self, port: int, marker: bytes):
        self.port = port
        self.marker = marker
        self.times: list[float] = []
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        except (PermissionError, AttributeError, OSError):
            return False
        sock.bind(("lo", 0))
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.settimeout(0.2)
        self._socket = sock
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        sock, self._socket = self._socket, None
        if self._thread is not None:
            self._thread.join()
        if sock is not None:
            sock.close()

    def clear(self) -> None:
        self.times = []

    def _read(self) -> None:
        while (sock := self._socket) is not None:
            try:
                data, ancillary, _, address = sock.recvmsg(65536, 64)
            except TimeoutError:
                continue
            if address[2] != PACKET_HOST or not self._is_request(data):
                continue
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    seconds, nanoseconds = struct.unpack("qq", value[:16])
                    self.times.append(seconds + nanoseconds / 1e9)

    def _is_request(self, frame: bytes) -> bool:
        """An IPv4 TCP segment to our port whose payload opens an HTTP request for the marker."""
        ip = frame[ETHERNET_HEADER:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_TCP:
            return False
        tcp = ip[(ip[0] & 0x0F) * 4 :]
        if len(tcp) < 20 or struct.unpack("!H", tcp[2:4])[0] != self.port:
            return False
        payload = tcp[(tcp[12] >> 4) * 4 :]
        first_line = payload[: payload.find(b"\r\n")] if b"\r\n" in payload else b""
        return first_line.startswith(b"POST ") and self.marker in first_line
