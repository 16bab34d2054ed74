"""Insert many new records at once: the rows ``store.sql.insert`` writes, a table at a time.

For loading data sets (imports, benchmarks) where one statement per row per table would
dominate the cost. The records must be new; a clash of ids or unique keys raises the
database's integrity error and, inside the caller's transaction, writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from rolodex.core.index import IndexSpec, held_keys, terms, text_values
from rolodex.core.records import Record
from rolodex.store import fts, text_index
from rolodex.store.search_tables import customer_fts_rows, customer_text
from rolodex.store.sql import customer_row
from rolodex.store.tables import customer_keys, customer_terms, customers
from rolodex.store.text_index import text_row


def insert_many(conn: sa.Connection, records: Sequence[Record], spec: IndexSpec) -> None:
    """Insert ``records`` and their lookups as ``store.sql.insert`` does each: one marked
    deleted gets only what a soft delete leaves it (its unique keys, if the spec keeps them)."""
    _insert(conn, customers, [customer_row(r) for r in records])
    live = [r for r in records if not r.deleted]
    _insert(
        conn,
        customer_keys,
        [
            {
                "scope": key.scope,
                "kind": key.kind,
                "value": key.value,
                "tenant": r.tenant.key,
                "customer_id": r.id,
            }
            for r in records
            for key in held_keys(spec, r)
        ],
    )
    _insert(
        conn,
        customer_terms,
        [
            {
                "tenant": r.tenant.key,
                "field": field,
                "value": value,
                "created_us": r.created_us,
                "customer_id": r.id,
            }
            for r in live
            for field, value in terms(spec, r.fields)
        ],
    )
    index_texts(conn, live, spec)


def index_texts(conn: sa.Connection, records: Sequence[Record], spec: IndexSpec) -> None:
    """Index the text fields of live ``records`` that the text index holds nothing of yet:
    new ones, or those of a dialect whose spec gains text fields (a migration)."""
    texts = [(r, text_values(spec, r.fields)) for r in records if not r.deleted]
    texts = [(r, t) for r, t in texts if t]
    if conn.dialect.name != "sqlite":
        _insert(conn, customer_text, [text_row(r, f, v) for r, t in texts for f, v in t.items()])
    elif texts:
        _insert_documents(conn, texts)


def _insert_documents(conn: sa.Connection, texts: list[tuple[Record, dict[str, str]]]) -> None:
    """Each record's text fields under consecutive slots of a key of its own."""
    bases = _next_bases(conn, [r.created_us for r, _ in texts])
    rows: list[dict[str, Any]] = []
    documents: list[text_index.DocumentChange] = []
    for base, (r, fields) in zip(bases, texts, strict=True):
        for slot, field in enumerate(sorted(fields)):
            key = fts.field_key(base, slot)
            row = {"tenant": r.tenant.key, "customer_id": r.id, "created_us": r.created_us}
            rows.append({"key": key, "field": field, **row})
            documents.append((key, None, text_index.source(r.tenant.key, field, fields[field])))
    _insert(conn, customer_fts_rows, rows)
    # Through the queue, after the changes already in it: a key freed by a record whose
    # removal is still queued may be given to one of these records.
    text_index.queue_changes(conn, documents)
    text_index.apply_queue(conn)


def _next_bases(conn: sa.Connection, created: list[int]) -> list[int]:
    """First keys for records created at ``created``, after those their milliseconds hold.

    One lookup per millisecond, not one over the range they span: an import's records come
    in id order, from all over the table's history."""
    last: dict[int, int | None] = {}
    bases = []
    for created_us in created:
        bucket = fts.bucket(created_us)
        if bucket not in last:
            last[bucket] = text_index.newest_key(conn, created_us)
        base = fts.base_after(created_us, last[bucket])
        last[bucket] = base
        bases.append(base)
    return bases


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)
