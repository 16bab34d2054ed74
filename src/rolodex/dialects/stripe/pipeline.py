"""The request pipeline every Stripe endpoint shares: authenticate, decode, handle, render.

Errors of every kind are rendered here, at the dialect's edge, in Stripe's envelope; an
unexpected failure is logged and answered with Stripe's generic 500, never a traceback.
Every response carries ``Request-Id`` and echoes the ``Stripe-Version`` asked for.
"""

from __future__ import annotations

import hashlib
import logging
import os
import string
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from rolodex import service
from rolodex.core.digits import clamped
from rolodex.core.errors import RolodexError, Unavailable
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import cors, versions
from rolodex.dialects.stripe.auth import key_of, tenant_of, unknown_key
from rolodex.dialects.stripe.decode import (
    MAX_BODY_BYTES,
    body_too_large,
    decode_pairs,
    decode_query,
    pairs_of,
)
from rolodex.dialects.stripe.errors import (
    StripeError,
    from_core,
    idempotency_key_too_long,
    internal,
    unrecognized_url,
)
from rolodex.dialects.stripe.multipart import multipart_pairs
from rolodex.dialects.wire import CLIENT_LEFT, Exchange, Headers, query_string, send_answer
from rolodex.service import Context
from rolodex.store.base import AnsweredMeanwhile, Receipt, Remembered

log = logging.getLogger(__name__)

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
_REQUEST_ID_LENGTH = 14
_UNBIASED = 256 - 256 % len(_REQUEST_ID_ALPHABET)
"""Random bytes below this map evenly onto the alphabet; the few above it are dropped."""
_BYTE_TO_CHARACTER = bytes(
    ord(_REQUEST_ID_ALPHABET[byte % len(_REQUEST_ID_ALPHABET)]) for byte in range(_UNBIASED)
).ljust(256, b"?")
_DROPPED_BYTES = bytes(range(_UNBIASED, 256))
MAX_IDEMPOTENCY_KEY = 255
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_JSON = b"application/json"


@dataclass(slots=True)
class Once:
    """A request sent with an idempotency key, whose write keeps its answer (``kept``)."""

    ctx: Context
    request: service.Repeatable
    request_id: str
    kept: Remembered | None = None

    def receipt(self, render: Callable[[Record], dict[str, Any]]) -> Receipt:
        made = service.receipt(
            self.ctx,
            self.request,
            self.request_id,
            lambda record: _json(render(record)).decode(),
        )

        def answer(record: Record) -> Remembered:
            self.kept = made.answer(record)
            return self.kept

        return Receipt(answer, made.since_us)


# Not frozen, as Answer below: every request builds one of each, and a frozen dataclass's
# __init__ (a guarded setattr per field) cost about 1 µs more of a retrieve's 18 in process.
@dataclass(slots=True)
class Call:
    """One authenticated, decoded request, as a handler sees it; handlers only read it."""

    tenant: Tenant
    params: dict[str, Any]
    path: Mapping[str, str] = field(default_factory=dict)
    version: versions.Version = field(default_factory=lambda: versions.parse(None))
    once: Once | None = None

    def receipt(self, render: Callable[[Record], dict[str, Any]]) -> Receipt | None:
        """What a write keeps of its answer, ``render`` of the record it leaves, when the
        request has an idempotency key; ``None`` otherwise."""
        return None if self.once is None else self.once.receipt(render)


