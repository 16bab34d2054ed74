"""The SQLite adapter's connection: reads through a memory map that stays coherent with the
writes of every other connection to the same file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rolodex.core.index import IndexSpec
from rolodex.core.records import Record, Tenant
from rolodex.store.base import Change
from rolodex.store.sqlite import SQLiteStore

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(terms=("email",), texts=("name",))


async def _store(path: Path) -> SQLiteStore:
    store = SQLiteStore(f"sqlite:///{path}")
    await store.migrate()
    return store


def _renamed(name: str) -> Change:
    return lambda record: record.with_fields({**record.fields, "name": name})


def test_a_file_is_read_through_a_memory_map(tmp_path: Path) -> None:
    async def mapped() -> int:
        store = await _store(tmp_path / "mapped.db")
        sizes = [
            driver.execute("PRAGMA mmap_size").fetchone()[0]
            for driver in (store._driver, store._read_driver)
        ]
        await store.close()
        return min(sizes)

    assert asyncio.run(mapped()) >= 1 << 30


def test_a_mapped_reader_sees_what_another_connection_wrote_and_checkpointed(
    tmp_path: Path,
) -> None:
    """The other connection's checkpoint rewrites the pages the reader has mapped."""
    path = tmp_path / "shared.db"

    async def scenario() -> list[str]:
        reader, writer = await _store(path), await _store(path)
        fields = {"name": "Before", "email": "jo@example.com"}
        await reader.insert(Record(TENANT, "cus_1", created_us=1, fields=fields), SPEC)
        names: list[str] = []
        for name in ("First", "Second"):
            before = await reader.get(TENANT, "cus_1")
            assert before is not None
            names.append(before.fields["name"])
            await writer.update(TENANT, "cus_1", _renamed(name), SPEC)
            writer._driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = await reader.get(TENANT, "cus_1")
        assert after is not None
        names.append(after.fields["name"])
        await reader.close()
        await writer.close()
        return names

    assert asyncio.run(scenario()) == ["Before", "First", "Second"]


def test_an_in_memory_database_named_by_a_uri_keeps_one_connection() -> None:
    """A second connection would open a second, empty database: reads would miss every write."""

    async def scenario() -> bool:
        store = SQLiteStore("sqlite:///file:rolodex-test?mode=memory&uri=true")
        await store.migrate()
        fields = {"name": "Ada", "email": "ada@example.com"}
        await store.insert(Record(TENANT, "cus_1", created_us=1, fields=fields), SPEC)
        found = await store.get(TENANT, "cus_1") is not None
        await store.close()
        return found

    assert asyncio.run(scenario())
