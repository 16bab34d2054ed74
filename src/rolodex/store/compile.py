"""Compile the core query AST into SQLAlchemy conditions on one ``customers`` row.

Values always travel as bound parameters; the AST never becomes SQL text. A field the index
spec covers is tested through its side table with a correlated lookup on the row's own key
(``customer_terms`` for exact terms, ``customer_text`` for words and substrings); any other
field is read from the JSON document, which is correct for every field but unindexed. On
SQLite, which keeps no ``customer_text``, words and substrings are matched on the document
by ``core.text``'s own functions (``SQLITE_FUNCTIONS``) when checked on a row found otherwise,
and looked up in the full-text index (``store.fts``) when they select the rows; a text field's
presence is looked up in ``customer_fts_rows``.
``store.plan`` decides which condition, if any, drives a search from an index instead.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.util import ClauseAdapter

from rolodex.core import text
from rolodex.core.errors import InvalidQuery
from rolodex.core.index import FOLDED, IndexSpec
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
    RecordId,
)
from rolodex.store import fts
from rolodex.store.search_tables import customer_fts, customer_fts_rows, customer_text
from rolodex.store.tables import customer_terms, customers

Clause = sa.ColumnElement[bool]

ORDERING: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.LE: operator.le,
}


def compile_condition(
    condition: Condition,
    tenant: str,
    *,
    dialect: str,
    indexed: frozenset[str] = frozenset(),
    spec: IndexSpec | None = None,
    per_row: bool = False,
) -> Clause:
    """``indexed`` names the term fields the store keeps side rows for (see ``IndexSpec``);
    a ``spec``, when given, also brings its maps, folded fields and text fields.

    Side tables are read as the set of records holding a value (``id IN (...)``), cheap when
    few do; ``per_row`` reads them with one index probe per row instead, for conditions
    checked on rows that an index has already found (see ``store.plan``).
    """
    index = Index.of(spec, indexed)
    side = SideTables(tenant, dialect, index, per_row=per_row)

    def compiled(node: Condition) -> Clause:  # noqa: PLR0911 - one return per node shape
        match node:
            case AllOf(clauses):
                return sa.and_(sa.true(), *(compiled(c) for c in clauses))
            case AnyOf(clauses):
                return sa.or_(sa.false(), *(compiled(c) for c in clauses))
            case Not(clause):
                return sa.not_(compiled(clause))
            case IsNull(Created() | RecordId()):
                return sa.false()
            case IsNull(field):
                return side.is_null(field)
            case Compare(Created(), op, int(value)) if op in ORDERING:
                result: Clause = ORDERING[op](customers.c.created_us, value)
                return result
            case Compare(RecordId(), Op.EQ, str(value)):
                return customers.c.id == value
            case Compare(Attr() | Entry() as field, op, str(value)):
                return side.compare(field, op, value)
        raise InvalidQuery(f"unsupported condition {node!r}")

    return compiled(condition)


class Index:
    """Which fields of a spec have side rows, by the names the AST uses."""

    def __init__(
        self, terms: frozenset[str], folded: frozenset[str], texts: frozenset[str]
    ) -> None:
        self.terms = terms
        self.folded = folded
        self.texts = texts

    @classmethod
    def of(cls, spec: IndexSpec | None, indexed: frozenset[str] = frozenset()) -> Index:
        if spec is None:
            return cls(indexed, frozenset(), frozenset())
        terms = indexed | frozenset(spec.terms) | frozenset(spec.maps)
        return cls(terms, frozenset(spec.folded), frozenset(spec.texts))

    def has_terms(self, field: Field) -> bool:
        """Attributes are indexed by name, map entries by the map's name."""
        return _root(field) in self.terms

    def has_folded(self, field: Field) -> bool:
        return self.has_terms(field) and _root(field) in self.folded

    def has_text(self, field: Field) -> bool:
        return isinstance(field, Attr) and field.name in self.texts


def _root(field: Field) -> str | None:
    match field:
        case Attr(name):
            return name
        case Entry(map_name, _):
            return map_name
    return None


