"""What a customer search query asks: the clauses of ``syntax`` checked against the fields
Stripe lets one search customers by, and turned into the core query AST.

======== ======= ====================================================================
field    type    operators
======== ======= ====================================================================
created  numeric ``:`` ``=`` exact second, ``>`` ``<`` ``>=`` ``<=``
email    string  ``:`` the query's words, in order, ignoring case; ``~`` substring (3+)
name     string  as email
phone    string  as email
metadata token   ``metadata['key']:'value'``, exact but ignoring case
======== ======= ====================================================================

Every field also takes ``:null`` (the field is empty); ``-`` negates a clause.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from rolodex.core import digits
from rolodex.core.errors import InvalidQuery
from rolodex.core.query import (
    AllOf,
    AnyOf,
    Attr,
    Compare,
    Condition,
    Created,
    Entry,
    IsNull,
    Not,
    Op,
)
from rolodex.dialects.stripe.search.syntax import UNPARSABLE, Clause, Query

MAX_CLAUSES = 10
MIN_SUBSTRING = 3
SECOND = 1_000_000
_LATEST_SECOND = 4_000_000_000_000
"""Far past any record, and small enough that microseconds stay within 64 bits."""
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class Kind(enum.Enum):
    NUMERIC = "numeric"
    STRING = "string"
    TOKEN = "token"


FIELDS = {
    "created": Kind.NUMERIC,
    "email": Kind.STRING,
    "name": Kind.STRING,
    "phone": Kind.STRING,
    "metadata": Kind.TOKEN,
}
_OPERATORS = {
    Kind.NUMERIC: (":", "=", ">", "<", ">=", "<="),
    Kind.STRING: (":", "~"),
    Kind.TOKEN: (":",),
}


def condition_of(query: Query) -> Condition:
    """The core condition ``query`` stands for; raises ``InvalidQuery`` if it stands for none."""
    joints = set(query.joints)
    if "or" in joints and joints - {"or"}:
        first_is_or = query.joints[0] == "or"
        mixed = next(i for i, j in enumerate(query.joints) if (j == "or") != first_is_or)
        raise InvalidQuery(
            f"{UNPARSABLE} AND and OR cannot be combined in one query: join every clause "
            "with AND (or spaces), or every clause with OR.",
            query.joint_positions[mixed],
        )
    if len(query.clauses) > MAX_CLAUSES:
        raise InvalidQuery(
            f"{UNPARSABLE} A query can combine at most {MAX_CLAUSES} clauses, "
            f"but this one has {len(query.clauses)}.",
            query.clauses[MAX_CLAUSES].position,
        )
    conditions = tuple(_condition(clause) for clause in query.clauses)
    if len(conditions) == 1:
        return conditions[0]
    return AnyOf(conditions) if "or" in joints else AllOf(conditions)


def _condition(clause: Clause) -> Condition:
    kind = _kind(clause)
    if clause.operator not in _OPERATORS[kind]:
        allowed = " ".join(f"`{op}`" for op in _OPERATORS[kind])
        raise InvalidQuery(
            f"The `{clause.operator}` operator cannot be used with field `{clause.field}`, "
            f"a {kind.value} field; {kind.value} fields take {allowed}.",
            clause.position,
        )
    condition = _BUILDERS[kind](clause)
    return Not(condition) if clause.negated else condition


def _kind(clause: Clause) -> Kind:
    kind = FIELDS.get(clause.field)
    if kind is None:
        raise InvalidQuery(
            f"Field `{clause.field}` is an unsupported search field for resource `customers`. "
            "See https://stripe.com/docs/search#query-fields-for-customers for a list of "
            "supported fields.",
            clause.position,
        )
    if (kind is Kind.TOKEN) != (clause.key is not None):
        raise InvalidQuery(
            f"{UNPARSABLE} Metadata is searched by key, as in metadata['key']:'value', "
            "and no other field takes a key.",
            clause.position,
        )
    return kind


def _null_or(clause: Clause, test: Callable[[str], Condition]) -> Condition:
    if clause.value.kind != "null":
        return test(clause.value.text)
    if clause.operator != ":":
        raise InvalidQuery(
            f"`null` can only follow the `:` operator, as in {clause.field}:null.",
            clause.position,
        )
    return IsNull(Entry("metadata", clause.key) if clause.key is not None else _field(clause))


def _field(clause: Clause) -> Created | Attr:
    return Created() if clause.field == "created" else Attr(clause.field)


def _numeric(clause: Clause) -> Condition:
    return _null_or(clause, lambda value: _created(clause, _seconds(clause, value)))


def _seconds(clause: Clause, value: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(value):
        raise InvalidQuery(
            f"Field `{clause.field}` is numeric, but `{value}` is not a whole number.",
            clause.position,
        )
    return digits.clamped(value, _LATEST_SECOND)


def _created(clause: Clause, second: int) -> Condition:
    """Whole seconds to microsecond bounds: ``> 5`` means from the start of second 6."""
    start, end = second * SECOND, (second + 1) * SECOND
    match clause.operator:
        case ">":
            return Compare(Created(), Op.GE, end)
        case ">=":
            return Compare(Created(), Op.GE, start)
        case "<":
            return Compare(Created(), Op.LT, start)
        case "<=":
            return Compare(Created(), Op.LT, end)
    return AllOf((Compare(Created(), Op.GE, start), Compare(Created(), Op.LT, end)))


def _string(clause: Clause) -> Condition:
    if clause.operator == ":":
        return _null_or(clause, lambda value: Compare(Attr(clause.field), Op.WORDS, value))
    return _null_or(clause, lambda value: _substring(clause, value))


def _substring(clause: Clause, value: str) -> Condition:
    if len(value) < MIN_SUBSTRING:
        raise InvalidQuery(
            f"Substring search (`~`) needs at least {MIN_SUBSTRING} characters, "
            f"but `{value}` has {len(value)}.",
            clause.position,
        )
    return Compare(Attr(clause.field), Op.CONTAINS, value)


def _token(clause: Clause) -> Condition:
    key = clause.key or ""
    return _null_or(clause, lambda value: Compare(Entry("metadata", key), Op.TOKEN, value))


_BUILDERS: dict[Kind, Callable[[Clause], Condition]] = {
    Kind.NUMERIC: _numeric,
    Kind.STRING: _string,
    Kind.TOKEN: _token,
}
