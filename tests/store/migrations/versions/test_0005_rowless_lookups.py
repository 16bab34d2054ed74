"""Migration 0005 rebuilds SQLite's key and term tables without rowids, keeping every row."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.migrations import migrate

KEY = ("stripe/test/a", "invoice_prefix", "ABCD1234", "stripe/test/a", "cus_1")
TERM = ("stripe/test/a", "metadata.plan", "pro", 1_700_000_000_000_000, "cus_1")
TABLES = ("customer_keys", "customer_terms")


def _rows(engine: sa.Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {table}"))]


def _has_rowid(engine: sa.Engine, table: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.execute(sa.text(f"SELECT rowid FROM {table}"))
        except sa.exc.OperationalError:
            return False
        return True


def test_the_tables_lose_their_rowids_and_keep_their_rows(engine: sa.Engine) -> None:
    migrate(engine, "0004")
    with engine.begin() as conn:
        for table, row in zip(TABLES, (KEY, TERM), strict=True):
            conn.exec_driver_sql(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)", row)
    assert all(_has_rowid(engine, table) for table in TABLES)

    migrate(engine, "head")
    assert not any(_has_rowid(engine, table) for table in TABLES)
    assert _rows(engine, "customer_keys") == [KEY]
    assert _rows(engine, "customer_terms") == [TERM]

    migrate(engine, "0004", down=True)
    assert all(_has_rowid(engine, table) for table in TABLES)
    assert (_rows(engine, "customer_keys"), _rows(engine, "customer_terms")) == ([KEY], [TERM])
