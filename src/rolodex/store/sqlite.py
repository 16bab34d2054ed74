"""The embedded default: one SQLite file in WAL mode (or ``:memory:`` for throw-away use).

Each process has two connections to a file: one writes, one reads, so reads never wait for a
commit (WAL lets readers go on beside the writer); the reads of one turn of the event loop
share one read transaction (``_snapshot``). The statements are synchronous and finish
in microseconds, so they run on the event loop itself: handing each to a thread would cost
more than the query. The commit is the exception: its fsync waits on the disk for as long as
dozens of statements take, so it runs on a thread of its own (``_commit``) while the loop
answers reads and gathers the next batch of writes; so does applying a long full-text queue,
just before the commit. A ``:memory:`` database has one connection
(a second would open another database) and commits on the loop: it has no fsync to wait for.

Several processes may share one file (``rolodex serve --workers N``, or several servers):
writes take the database lock up front (``BEGIN IMMEDIATE``), so a read-modify-write never
interleaves with another process's and two processes never deadlock upgrading a read lock.
A batch of writes that finds the lock taken waits for it on the event loop's clock
(``LOCK_WAIT_SECONDS``), so reads go on meanwhile; anything else that needs the lock waits
inside SQLite (``busy_timeout``, set before anything else that may need it, such as switching
to WAL). Commits use ``synchronous=FULL`` so an
acknowledged write survives power loss.

SQLite's own ``lower()`` folds ASCII letters only; PostgreSQL's folds every letter. The
connection replaces it with Python's full Unicode folding so case-insensitive matching
(``Op.TOKEN``, ``Op.CONTAINS``) finds the same records on both.

Group commit: the writes that arrive during one turn of the event loop share one transaction,
so they share its fsync, which otherwise costs more than the writes themselves. A write that
fails is undone alone (``_run_batch``); none is acknowledged before the commit, and if the
commit fails, all of them fail.
The batch's full-text document changes are queued together at its end, and applied to the
index many batches at a time (``text_index.HeldDocuments``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from rolodex.core import text
from rolodex.core.errors import Unavailable
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, in_memory, keys, search, sql, text_index
from rolodex.store.base import (
    ApiKey,
    Change,
    Check,
    ListQuery,
    Page,
    Receipt,
    Remembered,
    SearchQuery,
    Store,
)
from rolodex.store.compile import SQLITE_FUNCTIONS, reads_full_text
from rolodex.store.migrate import upgrade
from rolodex.store.text_index import HeldDocuments

log = logging.getLogger(__name__)
T = TypeVar("T")
Operation = Callable[[sa.Connection], Any]
Write = tuple[Operation, "asyncio.Future[Any]"]
Batch = list[Write]
Settled = list[tuple[Any, Exception | None]]
"""Each write's value or failure, in its batch's order."""

CHECKPOINT_PAGES = 10_000
"""How long the write-ahead log grows (in 4 KiB pages, about 40 MB) before a commit copies it
back into the database file. A checkpoint copies each page the log holds once, however often
it was written, so a longer log copies fewer pages than SQLite's default of 1,000 did, which
checkpointed every few group commits. Measured at 100,000 customers: an update costs about 8%
less CPU in process, and over HTTP at 32 connections four interleaved pairs of runs averaged
17% more updates per second (on a noisy host); at 1,000 customers, where the whole database
fits in a few checkpoints' worth of pages, no difference showed. Longer still (30,000) made
each checkpoint a stall that cost more than it saved."""

MAPPED_BYTES = 1 << 31
"""How much of the database file reads find through a memory map instead of a ``pread`` per
page (SQLite caps it at its build's limit, 2 GiB less 64 KiB in the usual builds). Writes still
go through the log and ``write``, so a commit is as durable as without it. It pays where the
file is far larger than SQLite's page cache: at 100,000 customers, in process
(``benchmarks/inprocess.py --op retrieve``), five interleaved pairs of runs all favoured it,
a retrieve taking 23.3 -> 22.3 µs on average over three pairs of medians of three runs and
26.2 -> 24.0 µs over two single runs, and two pairs of update runs 234 -> 225 and 235 -> 230
µs. Over HTTP at 100,000 customers (``benchmarks/ab.py --base aa91687 --ops retrieve
--customers 100000 --pairs 4 --duration 3``, against the build before it) it answered 1.01 to
1.09 times as many retrieves in each of four pairs. At 1,000 customers, whose pages stay
cached, two in-process pairs read 19.0 and 19.3 µs without it, 19.3 and 19.8 with it: no
difference beyond noise."""

BUSY_TIMEOUT_MS = 10_000
LOCK_WAIT_SECONDS = BUSY_TIMEOUT_MS / 1000
"""How long a batch of writes waits for another process's write lock before it fails as
unavailable."""
_LOCK_RETRY_SECONDS = 0.002

_PRAGMAS = (
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}",
    f"PRAGMA mmap_size={MAPPED_BYTES}",
)


QUIET_SECONDS = 0.05
"""How long the store waits for a moment without writes, once writes have queued full-text
changes, to apply the queue then: a search after a burst of writes then seldom has a long
queue to apply first (``text_index.QUEUE_LENGTH``)."""


class SQLiteStore(Store):
    def __init__(self, url: str, *, quiet_seconds: float | None = QUIET_SECONDS) -> None:
        """``quiet_seconds``: see ``QUIET_SECONDS``; ``None`` leaves the queue to writes and
        searches alone."""
        self._engine = create_engine(url)
        self._conn = _connect(self._engine)
        # SQLAlchemy's transaction on the writer stays open for the store's life (on an
        # AUTOCOMMIT connection it sends nothing): SQLite's transactions are begun and
        # committed on the driver (``_lock_without_waiting``, ``_commit``), and Alembic, seeing
        # one open, migrates inside the batch's transaction instead of committing its own.
        self._conn.begin()
        self._in_memory = in_memory(url)
        self._read_engine = self._engine if self._in_memory else create_engine(url)
        self._reader = self._conn if self._in_memory else _connect(self._read_engine)
        if not self._in_memory:
            self._reader.exec_driver_sql("PRAGMA query_only=1")
        # The sqlite3 connections under both, for the statements that need no SQLAlchemy
        # round trip (a savepoint per write, the busiest read); looked up once, as each
        # lookup goes through two of SQLAlchemy's proxies.
        self._driver = _driver_of(self._conn)
        self._read_driver = _driver_of(self._reader)
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="rolodex-commit")
        self._committing: asyncio.Future[Exception | None] | None = None
        """The commit running on ``_committer``, if one is; the writer waits for it."""
        self._pending: list[Write] = []
        self._by_id_sql = sql.by_id_sql(self._engine.dialect)
        self._quiet_seconds = quiet_seconds
        self._commits = 0
        self._lock_wanted_since: float | None = None
        """When the pending batch first found another process holding the write lock."""
        self._quiet_check: asyncio.TimerHandle | None = None
        self._snapshot_open = False
        """Whether the reader holds this turn's read transaction (``_snapshot``)."""
        self._careful = False
        """Whether the next batch runs each write in a savepoint of its own (``_run_batch``)."""

    async def migrate(self) -> None:
        # In a savepoint of its own: SQLite's count of changed rows, by which a batch tells
        # whether a failed write left changes (``_run_batch``), does not count schema changes.
        await self._write(lambda conn: _in_savepoint(conn, upgrade))

    async def close(self) -> None:
        if self._quiet_check is not None:
            self._quiet_check.cancel()
        while self._committing is not None:  # its end may start the next batch's commit
            await asyncio.shield(self._committing)
        self._committer.shutdown()
        self._end_snapshot()
        if not self._in_memory:
            self._reader.close()
            self._read_engine.dispose()
        self._conn.close()
        self._engine.dispose()

    async def insert(
        self, record: Record, spec: IndexSpec, *, receipt: Receipt | None = None
    ) -> None:
        await self._write(lambda conn: sql.insert(conn, record, spec, receipt=receipt))

    async def insert_new(self, records: Sequence[Record], spec: IndexSpec) -> bool:
        def insert_all(conn: sa.Connection) -> bool:
            try:
                _in_savepoint(conn, lambda conn: bulk.insert_many(conn, records, spec))
            except (sa.exc.IntegrityError, sqlite3.IntegrityError):
                return False
            return True

        return await self._write(insert_all)

    async def get(self, tenant: Tenant, id: str) -> Record | None:
        # The busiest read goes straight to the driver: the general path (``sql.get`` through
        # ``fastpath``) costs as much again as SQLite's lookup itself.
        try:
            self._snapshot()
            row = self._read_driver.execute(self._by_id_sql, (tenant.key, id)).fetchone()
        except sqlite3.OperationalError as fault:
            raise _unavailable(fault) from fault
        return None if row is None else sql.record_of(tenant, row)

    async def find(self, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
        return self._read(lambda conn: sql.find(conn, tenant, key, value))

    async def update(
        self,
        tenant: Tenant,
        id: str,
        change: Change,
        spec: IndexSpec,
        *,
        receipt: Receipt | None = None,
    ) -> tuple[Record, Record]:
        return await self._write(
            lambda conn: sql.update(conn, tenant, id, change, spec, receipt=receipt)
        )

    async def delete(
        self, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool, check: Check | None = None
    ) -> Record:
        return await self._write(
            lambda conn: sql.delete(conn, tenant, id, spec, hard=hard, check=check)
        )

    async def every_record(self, *, after: Record | None, limit: int) -> list[Record]:
        return self._read(lambda conn: sql.every_record(conn, after, limit))

    async def list(self, query: ListQuery) -> Page:
        return await self._read_listed(query, lambda conn: sql.list_page(conn, query))

    async def count(self, query: ListQuery) -> int:
        return await self._read_listed(query, lambda conn: sql.count(conn, query))

    async def search(self, query: SearchQuery) -> Page:
        return await self._read_searchable(lambda conn: search.search_page(conn, query))

    async def search_count(self, query: SearchQuery) -> int:
        return await self._read_searchable(lambda conn: search.search_count(conn, query))

    async def recall(self, tenant: Tenant, key: str, *, since_us: int) -> Remembered | None:
        return self._read(lambda conn: sql.recall(conn, tenant, key, since_us=since_us))

    async def remember(self, response: Remembered, *, since_us: int) -> Remembered:
        return await self._write(lambda conn: sql.remember(conn, response, since_us=since_us))

    async def add_api_key(self, key: ApiKey) -> bool:
        return await self._write(lambda conn: keys.add(conn, key))

    async def has_api_key(self, dialect: str, digest: str) -> bool:
        return self._read(lambda conn: keys.has(conn, dialect, digest))

    async def api_keys(self) -> tuple[ApiKey, ...]:
        return self._read(keys.every)

    async def drop_api_key(self, dialect: str, digest: str) -> bool:
        return await self._write(lambda conn: keys.drop(conn, dialect, digest))

    def _read(self, operation: Callable[[sa.Connection], T]) -> T:
        try:  # as ``_translated_faults``, without a generator on every read
            self._snapshot()
            return operation(self._reader)
        except _FAULTS as fault:
            raise _unavailable(fault) from fault

    async def _read_listed(self, query: ListQuery, operation: Callable[[sa.Connection], T]) -> T:
        """A read of a list, which waits for the full-text queue if its filter reads the
        full-text index."""
        if reads_full_text(query.where, query.spec):
            return await self._read_searchable(operation)
        return self._read(operation)

    async def _read_searchable(self, operation: Callable[[sa.Connection], T]) -> T:
        """A read of the search tables once the queued full-text changes are applied.

        The look at the queue and the read share a transaction, so a write another process
        commits in between cannot show in the records and be missing from the index. Applying
        the queue is a write: the read then runs first in the next group commit, before its
        writes, so it sees what was committed before it, as a read outside the batch would.
        """
        with _translated_faults(), self._one_read():
            if not text_index.queued(self._reader):
                return operation(self._reader)

        def apply_then_read(conn: sa.Connection) -> T:
            text_index.apply_queue(conn)
            return operation(conn)

        return await self._write(apply_then_read, first=True)

    async def _write(self, operation: Callable[[sa.Connection], T], *, first: bool = False) -> T:
        """Queue ``operation`` for the next group commit (``first``: ahead of the writes
        queued so far); return once it is durable.

        ``operation`` may run twice, the first run undone (``_run_batch``), so outside the
        transaction it may only set what a second run sets again (``Once.kept``, say)."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[T] = loop.create_future()
        self._pending.insert(0 if first else len(self._pending), (operation, outcome))
        if len(self._pending) == 1 and self._committing is None:
            # Commit a turn of the loop later than the first write could: the requests read in
            # the meantime join the batch (under load, half as many again share each fsync).
            loop.call_soon(loop.call_soon, self._commit_pending)
        return await outcome

    def _commit_pending(self) -> None:
        # A commit in flight starts this batch when it ends (``_committed``).
        if self._committing is not None or not self._took_lock():
            return
        batch, self._pending = self._pending, []
        self._commits += 1
        try:
            with (
                _translated_faults(),
                self._rolled_back_on_fault(),
                text_index.held_documents(self._conn) as held,
            ):
                settled = self._run_batch([op for op, _ in batch], held)
        except _Undone:  # rolled back: the batch runs again, each write on its own
            self._pending[:0] = batch
            self._careful = True
            self._commit_pending()
            return
        except Exception as lost:
            _settle(batch, [(None, lost)] * len(batch))
            return
        if self._in_memory:
            self._committed(batch, settled, held.queued, self._commit(held.long))
            return
        self._end_snapshot()  # see ``_snapshot``: none is held while the log may restart
        loop = asyncio.get_running_loop()
        commit = loop.run_in_executor(self._committer, self._commit, held.long)
        self._committing = commit
        commit.add_done_callback(
            lambda _: self._committed(batch, settled, held.queued, commit.result())
        )

    def _commit(self, apply_queue: bool = False) -> Exception | None:
        """Commit the open transaction (on ``_committer``: see the module's docstring), having
        applied the full-text queue in it first if ``apply_queue``; the fault, if it fails.

        The queue is applied here, not on the loop, because at 100,000 customers applying
        ``text_index.QUEUE_LENGTH`` changes takes about 100 ms, which on the loop every
        request would wait for; here reads go on (the loop takes the GIL back every few
        milliseconds, and whenever SQLite runs), and only the batch's writes wait, as they
        wait for the commit anyway."""
        try:
            if apply_queue:
                text_index.apply_or_keep(self._conn)
            self._driver.execute("COMMIT")
        except Exception as fault:  # answered to the batch's writes, on the loop
            return _unavailable(fault) if isinstance(fault, _FAULTS) else fault
        return None

    def _committed(
        self,
        batch: Batch,
        settled: Settled,
        queued: int,
        fault: Exception | None,
    ) -> None:
        """Answer the batch once its commit has ended, then commit the writes that came
        meanwhile."""
        self._committing = None
        if fault is not None:
            self._roll_back()
            settled = [(None, fault)] * len(batch)
        elif queued:
            self._apply_queue_when_quiet()
        _settle(batch, settled)
        if self._pending:
            self._commit_pending()

    def _snapshot(self) -> None:
        """Begin the reader's transaction for this turn of the event loop, unless it has one.

        Why: each read transaction costs SQLite three system calls (locking and unlocking
        the file, and a ``stat`` to see that it was not replaced), about half what finding a
        customer by id costs; the reads of one turn share one transaction instead. They see
        nothing stale for it: a request read in a later turn than another process's commit
        that it follows finds the transaction ended (the end is queued when it begins, ahead
        of anything read from the network later), and none is held across this store's own
        commits: a batch's commit ends it (``_commit_pending``) and none begins until the
        commit is over, so a writer, once answered, reads what it wrote. ``:memory:`` reads on
        the writer's connection, whose transactions are the batches', and has no file to lock.

        While a commit is in flight, each read is a transaction of its own (``_one_read``): the
        commit may start the log afresh, which SQLite does only when no reader holds an
        older snapshot; with one held for whole turns the log missed its restarts and grew
        to twice its checkpoint length under a mix of updates and retrieves.
        """
        if self._snapshot_open or self._in_memory or self._committing is not None:
            return
        self._read_driver.execute("BEGIN")
        self._snapshot_open = True
        asyncio.get_running_loop().call_soon(self._end_snapshot)

    @contextmanager
    def _one_read(self) -> Iterator[None]:
        """The block's reads in one transaction: this turn's snapshot, or, when none may be
        held (a commit in flight, ``:memory:``), a transaction of their own."""
        self._snapshot()
        if self._snapshot_open:
            yield
            return
        with self._transaction("BEGIN", self._reader):
            yield

    def _end_snapshot(self) -> None:
        if not self._snapshot_open:
            return
        self._snapshot_open = False
        reader = self._read_driver
        try:
            if reader.in_transaction:  # SQLite ends it itself after some faults
                reader.execute("COMMIT")
        except sqlite3.Error as fault:  # nothing was written: the next read begins afresh
            log.warning("the reader's transaction did not end cleanly: %s", fault)
            if reader.in_transaction:
                reader.execute("ROLLBACK")

    def _took_lock(self) -> bool:
        """Whether the pending batch's transaction has begun. If another process holds the
        write lock, the batch tries again shortly, or, once it has waited too long, fails;
        so does it on any other fault."""
        try:
            locked = self._lock_without_waiting()
        except Exception as lost:  # every write of the batch is answered, whatever the fault
            self._fail_pending(lost)
            return False
        if locked:
            self._lock_wanted_since = None
            return True
        loop = asyncio.get_running_loop()
        if self._lock_wanted_since is None:
            self._lock_wanted_since = loop.time()
        if loop.time() - self._lock_wanted_since < LOCK_WAIT_SECONDS:
            loop.call_later(_LOCK_RETRY_SECONDS, self._commit_pending)
        else:
            self._fail_pending(_unavailable(sqlite3.OperationalError("database is locked")))
        return False

    def _lock_without_waiting(self) -> bool:
        """Begin the batch's transaction if the write lock is free; ``False`` if another
        process holds it (waiting inside SQLite would stop the event loop).

        Straight on the driver, ``busy_timeout`` set to 0 around it: through SQLAlchemy the
        three statements took a median 62 µs of the loop's time per group commit in process
        (``time.thread_time`` around each, 825 commits), on the driver 23."""
        driver = self._driver
        try:
            driver.execute("PRAGMA busy_timeout=0")
            try:
                driver.execute("BEGIN IMMEDIATE")
            finally:
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.OperationalError as fault:
            if fault.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                return False
            raise _unavailable(fault) from fault
        return True

    def _fail_pending(self, failure: Exception) -> None:
        self._lock_wanted_since = None
        batch, self._pending = self._pending, []
        _settle(batch, [(None, failure)] * len(batch))

    def _apply_queue_when_quiet(self) -> None:
        """Apply the full-text queue once no write has come for ``quiet_seconds``."""
        if self._quiet_seconds is None or self._quiet_check is not None:
            return
        loop = asyncio.get_running_loop()
        check = self._apply_queue_if_quiet
        self._quiet_check = loop.call_later(self._quiet_seconds, check, self._commits)

    def _apply_queue_if_quiet(self, commits: int) -> None:
        self._quiet_check = None
        if self._pending or self._committing or self._commits != commits:  # still writing
            self._apply_queue_when_quiet()
            return
        try:
            if not self._lock_without_waiting():  # another process is writing: later, then
                self._apply_queue_when_quiet()
                return
            with _translated_faults(), self._transaction(begin=None):
                text_index.apply_or_keep(self._conn)
        except Unavailable:
            pass  # logged; the next write or search applies the queue

    def _run_batch(self, operations: Sequence[Operation], held: HeldDocuments) -> Settled:
        """Run a batch's writes in the open transaction; each write's value or failure.

        A failing write must leave nothing behind. Most fail before they change anything (a
        missing record, a refused change), so the writes run bare, without a savepoint each
        (two statements a write: in process, four interleaved pairs of update runs cost 1-7%
        less CPU without them). SQLite's count of changed rows tells whether a failed write
        changed any; if it did, the batch is undone (``_Undone``) and runs again, each write
        in a savepoint of its own (``_attempt``). One savepoint around the whole batch would
        spare that second run, but cost more than the ones it saves (measured the same way):
        it keeps a copy of every page the batch changes.
        """
        if self._careful:
            self._careful = False
            return [self._attempt(operation, held) for operation in operations]
        if len(operations) == 1:  # the transaction is this write's own: a failure undoes it
            return [(operations[0](self._conn), None)]
        driver = self._driver
        settled: Settled = []
        for operation in operations:
            changed = driver.total_changes
            mark = held.mark()
            try:
                settled.append((operation(self._conn), None))
            except Exception as failure:
                if driver.total_changes != changed:
                    raise _Undone from failure
                held.drop_since(mark)
                settled.append((None, _as_answered(failure)))
        return settled

    def _attempt(
        self, operation: Callable[[sa.Connection], T], held: HeldDocuments
    ) -> tuple[T | None, Exception | None]:
        """Run one write of the batch in a savepoint of its own, so a failure undoes it
        alone."""
        mark = held.mark()
        try:
            return _in_savepoint(self._conn, operation), None
        except Exception as failure:
            held.drop_since(mark)
            return None, _as_answered(failure)

    @contextmanager
    def _transaction(self, begin: str | None, conn: sa.Connection | None = None) -> Iterator[None]:
        """A transaction on ``conn`` (the writer by default); ``begin``: the statement that
        opens it, ``None``: it is open already."""
        conn = conn or self._conn
        if begin is not None:
            conn.exec_driver_sql(begin)
        with self._rolled_back_on_fault(conn):
            yield
        conn.exec_driver_sql("COMMIT")

    @contextmanager
    def _rolled_back_on_fault(self, conn: sa.Connection | None = None) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self._roll_back(conn or self._conn)
            raise

    def _roll_back(self, conn: sa.Connection | None = None) -> None:
        conn = conn or self._conn
        if _driver_of(conn).in_transaction:  # SQLite ends it itself after some faults
            conn.exec_driver_sql("ROLLBACK")


def create_engine(url: str) -> sa.Engine:
    """An engine on ``url`` whose connection is set up as the store's: the pragmas above, and
    the SQL functions that compiled searches call."""
    # The writer's commit runs on a thread of its own, never beside another use of it.
    threads = {"check_same_thread": False}
    engine = sa.create_engine(url, poolclass=StaticPool, connect_args=threads)
    event.listen(engine, "connect", _configure)
    return engine


def _connect(engine: sa.Engine) -> sa.Connection:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _driver_of(conn: sa.Connection) -> sqlite3.Connection:
    return cast(sqlite3.Connection, conn.connection.driver_connection)


def _in_savepoint(conn: sa.Connection, operation: Callable[[sa.Connection], T]) -> T:
    """Run ``operation``; if it fails, undo what it did, and only that."""
    driver = _driver_of(conn)
    driver.execute("SAVEPOINT write")
    try:
        value = operation(conn)
    except BaseException:
        driver.execute("ROLLBACK TO write")
        raise
    finally:
        driver.execute("RELEASE write")
    return value


def _settle(batch: Batch, settled: Settled) -> None:
    """Answer each write of ``batch`` with its outcome in ``settled``."""
    for (_, outcome), (value, failure) in zip(batch, settled, strict=True):
        if outcome.done():  # the request was cancelled; its write stands or fell all the same
            continue
        if failure is None:
            outcome.set_result(value)
        else:
            outcome.set_exception(failure)


def _configure(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    for name, function in SQLITE_FUNCTIONS.items():
        dbapi_connection.create_function(name, 2, function, deterministic=True)
    for pragma in _PRAGMAS:
        dbapi_connection.execute(pragma)


def _lower(value: object) -> object:
    """SQL ``lower()`` with full Unicode case folding (``core.text.fold``), as PostgreSQL's;
    NULL stays NULL."""
    if value is None or isinstance(value, bytes):
        return value
    return text.fold(str(value))


@contextmanager
def _translated_faults() -> Iterator[None]:
    try:
        yield
    except _FAULTS as fault:
        raise _unavailable(fault) from fault


_FAULTS = (sa.exc.OperationalError, sqlite3.OperationalError)
"""What the driver raises when the database cannot be used: answered as ``Unavailable``."""


class _Undone(Exception):
    """A write of a batch failed after changing rows; the batch must be rolled back."""


def _as_answered(failure: Exception) -> Exception:
    """A write's failure as its caller is answered: a database fault as ``Unavailable``."""
    return _unavailable(failure) if isinstance(failure, _FAULTS) else failure


def _unavailable(fault: sa.exc.OperationalError | sqlite3.OperationalError) -> Unavailable:
    down = Unavailable(str(fault.orig if isinstance(fault, sa.exc.OperationalError) else fault))
    down.__cause__ = fault
    # Clients are told only to retry, so the cause is written down for the operator.
    log.warning("the database is unavailable: %s", down.reason)
    return down
