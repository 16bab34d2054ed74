"""The operations both adapters share (``store.sql``), where SQLite runs them its own way."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rolodex.core.index import IndexSpec
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Record, Tenant
from rolodex.store.base import ListQuery
from rolodex.store.sqlite import SQLiteStore

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(terms=("email",), texts=("name",))


def test_an_update_on_sqlite_writes_the_row_it_read_by_its_rowid(tmp_path: Path) -> None:
    """The write goes straight to the table's row, not through the primary key's index."""

    async def scenario() -> tuple[list[str], list[str | None]]:
        store = SQLiteStore(f"sqlite:///{tmp_path / 'rowid.db'}")
        await store.migrate()
        for n, name in enumerate(("Ada", "Bo", "Cy"), start=1):
            record = Record(TENANT, f"cus_{n}", created_us=n, fields={"name": name})
            await store.insert(record, SPEC)
        traced: list[str] = []
        store._driver.set_trace_callback(traced.append)
        await store.update(
            TENANT, "cus_2", lambda r: r.with_fields({**r.fields, "name": "Bea"}), SPEC
        )
        store._driver.set_trace_callback(None)
        writes = [sql for sql in traced if sql.startswith("UPDATE customers")]
        plans = [
            " ".join(row[3] for row in store._driver.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in writes
        ]
        names = [
            None if (found := await store.get(TENANT, f"cus_{n}")) is None
            else found.fields["name"]
            for n in (1, 2, 3)
        ]  # fmt: skip
        await store.close()
        return plans, names

    plans, names = asyncio.run(scenario())
    assert plans == ["SEARCH customers USING INTEGER PRIMARY KEY (rowid=?)"]
    assert names == ["Ada", "Bea", "Cy"]


def test_a_list_by_words_on_sqlite_asks_the_full_text_index(tmp_path: Path) -> None:
    """Not every record's document, as it did for Autumn's and Dub's searches (230-350 ms at
    50,000 customers); a substring too short for a trigram is still read from the documents."""

    async def scenario() -> dict[str, list[str]]:
        store = SQLiteStore(f"sqlite:///{tmp_path / 'words.db'}")
        await store.migrate()
        for n, name in enumerate(("Ada Lee", "Bo Lee", "Cy Ray"), start=1):
            await store.insert(Record(TENANT, f"cus_{n}", n, {"name": name}), SPEC)
        traced: dict[str, list[str]] = {}
        for value in ("lee", "le"):
            where = Compare(Attr("name"), Op.WORDS if value == "lee" else Op.CONTAINS, value)
            statements: list[str] = []
            for driver in (store._read_driver, store._driver):
                driver.set_trace_callback(statements.append)
            page = await store.list(ListQuery(TENANT, where=where, spec=SPEC))
            for driver in (store._read_driver, store._driver):
                driver.set_trace_callback(None)
            assert [r.id for r in page.records] == ["cus_2", "cus_1"]
            traced[value] = [sql for sql in statements if "FROM customers" in sql]
        await store.close()
        return traced

    traced = asyncio.run(scenario())
    [by_words] = traced["lee"]
    assert "customer_fts MATCH" in by_words
    assert "rolodex_has_words" not in by_words
    [by_substring] = traced["le"]
    assert "customer_fts" not in by_substring
    assert "rolodex_has_substring" in by_substring