class SideTables:
    """Conditions on indexed fields, answered from their side tables."""

    def __init__(self, tenant: str, dialect: str, index: Index, *, per_row: bool) -> None:
        self.tenant = tenant
        self.dialect = dialect
        self.index = index
        self.per_row = per_row

    def is_null(self, field: Field) -> Clause:
        if self.index.has_text(field):
            return sa.not_(self._holds(text_rows(self.dialect), (term_name(field),)))
        if self.index.has_terms(field):
            return sa.not_(self._holds(customer_terms, (term_name(field),)))
        return document_value(field, self.dialect).is_(None)

    def compare(self, field: Field, op: Op, value: str) -> Clause:
        name = term_name(field)
        if op is Op.EQ and self.index.has_terms(field):
            return self._holds(customer_terms, (name,), customer_terms.c.value == value)
        if op is Op.TOKEN and self.index.has_folded(field):
            folded = customer_terms.c.value == text.fold(value)
            return self._holds(customer_terms, (name, FOLDED + name), folded)
        if op in (Op.WORDS, Op.CONTAINS) and self.index.has_text(field):
            if self.dialect == "sqlite":
                return self._full_text(field, op, value)
            matched = text_match(op, value, self.dialect)
            return sa.false() if matched is None else self._holds(customer_text, (name,), matched)
        if op is Op.WORDS:
            matches = _document_has_words(document_value(field, self.dialect), value, self.dialect)
            return sa.func.coalesce(matches, False)
        if op in _DOCUMENT_MATCHES:
            matches = _DOCUMENT_MATCHES[op](document_value(field, self.dialect), value)
            return sa.func.coalesce(matches, False)
        raise InvalidQuery(f"unsupported comparison {op.value} on {field!r}")

    def _full_text(self, field: Field, op: Op, value: str) -> Clause:
        """SQLite: the records whose document in the full-text index (``store.fts``) has the
        words or the substring; checked on the record's document instead for a row an index
        has found, and for a substring too short to have a trigram.

        The caller must have the full-text queue applied first (``text_index``).
        """
        name = term_name(field)
        matched = None if self.per_row else full_text_match(self.tenant, name, op, value)
        if matched is None:
            return _matches_document(op, document_value(field, self.dialect), value)
        rows = customer_fts_rows.alias()
        holders = sa.select(rows.c.customer_id).where(*matched_key_rows(rows, self.tenant, matched))
        return customers.c.id.in_(holders)

    def _holds(self, table: sa.Table, names: tuple[str, ...], *where: Clause) -> Clause:
        """The record has a row in ``table`` under one of ``names`` meeting ``where``.

        ``where`` is written over ``table``; it is moved onto an alias of its own, so the
        lookup stays apart from any use of the same table around it (a search driven by it).
        """
        side = table.alias()
        adapt = ClauseAdapter(side).traverse
        rows = (side.c.tenant == self.tenant, side.c.field.in_(names), *map(adapt, where))
        if not self.per_row:
            return customers.c.id.in_(sa.select(side.c.customer_id).where(*rows))
        own = (side.c.created_us == customers.c.created_us, side.c.customer_id == customers.c.id)
        lookup = sa.select(sa.literal(1)).where(*rows, *own).correlate(customers)
        return sa.exists(lookup)


def reads_full_text(condition: Condition | None, spec: IndexSpec) -> bool:
    """Whether ``condition``, compiled to select rows, reads SQLite's full-text index: a list
    filtered so must have the index's queue applied first, as a search has."""
    match condition:
        case AllOf(clauses) | AnyOf(clauses):
            return any(reads_full_text(clause, spec) for clause in clauses)
        case Not(clause):
            return reads_full_text(clause, spec)
        case Compare(Attr(name), Op.WORDS | Op.CONTAINS, _):
            return name in spec.texts
    return False


def full_text_match(tenant: str, field: str, op: Op, value: str) -> Clause | None:
    """SQLite: the full-text documents of ``tenant``'s ``field`` with the words (``Op.WORDS``)
    or the substring (``Op.CONTAINS``); ``None`` when the index cannot tell (no words, or a
    substring under three characters)."""
    phrase = (fts.words_phrase if op is Op.WORDS else fts.substring_phrase)(tenant, field, value)
    return None if phrase is None else customer_fts.c.customer_fts.op("MATCH")(phrase)


