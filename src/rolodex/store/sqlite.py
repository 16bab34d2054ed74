"""The embedded default: one SQLite file in WAL mode (or ``:memory:`` for throw-away use).

One connection per process serves every request. The operations are synchronous and finish
in microseconds, so they run on the event loop itself: handing them to a thread pool would
cost more than the query.

Several processes may share one file (``rolodex serve --workers N``, or several servers):
writes take the database lock up front (``BEGIN IMMEDIATE``), so a read-modify-write never
interleaves with another process's and two processes never deadlock upgrading a read lock;
a process that finds the lock taken waits for it (``busy_timeout``, set before anything else
that may need the lock, such as switching to WAL). Commits use ``synchronous=FULL`` so an
acknowledged write survives power loss.

SQLite's own ``lower()`` folds ASCII letters only; PostgreSQL's folds every letter. The
connection replaces it with Python's full Unicode folding so case-insensitive matching
(``Op.TOKEN``, ``Op.CONTAINS``) finds the same records on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from rolodex.core.errors import Unavailable
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.records import Record, Tenant
from rolodex.store import search, sql
from rolodex.store.base import Change, ListQuery, Page, SearchQuery, Store
from rolodex.store.migrate import upgrade

T = TypeVar("T")

_PRAGMAS = (
    "PRAGMA busy_timeout=10000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
)


class SQLiteStore(Store):
    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url, poolclass=StaticPool)
        event.listen(self._engine, "connect", _configure)
        self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    async def migrate(self) -> None:
        self._write(upgrade)

    async def close(self) -> None:
        self._conn.close()
        self._engine.dispose()

    async def insert(self, record: Record, spec: IndexSpec) -> None:
        self._write(lambda conn: sql.insert(conn, record, spec))

    async def get(self, tenant: Tenant, id: str) -> Record | None:
        return self._read(lambda conn: sql.get(conn, tenant, id))

    async def find(self, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
        return self._read(lambda conn: sql.find(conn, tenant, key, value))

    async def update(
        self, tenant: Tenant, id: str, change: Change, spec: IndexSpec
    ) -> tuple[Record, Record]:
        return self._write(lambda conn: sql.update(conn, tenant, id, change, spec))

    async def delete(self, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool) -> Record:
        return self._write(lambda conn: sql.delete(conn, tenant, id, spec, hard=hard))

    async def list(self, query: ListQuery) -> Page:
        return self._read(lambda conn: sql.list_page(conn, query))

    async def count(self, query: ListQuery) -> int:
        return self._read(lambda conn: sql.count(conn, query))

    async def search(self, query: SearchQuery) -> Page:
        return self._read(lambda conn: search.search_page(conn, query))

    async def search_count(self, query: SearchQuery) -> int:
        return self._read(lambda conn: search.search_count(conn, query))

    def _read(self, operation: Callable[[sa.Connection], T]) -> T:
        with _translated_faults():
            return operation(self._conn)

    def _write(self, operation: Callable[[sa.Connection], T]) -> T:
        with _translated_faults(), self._transaction():
            return operation(self._conn)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.exec_driver_sql("ROLLBACK")
            raise
        self._conn.exec_driver_sql("COMMIT")


def _configure(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    for pragma in _PRAGMAS:
        dbapi_connection.execute(pragma)


def _lower(value: object) -> object:
    """SQL ``lower()`` with full Unicode case folding, as PostgreSQL's; NULL stays NULL."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).lower()


@contextmanager
def _translated_faults() -> Iterator[None]:
    try:
        yield
    except sa.exc.OperationalError as fault:
        raise Unavailable(str(fault.orig)) from fault
