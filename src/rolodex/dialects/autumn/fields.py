"""A small validator kit that reports problems the way Autumn's request schemas do.

Hand-written because Autumn's messages are zod's, passed through Autumn's own formatter
(``name: must be a string (received number)``, ``limit: Too small: expected number to be >=10``,
several at once as ``[Validation Errors] a; b``). Mapping another validation library's errors
onto that exact text would take more code than checking these few shapes directly.

Every field's ``parse(value, path)`` returns the accepted value or raises :class:`Invalid`
carrying every problem found; an absent key arrives as ``MISSING`` ("undefined" to zod).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from rolodex.core.unset import UNSET
from rolodex.dialects.wire import js_number

MISSING = UNSET
Check = Callable[[str], str | None]
"""Returns the problem with a text, or ``None`` when it is acceptable."""


class Invalid(Exception):
    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__(issues)
        self.issues = issues

    def message(self) -> str:
        lines = [f"{path or 'input'}: {problem}" for path, problem in self.issues]
        return lines[0] if len(lines) == 1 else "[Validation Errors] " + "; ".join(lines)


class Field(Protocol):
    def parse(self, value: Any, path: str) -> Any: ...


def fail(path: str, problem: str) -> NoReturn:
    raise Invalid([(path, problem)])


_TYPE_NAMES = (
    (bool, "boolean"),
    (int, "number"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
)


def received(value: Any) -> str:
    """The name zod gives the type of ``value`` in its messages."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), "object")


@dataclass(frozen=True)
class Text:
    nullable: bool = False
    check: Check | None = None

    def parse(self, value: Any, path: str) -> str | None:
        if value is None and self.nullable:
            return None
        if not isinstance(value, str):
            fail(path, f"must be a string (received {received(value)})")
        if self.check is not None and (problem := self.check(value)) is not None:
            fail(path, problem)
        return value


@dataclass(frozen=True)
class Boolean:
    def parse(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            fail(path, f"must be a boolean (received {received(value)})")
        return value


@dataclass(frozen=True)
class Number:
    integer: bool = False
    minimum: int | None = None
    maximum: int | None = None
    coerce: bool = False
    """Read text as JavaScript's ``Number()`` does (query parameters)."""

    def parse(self, value: Any, path: str) -> int | float:
        if self.coerce and isinstance(value, str):
            value = js_number(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            fail(path, f"must be a number (received {received(value)})")
        if self.integer and not (isinstance(value, int) or value.is_integer()):
            fail(path, "Invalid input: expected int, received number")
        if self.minimum is not None and value < self.minimum:
            fail(path, f"Too small: expected number to be >={self.minimum}")
        if self.maximum is not None and value > self.maximum:
            fail(path, f"Too big: expected number to be <={self.maximum}")
        return int(value) if self.integer else value


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def parse(self, value: Any, path: str) -> str:
        if value not in self.options or not isinstance(value, str):
            fail(path, "must be one of: " + ", ".join(self.options))
        return value


RECORD_MAX_DEPTH = 64
"""Rolodex's own bound on the objects and arrays nested in a record, itself included (Autumn
sets none): far past any metadata in use, and far enough inside the 254 levels its JSON
writer takes that a customer in any response or export stays writable."""


@dataclass(frozen=True)
class Record:
    """An object with string keys and values of any kind (metadata)."""

    nullable: bool = False

    def parse(self, value: Any, path: str) -> dict[str, Any] | None:
        if value is None and self.nullable:
            return None
        if not isinstance(value, dict):
            fail(path, f"Invalid input: expected record, received {received(value)}")
        if _depth(value) > RECORD_MAX_DEPTH:
            fail(path, f"Too deep: expected at most {RECORD_MAX_DEPTH} levels of nesting")
        return {key: _as_javascript_holds(item) for key, item in value.items()}


_EXACT_INTEGERS = 2**53
"""Below this, a whole double and the integer print alike in JavaScript and in Python."""


def _as_javascript_holds(value: Any) -> Any:
    """``value`` with each whole number sent with a fraction or exponent (``1.0``, ``1E2``,
    ``-0.0``) an integer, as Autumn's JavaScript server, whose numbers are all doubles, writes
    it back (``1``, ``100``, ``0``). Recursive: checked to nest at most 64 levels first."""
    if isinstance(value, float):
        whole = value.is_integer() and abs(value) < _EXACT_INTEGERS
        return int(value) if whole else value
    if isinstance(value, dict):
        return {key: _as_javascript_holds(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_javascript_holds(item) for item in value]
    return value


def _depth(value: Any) -> int:
    """How deep objects and arrays nest in ``value`` (1: one with none inside), counted
    without recursion, as a body may nest them past Python's recursion limit."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Items:
    item: Field

    def parse(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            fail(path, f"Invalid input: expected array, received {received(value)}")
        issues: list[tuple[str, str]] = []
        parsed = [
            _collect(self.item, entry, f"{path}.{i}", issues) for i, entry in enumerate(value)
        ]
        if issues:
            raise Invalid(issues)
        return parsed


@dataclass(frozen=True)
class Shape:
    """An object of named fields; unknown keys are dropped, as Autumn's schemas strip them."""

    fields: Mapping[str, Field]
    required: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def parse(self, value: Any, path: str = "") -> dict[str, Any]:
        if not isinstance(value, dict):
            fail(path, f"Invalid input: expected object, received {received(value)}")
        issues: list[tuple[str, str]] = []
        parsed: dict[str, Any] = {}
        for name, kind in self.fields.items():
            if name in value or name in self.required:
                given = value.get(name, MISSING)
                parsed[name] = _collect(kind, given, f"{path}.{name}" if path else name, issues)
            elif name in self.defaults:
                parsed[name] = self.defaults[name]
        if issues:
            raise Invalid(issues)
        return parsed


def _collect(kind: Field, value: Any, path: str, issues: list[tuple[str, str]]) -> Any:
    try:
        return kind.parse(value, path)
    except Invalid as invalid:
        issues.extend(invalid.issues)
        return None