def matched_key_rows(rows: sa.FromClause, tenant: str, matched: Clause) -> tuple[Clause, Clause]:
    """SQLite: the rows of ``customer_fts_rows`` (or an alias of it) whose documents
    ``matched`` (:func:`full_text_match`) finds, which name their account and field.

    Found by their keys, the account only checked (``||`` keeps SQLite from finding the rows
    by it): found by the account, SQLite walked every key row of the account and tested each
    against the matches. At 50,000 customers a Stripe search count by one word took 86 ms
    against 6, a Dub list count by a word of the name and the email 88 ms against 52.
    """
    keys = sa.select(customer_fts.c.rowid).where(matched)
    return rows.c.key.in_(keys), rows.c.tenant.op("||")("") == tenant


def text_rows(dialect: str) -> sa.Table:
    """The table with a row per text field holding a string, with the ``customer_terms``
    columns ``tenant``, ``field``, ``created_us`` and ``customer_id``."""
    return customer_fts_rows if dialect == "sqlite" else customer_text


def _has_words(value: object, query: str) -> bool:
    return isinstance(value, str) and text.has_words(value, query)


def _has_substring(value: object, query: str) -> bool:
    return isinstance(value, str) and text.has_substring(value, query)


SQLITE_FUNCTIONS: dict[str, Callable[[object, str], bool]] = {
    "rolodex_has_words": _has_words,
    "rolodex_has_substring": _has_substring,
}
"""SQL functions the SQLite adapter registers on its connections: ``core.text``'s meaning of
``Op.WORDS`` and ``Op.CONTAINS``, applied to a field read from the document (any value that
is not a string matches nothing, as it has no text row)."""


def _matches_document(op: Op, value: sa.ColumnElement[str], query: str) -> Clause:
    name = "rolodex_has_words" if op is Op.WORDS else "rolodex_has_substring"
    matched: Clause = getattr(sa.func, name)(value, query, type_=sa.Boolean)
    return matched


def _document_has_words(value: sa.ColumnElement[str], query: str, dialect: str) -> Clause:
    """``Op.WORDS`` on a field read from the document, with ``core.text``'s meaning."""
    if dialect == "sqlite":
        return _matches_document(Op.WORDS, value, query)
    terms = text.words(query)
    if not terms:
        return sa.false()
    # The field's words spaced as ``text.spaced`` spaces them: each run of other characters
    # becomes one space (PostgreSQL's ``\W`` is the complement of the same word characters).
    words = sa.func.regexp_replace(sa.func.lower(value), r"\W+", " ", "g", type_=sa.String)
    return contains(sa.literal(" ") + words + " ", text.spaced(terms), dialect)


def text_match(op: Op, value: str, dialect: str) -> Clause | None:
    """The ``customer_text`` row has the words or the substring; ``None``: nothing can."""
    if op is Op.WORDS:
        terms = text.words(value)
        return contains(customer_text.c.words, text.spaced(terms), dialect) if terms else None
    return contains(customer_text.c.folded, text.fold(value), dialect)


def contains(column: sa.ColumnElement[str], needle: str, dialect: str) -> Clause:
    """Exact, case-sensitive substring test; on PostgreSQL a LIKE that ``pg_trgm`` can serve."""
    if dialect == "postgresql":
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"%{escaped}%", escape="\\")
    return sa.func.instr(column, needle) > 0


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
        text_value: sa.ColumnElement[str] = sa.cast(customers.c.doc, JSONB)[path].astext
        return text_value
    json_path = "$" + "".join(f'."{part}"' for part in path)
    extracted: sa.ColumnElement[str] = sa.func.json_extract(customers.c.doc, json_path)
    return extracted


_DOCUMENT_MATCHES: dict[Op, Callable[[sa.ColumnElement[str], str], Clause]] = {
    Op.EQ: lambda column, value: column == value,
    Op.TOKEN: lambda column, value: sa.func.lower(column) == text.fold(value),
    Op.CONTAINS: lambda column, value: column.icontains(value, autoescape=True),
}


def term_name(field: Field) -> str:
    match field:
        case Attr(name):
            return name
        case Entry(map_name, key):
            return f"{map_name}.{key}"
    raise InvalidQuery(f"{field!r} is not an indexed field")
