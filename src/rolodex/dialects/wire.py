"""What every dialect does with an HTTP request the same way: serve it, read its query.

Both exist to spare Starlette's general machinery on every request; see each docstring.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class AsgiEndpoint:
    """A request handler that Starlette's ``Route`` serves as a plain ASGI app.

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


def query_string(request: Request) -> str:
    """The request's query string, exactly as ``request.url.query`` gives it.

    Why: ``request.url`` builds Starlette's ``URL`` (the host header parsed, the whole address
    put together and split again by ``urllib``) only to hand back the query string the ASGI
    scope already holds, and on a short request that costs about a tenth of the request.

    Starlette decodes the raw query as UTF-8 (so bytes that are not UTF-8 raise alike) and
    ``urlsplit`` then leaves it as it is, unless it holds one of ``_SPLIT_ALTERED``: such a
    query, which no well-behaved client sends, goes the long way round.
    """
    raw: bytes = request.scope.get("query_string", b"")
    query = raw.decode()
    if any(character in query for character in _SPLIT_ALTERED):
        return request.url.query
    return query
