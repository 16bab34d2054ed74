"""The meaning of the query AST, evaluated in plain Python over records: what every store's
compiled SQL must agree with."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

from rolodex.core import text
from rolodex.core.query import (
    AllOf,
    AnyOf,
    Attr,
    Compare,
    Condition,
    Created,
    Entry,
    Field,
    IsNull,
    Not,
    Op,
)
from rolodex.core.records import Record


def matches(condition: Condition | None, record: Record) -> bool:
    match condition:
        case None:
            return True
        case AllOf(clauses):
            return all(matches(c, record) for c in clauses)
        case AnyOf(clauses):
            return any(matches(c, record) for c in clauses)
        case Not(clause):
            return not matches(clause, record)
        case IsNull(field):
            return _value(field, record) is None
        case Compare(field, op, value):
            return _compare(_value(field, record), op, value)
    raise AssertionError(f"not a condition: {condition!r}")


def _value(field: Field, record: Record) -> Any:
    match field:
        case Created():
            return record.created_us
        case Attr(name):
            return record.fields.get(name)
        case Entry(map_name, key):
            return (record.fields.get(map_name) or {}).get(key)
    raise AssertionError(f"not a field: {field!r}")


_OPERATORS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.TOKEN: lambda actual, wanted: str(actual).lower() == str(wanted).lower(),
    Op.WORDS: lambda actual, wanted: text.has_words(str(actual), str(wanted)),
    Op.CONTAINS: lambda actual, wanted: text.has_substring(str(actual), str(wanted)),
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.LE: operator.le,
}


def _compare(actual: Any, op: Op, wanted: str | int) -> bool:
    """A comparison with an absent field is false, whatever the operator."""
    return actual is not None and bool(_OPERATORS[op](actual, wanted))


def search(condition: Condition | None, records: Iterable[Record]) -> list[str]:
    """Ids of the live matches, newest first: ``(created_us, id)`` descending."""
    found = [r for r in records if not r.deleted and matches(condition, r)]
    return [r.id for r in sorted(found, key=lambda r: (r.created_us, r.id), reverse=True)]
