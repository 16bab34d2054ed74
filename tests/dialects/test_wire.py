"""A request read straight from the ASGI scope reads as Starlette reads it; answers go whole;
JSON bodies parse as JavaScript servers parse them."""

from __future__ import annotations

import math
import random
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from starlette.requests import ClientDisconnect, Request

from rolodex.dialects.wire import (
    Exchange,
    fetch_json,
    js_number,
    js_trim,
    nul_path,
    query_string,
    send_answer,
)
from tests.conftest import random_key
from tests.support.server import Server

_QUERY_CHARACTERS = "aZ09=&[]%2B+?#/\\.;:@ \t\r\n\x00é€"
_PATH_CHARACTERS = "/av1?#\\%. é"
_HOSTS = [None, "127.0.0.1:12111", "example.com", "[::1]:80", "a b", "a?b", "a#b", "h:x", ""]


def _request(path: str, query: bytes, host: str | None) -> Request:
    headers = [] if host is None else [(b"host", host.encode())]
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("127.0.0.1", 12111),
        "path": path,
        "query_string": query,
        "headers": headers,
    }
    return Request(scope)


def _drawn(rng: random.Random, characters: str, most: int) -> str:
    return "".join(rng.choice(characters) for _ in range(rng.randrange(most)))


@pytest.mark.parametrize("seed", range(20))
def test_query_string_is_what_starlette_url_gives(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        path = "/" + _drawn(rng, _PATH_CHARACTERS, 12)
        query = _drawn(rng, _QUERY_CHARACTERS, 16).encode()
        request = _request(path, query, rng.choice(_HOSTS))
        assert query_string(request.scope) == request.url.query, (path, query)


def test_a_query_that_is_not_utf8_fails_as_starlette_url_does() -> None:
    request = _request("/v1/customers", b"a=\xff", "localhost")
    with pytest.raises(UnicodeDecodeError):
        request.url.query  # noqa: B018
    with pytest.raises(UnicodeDecodeError):
        query_string(request.scope)


_HEADER_NAMES = [b"authorization", b"stripe-version", b"content-type", b"x-a", b"host"]
_HEADER_VALUES = [b"", b"Bearer sk_test_1", b"2024-06-20", b"caf\xe9", b" spaced "]


@pytest.mark.parametrize("seed", range(10))
def test_a_header_is_what_starlette_headers_give(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        sent = [
            (rng.choice(_HEADER_NAMES), rng.choice(_HEADER_VALUES)) for _ in range(rng.randrange(6))
        ]
        scope = {"type": "http", "method": "GET", "path": "/", "headers": sent}
        exchange, starlette = Exchange(scope, _no_body), Request(scope)
        for name in _HEADER_NAMES:
            assert exchange.header(name) == starlette.headers.get(name.decode()), (sent, name)


async def _no_body() -> dict[str, object]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _arriving(*chunks: bytes) -> Callable[[], Awaitable[dict[str, object]]]:
    """A client sending ``chunks``, the last with ``more_body`` false."""
    pending = iter(enumerate(chunks, start=1))

    async def receive() -> dict[str, object]:
        sent, body = next(pending)
        return {"type": "http.request", "body": body, "more_body": sent < len(chunks)}

    return receive


_POST = {"type": "http", "method": "POST", "path": "/", "headers": []}


@pytest.mark.anyio
async def test_the_body_is_read_chunk_by_chunk() -> None:
    assert await Exchange(_POST, _arriving(b"a=1", b"&b=2", b"")).body(100) == b"a=1&b=2"


@pytest.mark.anyio
async def test_a_body_past_the_limit_is_not_read_further() -> None:
    receive = _arriving(b"12345", b"67890", b"never read")
    assert await Exchange(_POST, receive).body(8) is None
    assert await receive() == {"type": "http.request", "body": b"never read", "more_body": False}


@pytest.mark.anyio
async def test_a_client_leaving_mid_body_raises_starlettes_disconnect() -> None:
    messages = iter([{"type": "http.request", "body": b"a=", "more_body": True}])

    async def receive() -> dict[str, object]:
        return next(messages, {"type": "http.disconnect"})

    with pytest.raises(ClientDisconnect):
        await Exchange(_POST, receive).body(100)


@pytest.mark.anyio
async def test_an_answer_is_its_headers_then_its_length_and_type_then_its_body() -> None:
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await send_answer(send, 201, b'{"ok":true}', [(b"request-id", b"req_1")], b"application/json")
    assert sent == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"request-id", b"req_1"),
                (b"content-length", b"11"),
                (b"content-type", b"application/json"),
            ],
        },
        {"type": "http.response.body", "body": b'{"ok":true}'},
    ]


