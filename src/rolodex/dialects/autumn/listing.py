"""Autumn's list filters and cursors, as core query conditions and store positions.

The cursor keeps Autumn's shape, base64url of ``{"v": 0, "id": ..., "t": ...}``, but names the
record's internal id and its creation time in microseconds: a page then continues exactly where
the last one stopped even if that customer was renamed or deleted meanwhile, or has no id.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from rolodex.core.query import AllOf, AnyOf, Attr, Compare, Condition, Created, IsNull, Not, Op
from rolodex.dialects.autumn.errors import invalid_cursor, invalid_inputs, invalid_request
from rolodex.dialects.autumn.params import LIST_MAX
from rolodex.dialects.autumn.translate import SPEC
from rolodex.dialects.wire import js_trim
from rolodex.store.base import Cursor

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_CURSOR_VERSION = 0
_TIME_LIMIT = 2**62


@dataclass(frozen=True, slots=True)
class Filter:
    """A list filter; ``nothing`` when it can match no customer (Rolodex holds no plans)."""

    where: Condition | None
    nothing: bool = False


def filter_of(given: Mapping[str, Any]) -> Filter:
    if given.get("plans"):
        return Filter(None, nothing=True)
    clauses: list[Condition] = []
    if search := js_trim(given.get("search") or ""):
        clauses.append(AnyOf(tuple(Compare(Attr(n), Op.CONTAINS, search) for n in SPEC.texts)))
    if processors := given.get("processors"):
        if "stripe" not in processors:
            return Filter(None, nothing=True)
        clauses.append(Not(IsNull(Attr("stripe_id"))))
    clauses.extend(_created_range(given.get("created_at_range") or {}))
    return Filter(AllOf(tuple(clauses)) if clauses else None)


def _created_range(bounds: Mapping[str, float]) -> list[Condition]:
    """Inclusive bounds in milliseconds to microsecond comparisons on the creation time."""
    start, end = bounds.get("start"), bounds.get("end")
    if start is not None and end is not None and start > end:
        raise invalid_inputs("created_at_range: start must be less than or equal to end")
    clauses: list[Condition] = []
    if start is not None:
        clauses.append(Compare(Created(), Op.GE, _bounded(_ceil(start) * 1000)))
    if end is not None:
        clauses.append(Compare(Created(), Op.LT, _bounded((int(end // 1) + 1) * 1000)))
    return clauses


def _ceil(value: float) -> int:
    whole = int(value)
    return whole + 1 if value > whole else whole


def _bounded(microseconds: int) -> int:
    """Within a 64-bit column's range, where every stored creation time lies."""
    return max(-_TIME_LIMIT, min(microseconds, _TIME_LIMIT))


def check_limit(limit: int) -> None:
    if limit > LIST_MAX:
        raise invalid_request(f"limit {limit} exceeds max of {LIST_MAX} for this org")


def encode_cursor(position: Cursor) -> str:
    payload = {"v": _CURSOR_VERSION, "id": position.id, "t": position.created_us}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor | None:
    """The position a ``start_cursor`` names; ``None`` for the first page (``""``)."""
    if text == "":
        return None
    if not _BASE64URL.fullmatch(text):
        raise invalid_cursor("cursor is not valid base64url")
    try:
        raw = base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise invalid_cursor("cursor is not valid base64url") from None
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid_cursor("cursor payload is not valid JSON") from None
    return _position(payload)


def _position(payload: Any) -> Cursor:
    match payload:
        case {"v": int(0), "id": str(record_id), "t": int(created_us)} if (
            -_TIME_LIMIT <= created_us <= _TIME_LIMIT and not isinstance(created_us, bool)
        ):
            if "\x00" in record_id:
                # No id holds U+0000, and PostgreSQL cannot even compare text holding it.
                raise invalid_cursor("cursor shape mismatch: id cannot contain U+0000")
            return Cursor(created_us, record_id)
    raise invalid_cursor('cursor shape mismatch: expected {"v": 0, "id": <string>, "t": <integer>}')
