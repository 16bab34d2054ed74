"""Keep the search tables in step with a record's text fields, inside the caller's transaction.

``customer_text`` gets one row per text field holding a string; on SQLite the record's
full-text document (``store.fts``) follows it. A record that is deleted, softly or not, leaves
both, so search never sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from rolodex.core import text
from rolodex.core.index import IndexSpec, text_values
from rolodex.core.records import Record
from rolodex.store import fastpath, fts
from rolodex.store.search_tables import FTS_TABLE, customer_fts_rows, customer_text

# FTS5 takes commands as inserts into a column named like the table itself.
_DELETE_DOC = sa.text(
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', :key, :doc)"
)
INSERT_DOC = sa.text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:key, :doc)")

# Built once, with bind parameters, for the fast path (``store.fastpath``).
_drop_text = customer_text.delete().where(
    customer_text.c.tenant == sa.bindparam("t"),
    customer_text.c.customer_id == sa.bindparam("i"),
    customer_text.c.field == sa.bindparam("f"),
)
_add_text = customer_text.insert()
_key_of_record = sa.select(customer_fts_rows.c.key).where(
    customer_fts_rows.c.tenant == sa.bindparam("t"),
    customer_fts_rows.c.customer_id == sa.bindparam("i"),
)
_last_key_between = sa.select(sa.func.max(customer_fts_rows.c.key)).where(
    customer_fts_rows.c.key.between(sa.bindparam("first"), sa.bindparam("last"))
)
_add_key = customer_fts_rows.insert()
_drop_key = customer_fts_rows.delete().where(customer_fts_rows.c.key == sa.bindparam("key"))


def sync(conn: sa.Connection, old: Record | None, new: Record | None, spec: IndexSpec) -> None:
    """Move the index from ``old``'s text (``None``: nothing) to ``new``'s (``None``: gone)."""
    if not spec.texts:
        return
    record = new or old
    assert record is not None, "sync needs at least one state of the record"
    before = _live_texts(old, spec)
    after = _live_texts(new, spec)
    if before == after:
        return
    _write_rows(conn, record, before, after)
    if conn.dialect.name == "sqlite":
        _write_document(conn, record, before, after)


def _live_texts(record: Record | None, spec: IndexSpec) -> dict[str, str]:
    if record is None or record.deleted:
        return {}
    return text_values(spec, record.fields)


def _write_rows(
    conn: sa.Connection, record: Record, before: Mapping[str, str], after: Mapping[str, str]
) -> None:
    t, i = record.tenant.key, record.id
    stale = [{"t": t, "i": i, "f": field} for field in before if after.get(field) != before[field]]
    if stale:
        fastpath.run(conn, _drop_text, stale)
    fresh = [
        text_row(record, field, value)
        for field, value in after.items()
        if before.get(field) != value
    ]
    if fresh:
        fastpath.run(conn, _add_text, fresh)


def text_row(record: Record, field: str, value: str) -> dict[str, Any]:
    return {
        "tenant": record.tenant.key,
        "customer_id": record.id,
        "field": field,
        "created_us": record.created_us,
        "words": text.spaced(text.words(value)),
        "folded": text.fold(value),
    }


def _write_document(
    conn: sa.Connection, record: Record, before: Mapping[str, str], after: Mapping[str, str]
) -> None:
    tenant = record.tenant.key
    key = _key_of(conn, record)
    if key is not None and before:
        fastpath.run(conn, _DELETE_DOC, [{"key": key, "doc": fts.document(tenant, before)}])
    if not after:
        if key is not None:
            fastpath.run(conn, _drop_key, [{"key": key}])
        return
    if key is None:
        key = _new_key(conn, record)
    fastpath.run(conn, INSERT_DOC, [{"key": key, "doc": fts.document(tenant, after)}])


def _key_of(conn: sa.Connection, record: Record) -> int | None:
    key: int | None = fastpath.scalar(
        conn, _key_of_record, {"t": record.tenant.key, "i": record.id}
    )
    return key


def _new_key(conn: sa.Connection, record: Record) -> int:
    """The next free key of the record's creation millisecond."""
    t = record.tenant.key
    first = fts.first_key(record.created_us)
    last = first + (1 << fts.KEY_BITS) - 1
    taken = fastpath.scalar(conn, _last_key_between, {"first": first, "last": last})
    key = first if taken is None else taken + 1
    if key > last:
        raise OverflowError("more than 2**20 searchable records created in one millisecond")
    row = {"key": key, "tenant": t, "customer_id": record.id, "created_us": record.created_us}
    fastpath.run(conn, _add_key, [row])
    return key