Handler = Callable[[Call], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class Answer:
    """A response about to be sent: Stripe's JSON body, its status and its own headers."""

    body: bytes
    status: int
    headers: Headers

    async def send(self, send: Send) -> None:
        await send_answer(send, self.status, self.body, self.headers, _JSON)


class Endpoint:
    """One path's endpoint, served by Starlette's ``Route`` as a plain ASGI app; a method it
    does not serve gets Stripe's unrecognised-URL 404.

    A POST sent with an ``Idempotency-Key`` runs once: see :func:`_run_once`.
    """

    def __init__(self, handlers: Mapping[str, Handler], ctx: Context) -> None:
        self._handlers = handlers
        self._ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Exchange(scope, receive)
        if cors.is_preflight(request):
            await _preflight(request).send(send)
            return
        await _send(request, await self._answer(request), send)

    async def _answer(self, request: Exchange) -> Answer:
        version = request.header(b"stripe-version")
        tenant: Tenant | None = None
        try:
            handler = self._handlers.get(request.method)
            if handler is None:
                raise unrecognized_url(request.method, request.url_path)
            post = request.method == "POST"
            key = request.header(b"idempotency-key") if post else None
            known = _tenant(request)
            if self._ctx.locked:
                await _admit(self._ctx, request)
            tenant = known  # an error now links to the account's log: its key was accepted
            given = await _params(request)
            call = Call(tenant, given, request.path_params, versions.parse(version))
            if key:
                return await _run_once(self._ctx, request, call, handler, key, version=version)
            return _respond(version, await handler(call), 200)
        except ClientDisconnect:  # nothing reaches a closed connection: see ``wire.client_left``
            return Answer(b"", CLIENT_LEFT, [])
        except Exception as error:
            failure, _ = _failure(error, request)
            request_id = _request_id()
            body = _logged(failure.body(), tenant, request_id)
            return _respond_raw(version, _json(body), failure.status, request_id)


def _failure(error: Exception, request: Exchange) -> tuple[StripeError, bool]:
    """Stripe's answer to ``error``, and whether a repeat under the same idempotency key gets
    the same answer: yes once the request ran (a missing customer, an internal error), no for
    a request refused at validation or one that found the database unreachable."""
    if isinstance(error, StripeError):
        return error, False
    if isinstance(error, RolodexError):
        return from_core(error), not isinstance(error, Unavailable)
    log.exception("unexpected failure serving %s %s", request.method, request.url_path)
    return internal(), True


async def _run_once(
    ctx: Context, request: Exchange, call: Call, handler: Handler, key: str, *, version: str | None
) -> Answer:
    """Run a request sent with an idempotency key, or answer what its first run answered.

    As Stripe does: the answer of a run that got past parameter validation is remembered,
    failures included (a missing customer, an internal error), and a repeat with the same key,
    endpoint and parameters gets it back with ``Idempotent-Replayed: true``. Requests that
    fail validation, or find the database unreachable, are not remembered; they may be sent
    again with the same key.
    """
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise idempotency_key_too_long(len(key), MAX_IDEMPOTENCY_KEY)
    request_id = _request_id()
    repeatable = service.Repeatable(
        call.tenant, key, endpoint=_path(request), fingerprint=_fingerprint(call.params)
    )
    with service.running_once(ctx, repeatable):
        remembered = await service.recall_response(ctx, repeatable)
        if remembered is not None:
            return _replay(version, key, remembered, request_id)
        once = Once(ctx, repeatable, request_id)
        try:
            body, status, kept = await handler(replace(call, once=once)), 200, True
        except AnsweredMeanwhile as raced:  # another process ran it first; this run is undone
            return _replay(version, key, service.answer_to(repeatable, raced.kept), request_id)
        except Unavailable:
            raise  # answered by ``serve``; there is nothing to remember it in
        except Exception as error:
            # Another process running the same key may have answered meanwhile, and this run
            # failed for that very reason (the invoice prefix its customer took, say): the
            # first answer is the one to give.
            meanwhile = await service.recall_response(ctx, repeatable)
            if meanwhile is not None:
                return _replay(version, key, meanwhile, request_id)
            failure, kept = _failure(error, request)
            body, status = _logged(failure.body(), call.tenant, request_id), failure.status
        if once.kept is not None:  # the write kept its answer with it
            encoded, status = once.kept.body.encode(), once.kept.status
        else:
            encoded = _json(body)
            if kept:
                first = await service.remember_response(
                    ctx, repeatable, status, encoded.decode(), request_id
                )
                if first.request_id != request_id:  # another process remembered its answer
                    return _replay(version, key, first, request_id)
    headers = _idempotency_headers(key, request_id, replayed=False)
    return _respond_raw(version, encoded, status, request_id, headers)


def _replay(version: str | None, key: str, remembered: Remembered, request_id: str) -> Answer:
    replayed = _idempotency_headers(key, remembered.request_id, replayed=True)
    return _respond_raw(version, remembered.body.encode(), remembered.status, request_id, replayed)


def _path(request: Exchange) -> str:
    """The path as Stripe names the endpoint, without the ``/stripe`` prefix it may have."""
    path: str = request.scope["path"]
    return path.removeprefix(request.scope.get("root_path", ""))


def _fingerprint(params: Mapping[str, Any]) -> str:
    """The decoded parameters' digest: equal for the same parameters however encoded, an
    array sent as ``a[]`` or as ``a[0]`` included."""
    canonical = orjson.dumps(_indexed(params), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def _indexed(value: Any) -> Any:
    """``value`` with each array (``a[]``) as the hash of its indices (``a[0]``, ``a[1]``).

    Not the other way round: whether a hash of digits is an array or a hash of keys that are
    digits (``metadata[123]``) only the parameter schema knows, and read as an array,
    ``metadata[123]=x`` and ``metadata[456]=x`` were the same parameters.
    """
    if isinstance(value, list):
        return {str(index): _indexed(entry) for index, entry in enumerate(value)}
    if isinstance(value, dict):
        return {key: _indexed(entry) for key, entry in value.items()}
    return value


def _idempotency_headers(key: str, original: str, *, replayed: bool) -> Headers:
    headers = [
        (b"idempotency-key", key.encode("latin-1", "replace")),
        (b"original-request", original.encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    return headers


class _NotFound:
    """Stripe's 404 for a path it does not serve, as a plain ASGI app (an object, not a
    function, so that ``Route`` serves it as it is)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Exchange(scope, receive)
        body = unrecognized_url(request.method, request.url_path).body()
        await _send(request, _respond(request.header(b"stripe-version"), body, 404), send)


async def _send(request: Exchange, answer: Answer, send: Send) -> None:
    """Send ``answer`` to ``request``, with Stripe's CORS headers if a browser sent it."""
    if cors.from_browser(request):
        answer.headers.extend(cors.HEADERS)
    await answer.send(send)


def _preflight(request: Exchange) -> Answer:
    """A browser's question whether it may send a request here: yes (see ``cors``)."""
    version = request.header(b"stripe-version")
    return _respond_raw(version, b"", 200, _request_id(), cors.preflight_headers(request))


not_found = _NotFound()


def _tenant(request: Exchange) -> Tenant:
    return tenant_of(request.header(b"authorization"), request.header(b"stripe-account"))


async def _admit(ctx: Context, request: Exchange) -> None:
    """Refuse a well-formed key that a locked server does not hold."""
    key = key_of(request.header(b"authorization"))
    if not await service.admitted(ctx, "stripe", key):
        raise unknown_key(key)


def _logged(body: dict[str, Any], tenant: Tenant | None, request_id: str) -> dict[str, Any]:
    """An error body with the link to the request's log in the account's dashboard, as Stripe
    gives it once it knows the account (its authentication errors have none)."""
    if tenant is not None:
        logs = "test/logs" if tenant.mode == "test" else "logs"
        link = f"https://dashboard.stripe.com/{logs}/{request_id}?t={int(time.time())}"
        body["error"]["request_log_url"] = link
    return body


async def _params(request: Exchange) -> dict[str, Any]:
    """The query string's parameters and the body's, as one set, as Stripe reads them: a POST
    may carry some in its address, and a GET or DELETE some in a body."""
    query = query_string(request.scope)
    if request.method != "POST" and not _sends_body(request):
        return decode_query(query)
    body = await _body(request)
    if not body:
        return decode_query(query)
    return decode_pairs((pairs_of(query) if query else []) + await _body_pairs(request, body))


def _sends_body(request: Exchange) -> bool:
    length = request.header(b"content-length")
    chunked = request.header(b"transfer-encoding") is not None
    return chunked or (length is not None and length.strip() != "0")


async def _body_pairs(request: Exchange, body: bytes) -> list[tuple[str, str]]:
    content_type = request.header(b"content-type") or ""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == _FORM:
        return pairs_of(body.decode("utf-8", errors="replace"))
    if media_type == _MULTIPART:
        return await multipart_pairs(request.scope, body)
    raise StripeError(
        f"Invalid request: unsupported Content-Type {content_type}. If error persists and "
        "you need assistance, please contact support@stripe.com."
    )


async def _body(request: Exchange) -> bytes:
    """The body, read no further than the limit, so an oversized one costs no memory."""
    declared = request.header(b"content-length") or ""
    length = (
        clamped(declared, MAX_BODY_BYTES + 1) if declared.isascii() and declared.isdigit() else 0
    )
    if length > MAX_BODY_BYTES:
        raise body_too_large()
    body = await request.body(MAX_BODY_BYTES)
    if body is None:
        raise body_too_large()
    return body


def _respond(version: str | None, body: dict[str, Any], status: int) -> Answer:
    """Stripe's JSON response, echoing ``version`` (the request's ``Stripe-Version``)."""
    return _respond_raw(version, _json(body), status, _request_id())


def _json(body: Any) -> bytes:
    """A response body as Stripe writes it: JSON indented by two spaces."""
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)


def _respond_raw(
    version: str | None,
    body: bytes,
    status: int,
    request_id: str,
    extra: Headers | None = None,
) -> Answer:
    headers = _stripe_headers(version, status, request_id)
    if extra:
        headers.extend(extra)
    return Answer(body, status, headers)


def _stripe_headers(version: str | None, status: int, request_id: str) -> Headers:
    echoed = versions.DEFAULT if version is None else version
    headers = [
        (b"request-id", request_id.encode()),
        (b"stripe-version", echoed.encode("latin-1")),
    ]
    if status >= 500:
        headers.append((b"stripe-should-retry", b"true" if status == 503 else b"false"))
    return headers


_DRAWN_AT_ONCE = 4096
"""Random bytes drawn from the system at a time for request ids: one ``getrandom`` call per
about 280 requests, not one each (the bytes ``secrets.token_bytes`` returns, drawn ahead)."""


class _RequestIds:
    """``req_`` and 14 characters drawn evenly from letters and digits, for each request."""

    def __init__(self) -> None:
        self._drawn = b""
        """Characters mapped from random bytes by ``_BYTE_TO_CHARACTER``."""
        self._taken = 0

    def next(self) -> str:
        if len(self._drawn) - self._taken < _REQUEST_ID_LENGTH:
            self._drawn = os.urandom(_DRAWN_AT_ONCE).translate(_BYTE_TO_CHARACTER, _DROPPED_BYTES)
            self._taken = 0
        start = self._taken
        self._taken = start + _REQUEST_ID_LENGTH
        return "req_" + self._drawn[start : self._taken].decode()

    def forget(self) -> None:
        """In a forked child: draw afresh, or parent and child would give the same ids."""
        self._drawn, self._taken = b"", 0


_request_ids = _RequestIds()
os.register_at_fork(after_in_child=_request_ids.forget)


def _request_id() -> str:
    return _request_ids.next()
