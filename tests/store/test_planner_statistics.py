"""PostgreSQL: a search after many writes waits for fresh planner statistics, and only then.

Autovacuum is switched off on the test's own database, so every analysis seen here is the
store's own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from rolodex.dialects.stripe import translate
from rolodex.dialects.stripe.search import parse
from rolodex.store import open_store, planner_statistics
from rolodex.store.base import ListQuery, SearchQuery, Store
from tests.store.conftest import new_tenant, record

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]

TENANT = new_tenant("stripe")


@pytest.fixture
def admin(fresh_postgres: sa.Engine) -> sa.Engine:
    return fresh_postgres


@pytest.fixture
async def store(fresh_postgres_url: str, admin: sa.Engine) -> AsyncIterator[Store]:
    opened = open_store(fresh_postgres_url)
    await opened.migrate()
    with admin.begin() as conn:
        for table in planner_statistics.TABLES:
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        yield opened
    finally:
        await opened.close()


def _analyses(admin: sa.Engine) -> dict[str, int]:
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE relname IN :tables"
            ).bindparams(sa.bindparam("tables", expanding=True)),
            {"tables": list(planner_statistics.TABLES)},
        )
        return {name: count for name, count in rows}


def _rows_planned(admin: sa.Engine) -> float:
    """What the planner believes ``customers`` holds (-1: never analyzed nor vacuumed)."""
    with admin.connect() as conn:
        query = "SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass"
        return float(conn.exec_driver_sql(query).scalar_one())


async def _fill(store: Store, count: int, start: int = 0) -> None:
    records = [
        record(TENANT, f"cus_{n:014d}", 1_000_000 + n, name=f"Jane {n}", email=f"j{n}@x.com")
        for n in range(start, start + count)
    ]
    assert await store.insert_new(records, translate.SPEC)


def _search(text: str) -> SearchQuery:
    return SearchQuery(TENANT, parse(text), translate.SPEC, limit=10)


async def _rename(store: Store, count: int) -> None:
    for n in range(count):
        await store.update(
            TENANT,
            f"cus_{n:014d}",
            lambda old: old.with_fields({**old.fields, "name": "Renamed"}),
            translate.SPEC,
        )


async def test_a_search_after_many_writes_analyzes_the_tables_first(
    store: Store, admin: sa.Engine
) -> None:
    await _fill(store, 300)
    assert _analyses(admin) == dict.fromkeys(planner_statistics.TABLES, 0)

    count = await store.search_count(_search('name:"jane" email~"x.com"'))

    assert count == 300
    assert _analyses(admin) == dict.fromkeys(planner_statistics.TABLES, 1)
    assert _rows_planned(admin) == 300


async def test_a_few_writes_leave_the_statistics_alone(store: Store, admin: sa.Engine) -> None:
    await _fill(store, 20)

    page = await store.search(_search('name:"jane"'))

    assert len(page.records) == 10
    assert _analyses(admin) == dict.fromkeys(planner_statistics.TABLES, 0)


async def test_after_an_analysis_the_next_waits_for_a_tenth_of_the_rows_to_change(
    store: Store, admin: sa.Engine
) -> None:
    await _fill(store, 300)
    await store.search(_search('name:"jane"'))
    assert _analyses(admin)["customers"] == 1

    # 300 rows: the next analysis comes after 50 + 30 changed rows.
    await _rename(store, 40)
    await store.search(_search('name:"renamed"'))
    assert _analyses(admin)["customers"] == 1

    await _fill(store, 60, start=300)
    assert await store.search_count(_search('name:"jane"')) == 320
    assert _analyses(admin)["customers"] == 2
    assert _rows_planned(admin) == 360


async def test_a_filtered_list_analyzes_too_but_a_plain_one_does_not(
    store: Store, admin: sa.Engine
) -> None:
    await _fill(store, 300)

    await store.list(ListQuery(TENANT, spec=translate.SPEC))
    assert _analyses(admin)["customers"] == 0

    where = parse('email:"j7@x.com"')
    page = await store.list(ListQuery(TENANT, where=where, spec=translate.SPEC))
    assert [r.id for r in page.records] == ["cus_00000000000007"]
    assert _analyses(admin)["customers"] == 1


async def test_a_search_goes_on_when_the_analysis_cannot_run(
    store: Store, admin: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    await _fill(store, 300)
    with admin.connect() as holder:
        # Another analysis of the table in progress holds this lock for as long as it runs.
        holder.exec_driver_sql("BEGIN")
        holder.exec_driver_sql("LOCK TABLE customers IN SHARE UPDATE EXCLUSIVE MODE")
        with caplog.at_level(logging.WARNING, logger=planner_statistics.__name__):
            count = await store.search_count(_search('name:"jane"'))
        holder.exec_driver_sql("ROLLBACK")

    assert count == 300
    assert "could not refresh the planner's statistics" in caplog.text
    assert _analyses(admin)["customers"] == 0
