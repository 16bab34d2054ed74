"""Autumn's wire formats to plain data: JSON bodies and query strings.

Autumn reads a body that is not JSON as an empty object, so a malformed body earns the
"required field" error of the operation rather than a parse error; these steps do the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson


def json_body(raw: bytes) -> Any:
    """The decoded body; ``{}`` when there is none or it is not JSON."""
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}


def nul_path(value: Any, path: str = "") -> str | None:
    """Where the first text holding U+0000 sits in a decoded body, or ``None`` if none does.

    PostgreSQL cannot store that character in text or JSON, so Rolodex refuses it on every
    backend alike rather than accept on SQLite what PostgreSQL would lose.
    """
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        inner = f"{path}.{key}" if path else str(key)
        if "\x00" in str(key):
            return inner
        if (found := nul_path(item, inner)) is not None:
            return found
    return None


def query_params(query_string: str) -> dict[str, list[str]]:
    """Every query parameter with all its values, in order; blank values kept."""
    return parse_qs(query_string, keep_blank_values=True)


def expand_list(values: list[str]) -> list[str]:
    """``?expand=a,b`` and ``?expand=a&expand=b`` alike, as one list."""
    return [item for value in values for item in value.split(",") if item]


def last(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None
