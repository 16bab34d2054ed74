"""Compile the core query AST into SQLAlchemy expressions over the customers table.

Values always travel as bound parameters; the AST never becomes SQL text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

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


def compile_condition(condition: Condition, tenant: str) -> Clause:
    match condition:
        case AllOf(clauses):
            return sa.and_(*(compile_condition(c, tenant) for c in clauses))
        case AnyOf(clauses):
            return sa.or_(*(compile_condition(c, tenant) for c in clauses))
        case Not(clause):
            return sa.not_(compile_condition(clause, tenant))
        case IsNull(field):
            return customers.c.id.not_in(_holders(tenant, field))
        case Compare(Created(), op, value) if op in _ORDERING:
            result: Clause = _ORDERING[op](customers.c.created_us, value)
            return result
        case Compare(field, Op.EQ, str(value)):
            return customers.c.id.in_(
                _holders(tenant, field).where(customer_terms.c.value == value)
            )
    raise InvalidQuery(f"unsupported condition {condition!r}")


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
