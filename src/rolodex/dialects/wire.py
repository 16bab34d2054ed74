"""What the dialects do with an HTTP request the same way: serve it, read its query, parse a
JSON body, trim text and read a number as the JavaScript servers of Dub and Autumn do, find
U+0000 in what it sent.

The first two exist to spare Starlette's general machinery on every request; see each
docstring.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from rolodex.core.digits import double

Headers = list[tuple[bytes, bytes]]


class Exchange:
    """One HTTP request read straight from its ASGI scope (its answer: :func:`send_answer`).

    Why not Starlette's ``Request`` and ``Response``: SQLite finds a customer by id in about
    3 µs, and building those objects, looking each header up by a linear search that encodes
    its name, and the response's header assembly cost more than that (about 4.5 µs on a
    retrieve). This reads the few things a dialect needs and sends the two messages of a
    complete response. What only a rare request needs (its URL, for an error message) comes
    from Starlette's ``Request``.

    The Stripe dialect, whose requests the benchmarks drive, is served this way; Autumn and
    Dub keep Starlette's objects (:class:`AsgiEndpoint`), whose responses vary more (a 204
    that lists the allowed methods, a plain-text 413).
    """

    __slots__ = ("_headers", "_receive", "method", "scope")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.method: str = scope["method"]
        self._receive = receive
        self._headers: dict[bytes, bytes] | None = None

    def header(self, name: bytes) -> str | None:
        """The first value sent under ``name`` (lower case, as ASGI servers pass names), as
        Starlette's ``Headers.get`` gives it."""
        headers = self._headers
        if headers is None:
            # Reversed, so that the first of repeated headers is the one kept.
            headers = self._headers = dict(reversed(self.scope["headers"]))
        value = headers.get(name)
        return None if value is None else value.decode("latin-1")

    @property
    def path_params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.scope.get("path_params", {})
        return params

    @property
    def url_path(self) -> str:
        """The path as Starlette's ``request.url.path`` gives it (for error messages)."""
        path: str = Request(self.scope).url.path
        return path

    async def body(self, limit: int) -> bytes | None:
        """The whole body (see :func:`read_body`); ``None`` past ``limit`` bytes."""
        return await read_body(self._receive, limit)


CLIENT_LEFT = 499
"""The status of a request whose client left mid-body (nginx's "client closed request"):
nothing reaches a closed connection, and the access log shows why the request ended."""


def client_left() -> Response:
    return Response(status_code=CLIENT_LEFT)


class BodyTooLarge(Exception):
    """A request body past its dialect's bound (:func:`bounded_body`), which each dialect
    answers in its own words."""


async def bounded_body(receive: Receive, limit: int) -> bytes:
    """The whole body (:func:`read_body`); raises :class:`BodyTooLarge` past ``limit`` bytes."""
    body = await read_body(receive, limit)
    if body is None:
        raise BodyTooLarge
    return body


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, read as Starlette's ``Request.stream`` reads it (a client that leaves
    mid-body raises its ``ClientDisconnect``), without the request object and the generator
    built around each read; ``None`` once it passes ``limit`` bytes, read no further."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_answer(
    send: Send, status: int, body: bytes, headers: Headers, media_type: bytes
) -> None:
    """A complete response: ``headers`` first, then its length and type, then the body."""
    sent = [*headers, (b"content-length", b"%d" % len(body)), (b"content-type", media_type)]
    await send({"type": "http.response.start", "status": status, "headers": sent})
    await send({"type": "http.response.body", "body": body})


class AsgiEndpoint:
    """A request handler that Starlette's ``Route`` serves as a plain ASGI app; given no
    ``methods``, the route passes it every method, so each dialect answers one it does not
    serve in its own words (Starlette's own answer is a plain-text 405).

    Why: given a function, ``Route`` wraps it in ``request_response``, whose exception-handler
    plumbing costs about a tenth of a short request and does nothing here: the app has no
    exception handlers, and every dialect renders its own errors.
    """

    def __init__(self, serve: Callable[[Request], Awaitable[Response]]) -> None:
        self._serve = serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._serve(Request(scope, receive, send))
        await response(scope, receive, send)


_SPLIT_ALTERED = ("#", "\t", "\r", "\n")
"""Characters ``urllib.parse.urlsplit`` cuts at (``#``) or removes (tab, CR, LF)."""


