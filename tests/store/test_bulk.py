"""What a record inserted marked deleted leaves in the lookup and search tables, one at a time
(``sql.insert``) and many at once (``bulk.insert_many``): what a soft delete leaves, its
unique keys if the spec keeps them and no term or text row, so nothing stale is left behind."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rolodex.core.records import Record
from rolodex.store import bulk, open_store, sql
from rolodex.store.search_tables import customer_fts_rows, customer_text
from rolodex.store.tables import customer_keys, customer_terms
from tests.store.conftest import SPEC, new_tenant, record
from tests.support.postgres import fresh_database

SEARCHABLE = dataclasses.replace(SPEC, texts=("name",))
INSERTS: dict[str, Callable[[sa.Connection, Record], None]] = {
    "one": lambda conn, r: sql.insert(conn, r, SEARCHABLE),
    "many": lambda conn, r: bulk.insert_many(conn, [r], SEARCHABLE),
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        yield from _migrated(f"sqlite:///{tmp_path / 'bulk.db'}")
        return
    with fresh_database() as url:
        yield from _migrated(url)


def _migrated(url: str) -> Iterator[sa.Engine]:
    store = open_store(url)

    async def migrate() -> None:
        await store.migrate()
        await store.close()

    asyncio.run(migrate())
    engine = sa.create_engine(sa.make_url(url).set(drivername=_driver(url)))
    yield engine
    engine.dispose()


def _driver(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql+psycopg"


def _rows(conn: sa.Connection, r: Record) -> dict[str, int]:
    """How many rows of each lookup table hold ``r``."""
    text = customer_fts_rows if conn.dialect.name == "sqlite" else customer_text
    counted = {
        "keys": sa.select(sa.func.count()).where(customer_keys.c.customer_id == r.id),
        "terms": sa.select(sa.func.count()).where(customer_terms.c.customer_id == r.id),
        "text": sa.select(sa.func.count()).where(text.c.customer_id == r.id),
    }
    return {name: conn.execute(statement).scalar_one() for name, statement in counted.items()}


@pytest.mark.parametrize("insert", INSERTS)
def test_a_record_inserted_deleted_leaves_only_its_kept_keys(
    engine: sa.Engine, insert: str
) -> None:
    fields = {"name": "Ada", "email": "ada@example.com"}
    live = record(new_tenant(), "cus_live", prefix="P1", **fields)
    gone = dataclasses.replace(
        record(new_tenant(), "cus_gone", prefix="P2", **fields), deleted=True
    )
    with engine.begin() as conn:
        INSERTS[insert](conn, live)
        INSERTS[insert](conn, gone)
    with engine.connect() as conn:
        assert _rows(conn, live) == {"keys": 1, "terms": 1, "text": 1}
        assert _rows(conn, gone) == {"keys": 1, "terms": 0, "text": 0}  # SPEC keeps keys
