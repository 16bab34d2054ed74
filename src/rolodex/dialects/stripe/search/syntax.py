"""The shape of a search query: its clauses and what joins them, from the grammar in
``query.lark``; no judgement yet on which fields and operators exist."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import lark
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from rolodex.core.errors import InvalidQuery

UNPARSABLE = "We were unable to parse your search query."

ValueKind = Literal["string", "number", "null"]
Joint = Literal["and", "or", "space"]

_ESCAPE = re.compile(r"\\(.)", re.S)
_EXPECTED = {
    "OPERATOR": "an operator (:, ~, =, >, <, >= or <=)",
    "STRING": "a quoted value",
    "NAME": "a field",
}


@dataclass(frozen=True, slots=True)
class Value:
    kind: ValueKind
    text: str


@dataclass(frozen=True, slots=True)
class Clause:
    negated: bool
    field: str
    key: str | None
    operator: str
    value: Value
    position: int
    """Where the clause starts in the query (0-based)."""


@dataclass(frozen=True, slots=True)
class Query:
    clauses: tuple[Clause, ...]
    joints: tuple[Joint, ...]
    """What joins each clause to the one before it."""
    joint_positions: tuple[int, ...]
    """Where each joint is: its keyword, or for a space the clause it introduces."""


def read(text: str) -> Query:
    """The clauses of ``text``; raises ``InvalidQuery`` saying where it stops making sense."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _unparsable(text, error) from None
    except LarkError as error:  # pragma: no cover - every syntax error is an UnexpectedInput
        raise InvalidQuery(UNPARSABLE) from error
    parts: list[Any] = tree.children
    clauses = tuple(_clause(node) for node in parts[0::2])
    joints: tuple[Joint, ...] = tuple(_JOINTS[node.data] for node in parts[1::2])
    positions = tuple(
        node.children[0].start_pos if node.children else clause.position
        for node, clause in zip(parts[1::2], clauses[1:], strict=True)
    )
    return Query(clauses, joints, positions)


@functools.cache
def _parser() -> lark.Lark:
    grammar = resources.files(__package__).joinpath("query.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, start="query", parser="lalr")


_JOINTS: dict[str, Joint] = {"and_joint": "and", "or_joint": "or", "space_joint": "space"}


def _clause(node: Any) -> Clause:
    *negation, field, operator, value = node.children
    name_token = field.children[0]
    key = _unquoted(field.children[1]) if field.data == "keyed_field" else None
    start = negation[0].start_pos if negation else name_token.start_pos
    return Clause(
        negated=bool(negation),
        field=str(name_token),
        key=key,
        operator=str(operator),
        value=_value(value),
        position=start,
    )


def _value(node: Any) -> Value:
    token = node.children[0]
    if node.data == "string_value":
        return Value("string", _unquoted(token))
    if node.data == "number_value":
        return Value("number", str(token))
    return Value("null", str(token))


def _unquoted(token: Any) -> str:
    """A quoted string's content: a backslash makes the next character literal."""
    return _ESCAPE.sub(r"\1", str(token)[1:-1])


def _unparsable(text: str, error: UnexpectedInput) -> InvalidQuery:
    ended = isinstance(error, UnexpectedToken) and error.token.type == "$END"
    if ended or isinstance(error, UnexpectedEOF) or error.pos_in_stream is None:
        where = len(text.rstrip())
        return InvalidQuery(
            f"{UNPARSABLE} The query ends after character {where}, where "
            f"{_expected(error)} should follow.",
            where,
        )
    where = error.pos_in_stream
    found = _snippet(text, where, whole=not isinstance(error, UnexpectedCharacters))
    return InvalidQuery(
        f"{UNPARSABLE} Unexpected {found} at character {where + 1}; expected {_expected(error)}.",
        where,
    )


def _expected(error: UnexpectedInput) -> str:
    names = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or [])
    if "OPERATOR" in names:
        return _EXPECTED["OPERATOR"]
    if {"STRING", "NUMBER", "NULL"} <= set(names):
        return "a value (a quoted string, a number or null)"
    if "NAME" in names:
        return 'a clause such as email:"jenny@example.com"'
    if "STRING" in names:
        return _EXPECTED["STRING"]
    if "RSQB" in names:
        return "`]`"
    return "the end of the query or another clause"


def _snippet(text: str, where: int, *, whole: bool) -> str:
    piece = re.match(r"\S+", text[where:]) if whole else None
    shown = piece.group() if piece else text[where : where + 1]
    return f"`{shown[:20]}`"
