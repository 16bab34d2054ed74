"""The lookup tables kept in step with each record: unique keys and exact-match terms.

``customer_keys`` holds each unique field's value (``IndexSpec.unique``), so a taken value is
refused; ``customer_terms`` holds each term (``core.index.terms``) that lists and searches
match exactly. Each function runs inside its caller's transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from rolodex.core.errors import AlreadyExists
from rolodex.core.index import IndexSpec, KeyRow, field_terms, unique_keys
from rolodex.core.records import Record
from rolodex.store import fastpath
from rolodex.store.tables import customer_keys, customer_terms

# Built once: building a statement per call costs more than SQLite takes to run it.
_drop_key = customer_keys.delete().where(
    customer_keys.c.scope == sa.bindparam("scope"),
    customer_keys.c.kind == sa.bindparam("kind"),
    customer_keys.c.value == sa.bindparam("value"),
)
_move_term = (
    customer_terms.update()
    .where(
        customer_terms.c.tenant == sa.bindparam("t"),
        customer_terms.c.field == sa.bindparam("f"),
        customer_terms.c.value == sa.bindparam("v"),
        customer_terms.c.created_us == sa.bindparam("c"),
        customer_terms.c.customer_id == sa.bindparam("i"),
    )
    .values(value=sa.bindparam("new"))
)
_add_term = customer_terms.insert()
_drop_term = customer_terms.delete().where(
    customer_terms.c.tenant == sa.bindparam("t"),
    customer_terms.c.field == sa.bindparam("f"),
    customer_terms.c.value == sa.bindparam("v"),
    customer_terms.c.created_us == sa.bindparam("c"),
    customer_terms.c.customer_id == sa.bindparam("i"),
)


def sync(conn: sa.Connection, old: Record, new: Record, spec: IndexSpec) -> None:
    """Move the keys and terms from ``old``'s to ``new``'s, touching only what changed."""
    was, now = old.fields, new.fields
    if any(was.get(key.name) != now.get(key.name) for key in spec.unique):
        old_keys = unique_keys(spec, old.tenant, was)
        new_keys = unique_keys(spec, new.tenant, now)
        drop_keys(conn, old_keys - new_keys)
        add_keys(conn, new, new_keys - old_keys)
    # A record has at most one value per term field, so each state is a mapping.
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name in spec.terms + spec.maps:
        then, current = was.get(name), now.get(name)
        if then == current:  # a new name or address changes no term
            continue
        if name in spec.maps:  # only the entries that changed: a write touches one of many
            then, current = _changed_entries(then, current)
        before.update(field_terms(spec, name, then))
        after.update(field_terms(spec, name, current))
    if not before and not after:
        return
    t, c, i = new.tenant.key, new.created_us, new.id
    # A field whose value changed keeps its row with the new value: one statement, not two.
    moved = [
        {"t": t, "f": name, "v": value, "c": c, "i": i, "new": after[name]}
        for name, value in before.items()
        if after.get(name, value) != value
    ]
    if moved:
        fastpath.run(conn, _move_term, moved)
    drop_terms(conn, old, [(name, value) for name, value in before.items() if name not in after])
    add_terms(conn, new, [(name, value) for name, value in after.items() if name not in before])


def _changed_entries(then: Any, current: Any) -> tuple[Any, Any]:
    """Each side's entries that the other does not hold as they are; values as given when
    either is not a mapping (``field_terms`` reads those as empty)."""
    if not isinstance(then, Mapping) or not isinstance(current, Mapping):
        return then, current
    gone = {key: value for key, value in then.items() if current.get(key, _ABSENT) != value}
    came = {key: value for key, value in current.items() if then.get(key, _ABSENT) != value}
    return gone, came


_ABSENT = object()


def add_keys(conn: sa.Connection, record: Record, keys: Iterable[KeyRow]) -> None:
    for key in sorted(keys):
        row = {
            "scope": key.scope,
            "kind": key.kind,
            "value": key.value,
            "tenant": record.tenant.key,
            "customer_id": record.id,
        }
        if fastpath.run(conn, insert_ignoring_conflicts(conn, customer_keys), [row]).rowcount == 0:
            raise AlreadyExists(key.kind, key.value)


def drop_keys(conn: sa.Connection, keys: Iterable[KeyRow]) -> None:
    rows = [{"scope": key.scope, "kind": key.kind, "value": key.value} for key in keys]
    if rows:
        fastpath.run(conn, _drop_key, rows)


def add_terms(conn: sa.Connection, record: Record, pairs: Iterable[tuple[str, str]]) -> None:
    rows = [
        {
            "tenant": record.tenant.key,
            "field": name,
            "value": value,
            "created_us": record.created_us,
            "customer_id": record.id,
        }
        for name, value in pairs
    ]
    if rows:
        fastpath.run(conn, _add_term, rows)


def drop_terms(conn: sa.Connection, record: Record, pairs: Iterable[tuple[str, str]]) -> None:
    t, c, i = record.tenant.key, record.created_us, record.id
    rows = [{"t": t, "f": name, "v": value, "c": c, "i": i} for name, value in pairs]
    if rows:
        fastpath.run(conn, _drop_term, rows)


def insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table) -> sa.Insert:
    return _ignoring_conflicts(conn.dialect.name, table)


@functools.cache
def _ignoring_conflicts(dialect_name: str, table: sa.Table) -> sa.Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement: sa.Insert = (
        dialect.insert(table).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    )
    return statement
