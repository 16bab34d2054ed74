"""The request pipeline every Stripe endpoint shares: authenticate, decode, handle, render.

Errors of every kind are rendered here, at the dialect's edge, in Stripe's envelope; an
unexpected failure is logged and answered with Stripe's generic 500, never a traceback.
Every response carries ``Request-Id`` and echoes the ``Stripe-Version`` asked for.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from rolodex.core.errors import RolodexError
from rolodex.core.records import Tenant
from rolodex.dialects.stripe import versions
from rolodex.dialects.stripe.auth import tenant_of
from rolodex.dialects.stripe.decode import (
    MAX_BODY_BYTES,
    body_too_large,
    decode_form,
    decode_query,
)
from rolodex.dialects.stripe.errors import StripeError, from_core, internal, unrecognized_url
from rolodex.dialects.wire import query_string

log = logging.getLogger(__name__)

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
_REQUEST_ID_LENGTH = 14
_UNBIASED = 256 - 256 % len(_REQUEST_ID_ALPHABET)
"""Random bytes below this map evenly onto the alphabet; the few above it are dropped."""
_BYTE_TO_CHARACTER = bytes(
    ord(_REQUEST_ID_ALPHABET[byte % len(_REQUEST_ID_ALPHABET)]) for byte in range(_UNBIASED)
).ljust(256, b"?")
_DROPPED_BYTES = bytes(range(_UNBIASED, 256))
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated, decoded request, as a handler sees it."""

    tenant: Tenant
    params: dict[str, Any]
    path: Mapping[str, str] = field(default_factory=dict)
    version: versions.Version = field(default_factory=lambda: versions.parse(None))


Handler = Callable[[Call], Awaitable[dict[str, Any]]]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handlers: Mapping[str, Handler]) -> Endpoint:
    """One path's endpoint; a method it does not serve gets Stripe's unrecognised-URL 404."""

    async def serve(request: Request) -> Response:
        version = request.headers.get("stripe-version")
        try:
            handler = handlers.get(request.method)
            if handler is None:
                raise unrecognized_url(request.method, request.url.path)
            return _respond(version, await handler(await _call(request, version)), 200)
        except StripeError as error:
            return _respond(version, error.body(), error.status)
        except RolodexError as error:
            failure = from_core(error)
            return _respond(version, failure.body(), failure.status)
        except Exception:
            log.exception("unexpected failure serving %s %s", request.method, request.url.path)
            return _respond(version, internal().body(), 500)

    return serve


async def not_found(request: Request) -> Response:
    body = unrecognized_url(request.method, request.url.path).body()
    return _respond(request.headers.get("stripe-version"), body, 404)


async def _call(request: Request, version: str | None) -> Call:
    tenant = tenant_of(request.headers.get("authorization"))
    return Call(tenant, await _params(request), request.path_params, versions.parse(version))


async def _params(request: Request) -> dict[str, Any]:
    if request.method != "POST":
        return decode_query(query_string(request))
    content_type = request.headers.get("content-type", "")
    body = await _body(request)
    if body and not content_type.startswith(_FORM_TYPES):
        raise StripeError(
            f"Invalid request: unsupported Content-Type {content_type}. If error persists and "
            "you need assistance, please contact support@stripe.com."
        )
    return decode_form(body)


async def _body(request: Request) -> bytes:
    """The body, read no further than the limit, so an oversized one costs no memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise body_too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise body_too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _respond(version: str | None, body: dict[str, Any], status: int) -> Response:
    """Stripe's JSON response, echoing ``version`` (the request's ``Stripe-Version``)."""
    response = Response(orjson.dumps(body), status, media_type="application/json")
    # Before Starlette's content-length and content-type, where passing them as ``headers``
    # puts them, without its lowering, encoding and searching of each name.
    response.raw_headers[:0] = _stripe_headers(version, status)
    return response


def _stripe_headers(version: str | None, status: int) -> list[tuple[bytes, bytes]]:
    echoed = versions.DEFAULT if version is None else version
    headers = [
        (b"request-id", _request_id().encode()),
        (b"stripe-version", echoed.encode("latin-1")),
    ]
    if status >= 500:
        headers.append((b"stripe-should-retry", b"true" if status == 503 else b"false"))
    return headers


def _request_id() -> str:
    """``req_`` and 14 characters drawn evenly from letters and digits.

    One draw of random bytes mapped by a table, rather than a draw per character: per
    character, drawing is a tenth of a short request's cost.
    """
    drawn = b""
    while len(drawn) < _REQUEST_ID_LENGTH:
        drawn += secrets.token_bytes(_REQUEST_ID_LENGTH + 4).translate(
            _BYTE_TO_CHARACTER, _DROPPED_BYTES
        )
    return "req_" + drawn[:_REQUEST_ID_LENGTH].decode()
