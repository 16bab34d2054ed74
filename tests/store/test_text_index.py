"""The full-text queue on SQLite: every document change is queued with its write, applied many
at a time, and applied before any search, so a search sees each write committed before it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa
from pytest import MonkeyPatch

from rolodex.core.errors import Unavailable
from rolodex.core.index import IndexSpec
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, fts, text_index
from rolodex.store.base import Change, ListQuery, SearchQuery
from rolodex.store.sqlite import SQLiteStore

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(texts=("name",))
SAME_MILLISECOND = 5_000_000_000
"""Records created inside one millisecond share its range of full-text keys."""


def _named(n: int, name: str | None, *, created_us: int | None = None) -> Record:
    fields = {} if name is None else {"name": name}
    created = SAME_MILLISECOND + n if created_us is None else created_us
    return Record(TENANT, f"cus_{n}", created_us=created, fields=fields)


def _renamed(name: str | None) -> Change:
    return lambda record: record.with_fields({} if name is None else {"name": name})


async def _store(path: Path, *, quiet_seconds: float | None = None) -> SQLiteStore:
    """A store that leaves its queue to writes and searches, unless told to apply it when
    quiet (these tests look at the queue between writes)."""
    store = SQLiteStore(f"sqlite:///{path / 'queue.db'}", quiet_seconds=quiet_seconds)
    await store.migrate()
    return store


async def _found(store: SQLiteStore, word: str) -> list[str]:
    where = Compare(Attr("name"), Op.WORDS, word)
    page = await store.search(SearchQuery(TENANT, where, SPEC, limit=100))
    return sorted(record.id for record in page.records)


def _count(path: Path, query: str, *params: str) -> int:
    """A count as another connection sees it, without applying anything."""
    with sqlite3.connect(path / "queue.db") as other:
        (count,) = other.execute(query, params).fetchone()
    return int(count)


def _queue_length(path: Path) -> int:
    return _count(path, "SELECT count(*) FROM customer_fts_queue")


def _indexed(path: Path, word: str) -> int:
    phrase = fts.words_phrase(TENANT.key, "name", word)
    assert phrase is not None
    return _count(path, "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH ?", phrase)


def test_a_write_queues_its_document_and_a_search_applies_the_queue_first(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada Lovelace"), SPEC)
        assert (_queue_length(tmp_path), _indexed(tmp_path, "ada")) == (1, 0)
        assert await _found(store, "ada") == ["cus_1"]
        assert (_queue_length(tmp_path), _indexed(tmp_path, "ada")) == (0, 1)
        await store.update(TENANT, "cus_1", _renamed("Grace Hopper"), SPEC)
        assert await _found(store, "ada") == []
        assert await _found(store, "grace") == ["cus_1"]
        await store.close()

    asyncio.run(scenario())


def test_the_queue_is_applied_once_it_reaches_its_length(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = await _store(tmp_path)
        for first in range(0, text_index.QUEUE_LENGTH, 64):
            await asyncio.gather(
                *(store.insert(_named(n, f"Name {n}"), SPEC) for n in range(first, first + 64))
            )
        await store.close()

    asyncio.run(scenario())
    assert _queue_length(tmp_path) < text_index.QUEUE_LENGTH
    assert _indexed(tmp_path, "name") + _queue_length(tmp_path) == text_index.QUEUE_LENGTH
    assert _indexed(tmp_path, "name") >= text_index.QUEUE_LENGTH - 64


def test_reads_go_on_while_a_batch_applies_the_long_queue(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """The write that makes the queue long has it applied on the commit's thread, just before
    its commit: the loop answers reads meanwhile, and the write only once it is done."""
    monkeypatch.setattr(text_index, "QUEUE_LENGTH", 2)
    applying, release, applied = threading.Event(), threading.Event(), threading.Event()
    apply = text_index.apply_or_keep

    def slow_apply(conn: sa.Connection) -> None:
        applying.set()
        release.wait(timeout=5)  # on the loop, this would stall it, then let it go on
        apply(conn)
        applied.set()

    monkeypatch.setattr(text_index, "apply_or_keep", slow_apply)

    async def scenario() -> list[object]:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada Lovelace"), SPEC)
        writing = asyncio.create_task(store.insert(_named(2, "Ada Byron"), SPEC))
        while not applying.is_set():
            await asyncio.sleep(0.001)
        read = await store.get(TENANT, "cus_1")
        seen = [read is not None, applied.is_set(), writing.done(), _queue_length(tmp_path)]
        release.set()
        await writing
        seen += [_queue_length(tmp_path), _indexed(tmp_path, "ada"), await _found(store, "ada")]
        await store.close()
        return seen

    assert asyncio.run(scenario()) == [True, False, False, 1, 0, 2, ["cus_1", "cus_2"]]


def test_a_store_that_stops_writing_applies_its_queue(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int]:
        store = await _store(tmp_path, quiet_seconds=0.01)
        await store.insert(_named(1, "Ada"), SPEC)
        queued = _queue_length(tmp_path)
        for _ in range(200):  # the quiet moment comes after 0.01 s; allow a slow machine 2 s
            await asyncio.sleep(0.01)
            if not _queue_length(tmp_path):
                break
        await store.close()
        return queued, _indexed(tmp_path, "ada")

    assert asyncio.run(scenario()) == (1, 1)
    assert _queue_length(tmp_path) == 0


def test_a_store_closed_before_its_quiet_moment_leaves_the_queue_to_the_next(
    tmp_path: Path,
) -> None:
    async def scenario() -> tuple[list[object], list[str]]:
        failures: list[object] = []
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: failures.append(context)
        )
        store = await _store(tmp_path, quiet_seconds=0.01)
        await store.insert(_named(1, "Ada"), SPEC)
        await store.close()
        await asyncio.sleep(0.05)  # past the quiet moment: nothing may touch the closed store
        reopened = await _store(tmp_path)
        assert _queue_length(tmp_path) == 1
        found = await _found(reopened, "ada")
        await reopened.close()
        return failures, found

    assert asyncio.run(scenario()) == ([], ["cus_1"])


def test_queued_changes_survive_a_restart(tmp_path: Path) -> None:
    async def write() -> None:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada"), SPEC)
        await store.insert(_named(2, "Grace"), SPEC)
        await store.delete(TENANT, "cus_2", SPEC, hard=False)
        await store.close()

    async def search() -> tuple[list[str], list[str]]:
        store = await _store(tmp_path)
        found = await _found(store, "ada"), await _found(store, "grace")
        await store.close()
        return found

    asyncio.run(write())
    assert _queue_length(tmp_path) == 3
    assert asyncio.run(search()) == (["cus_1"], [])
    assert (_indexed(tmp_path, "ada"), _indexed(tmp_path, "grace")) == (1, 0)


def test_a_search_sees_a_write_another_process_committed(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        writer, reader = await _store(tmp_path), await _store(tmp_path)
        await writer.insert(_named(1, "Ada"), SPEC)
        found = await _found(reader, "ada")
        await writer.close()
        await reader.close()
        return found

    assert asyncio.run(scenario()) == ["cus_1"]


def test_a_key_freed_while_its_removal_is_queued_serves_the_next_record(tmp_path: Path) -> None:
    """Keys are given out per creation millisecond, so a record made in the same millisecond
    as one whose name was just removed takes its key, with that removal still queued."""

    async def scenario() -> dict[str, list[str]]:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada Lovelace"), SPEC)
        assert await _found(store, "ada") == ["cus_1"]
        await store.update(TENANT, "cus_1", _renamed(None), SPEC)
        await store.insert(_named(2, "Ada Byron", created_us=SAME_MILLISECOND + 2), SPEC)
        found = {word: await _found(store, word) for word in ("ada", "lovelace", "byron")}
        await store.close()
        return found

    assert asyncio.run(scenario()) == {"ada": ["cus_2"], "lovelace": [], "byron": ["cus_2"]}


def test_a_bulk_insert_comes_after_the_changes_already_queued(tmp_path: Path) -> None:
    """Written straight into the index, the new record's words would be struck out again by
    the queued removal of the same key's earlier document, which shares some of them."""

    def insert_many(conn: sa.Connection) -> None:
        bulk.insert_many(conn, [_named(2, "Ada Byron", created_us=SAME_MILLISECOND + 2)], SPEC)

    async def scenario() -> list[str]:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada Lovelace"), SPEC)
        assert await _found(store, "ada") == ["cus_1"]  # in the index, not only queued
        await store.update(TENANT, "cus_1", _renamed(None), SPEC)
        await store._write(insert_many)
        found = await _found(store, "ada")
        await store.close()
        return found

    assert asyncio.run(scenario()) == ["cus_2"]


