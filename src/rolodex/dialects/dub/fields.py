"""Validators for the fields of Dub's JSON bodies, with zod's issue codes and messages.

Each check takes the decoded value (``UNSET`` when the key is absent) and the field's path, and
returns the value to keep or raises Dub's 422. Hand-written because no Python library speaks
zod's type names and messages; URLs are judged by a WHATWG URL parser, the standard Dub's
runtime follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ada_url

from rolodex.core.unset import UNSET
from rolodex.dialects.dub.errors import DubError, invalid
from rolodex.dialects.wire import js_trim

_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}"
)
"""zod's email pattern: ASCII only, no leading or doubled dots, a dotted domain."""
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


Check = Callable[[Any, str], Any]
"""Validates one body field (``UNSET`` when absent) and returns the value to keep."""


@dataclass(frozen=True, slots=True)
class Field:
    check: Check
    nullable: bool = False
    required: bool = False


_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),  # before int: a bool is an int to Python
    ((int, float), "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def _type_name(value: Any) -> str:
    """zod's name for a JSON value's type (``UNSET``, an absent key, is undefined)."""
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), "undefined")


def _wrong_type(expected: str, value: Any, path: str) -> DubError:
    received = _type_name(value)
    return invalid("invalid_type", path, f"Invalid input: expected {expected}, received {received}")


def text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type("string", value, path)
    return value


def email(value: Any, path: str) -> str:
    if _EMAIL.fullmatch(address := text(value, path)) is None:
        raise invalid("invalid_format", path, "Invalid email address")
    return address


def url(value: Any, path: str) -> str:
    """Any absolute URL by the WHATWG rules Dub's runtime applies (``mailto:`` included)."""
    trimmed = js_trim(text(value, path))
    if not ada_url.check_url(trimmed):
        raise invalid("invalid_format", path, "Invalid URL")
    return trimmed


def external_id(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise invalid("invalid_type", path, "External ID is required")
    return value


def timestamp(value: Any, path: str) -> str:
    """An ISO-8601 date-time with a zone, kept as UTC with milliseconds (so text sorts as time)."""
    written = text(value, path)
    try:
        if _DATETIME.fullmatch(written) is None:
            raise ValueError(written)
        moment = datetime.fromisoformat(written).astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: in UTC, before year 1 or after 9999
        raise invalid("invalid_format", path, "Invalid ISO datetime") from None
    return iso_ms(moment)


def iso_ms(moment: datetime) -> str:
    """``2024-01-15T10:30:00.000Z``: how Dub writes every date."""
    utc = moment.astimezone(UTC)
    # Four digits of year always: ``strftime("%Y")`` leaves years before 1000 unpadded.
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def body(value: Any, schema: Mapping[str, Field]) -> dict[str, Any]:
    """The fields ``value`` sets, validated in schema order; unknown keys are ignored."""
    if not isinstance(value, dict):
        raise _wrong_type("object", value, "")
    parsed: dict[str, Any] = {}
    for name, field in schema.items():
        given = value.get(name, UNSET)
        if given is UNSET and not field.required:
            continue
        parsed[name] = None if given is None and field.nullable else field.check(given, name)
    return parsed
