"""SQLite group commit: writes that arrive together share one transaction and one fsync,
yet each succeeds or fails on its own, and none is acknowledged before it is committed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rolodex.core import patch as patches
from rolodex.core.errors import AlreadyExists, NotFound
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.patch import merge
from rolodex.core.records import Record, Tenant
from rolodex.store.base import Change, ListQuery
from rolodex.store.sqlite import SQLiteStore

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(unique=(UniqueField("code"),), terms=("email",), maps=("metadata",))


def _record(n: int, code: str | None = None) -> Record:
    fields = {"email": f"c{n}@example.com", "code": code or f"CODE{n}", "metadata": {}}
    return Record(TENANT, f"cus_{n}", created_us=1_000 + n, fields=fields)


async def _store(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(f"sqlite:///{tmp_path / 'group.db'}")
    await store.migrate()
    return store


def _count_commits(store: SQLiteStore) -> list[str]:
    """Every statement the store's own sqlite3 connection runs from now on."""
    seen: list[str] = []
    driver = store._driver
    driver.set_trace_callback(seen.append)
    return seen


def test_writes_arriving_together_share_one_commit(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        statements = _count_commits(store)
        await asyncio.gather(*(store.insert(_record(n), SPEC) for n in range(20)))
        assert await store.count(ListQuery(TENANT)) == 20
        await store.close()
        return statements

    statements = asyncio.run(scenario())
    assert statements.count("COMMIT") == 1


def test_a_failing_write_is_undone_alone(tmp_path: Path) -> None:
    async def scenario() -> tuple[object, ...]:
        store = await _store(tmp_path)
        await store.insert(_record(0, code="TAKEN"), SPEC)
        outcomes = await asyncio.gather(
            store.insert(_record(1), SPEC),
            store.insert(_record(2, code="TAKEN"), SPEC),  # clashes on its unique key
            store.insert(_record(3), SPEC),
            return_exceptions=True,
        )
        ids = [r.id for r in (await store.list(ListQuery(TENANT, newest_first=False))).records]
        assert ids == ["cus_0", "cus_1", "cus_3"]
        await store.close()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], AlreadyExists)


def test_a_raising_change_leaves_the_other_updates_of_its_batch(tmp_path: Path) -> None:
    def add(key: str) -> Change:
        plan = merge({"metadata": merge({key: "yes"})})
        return lambda record: record.with_fields(patches.apply(record.fields, plan).fields)

    def refuse(_record: Record) -> Record:
        raise ValueError("refused")

    async def scenario() -> Record:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        results = await asyncio.gather(
            store.update(TENANT, "cus_1", add("a"), SPEC),
            store.update(TENANT, "cus_1", refuse, SPEC),
            store.update(TENANT, "cus_1", add("b"), SPEC),
            store.update(TENANT, "cus_missing", add("c"), SPEC),
            return_exceptions=True,
        )
        assert isinstance(results[1], ValueError)
        assert isinstance(results[3], NotFound)
        found = await store.get(TENANT, "cus_1")
        await store.close()
        assert found is not None
        return found

    assert asyncio.run(scenario()).fields["metadata"] == {"a": "yes", "b": "yes"}


def test_an_acknowledged_write_is_committed_for_other_connections(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = await _store(tmp_path)
        await asyncio.gather(store.insert(_record(1), SPEC), store.insert(_record(2), SPEC))
        with sqlite3.connect(tmp_path / "group.db") as other:
            (count,) = other.execute("SELECT count(*) FROM customers").fetchone()
        assert count == 2
        await store.close()

    asyncio.run(scenario())


def test_deleted_comes_back_as_a_boolean(tmp_path: Path) -> None:
    async def scenario() -> Record | None:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        await store.delete(TENANT, "cus_1", SPEC, hard=False)
        found = await store.get(TENANT, "cus_1")
        await store.close()
        return found

    found = asyncio.run(scenario())
    assert found is not None
    assert found.deleted is True
