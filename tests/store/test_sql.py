"""The operations both adapters share (``store.sql``), where SQLite runs them its own way."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rolodex.core.index import IndexSpec
from rolodex.core.records import Record, Tenant
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
