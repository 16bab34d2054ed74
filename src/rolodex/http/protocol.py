"""uvicorn's HTTP/1.1 protocol, with a response's writes sent in one system call.

uvicorn writes a response's status line and headers as soon as the application starts the
response, and its body in a second ``write``: two system calls, two TCP segments, and, when the
client sleeps between them, two wake-ups of the client, which on a virtual machine cost the
sender as much again as the rest of the request (``perf``: a third of a retrieve's CPU went to
waking the client). :class:`CoalescedWrites` holds what is written during one turn of the
event loop and writes it together at the turn's end. uvicorn keeps no hook for this, so its
protocol is subclassed at the one place it takes its transport (``connection_made``); every
other part of it runs as it is.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through :class:`CoalescedWrites`."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream server's transport, as uvicorn's own protocol takes it.
        stream = cast(asyncio.Transport, transport)
        super().connection_made(CoalescedWrites(stream, asyncio.get_running_loop()))


class CoalescedWrites(asyncio.Transport):
    """A transport whose writes during one turn of the loop go out in one write, at its end.

    Everything else is the wrapped transport's: closing writes what is held first, aborting
    drops it, and the write buffer's size counts it (flow control sees every byte).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def _flush(self) -> None:
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        if not self._transport.is_closing():  # the peer went away meanwhile
            self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def write_eof(self) -> None:
        self._flush()
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
