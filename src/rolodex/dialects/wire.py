"""What every dialect reads off an HTTP request the same way.

Why this exists: ``request.url.query`` builds Starlette's ``URL`` (the host header parsed, the
whole address put together and split again by ``urllib``) only to hand back the query string
the ASGI scope already holds, and on a short request that costs about a tenth of the request.
"""

from __future__ import annotations

from starlette.requests import Request

_SPLIT_ALTERED = ("#", "\t", "\r", "\n")
"""Characters ``urllib.parse.urlsplit`` cuts at (``#``) or removes (tab, CR, LF)."""


def query_string(request: Request) -> str:
    """The request's query string, exactly as ``request.url.query`` gives it.

    Starlette decodes the raw query as UTF-8 (so bytes that are not UTF-8 raise alike) and
    ``urlsplit`` then leaves it as it is, unless it holds one of ``_SPLIT_ALTERED``: such a
    query, which no well-behaved client sends, goes the long way round.
    """
    raw: bytes = request.scope.get("query_string", b"")
    query = raw.decode()
    if any(character in query for character in _SPLIT_ALTERED):
        return request.url.query
    return query
