"""SQLite group commit: writes that arrive together share one transaction and one fsync,
yet each succeeds or fails on its own, and none is acknowledged before it is committed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from pytest import MonkeyPatch

from rolodex.core import patch as patches
from rolodex.core.errors import AlreadyExists, NotFound, Unavailable
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.patch import merge
from rolodex.core.records import Record, Tenant
from rolodex.store import fts, sql
from rolodex.store import sqlite as sqlite_store
from rolodex.store.base import Change, ListQuery
from rolodex.store.sqlite import CHECKPOINT_PAGES, SQLiteStore
from tests.support.slow_disk import slow_disk

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


def test_a_write_made_a_turn_of_the_loop_later_joins_the_batch(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        statements = _count_commits(store)
        first = asyncio.ensure_future(store.insert(_record(1), SPEC))
        await asyncio.sleep(0)  # the first write is queued; the second comes a turn later
        await asyncio.gather(first, store.insert(_record(2), SPEC))
        await store.close()
        return statements

    assert asyncio.run(scenario()).count("COMMIT") == 1


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


def test_a_batch_that_succeeds_sets_no_savepoint_per_write(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        statements = _count_commits(store)
        await asyncio.gather(*(store.insert(_record(n), SPEC) for n in range(5)))
        await store.close()
        return statements

    statements = asyncio.run(scenario())
    assert statements.count("COMMIT") == 1
    assert not [sql for sql in statements if sql.startswith(("SAVEPOINT", "ROLLBACK"))]


def test_a_write_failing_before_it_changes_anything_is_not_run_again(tmp_path: Path) -> None:
    runs: list[str] = []

    def counted(id: str) -> Change:
        def change(record: Record) -> Record:
            runs.append(id)
            return record.with_fields({**record.fields, "email": f"new-{id}@example.com"})

        return change

    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        statements = _count_commits(store)
        outcomes = await asyncio.gather(
            store.update(TENANT, "cus_1", counted("a"), SPEC),
            store.update(TENANT, "cus_missing", counted("b"), SPEC),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], NotFound)
        await store.close()
        return statements

    statements = asyncio.run(scenario())
    assert runs == ["a"]
    assert "ROLLBACK" not in statements


def test_a_batch_whose_write_failed_after_changing_rows_runs_the_others_once(
    tmp_path: Path,
) -> None:
    def change_then_fail(conn: sa.Connection) -> None:
        conn.exec_driver_sql("UPDATE customers SET version = version + 100")
        raise ValueError("refused after writing")

    async def scenario() -> list[int]:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        plan = merge({"metadata": merge({"seen": "yes"})})
        outcomes = await asyncio.gather(
            store.update(
                TENANT,
                "cus_1",
                lambda record: record.with_fields(patches.apply(record.fields, plan).fields),
                SPEC,
            ),
            store._write(change_then_fail),
            store.insert(_record(2), SPEC),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], ValueError)
        versions = await store._write(
            lambda conn: [v for (v,) in conn.exec_driver_sql("SELECT version FROM customers")]
        )
        await store.close()
        return sorted(versions)

    assert asyncio.run(scenario()) == [1, 2]


def test_a_failed_migration_in_a_batch_leaves_no_schema_change(tmp_path: Path) -> None:
    """Schema changes are not counted as changed rows; a migration's savepoint undoes them."""

    def create_then_fail(conn: sa.Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half_made (x INTEGER)")
        raise ValueError("the migration failed")

    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        outcomes = await asyncio.gather(
            store.insert(_record(1), SPEC),
            store._write(lambda conn: sqlite_store._in_savepoint(conn, create_then_fail)),
            return_exceptions=True,
        )
        assert outcomes[0] is None and isinstance(outcomes[1], ValueError)
        assert await store.get(TENANT, "cus_1") is not None
        names = await store._write(
            lambda conn: [n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master")]
        )
        await store.close()
        return names

    assert "half_made" not in asyncio.run(scenario())


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


def test_the_log_grows_past_sqlites_default_before_it_is_checkpointed(tmp_path: Path) -> None:
    """SQLite's default checkpoints every 1,000 log pages; the store lets the log grow to
    ``CHECKPOINT_PAGES`` first, and a store opened afresh still finds every write."""
    page_frame = 4096 + 24  # a log frame: one page and its header

    async def scenario() -> int:
        store = await _store(tmp_path)
        for n in range(400):  # one commit each: several log pages apiece
            await store.insert(_record(n), SPEC)
        log_bytes = (tmp_path / "group.db-wal").stat().st_size
        await store.close()
        reopened = await _store(tmp_path)
        found = await reopened.count(ListQuery(tenant=TENANT, spec=SPEC))
        await reopened.close()
        assert found == 400
        return log_bytes

    log_pages = asyncio.run(scenario()) // page_frame
    assert 1_100 < log_pages < CHECKPOINT_PAGES


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


TEXT_SPEC = IndexSpec(texts=("name",))


def _named(n: int, name: str) -> Record:
    return Record(TENANT, f"cus_{n}", created_us=1_000 + n, fields={"name": name})


async def _documents_matching(store: SQLiteStore, word: str) -> list[int]:
    """The full-text index's keys for ``word``, read as searches read it: queue applied."""
    phrase = fts.words_phrase(TENANT.key, "name", word)
    query = "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?"
    rows = await store._read_searchable(lambda conn: conn.exec_driver_sql(query, (phrase,)).all())
    return [key for (key,) in rows]


def test_a_batch_queues_its_full_text_changes_after_its_last_write(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        statements = _count_commits(store)
        await asyncio.gather(*(store.insert(_named(n, f"Name {n}"), TEXT_SPEC) for n in range(5)))
        assert len(await _documents_matching(store, "name")) == 5
        await store.close()
        return statements

    statements = asyncio.run(scenario())
    batch = statements[: statements.index("COMMIT")]
    queued = [i for i, sql in enumerate(batch) if sql.startswith("INSERT INTO customer_fts_queue")]
    assert len(queued) == 5
    written = [i for i, sql in enumerate(batch) if sql.startswith("INSERT INTO customers ")]
    assert len(written) == 5
    assert min(queued) > max(written)
    assert not any(sql.startswith("INSERT INTO customer_fts(") for sql in batch)


def test_a_failing_write_of_a_batch_leaves_no_full_text_document(tmp_path: Path) -> None:
    def insert_then_fail(conn: sa.Connection) -> None:
        sql.insert(conn, _named(2, "Ghost"), TEXT_SPEC)
        raise ValueError("refused after writing")

    async def scenario() -> tuple[list[int], list[int], object]:
        store = await _store(tmp_path)
        outcomes = await asyncio.gather(
            store.insert(_named(1, "Kept"), TEXT_SPEC),
            store._write(insert_then_fail),
            store.insert(_named(3, "Also kept"), TEXT_SPEC),
            return_exceptions=True,
        )
        found = await _documents_matching(store, "kept"), await _documents_matching(store, "ghost")
        await store.close()
        return *found, outcomes[1]

    kept, ghosts, failure = asyncio.run(scenario())
    assert isinstance(failure, ValueError)
    assert len(kept) == 2
    assert ghosts == []


def test_a_batch_leaves_the_full_text_index_as_its_last_writes_left_each_record(
    tmp_path: Path,
) -> None:
    def rename(name: str) -> Change:
        return lambda record: record.with_fields({"name": name})

    async def scenario() -> dict[str, int]:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Alpha"), TEXT_SPEC)
        await asyncio.gather(
            store.update(TENANT, "cus_1", rename("Beta"), TEXT_SPEC),
            store.insert(_named(2, "Passing"), TEXT_SPEC),
            store.update(TENANT, "cus_1", rename("Gamma"), TEXT_SPEC),
            store.delete(TENANT, "cus_2", TEXT_SPEC, hard=False),
            store.insert(_named(3, "Alpha"), TEXT_SPEC),
        )
        words = ("alpha", "beta", "gamma", "passing")
        found = {word: len(await _documents_matching(store, word)) for word in words}
        await store.close()
        return found

    assert asyncio.run(scenario()) == {"alpha": 1, "beta": 0, "gamma": 1, "passing": 0}


def _holding_the_write_lock(tmp_path: Path) -> sqlite3.Connection:
    """Another process's connection (as a sqlite3 shell would be) in a write transaction."""
    other = sqlite3.connect(tmp_path / "group.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_batch_waiting_for_another_process_lock_leaves_the_loop_serving_reads(
    tmp_path: Path,
) -> None:
    async def scenario() -> tuple[float, bool, bool]:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        other = _holding_the_write_lock(tmp_path)
        write = asyncio.create_task(store.insert(_record(2), SPEC))
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(0.05)  # the batch tries the lock meanwhile
        slept = loop.time() - started  # SQLite's busy_timeout would hold the loop for 10 s
        read = await store.get(TENANT, "cus_1")
        waiting = not write.done()
        other.commit()
        other.close()
        await write
        written = await store.get(TENANT, "cus_2") is not None
        await store.close()
        return slept, read is not None and waiting, written

    slept, read_while_waiting, written = asyncio.run(scenario())
    assert slept < 1
    assert read_while_waiting
    assert written


def test_a_batch_gives_up_on_a_lock_held_too_long(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_store, "LOCK_WAIT_SECONDS", 0.05)

    async def scenario() -> tuple[BaseException | None, int]:
        store = await _store(tmp_path)
        other = _holding_the_write_lock(tmp_path)
        try:
            await store.insert(_record(1), SPEC)
        except Unavailable as refused:
            failure: BaseException | None = refused
        else:
            failure = None
        finally:
            other.rollback()
            other.close()
        await store.insert(_record(2), SPEC)  # the lock is free again
        stored = await store.count(ListQuery(TENANT))
        await store.close()
        return failure, stored

    failure, stored = asyncio.run(scenario())
    assert isinstance(failure, Unavailable)
    assert stored == 1


def test_a_write_reads_no_full_text_keys_apart_from_its_record(tmp_path: Path) -> None:
    """An insert knows its record has no keys yet, and an update reads them with the record."""

    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        statements = _count_commits(store)
        await store.insert(_named(1, "Ada"), TEXT_SPEC)
        renamed = lambda record: record.with_fields({"name": "Grace"})  # noqa: E731
        await store.update(TENANT, "cus_1", renamed, TEXT_SPEC)
        assert len(await _documents_matching(store, "grace")) == 1
        await store.close()
        return statements

    statements = asyncio.run(scenario())
    reads = [sql for sql in statements if "customer_fts_rows.field" in sql]  # a record's keys
    assert len(reads) == 1
    assert reads[0].startswith("SELECT customers.tenant")


def test_a_batch_that_cannot_even_ask_for_the_lock_is_answered(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """Whatever fails before the batch's transaction, its writes get the failure, not a hang."""

    def closed() -> bool:
        raise sqlite3.ProgrammingError("Cannot operate on a closed database.")

    async def scenario() -> BaseException | None:
        store = await _store(tmp_path)
        monkeypatch.setattr(store, "_lock_without_waiting", closed)
        try:
            await asyncio.wait_for(store.insert(_record(1), SPEC), timeout=5)
        except sqlite3.ProgrammingError as refused:
            return refused
        finally:
            monkeypatch.undo()
            await store.close()
        return None

    assert isinstance(asyncio.run(scenario()), sqlite3.ProgrammingError)


def test_reads_and_new_writes_go_on_while_a_commit_waits_for_the_disk(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    async def scenario() -> tuple[list[bool], list[int], list[str]]:
        store = await _store(tmp_path)
        await store.insert(_record(1), SPEC)
        release = slow_disk(store, monkeypatch)
        statements = _count_commits(store)
        committing = asyncio.create_task(store.insert(_record(2), SPEC))
        await asyncio.sleep(0.05)
        seen = [await store.get(TENANT, f"cus_{n}") is not None for n in (1, 2)]
        counted = [await store.count(ListQuery(TENANT))]
        waiting = asyncio.create_task(store.insert(_record(3), SPEC))
        await asyncio.sleep(0.05)
        pending = [committing.done(), waiting.done()]
        release.set()
        await asyncio.gather(committing, waiting)
        counted.append(await store.count(ListQuery(TENANT)))
        await store.close()
        return seen + pending, counted, statements

    flags, counted, statements = asyncio.run(scenario())
    # The committed record is read; the one committing is not seen, nor acknowledged, yet;
    # the write that came meanwhile waits for the commit ahead of it, then commits alone.
    assert flags == [True, False, False, False]
    assert counted == [1, 3]
    assert statements.count("COMMIT") == 2


def test_a_failed_commit_fails_every_write_of_its_batch_and_keeps_none(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    def failing(apply_queue: bool = False) -> Exception:
        # The transaction stays open, as a failed COMMIT may leave it.
        return Unavailable("disk I/O error")

    async def scenario() -> tuple[list[object], int]:
        store = await _store(tmp_path)
        monkeypatch.setattr(store, "_commit", failing)
        outcomes = await asyncio.gather(
            store.insert(_record(1), SPEC), store.insert(_record(2), SPEC), return_exceptions=True
        )
        monkeypatch.undo()
        await store.insert(_record(3), SPEC)
        stored = await store.count(ListQuery(TENANT))
        await store.close()
        return outcomes, stored

    outcomes, stored = asyncio.run(scenario())
    assert [type(outcome) for outcome in outcomes] == [Unavailable, Unavailable]
    assert stored == 1


def test_closing_waits_for_the_commit_in_flight(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    async def scenario() -> bool:
        store = await _store(tmp_path)
        release = slow_disk(store, monkeypatch)
        write = asyncio.create_task(store.insert(_record(1), SPEC))
        await asyncio.sleep(0.05)
        closing = asyncio.create_task(store.close())
        await asyncio.sleep(0.05)
        closed_early = closing.done()
        release.set()
        await asyncio.gather(write, closing)
        return closed_early

    assert asyncio.run(scenario()) is False
    with sqlite3.connect(tmp_path / "group.db") as other:
        assert other.execute("SELECT count(*) FROM customers").fetchone() == (1,)


def test_a_search_that_applies_the_queue_runs_before_the_writes_of_its_batch(
    tmp_path: Path,
) -> None:
    """It sees the records and the full-text index as they were committed, never a record a
    write of its batch has changed beside an index that write has not reached yet."""

    def match_and_name(conn: sa.Connection) -> tuple[int, str]:
        phrase = fts.words_phrase(TENANT.key, "name", "ada")
        query = "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH ?"
        (matches,) = conn.exec_driver_sql(query, (phrase,)).one()
        record = sql.get(conn, TENANT, "cus_1")
        assert record is not None
        return matches, record.fields["name"]

    async def scenario() -> tuple[int, str]:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada"), TEXT_SPEC)  # its document waits in the queue
        renamed = lambda record: record.with_fields({"name": "Grace"})  # noqa: E731
        _, seen = await asyncio.gather(
            store.update(TENANT, "cus_1", renamed, TEXT_SPEC),
            store._read_searchable(match_and_name),
        )
        await store.close()
        return seen

    assert asyncio.run(scenario()) == (1, "Ada")
