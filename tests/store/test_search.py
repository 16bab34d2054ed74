"""Searches on SQLite, where the full-text index answers words and substrings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rolodex.core.index import IndexSpec
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Record, Tenant
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
