"""Search statements: their plans on SQLite, and what they join on each database."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rolodex.core.index import IndexSpec
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import translate
from rolodex.dialects.stripe.search import parse
from rolodex.store import open_store
from rolodex.store.base import SearchQuery
from rolodex.store.sqlite import SQLiteStore

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(texts=("name",))


def test_a_count_asks_the_full_text_index_once_not_once_per_key(tmp_path: Path) -> None:
    """Asked per key (``rowid = ? AND MATCH``), a count took a second at 10,000 customers, and
    more for each word of the query."""

    async def scenario() -> tuple[int, list[str]]:
        store = SQLiteStore(f"sqlite:///{tmp_path / 'count.db'}")
        await store.migrate()
        for n, name in enumerate(("Ada Lovelace", "Bo Ada", "Cy"), start=1):
            await store.insert(Record(TENANT, f"cus_{n}", n, {"name": name}), SPEC)
        traced: list[str] = []
        store._read_driver.set_trace_callback(traced.append)
        store._driver.set_trace_callback(traced.append)
        count = await store.search_count(
            SearchQuery(TENANT, Compare(Attr("name"), Op.WORDS, "ada"), SPEC)
        )
        store._read_driver.set_trace_callback(None)
        store._driver.set_trace_callback(None)
        [counting] = [sql for sql in traced if "count(*)" in sql]
        plan = [row[3] for row in store._driver.execute(f"EXPLAIN QUERY PLAN {counting}")]
        await store.close()
        return count, plan

    count, plan = asyncio.run(scenario())
    assert count == 2
    full_text = [step for step in plan if "customer_fts VIRTUAL TABLE" in step]
    assert full_text == ["SCAN customer_fts VIRTUAL TABLE INDEX 0:M1"]  # no rowid constraint
    assert "LIST SUBQUERY 1" in plan
    # and the matched keys' rows found by key: found by account, SQLite walked every key row
    # of the account (a count by a word took 86 ms at 50,000 customers, against 6 ms)
    key_rows = [step for step in plan if "customer_fts_rows" in step]
    assert key_rows == ["SEARCH customer_fts_rows USING INTEGER PRIMARY KEY (rowid=?)"]


STRIPE_TENANT = Tenant("stripe", "acct", "test")


def _searched_plans(tmp_path: Path, query: str, *, count: bool) -> list[str]:
    """The query plan of each statement a Stripe search (or its count) ran, over a few
    customers with metadata; SQLite plans without statistics, so as it would at any size."""

    async def scenario() -> list[str]:
        store = SQLiteStore(f"sqlite:///{tmp_path / 'plans.db'}")
        await store.migrate()
        for n, plan in enumerate(("free", "pro", None), start=1):
            fields = {"name": f"Ada {n}", "metadata": {} if plan is None else {"plan": plan}}
            record = Record(STRIPE_TENANT, f"cus_{n}", n * 1_000_000, fields)
            await store.insert(record, translate.SPEC)
        traced: list[str] = []
        for driver in (store._read_driver, store._driver):
            driver.set_trace_callback(traced.append)
        searched = SearchQuery(STRIPE_TENANT, parse(query), translate.SPEC)
        await (store.search_count if count else store.search)(searched)
        for driver in (store._read_driver, store._driver):
            driver.set_trace_callback(None)
        reads = [sql for sql in traced if sql.lstrip().upper().startswith("SELECT")]
        plans = [
            step
            for sql in reads
            for (*_, step) in store._driver.execute(f"EXPLAIN QUERY PLAN {sql}")
        ]
        await store.close()
        return plans

    return asyncio.run(scenario())


def test_a_count_walks_the_term_within_the_created_range(tmp_path: Path) -> None:
    """With the range on the records alone, SQLite walked the records of the range and, for
    each, every entry of the term: a count took 74 s at 50,000 customers."""
    plans = _searched_plans(tmp_path, 'created>1 metadata["plan"]:"free"', count=True)
    terms = [step for step in plans if "customer_terms" in step]
    assert terms
    assert all("created_us>?" in step for step in terms), plans


@pytest.mark.parametrize("query", ['metadata["plan"]:null', '-metadata["plan"]:null'])
def test_a_presence_test_walks_the_index_of_the_field(tmp_path: Path, query: str) -> None:
    """Without the index (lost on SQLite by migration 0005, restored by 0011), each record was
    checked by walking every entry of the field: a page took 68-154 s at 50,000 customers."""
    plans = _searched_plans(tmp_path, query, count=False)
    terms = [step for step in plans if "customer_terms" in step]
    assert terms
    assert all("ix_customer_terms_presence" in step for step in terms), plans


@pytest.mark.postgres
def test_a_term_meets_its_record_on_postgresql_by_its_whole_key(postgres_url: str) -> None:
    """Joined on the id alone, PostgreSQL found a record's term by its value alone and filtered
    that value's entries by id: at 50,000 customers a page of ``metadata["plan"]:"pro"
    email~"com"`` ran into the statement timeout. SQLite keeps the id alone (see
    ``search._joined``)."""
    statements = _statements(
        postgres_url, 'metadata["plan"]:"pro" email~"com"', ["customer_terms", "customer_text"]
    )
    assert "customers.created_us = customer_terms.created_us" in statements


def test_a_term_meets_its_record_on_sqlite_by_its_id(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'joined.db'}"
    statements = _statements(url, 'metadata["plan"]:"pro" email~"com"', ["customer_terms"])
    assert "customers.id = customer_terms.customer_id" in statements
    assert "customers.created_us = customer_terms.created_us" not in statements


def _statements(url: str, query: str, tables: list[str]) -> str:
    """The SQL a search's page ran, joined into one string."""

    async def scenario() -> str:
        store = open_store(url)
        await store.migrate()
        tenant = Tenant("stripe", uuid.uuid4().hex, "test")
        fields = {"email": "a@b.com", "metadata": {"plan": "pro"}}
        await store.insert(Record(tenant, "cus_1", 1, fields), translate.SPEC)
        sent: list[str] = []
        engine = getattr(store._engine, "sync_engine", store._engine)  # PostgreSQL's is async

        def listen(*args: Any) -> None:
            sent.append(args[2])

        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            page = await store.search(SearchQuery(tenant, parse(query), translate.SPEC))
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
            await store.close()
        assert [r.id for r in page.records] == ["cus_1"]
        return "\n".join(sql for sql in sent if all(table in sql for table in tables))

    return asyncio.run(scenario())
