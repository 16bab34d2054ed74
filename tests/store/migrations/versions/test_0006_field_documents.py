"""Migration 0006 gives every text field of SQLite's records a full-text document of its own,
rebuilt from the records, and drops ``customer_text``; migrating back restores both."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from rolodex.core import text
from rolodex.core.index import IndexSpec
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Tenant
from rolodex.store import fts
from rolodex.store.base import SearchQuery
from rolodex.store.sqlite import SQLiteStore
from tests.support.migrations import migrate

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(texts=("email", "name", "phone"))
MILLISECOND = 1_700_000_000_000
RECORDS = {
    # id: (created_us, text fields); the first two share a creation millisecond
    "cus_a": (MILLISECOND * 1000 + 1, {"name": "Ada Lovelace", "email": "ada@example.com"}),
    "cus_b": (MILLISECOND * 1000 + 2, {"name": "Grace Hopper"}),
    "cus_c": (MILLISECOND * 1000 + 5000, {"phone": "+1 555 0100", "name": "Ada Byron"}),
}


def _fill_as_0005(engine: sa.Engine) -> None:
    """The records as migration 0005's code kept them: a text row per field, one document and
    one key per record, and a change still queued (a record that was renamed)."""
    with engine.begin() as conn:
        for n, (id, (created, fields)) in enumerate(RECORDS.items()):
            doc = orjson.dumps({**fields, "metadata": {}}).decode()
            conn.exec_driver_sql(
                "INSERT INTO customers VALUES (?, ?, ?, 1, 0, ?)", (TENANT.key, id, created, doc)
            )
            for field, value in fields.items():
                conn.exec_driver_sql(
                    "INSERT INTO customer_text VALUES (?, ?, ?, ?, ?, ?)",
                    (TENANT.key, id, field, created, _words(value), text.fold(value)),
                )
            key = fts.first_key(created) + n
            conn.exec_driver_sql(
                "INSERT INTO customer_fts_rows VALUES (?, ?, ?, ?)", (key, TENANT.key, id, created)
            )
            document = fts.record_document(TENANT.key, fields)
            conn.exec_driver_sql(
                "INSERT INTO customer_fts(rowid, tokens) VALUES (?, ?)", (key, document)
            )
        stale = orjson.dumps([TENANT.key, {"name": "Old Name"}]).decode()
        conn.exec_driver_sql(
            "INSERT INTO customer_fts_queue (key, before, after) VALUES (?, ?, ?)",
            (fts.first_key(RECORDS["cus_b"][0]) + 1, stale, stale),
        )


def _words(value: str) -> str:
    return text.spaced(text.words(value))


def _all(engine: sa.Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(query)]


def _indexed(engine: sa.Engine, field: str, words: str) -> list[int]:
    phrase = fts.words_phrase(TENANT.key, field, words)
    match = f"SELECT rowid FROM customer_fts WHERE customer_fts MATCH '{phrase}' ORDER BY rowid"
    return [key for (key,) in _all(engine, match)]


def _found(path: Path, field: str, op: Op, value: str) -> list[str]:
    async def search() -> list[str]:
        store = SQLiteStore(f"sqlite:///{path}")
        where = Compare(Attr(field), op, value)
        page = await store.search(SearchQuery(TENANT, where, SPEC, limit=10))
        await store.close()
        return [record.id for record in page.records]

    return asyncio.run(search())


def test_every_text_field_gets_its_own_document_and_customer_text_goes(
    engine: sa.Engine, tmp_path: Path
) -> None:
    migrate(engine, "0005")
    _fill_as_0005(engine)

    migrate(engine, "0006")

    tables = _all(engine, "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert ("customer_text",) not in tables
    assert _all(engine, "SELECT count(*) FROM customer_fts_queue") == [(0,)]
    rows = _all(engine, "SELECT key, customer_id, field FROM customer_fts_rows ORDER BY key")
    a, b, c = (fts.first_key(RECORDS[id][0]) for id in ("cus_a", "cus_b", "cus_c"))
    step = 1 << fts.FIELD_BITS
    assert rows == [
        (a, "cus_a", "email"),
        (a + 1, "cus_a", "name"),
        (b + step, "cus_b", "name"),
        (c, "cus_c", "name"),
        (c + 1, "cus_c", "phone"),
    ]
    assert _indexed(engine, "name", "ada") == [a + 1, c]
    assert _indexed(engine, "email", "ada") == [a]
    assert _indexed(engine, "name", "old name") == []
    database = tmp_path / "migrated.db"
    assert _found(database, "name", Op.WORDS, "ada") == ["cus_c", "cus_a"]
    assert _found(database, "phone", Op.CONTAINS, "555 01") == ["cus_c"]
    assert _found(database, "email", Op.CONTAINS, "ex") == ["cus_a"]  # checked on the document


def test_migrating_back_restores_text_rows_and_one_document_per_record(
    engine: sa.Engine,
) -> None:
    migrate(engine, "0005")
    _fill_as_0005(engine)
    texts = _all(engine, "SELECT * FROM customer_text ORDER BY customer_id, field")

    migrate(engine, "head")
    migrate(engine, "0005", down=True)

    assert _all(engine, "SELECT * FROM customer_text ORDER BY customer_id, field") == texts
    rows = _all(engine, "SELECT customer_id FROM customer_fts_rows ORDER BY key")
    assert rows == [("cus_a",), ("cus_b",), ("cus_c",)]
    keys = dict(_all(engine, "SELECT customer_id, key FROM customer_fts_rows"))
    assert _indexed(engine, "name", "ada") == [keys["cus_a"], keys["cus_c"]]
    assert _indexed(engine, "phone", "555") == [keys["cus_c"]]