# What Node.js 20's ``await new Request(url, {method: "POST", body}).json()`` gives for each
# body (run once by hand): the mark dropped, malformed bytes read as U+FFFD.
@pytest.mark.parametrize(
    ("body", "parsed"),
    [
        (b'{"name":"Zo\xc3\xab"}', {"name": "Zoë"}),
        (b'\xef\xbb\xbf{"name":"a"}', {"name": "a"}),
        (b'{"a":"\xffcaf\xe9"}', {"a": "\ufffdcaf\ufffd"}),
        (b'\xef\xbb\xbf{"a":"\xc3"}', {"a": "\ufffd"}),
    ],
)
def test_a_json_body_parses_as_javascript_servers_parse_it(body: bytes, parsed: object) -> None:
    assert fetch_json(body) == parsed


@pytest.mark.parametrize("body", [b"", b"\xff", b"\xef\xbb\xbf", b"{", b'{"a":1e400}', b"name=x"])
def test_what_javascript_refuses_or_no_store_keeps_is_not_json(body: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        fetch_json(body)


def test_nul_is_found_at_any_depth_in_the_order_sent() -> None:
    deep: Any = "a\x00"
    for _ in range(2000):
        deep = [deep]
    assert nul_path({"x": "ok", "y": deep}) == "y" + ".0" * 2000
    assert nul_path({"a": ["ok", {"b\x00": 1}], "c": "\x00"}) == "a.1.b\x00"
    assert nul_path({"q": "fine"}, "query") is None
    assert nul_path({"id": "x\x00"}, "path") == "path.id"


_LEAVING = [
    ("POST", "/v1/customers", "sk_test_", "application/x-www-form-urlencoded"),
    ("POST", "/v1/customers", "sk_test_", "multipart/form-data; boundary=b"),
    ("POST", "/autumn/v1/customers", "am_sk_test_", "application/json"),
    ("POST", "/dub/customers", "dub_", "application/json"),
    ("PATCH", "/dub/customers/ext_a", "dub_", "application/json"),
]


@pytest.mark.parametrize(("method", "path", "key", "content_type"), _LEAVING)
def test_a_client_leaving_mid_body_is_not_logged_as_a_failure(
    server: Server, method: str, path: str, key: str, content_type: str
) -> None:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: rolodex\r\nContent-Length: 100\r\n"
        f"Content-Type: {content_type}\r\nAuthorization: Bearer {random_key(key)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode() + b"name=")
    time.sleep(0.5)  # the server sees the connection close and ends the request
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(
            b"GET /v1/customers HTTP/1.1\r\nHost: rolodex\r\nConnection: close\r\n\r\n"
        )
        assert connection.recv(64).startswith(b"HTTP/1.1 401")
    log = server.log()
    assert "unexpected failure" not in log and "Traceback" not in log


@pytest.mark.parametrize(
    ("text", "number"),
    [("", 0.0), (" 12 ", 12.0), ("0x1A", 26.0), ("0b101", 5.0), ("0o17", 15.0), ("1e2", 100.0),
     (".5", 0.5), ("+3", 3.0), ("-3.5", -3.5), ("-Infinity", -math.inf),
     ("\ufeff1", 1.0), ("\u00a0 7\u3000", 7.0), ("\u20281\u2029", 1.0),
     ("0x" + "f" * 256, math.inf), ("0o" + "7" * 342, math.inf), ("0b" + "1" * 1024, math.inf)],
)  # fmt: skip
def test_js_number_reads_what_javascript_reads(text: str, number: float) -> None:
    assert js_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["abc", "1_000", "12px", "0x", "0xZ", "-0x10", "inf", "nan", "1e",
     "\u0663", "1\u0663", "\x1c1", "\x851", "\uff11"],
)  # fmt: skip
def test_js_number_is_nan_where_javascript_is(text: str) -> None:
    """Digits of other scripts, and white space Python knows and JavaScript does not."""
    assert math.isnan(js_number(text))


def test_js_trim_drops_what_javascript_drops() -> None:
    assert js_trim("\ufeff\t a b\u2028\u3000") == "a b"
    assert js_trim("\x85a\x1c") == "\x85a\x1c"
