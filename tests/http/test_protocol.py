"""While other requests are in flight, a connection's writes of one turn of the loop reach the
socket in one write at the turn's end; a request alone is written at once; closing, aborting,
flow control and uvicorn's own answers keep their meaning."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
import uvicorn
import uvloop
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from uvicorn.server import ServerState

from rolodex.cli import server_options
from rolodex.http.protocol import (
    HEAD_TOO_LARGE,
    MAX_HEAD_BYTES,
    GatheredWrites,
    GatheringProtocol,
)
from rolodex.settings import Settings

_BODY = b'{"hello": "world"}'


async def _hello(request: Request) -> Response:
    await request.body()
    return Response(_BODY, media_type="application/json")


_APP = Router(routes=[Route("/", _hello, methods=["GET", "HEAD", "POST"])])


class _Socket(asyncio.Transport):
    """Stands in for the socket's transport: keeps what reaches it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", b""))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", b""))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 7

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _gathered(in_flight: int, then: str = "") -> tuple[list[Any], list[Any], int]:
    """Writes through :class:`GatheredWrites` with ``in_flight`` requests in flight: what
    reached the socket during the turn, after it (and after ``then``, a method of the
    transport called during the turn), and the write buffer's size during the turn."""

    async def scenario() -> tuple[list[Any], list[Any], int]:
        sock = _Socket()
        writes = GatheredWrites(sock, [object()] * in_flight, asyncio.get_running_loop())
        writes.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        writes.write(b"")
        writes.writelines([b"{", memoryview(b"}")])
        during, size = list(sock.calls), writes.get_write_buffer_size()
        if then:
            getattr(writes, then)()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return during, sock.calls, size

    return asyncio.run(scenario())


def test_alone_each_write_reaches_the_socket_at_once() -> None:
    during, after, size = _gathered(in_flight=1)
    expected = [
        ("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"),
        ("write", b"{"),
        ("write", b"}"),
    ]
    assert during == after == expected
    assert size == 7


def test_while_others_are_in_flight_a_turns_writes_go_out_in_one_at_its_end() -> None:
    during, after, size = _gathered(in_flight=2)
    assert during == []
    assert after == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]
    assert size == 7 + len(after[0][1])  # flow control sees what is held


def test_closing_sends_what_is_held_first_and_aborting_drops_it() -> None:
    _, closed, _ = _gathered(in_flight=2, then="close")
    assert closed == [
        ("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"),
        ("close", b""),
    ]
    _, aborted, _ = _gathered(in_flight=2, then="abort")
    assert aborted == [("abort", b"")]


def test_what_is_held_is_dropped_once_the_peer_is_gone() -> None:
    async def scenario() -> list[Any]:
        sock = _Socket()
        writes = GatheredWrites(sock, [1, 2], asyncio.get_running_loop())
        writes.write(b"12345")
        sock.closing = True  # the connection was lost before the turn ended
        await asyncio.sleep(0)
        return sock.calls

    assert asyncio.run(scenario()) == []


def _writes(calls: list[tuple[str, bytes]]) -> list[bytes]:
    return [data for call, data in calls if call == "write"]


def _served(request: bytes, *, others_in_flight: int) -> tuple[list[bytes], list[bytes]]:
    """uvicorn's protocol, through :class:`GatheringProtocol`, answering ``request`` while
    ``others_in_flight`` other requests are: what reached the socket before the response's
    turn ended, and once it had."""

    async def scenario() -> tuple[list[bytes], list[bytes]]:
        config = uvicorn.Config(_APP, **server_options(Settings(log_level="warning")))
        config.load()
        state = ServerState()
        others = [asyncio.get_running_loop().create_future() for _ in range(others_in_flight)]
        state.tasks.update(others)  # type: ignore[arg-type]  # only their number counts
        protocol = GatheringProtocol(config=config, server_state=state, app_state={})
        sock = _Socket()
        protocol.connection_made(sock)
        protocol.data_received(request)
        while not protocol.cycle.response_complete:
            await asyncio.sleep(0)
        during = _writes(sock.calls)
        await asyncio.sleep(0)
        after = _writes(sock.calls)
        protocol.connection_lost(None)
        return during, after

    return asyncio.run(scenario())


