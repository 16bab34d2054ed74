"""Autumn's wire formats to plain data: JSON bodies and query strings.

Autumn reads a body that is not JSON as an empty object, so a malformed body earns the
"required field" error of the operation rather than a parse error; these steps do the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson

from rolodex.dialects.wire import fetch_json


def json_body(raw: bytes) -> Any:
    """The decoded body; ``{}`` when there is none or it is not JSON."""
    if not raw.strip():
        return {}
    try:
        return fetch_json(raw)
    except orjson.JSONDecodeError:
        return {}


def query_params(query_string: str) -> dict[str, list[str]]:
    """Every query parameter with all its values, in order; blank values kept."""
    return parse_qs(query_string, keep_blank_values=True)


def expand_list(values: list[str]) -> list[str]:
    """``?expand=a,b`` and ``?expand=a&expand=b`` alike, as one list."""
    return [item for value in values for item in value.split(",") if item]


def last(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None
