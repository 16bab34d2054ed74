"""Dub's wire formats to plain data: the query string and the JSON body.

Both steps follow what Dub's handlers do with a request: the query becomes a flat map in which
a repeated parameter keeps its last value, and the body must parse as JSON whatever its
``Content-Type`` says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from rolodex.dialects.dub.errors import DubError, invalid
from rolodex.dialects.wire import fetch_json, nul_path

MAX_BODY_BYTES = 4_500_000
"""The largest body Dub's hosting accepts (4.5 MB); a larger one is refused with 413."""
NUL = "\x00"

INVALID_JSON = (
    "Invalid JSON format in request body. Please ensure the request body is a valid JSON object."
)


def query_of(text: str) -> dict[str, str]:
    """``a=1&b=2&a=3`` -> ``{"a": "3", "b": "2"}``: the last of repeated parameters wins."""
    return dict(parse_qsl(text, keep_blank_values=True))


def json_body(raw: bytes) -> Any:
    """The parsed body; an empty or malformed one is Dub's 400 ``bad_request``."""
    try:
        return fetch_json(raw)
    except orjson.JSONDecodeError:
        raise DubError("bad_request", INVALID_JSON) from None


def refuse_nul(value: Any, path: str = "") -> None:
    """Dub's 422 naming the first text in ``value`` (decoded JSON, or a map of query or path
    parameters) that holds U+0000.

    PostgreSQL can neither store nor compare text holding that character, so Rolodex refuses it
    in every input, on every backend alike, rather than keep on SQLite what PostgreSQL cannot.
    """
    if (found := nul_path(value, path)) is not None:
        raise invalid("invalid_format", found, "Invalid string: must not contain U+0000")
