"""A request head must arrive whole within the handler's timeout, however slowly it trickles."""

from __future__ import annotations

import io
import socket
import time


class HeadReader(io.RawIOBase):
    """The socket as a raw stream whose reads share one deadline while a request head arrives.

    A plain socket timeout bounds each read alone, so a client sending one byte every few seconds
    would hold the connection (and its thread) for ever; here every read gets only what is left.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def start(self, seconds: float | None) -> None:
        """Begin waiting for a request head: it has `seconds` to arrive (None: no limit)."""
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def stop(self, seconds: float | None) -> None:
        """The head is in: from now on each read and write alone gets `seconds`."""
        self.deadline = None
        self.sock.settimeout(seconds)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time")
            self.sock.settimeout(left)
        return self.sock.recv_into(buffer)
