"""What a browser needs to call Rolodex as it calls Stripe: Stripe's CORS headers.

Stripe sends them on every response. Rolodex sends them on the responses to requests that
carry an ``Origin`` header, which a browser sends on every cross-origin request and the SDKs
never send: the HTTP server checks each header of every response (for these six, about
4.5 µs a response here: ``timeit`` of uvicorn's checks in a throw-away script), and only a
browser reads them. A browser's preflight (``OPTIONS`` with ``Origin``
and ``Access-Control-Request-Method``) is answered 200 with them, allowing the request headers
it names.
"""

from __future__ import annotations

from rolodex.dialects.wire import Exchange, Headers

ALLOWED_METHODS = b"GET, POST, HEAD, OPTIONS, DELETE"
EXPOSED_HEADERS = (
    b"Request-Id, Stripe-Version, Idempotency-Key, Original-Request, Idempotent-Replayed, "
    b"Stripe-Should-Retry"
)
"""The headers of Stripe's that Rolodex sends, for a script to read."""

HEADERS: Headers = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-credentials", b"true"),
    (b"access-control-allow-methods", ALLOWED_METHODS),
    (b"access-control-expose-headers", EXPOSED_HEADERS),
    (b"access-control-max-age", b"300"),
    (b"cache-control", b"no-cache, no-store"),
]


def from_browser(request: Exchange) -> bool:
    return request.header(b"origin") is not None


def is_preflight(request: Exchange) -> bool:
    return (
        request.method == "OPTIONS"
        and from_browser(request)
        and request.header(b"access-control-request-method") is not None
    )


def preflight_headers(request: Exchange) -> Headers:
    """The headers of the answer to a preflight: the request headers it asked to send are
    allowed, whichever they are, as the key alone decides what a request may do."""
    asked = request.header(b"access-control-request-headers")
    allowed = [] if asked is None else [(b"access-control-allow-headers", asked.encode("latin-1"))]
    return [*HEADERS, *allowed]
