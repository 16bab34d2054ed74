"""uvicorn's HTTP/1.1 protocol, with writes gathered to the end of the loop's turn when busy.

uvicorn writes each response as two ``write`` calls (head, then body) the moment the
application sends them. With many connections, that wakes a client once or twice per response,
and waking a process on another CPU is dear on a virtual machine: ``perf`` put a quarter of a
retrieve's server CPU at 32 connections in those wake-ups. While other requests are in flight,
:class:`GatheredWrites` therefore holds what is written until the end of the event loop's
turn, so each connection's writes of the turn go out in one system call, and a client that
reads many connections finds them ready together. With only one request in flight it writes
at once, as uvicorn does, since holding would only delay the one client waiting.

Measured at 32 connections (``benchmarks/ab.py --connections 32``, 1,000 customers, three
pairs): retrieves 1.55 times as many a second, updates no change (0.99); the ceiling's endpoint
+15%. At one connection, alternating wrk runs found no difference. Sending a response's head
with its body at once, without waiting for the turn's end, changed nothing at 32 connections:
what pays is a client woken once for many responses.

uvicorn keeps no hook for this, so its protocol is subclassed at the one place it takes its
transport (``connection_made``).

The subclass also bounds a request's head (:data:`MAX_HEAD_BYTES`): the parser uvicorn runs
here (httptools) keeps any number of header bytes, so one request could hold hundreds of
megabytes. Everything else is uvicorn's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sized
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
"""How much of a request line and headers the socket may bring before they end; past it the
connection gets :data:`HEAD_TOO_LARGE` and is closed. Four times what uvicorn's other parser
(h11) and Node.js allow by default, and far past what any SDK sends."""

_REFUSAL = b"Request Header Fields Too Large"
HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_REFUSAL), _REFUSAL)
)


class GatheringProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through :class:`GatheredWrites`, its requests'
    heads bounded by :data:`MAX_HEAD_BYTES`."""

    _head_bytes = 0
    """What the socket has brought since the head being read began (a read at a time)."""
    _in_head = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream server's transport, as uvicorn's own protocol takes it.
        stream = cast(asyncio.Transport, transport)
        super().connection_made(GatheredWrites(stream, self.tasks, asyncio.get_running_loop()))

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Counted once parsed, and only while a head is unfinished: a read that ends a head
        # or a body is not the next head's.
        if not self._in_head:
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self.transport.write(HEAD_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()


class GatheredWrites(asyncio.Transport):
    """A transport that, while more than one request is in flight (``in_flight``, the
    server's request tasks), sends a turn's writes together at the turn's end.

    Everything else is the wrapped transport's: closing sends what is held first, aborting
    drops it, and the write buffer's size counts it, so flow control sees every byte.
    """

    def __init__(
        self, transport: asyncio.Transport, in_flight: Sized, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__()
        self._transport = transport
        self._in_flight = in_flight
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            if len(self._in_flight) <= 1:
                self._transport.write(data)
                return
            self._loop.call_soon(self._send_held)
        self._held.append(bytes(data))

    def _send_held(self) -> None:
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        if not self._transport.is_closing():  # the peer went away meanwhile
            self._transport.write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self.write(data)

    def close(self) -> None:
        self._send_held()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def write_eof(self) -> None:
        self._send_held()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._held))

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()