def query_string(scope: Scope) -> str:
    """The request's query string, exactly as ``request.url.query`` gives it.

    Why: ``request.url`` builds Starlette's ``URL`` (the host header parsed, the whole address
    put together and split again by ``urllib``) only to hand back the query string the ASGI
    scope already holds, and on a short request that costs about a tenth of the request.

    Starlette decodes the raw query as UTF-8 (so bytes that are not UTF-8 raise alike) and
    ``urlsplit`` then leaves it as it is, unless it holds one of ``_SPLIT_ALTERED``: such a
    query, which no well-behaved client sends, goes the long way round.
    """
    raw: bytes = scope.get("query_string", b"")
    if not raw:
        return ""
    query = raw.decode()
    if any(character in query for character in _SPLIT_ALTERED):
        query = Request(scope).url.query
    return query


JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
"""What JavaScript's ``trim()`` and ``Number()`` drop from either end: its white space and line
terminators. Python's ``strip()`` drops others (U+001C to U+001F, U+0085) and keeps U+FEFF."""


def js_trim(text: str) -> str:
    """``text.trim()`` as Dub's and Autumn's servers (JavaScript) compute it."""
    return text.strip(JS_WHITESPACE)


_JS_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_JS_PREFIXED = re.compile(r"0(?:[xX](?P<x>[0-9a-fA-F]+)|[oO](?P<o>[0-7]+)|[bB](?P<b>[01]+))")
_JS_BASES = {"x": 16, "o": 8, "b": 2}


def js_number(text: str) -> float:
    """JavaScript's ``Number(text)``, as Dub's and Autumn's servers read a number in a query:
    blank is 0, ASCII digits only (``float`` takes any script's, and ``_``), hex, octal and
    binary prefixes without a sign, ``Infinity``; anything else is NaN."""
    text = js_trim(text)
    if not text:
        return 0.0
    if prefixed := _JS_PREFIXED.fullmatch(text):
        base, digits = next((k, v) for k, v in prefixed.groupdict().items() if v is not None)
        return double(int(digits, _JS_BASES[base]))
    return float(text) if _JS_DECIMAL.fullmatch(text) else math.nan


def fetch_json(raw: bytes) -> Any:
    """``raw`` read as a JavaScript server's ``await request.json()`` reads it (Dub's and
    Autumn's servers): decoded from UTF-8 by the WHATWG rules, which drop a leading byte
    order mark and read each malformed sequence as U+FFFD, then parsed as JSON.

    Raises ``orjson.JSONDecodeError`` where ``JSON.parse`` throws, and also on a number beyond
    a double's range and on an unpaired surrogate escape, which ``JSON.parse`` reads as
    ``Infinity`` and as a lone UTF-16 unit: no field takes the one, no store keeps the other.
    """
    try:
        return orjson.loads(raw)  # what nearly every body is: well-formed UTF-8, no mark
    except orjson.JSONDecodeError:
        text = raw.decode("utf-8", "replace")
    return orjson.loads(text.removeprefix("\ufeff"))


def nul_path(value: Any, path: str = "") -> str | None:
    """Where the first text holding U+0000 sits in ``value`` (decoded JSON, or a map of query
    or path parameters), as a dotted path from ``path``; ``None`` if none does.

    PostgreSQL can neither store nor compare text holding that character, so the dialects
    refuse it in every input, on every backend alike, rather than keep on SQLite what
    PostgreSQL cannot. Walked without recursion: a body may nest as deep as the JSON parser
    allows (1,024 levels), past Python's recursion limit.
    """
    stack: list[tuple[Any, str, Any]] = [(value, path, "")]
    while stack:
        item, where, key = stack.pop()
        if "\x00" in str(key):
            return where
        if isinstance(item, str):
            if "\x00" in item:
                return where
            continue
        if isinstance(item, Mapping):
            entries: Iterable[tuple[Any, Any]] = item.items()
        elif isinstance(item, list):
            entries = enumerate(item)
        else:
            continue
        inner = [(child, f"{where}.{k}" if where else str(k), k) for k, child in entries]
        stack.extend(reversed(inner))  # so the first entry is looked at first, as it was sent
    return None