def test_writes_go_on_when_the_queue_cannot_be_applied_and_searches_say_so(
    tmp_path: Path,
) -> None:
    async def scenario() -> tuple[int, BaseException | None]:
        store = await _store(tmp_path)
        store._driver.execute("DROP TABLE customer_fts")  # a full-text index gone bad
        for first in range(0, text_index.QUEUE_LENGTH + 64, 64):
            await asyncio.gather(
                *(store.insert(_named(n, f"Name {n}"), SPEC) for n in range(first, first + 64))
            )
        stored = await store.count(ListQuery(tenant=TENANT, spec=SPEC))
        try:
            await _found(store, "name")
        except Unavailable as refused:
            return stored, refused
        finally:
            await store.close()
        return stored, None

    stored, refused = asyncio.run(scenario())
    assert stored == text_index.QUEUE_LENGTH + 64
    assert isinstance(refused, Unavailable)
    assert _queue_length(tmp_path) == text_index.QUEUE_LENGTH + 64


def test_keys_of_the_furthest_creation_times_fit_in_64_bits() -> None:
    furthest = 2**63 - 1
    assert fts.first_key(furthest) < fts.key_above(furthest) < 2**63
    assert fts.key_above(-(2**63)) > fts.first_key(-(2**63)) == 0


TWO_TEXTS = IndexSpec(texts=("email", "name"))