def test_uvicorn_answers_a_lone_request_at_once() -> None:
    during, after = _served(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n", others_in_flight=0)
    assert during == after
    assert len(during) == 2  # uvicorn's own two writes: the head, then the body
    assert during[1] == _BODY


def test_uvicorn_answers_a_request_among_others_in_one_write() -> None:
    during, after = _served(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n", others_in_flight=3)
    assert during == []
    assert len(after) == 1
    assert after[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert after[0].endswith(b"\r\n\r\n" + _BODY)


def test_rolodex_and_the_ceiling_are_served_through_it() -> None:
    assert server_options(Settings())["http"] is GatheringProtocol


def test_uvicorn_serves_concurrent_keep_alive_head_continue_and_closing_requests() -> None:
    """A real server on uvloop, eight connections at once: every answer arrives whole."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**server_options(Settings(port=port, log_level="warning")), "loop": "uvloop"}
    server = uvicorn.Server(uvicorn.Config(_APP, **options))
    kinds: list[tuple[str, dict[str, str], bytes | None]] = [
        ("GET", {}, None),
        ("HEAD", {}, None),
        ("POST", {"expect": "100-continue"}, b"{}"),
        ("GET", {"connection": "close"}, None),
    ]

    async def one(client: httpx.AsyncClient) -> list[tuple[int, bytes, str]]:
        answers = []
        for method, headers, content in kinds * 5:
            answer = await client.request(method, "/", headers=headers, content=content)
            connection = answer.headers.get("connection", "")
            answers.append((answer.status_code, answer.content, connection))
        return answers

    async def scenario() -> list[list[tuple[int, bytes, str]]]:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answers = await asyncio.gather(*(one(client) for _ in range(8)))
        server.should_exit = True
        await serving
        return answers

    expected = [(200, _BODY, ""), (200, b"", ""), (200, _BODY, ""), (200, _BODY, "close")] * 5
    assert uvloop.run(scenario()) == [expected] * 8


def _fed(chunks: list[bytes]) -> list[tuple[str, bytes]]:
    """What reaches the socket once :class:`GatheringProtocol` has read ``chunks`` and
    answered the request, if it does."""

    async def scenario() -> list[tuple[str, bytes]]:
        config = uvicorn.Config(_APP, **server_options(Settings(log_level="warning")))
        config.load()
        protocol = GatheringProtocol(config=config, server_state=ServerState(), app_state={})
        sock = _Socket()
        protocol.connection_made(sock)
        for chunk in chunks:
            if sock.closing:
                break
            protocol.data_received(chunk)
        for _ in range(20):
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        return sock.calls

    return asyncio.run(scenario())


def _chunks(data: bytes, size: int) -> list[bytes]:
    """``data`` as the socket would bring it, ``size`` bytes a read."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def _head(header_bytes: int) -> bytes:
    """A request whose one header brings the head ``header_bytes`` past its other lines."""
    return b"GET / HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * header_bytes + b"\r\n\r\n"


@pytest.mark.parametrize("read", [1 << 10, 1 << 16])
def test_a_head_within_the_bound_is_served(read: int) -> None:
    calls = _fed(_chunks(_head(MAX_HEAD_BYTES - 100), read))
    assert _writes(calls)[0].startswith(b"HTTP/1.1 200 OK\r\n")


@pytest.mark.parametrize("read", [1 << 10, 1 << 14, 1 << 16])
def test_a_head_past_the_bound_is_refused_and_the_connection_closed(read: int) -> None:
    _assert_refused(_fed(_chunks(_head(10 * MAX_HEAD_BYTES), read)))


def test_many_small_headers_count_together() -> None:
    many = b"GET / HTTP/1.1\r\nhost: x\r\n" + b"x: 1\r\n" * MAX_HEAD_BYTES + b"\r\n"
    _assert_refused(_fed(_chunks(many, 1 << 14)))


def _assert_refused(calls: list[tuple[str, bytes]]) -> None:
    assert calls[:2] == [("write", HEAD_TOO_LARGE), ("close", b"")]
    assert _writes(calls) == [HEAD_TOO_LARGE]


@pytest.mark.parametrize("read", [1 << 14, 1 << 18])
def test_a_body_does_not_count_toward_the_next_head(read: int) -> None:
    body = b"{" + b" " * (MAX_HEAD_BYTES * 2) + b"}"
    post = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\n\r\n" % len(body)
    calls = _fed([post, *_chunks(body, read)])
    assert _writes(calls)[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert HEAD_TOO_LARGE not in _writes(calls)
