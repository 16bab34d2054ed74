"""A response's writes go out together: what one turn of the loop writes reaches the socket in
one write, closing sends what is held first, and uvicorn serves through it unchanged."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import uvicorn
import uvloop
from starlette.responses import Response
from starlette.routing import Route, Router

from rolodex.cli import server_options
from rolodex.http.protocol import CoalescedHttpToolsProtocol, CoalescedWrites
from rolodex.settings import Settings


class _Socket(asyncio.Transport):
    """Stands in for the socket's transport: keeps what reaches it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 7


def _run(scenario: Any) -> Any:
    return asyncio.run(scenario())


def test_the_writes_of_one_turn_reach_the_socket_in_one_write() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        sock = _Socket()
        writes = CoalescedWrites(sock, asyncio.get_running_loop())
        writes.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        writes.write(b"")
        writes.writelines([b"{", memoryview(b"}")])
        during = list(sock.calls)
        await asyncio.sleep(0)
        return during, sock.calls

    during, after = _run(scenario)
    assert during == []
    assert after == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]


def test_closing_sends_what_is_held_first_and_aborting_drops_it() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        loop = asyncio.get_running_loop()
        closed, aborted = _Socket(), _Socket()
        for sock, end in ((closed, "close"), (aborted, "abort")):
            writes = CoalescedWrites(sock, loop)
            writes.write(b"last words")
            getattr(writes, end)()
        await asyncio.sleep(0)
        return closed.calls, aborted.calls

    closed, aborted = _run(scenario)
    assert closed == [("write", b"last words"), ("close", None)]
    assert aborted == [("abort", None)]


def test_what_is_held_counts_in_the_write_buffer_and_is_dropped_once_the_peer_is_gone() -> None:
    async def scenario() -> tuple[int, list[Any]]:
        sock = _Socket()
        writes = CoalescedWrites(sock, asyncio.get_running_loop())
        writes.write(b"12345")
        size = writes.get_write_buffer_size()
        sock.closing = True  # the connection was lost before the turn ended
        await asyncio.sleep(0)
        return size, sock.calls

    size, calls = _run(scenario)
    assert size == 7 + 5
    assert calls == []


def test_rolodex_and_the_ceiling_are_served_through_it() -> None:
    assert server_options(Settings())["http"] is CoalescedHttpToolsProtocol


def test_uvicorn_serves_keep_alive_and_closing_responses_through_it() -> None:
    """A real server on uvloop: every response arrives whole, on a kept connection and on one
    the response closes."""

    async def hello(_request: Any) -> Response:
        return Response(b'{"hello": "world"}', media_type="application/json")

    app = Router(routes=[Route("/", hello)])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**server_options(Settings(port=port, log_level="warning")), "loop": "uvloop"}
    server = uvicorn.Server(uvicorn.Config(app, **options))

    async def scenario() -> list[tuple[int, bytes, str]]:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        answers = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for headers in ({}, {}, {"connection": "close"}):
                answer = await client.get("/", headers=headers)
                answers.append(
                    (answer.status_code, answer.content, answer.headers.get("connection", ""))
                )
        server.should_exit = True
        await serving
        return answers

    answers = uvloop.run(scenario())
    body = b'{"hello": "world"}'
    assert answers == [(200, body, ""), (200, body, ""), (200, body, "close")]