def _rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path / "queue.db") as other:
        rows = other.execute("SELECT field, key FROM customer_fts_rows WHERE customer_id = 'cus_1'")
        return dict(rows.fetchall())


def _queued_keys(path: Path) -> list[int]:
    with sqlite3.connect(path / "queue.db") as other:
        return [key for (key,) in other.execute("SELECT key FROM customer_fts_queue ORDER BY seq")]


def test_each_text_field_has_a_document_and_a_write_queues_only_the_fields_it_changed(
    tmp_path: Path,
) -> None:
    """A new name must not rewrite the email's tokens: FTS5 costs grow with every token."""

    async def scenario() -> None:
        store = await _store(tmp_path)
        fields = {"name": "Ada Lovelace", "email": "ada@example.com"}
        await store.insert(Record(TENANT, "cus_1", SAME_MILLISECOND, fields), TWO_TEXTS)
        assert await _found(store, "ada") == ["cus_1"]  # the queue applied
        keys = _rows(tmp_path)
        assert sorted(keys) == ["email", "name"]
        assert fts.record_base(keys["email"]) == fts.record_base(keys["name"])

        renamed = lambda record: record.with_fields({**record.fields, "name": "Grace"})  # noqa: E731
        await store.update(TENANT, "cus_1", renamed, TWO_TEXTS)
        assert _queued_keys(tmp_path) == [keys["name"]]
        assert _rows(tmp_path) == keys
        assert await _found(store, "lovelace") == []
        assert await _found(store, "grace") == ["cus_1"]
        email = Compare(Attr("email"), Op.WORDS, "example")
        page = await store.search(SearchQuery(TENANT, email, TWO_TEXTS, limit=10))
        assert [record.id for record in page.records] == ["cus_1"]
        await store.close()

    asyncio.run(scenario())


def test_a_field_set_later_takes_a_free_slot_of_its_record(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = await _store(tmp_path)
        await store.insert(_named(1, "Ada"), TWO_TEXTS)
        await store.insert(_named(2, "Grace"), TWO_TEXTS)
        first = _rows(tmp_path)["name"]

        def emailed(record: Record) -> Record:
            return record.with_fields({"email": "ada@example.com"})  # and no name

        await store.update(TENANT, "cus_1", emailed, TWO_TEXTS)
        assert _rows(tmp_path) == {"email": first + 1}
        email = Compare(Attr("email"), Op.CONTAINS, "ada@ex")
        page = await store.search(SearchQuery(TENANT, email, TWO_TEXTS, limit=10))
        assert [record.id for record in page.records] == ["cus_1"]
        assert await _found(store, "ada") == []
        assert await _found(store, "grace") == ["cus_2"]
        await store.close()

    asyncio.run(scenario())


def test_a_record_with_more_text_fields_than_slots_is_refused(tmp_path: Path) -> None:
    names = tuple(f"f{n}" for n in range(1 << fts.FIELD_BITS | 1))
    crowded = Record(TENANT, "cus_1", SAME_MILLISECOND, dict.fromkeys(names, "x"))

    async def scenario() -> int:
        store = await _store(tmp_path)
        try:
            await store.insert(crowded, IndexSpec(texts=names))
        except OverflowError:
            return await store.count(ListQuery(tenant=TENANT, spec=SPEC))
        finally:
            await store.close()
        return -1

    assert asyncio.run(scenario()) == 0
