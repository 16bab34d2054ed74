"""Migration 0012 indexes the searched fields of Autumn's and Dub's customers stored before
those dialects declared them text fields, on both databases; migrating back unindexes them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import orjson
import sqlalchemy as sa

from rolodex.core.query import Attr, Compare, Condition, Op
from rolodex.core.records import Tenant
from rolodex.dialects.autumn import translate as autumn
from rolodex.dialects.dub import translate as dub
from rolodex.store import fts, open_store
from rolodex.store.base import ListQuery
from tests.support.migrations import migrate
from tests.support.postgres import engine_on

DUB = Tenant("dub", "ws_1", "test")
AUTUMN = Tenant("autumn", "org_1", "sandbox")
STRIPE = Tenant("stripe", "acct_1", "test")
ROWS = [
    (DUB, "cus_d1", 1, False, {"name": "Ann Lee", "email": "ann@example.com"}),
    (DUB, "cus_d2", 2, False, {"name": "Bo Lee", "email": None}),
    (DUB, "cus_d3", 3, True, {"name": "Gone Lee", "email": "gone@example.com"}),
    (AUTUMN, "cus_a1", 1, False, {"customer_id": "user-77", "name": None, "email": "z@x.io"}),
    (AUTUMN, "cus_a2", 2, False, {"customer_id": None, "name": "Una", "email": "una@x.io"}),
    (STRIPE, "cus_s1", 1, False, {"name": "Ann Lee", "email": "s@example.com"}),
]


def _fill_as_0011(engine: sa.Engine) -> None:
    """Customers as builds of revision 0011 kept them: no text rows for Autumn and Dub (and,
    here, none for Stripe either, so that only what the migration adds is counted)."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO customers (tenant, id, created_us, version, deleted, doc) "
                "VALUES (:t, :i, :c, 1, :d, :doc)"
            ),
            [
                {"t": t.key, "i": i, "c": c, "d": d, "doc": orjson.dumps(f).decode()}
                for t, i, c, d, f in ROWS
            ],
        )


def _indexed(engine: sa.Engine) -> set[tuple[str, str, str]]:
    table = "customer_fts_rows" if engine.dialect.name == "sqlite" else "customer_text"
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT tenant, customer_id, field FROM {table}"))
        return {(tenant, id, field) for tenant, id, field in rows}


def _found(url: str, tenant: Tenant, where: Condition) -> list[str]:
    spec = dub.SPEC if tenant.dialect == "dub" else autumn.SPEC

    async def listed() -> list[str]:
        store = open_store(url)
        try:
            page = await store.list(ListQuery(tenant, where=where, spec=spec))
            return [record.id for record in page.records]
        finally:
            await store.close()

    return asyncio.run(listed())


def test_autumn_and_dub_customers_join_the_text_index(fresh_database_url: str) -> None:
    url = fresh_database_url
    with _engine(url) as engine:
        migrate(engine, "0011")
        _fill_as_0011(engine)
        migrate(engine, "head")
        assert _indexed(engine) == {
            (DUB.key, "cus_d1", "name"),
            (DUB.key, "cus_d1", "email"),
            (DUB.key, "cus_d2", "name"),
            (AUTUMN.key, "cus_a1", "customer_id"),
            (AUTUMN.key, "cus_a1", "email"),
            (AUTUMN.key, "cus_a2", "name"),
            (AUTUMN.key, "cus_a2", "email"),
        }
        if engine.dialect.name == "sqlite":
            assert _documents_with(engine, "lee") == 2
        assert _found(url, DUB, Compare(Attr("name"), Op.WORDS, "lee")) == ["cus_d2", "cus_d1"]
        assert _found(url, DUB, Compare(Attr("email"), Op.WORDS, "ann")) == ["cus_d1"]
        by_id = Compare(Attr("customer_id"), Op.CONTAINS, "ER-7")
        assert _found(url, AUTUMN, by_id) == ["cus_a1"]

        migrate(engine, "0011", down=True)
        assert _indexed(engine) == set()
        if engine.dialect.name == "sqlite":
            assert _documents_with(engine, "lee") == 0


@contextlib.contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
        return
    with engine_on(url) as engine:
        yield engine


def _documents_with(engine: sa.Engine, name_word: str) -> int:
    """SQLite: how many of Dub's name documents the full-text index finds by the word."""
    phrase = fts.words_phrase(DUB.key, "name", name_word)
    with engine.connect() as conn:
        matched = "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH :phrase"
        return int(conn.execute(sa.text(matched), {"phrase": phrase}).scalar_one())
