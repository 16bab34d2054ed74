"""The SQLite adapter's connections: reads through a memory map that stays coherent with the
writes of every other connection to the same file, in one snapshot per turn of the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from pytest import MonkeyPatch

from rolodex.core.index import IndexSpec
from rolodex.core.records import Record, Tenant
from rolodex.store.base import Change
from rolodex.store.sqlite import SQLiteStore, _driver_of
from tests.support.slow_disk import slow_disk

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


def _rename_elsewhere(path: Path, name: str) -> None:
    """Rename ``cus_1`` through a connection of another process's kind, committed at once."""
    other = sqlite3.connect(path)
    try:
        other.execute("UPDATE customers SET doc = json_set(doc, '$.name', ?)", (name,))
        other.commit()
    finally:
        other.close()


def test_the_reads_of_one_turn_share_a_snapshot_that_the_next_turn_leaves(
    tmp_path: Path,
) -> None:
    """Another connection's commit shows from the next turn of the event loop on, not
    between two reads of one turn (which then cost SQLite no locking of their own)."""
    path = tmp_path / "turns.db"

    async def scenario() -> list[str]:
        store = await _store(path)
        fields = {"name": "Ada", "email": "ada@example.com"}
        await store.insert(Record(TENANT, "cus_1", created_us=1, fields=fields), SPEC)
        await asyncio.sleep(0)
        names = []
        for rename in ("Grace", "Edsger", None):
            found = await store.get(TENANT, "cus_1")  # returns within the turn
            assert found is not None
            names.append(found.fields["name"])
            if rename is not None:
                _rename_elsewhere(path, rename)
        await asyncio.sleep(0)
        after = await store.get(TENANT, "cus_1")
        assert after is not None
        names.append(after.fields["name"])
        await store.close()
        return names

    assert asyncio.run(scenario()) == ["Ada", "Ada", "Ada", "Edsger"]


def test_a_read_while_a_commit_is_in_flight_keeps_no_snapshot(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """The commit may start the write-ahead log afresh, which SQLite does only if no reader
    holds an older snapshot: reads meanwhile are transactions of their own."""

    async def scenario() -> list[bool]:
        store = await _store(tmp_path / "inflight.db")
        fields = {"name": "Ada", "email": "ada@example.com"}
        await store.insert(Record(TENANT, "cus_1", created_us=1, fields=fields), SPEC)
        await asyncio.sleep(0)
        release = slow_disk(store, monkeypatch)
        before = await store.get(TENANT, "cus_1") is not None
        held_before = store._read_driver.in_transaction  # this turn's snapshot
        renaming = asyncio.create_task(store.update(TENANT, "cus_1", _renamed("Grace"), SPEC))
        await asyncio.sleep(0.05)  # the rename's commit is in flight
        during = await store.get(TENANT, "cus_1")
        held_during = store._read_driver.in_transaction
        release.set()
        await renaming
        await store.close()
        assert during is not None
        return [before, held_before, during.fields["name"] == "Ada", held_during]

    assert asyncio.run(scenario()) == [True, True, True, False]


def test_a_search_while_a_commit_is_in_flight_still_reads_in_one_transaction(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """Its look at the full-text queue and its read must see one state of the file."""

    def in_one_transaction(conn: sa.Connection) -> bool:
        return _driver_of(conn).in_transaction

    async def scenario() -> list[bool]:
        store = await _store(tmp_path / "search.db")
        fields = {"name": "Ada", "email": "ada@example.com"}
        await store.insert(Record(TENANT, "cus_1", created_us=1, fields=fields), SPEC)
        await store._read_searchable(in_one_transaction)  # applies the queue: a write
        release = slow_disk(store, monkeypatch)
        renaming = asyncio.create_task(store.update(TENANT, "cus_1", _renamed("Grace"), SPEC))
        await asyncio.sleep(0.05)  # the rename's commit is in flight
        during = await store._read_searchable(in_one_transaction)
        after_it = store._read_driver.in_transaction
        release.set()
        await renaming
        await store.close()
        return [during, after_it]

    assert asyncio.run(scenario()) == [True, False]
