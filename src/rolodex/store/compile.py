"""Compile the core query AST into SQLAlchemy expressions over the customers table.

Values always travel as bound parameters; the AST never becomes SQL text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from rolodex.core.errors import InvalidQuery
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
from rolodex.store.tables import customer_terms, customers

Clause = sa.ColumnElement[bool]

_ORDERING: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.LE: operator.le,
}


def compile_condition(
    condition: Condition, tenant: str, *, dialect: str, indexed: frozenset[str] = frozenset()
) -> Clause:
    """``indexed`` names the term fields the store keeps side rows for (see ``IndexSpec``)."""

    def compiled(node: Condition) -> Clause:  # noqa: PLR0911 - one return per node shape
        match node:
            case AllOf(clauses):
                return sa.and_(*(compiled(c) for c in clauses))
            case AnyOf(clauses):
                return sa.or_(*(compiled(c) for c in clauses))
            case Not(clause):
                return sa.not_(compiled(clause))
            case IsNull(field) if _is_indexed(field, indexed):
                return customers.c.id.not_in(_holders(tenant, field))
            case IsNull(field):
                return document_value(field, dialect).is_(None)
            case Compare(Created(), op, value) if op in _ORDERING:
                result: Clause = _ORDERING[op](customers.c.created_us, value)
                return result
            case Compare(field, Op.EQ, str(value)) if _is_indexed(field, indexed):
                return customers.c.id.in_(
                    _holders(tenant, field).where(customer_terms.c.value == value)
                )
            case Compare(Attr() | Entry() as field, op, str(value)) if op in _TEXT_MATCHES:
                return _TEXT_MATCHES[op](document_value(field, dialect), value)
        raise InvalidQuery(f"unsupported condition {node!r}")

    return compiled(condition)


def document_value(field: Field, dialect: str) -> sa.ColumnElement[str]:
    """A field read straight from the JSON document: correct for any field, but unindexed."""
    match field:
        case Attr(name):
            path = [name]
        case Entry(map_name, key):
            path = [map_name, key]
        case _:
            raise InvalidQuery(f"{field!r} is not a document field")
    if dialect == "postgresql":
        text: sa.ColumnElement[str] = sa.cast(customers.c.doc, JSONB)[path].astext
        return text
    json_path = "$" + "".join(f'."{part}"' for part in path)
    extracted: sa.ColumnElement[str] = sa.func.json_extract(customers.c.doc, json_path)
    return extracted


def _is_indexed(field: Field, indexed: frozenset[str]) -> bool:
    """Attributes are indexed by name, map entries by the map's name."""
    match field:
        case Attr(name):
            return name in indexed
        case Entry(map_name, _):
            return map_name in indexed
    return False


_TEXT_MATCHES: dict[Op, Callable[[sa.ColumnElement[str], str], Clause]] = {
    Op.EQ: lambda column, value: column == value,
    Op.TOKEN: lambda column, value: sa.func.lower(column) == value.lower(),
    Op.CONTAINS: lambda column, value: column.icontains(value, autoescape=True),
    Op.WORDS: lambda column, value: column.icontains(value, autoescape=True),
}


def term_name(field: Field) -> str:
    match field:
        case Attr(name):
            return name
        case Entry(map_name, key):
            return f"{map_name}.{key}"
    raise InvalidQuery(f"{field!r} is not an indexed field")


def _holders(tenant: str, field: Field) -> sa.Select[tuple[str]]:
    return sa.select(customer_terms.c.customer_id).where(
        customer_terms.c.tenant == tenant,
        customer_terms.c.field == term_name(field),
    )
