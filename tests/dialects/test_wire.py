"""The query string read straight from the ASGI scope is the one Starlette's URL gives."""

from __future__ import annotations

import random

import pytest
from starlette.requests import Request

from rolodex.dialects.wire import query_string

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
        assert query_string(request) == request.url.query, (path, query)


def test_a_query_that_is_not_utf8_fails_as_starlette_url_does() -> None:
    request = _request("/v1/customers", b"a=\xff", "localhost")
    with pytest.raises(UnicodeDecodeError):
        request.url.query  # noqa: B018
    with pytest.raises(UnicodeDecodeError):
        query_string(request)
