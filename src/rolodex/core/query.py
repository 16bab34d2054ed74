"""The query AST: what a list filter or a search asks of the store.

Every store compiles these frozen nodes into parameterised SQL; no query text ever reaches a
database as text. Values are in record units (``created`` is microseconds since the epoch).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Op(enum.Enum):
    EQ = "eq"
    """Exact equality (case-sensitive)."""
    TOKEN = "token"
    """Exact equality, ignoring case."""
    WORDS = "words"
    """The value's words appear in the field, consecutively and in order, ignoring case.

    See :mod:`rolodex.core.text` for what a word is."""
    CONTAINS = "contains"
    """The value is a substring of the field, ignoring case."""
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


@dataclass(frozen=True, slots=True)
class Created:
    """The record's creation time."""


@dataclass(frozen=True, slots=True)
class RecordId:
    """The record's own id (compared for equality only)."""


@dataclass(frozen=True, slots=True)
class Attr:
    """A top-level field of the record's document."""

    name: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One key of a map field, such as ``metadata['plan']``."""

    map: str
    key: str


Field = Created | RecordId | Attr | Entry


@dataclass(frozen=True, slots=True)
class Compare:
    field: Field
    op: Op
    value: str | int


@dataclass(frozen=True, slots=True)
class IsNull:
    field: Field


@dataclass(frozen=True, slots=True)
class Not:
    clause: Condition


@dataclass(frozen=True, slots=True)
class AllOf:
    clauses: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    clauses: tuple[Condition, ...]


Condition = Compare | IsNull | Not | AllOf | AnyOf
