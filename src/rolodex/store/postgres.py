"""PostgreSQL, for many stateless Rolodex processes sharing one database.

The operations are the same synchronous functions the SQLite adapter runs (``store.sql``);
``AsyncConnection.run_sync`` runs them on a pooled psycopg connection without blocking the
event loop. Row locks (``SELECT ... FOR UPDATE``) serialise concurrent updates of one record,
across every process. The schema and statements stay within what PostgreSQL-compatible
distributed engines accept: no advisory locks, no sequences, tenant-led keys.

Every wait is bounded (see ``store.postgres_settings``), and every sign that the database
cannot serve right now -- refused or timed-out connections, a server shutting down or
starting up, a connection killed mid-statement, an exhausted pool, a statement timeout -- is
translated here, at the boundary, into the core's ``Unavailable``. The pool checks each
connection before lending it, so service resumes by itself once the database is back.

Searches, and lists that filter, first make sure the planner's statistics are fresh enough
for their joins (``store.planner_statistics``): autovacuum refreshes them a minute late, and
until then a count of search matches could take seconds instead of milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from rolodex.core.errors import Unavailable
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, keys, search, sql
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
from rolodex.store.migrate import lost_migration_race, upgrade
from rolodex.store.planner_statistics import PlannerStatistics
from rolodex.store.postgres_settings import engine_settings

T = TypeVar("T")

_MIGRATION_ATTEMPTS = 5


def async_url(url: str) -> str:
    """Any PostgreSQL URL, pointed at the psycopg 3 driver."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return f"postgresql+psycopg://{rest}"


log = logging.getLogger(__name__)


class PostgresStore(Store):
    def __init__(self, url: str, *, pool_size: int | None = None) -> None:
        """``pool_size``, if given, overrides the URL's ``pool_size`` and ``max_overflow``."""
        settings = engine_settings(url)
        self._deadline_s = settings.operation_timeout_s
        arguments = settings.engine_arguments()
        if pool_size is not None:
            arguments.update(pool_size=pool_size, max_overflow=pool_size)
        self._engine = create_async_engine(settings.url, **arguments)
        self._statistics = PlannerStatistics(self._engine, deadline_s=self._deadline_s)

    async def migrate(self) -> None:
        """Migrate; a process that loses the race to a concurrent migration tries again.

        PostgreSQL's DDL is transactional: a process creating a table that another process's
        open migration is creating waits for that migration to end, then fails on the
        duplicate. Trying again then finds the schema already at the newest revision.
        """
        for attempt in range(1, _MIGRATION_ATTEMPTS + 1):
            try:
                with translated_faults():
                    async with self._transaction() as conn:
                        await conn.run_sync(_upgrade_without_time_limit)
                return
            except sa.exc.DBAPIError as fault:
                if attempt == _MIGRATION_ATTEMPTS or not lost_migration_race(fault):
                    raise

    async def close(self) -> None:
        await self._statistics.close()
        await self._engine.dispose()

    async def insert(
        self, record: Record, spec: IndexSpec, *, receipt: Receipt | None = None
    ) -> None:
        await self._run(lambda conn: sql.insert(conn, record, spec, receipt=receipt))
        self._statistics.wrote(1)

    async def insert_new(self, records: Sequence[Record], spec: IndexSpec) -> bool:
        try:
            await self._run(lambda conn: bulk.insert_many(conn, records, spec))
        except sa.exc.IntegrityError:  # the transaction was rolled back whole
            return False
        self._statistics.wrote(len(records))
        return True

    async def get(self, tenant: Tenant, id: str) -> Record | None:
        return await self._read(lambda conn: sql.get(conn, tenant, id))

    async def find(self, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
        return await self._read(lambda conn: sql.find(conn, tenant, key, value))

    async def update(
        self,
        tenant: Tenant,
        id: str,
        change: Change,
        spec: IndexSpec,
        *,
        receipt: Receipt | None = None,
    ) -> tuple[Record, Record]:
        changed = await self._run(
            lambda conn: sql.update(conn, tenant, id, change, spec, receipt=receipt)
        )
        self._statistics.wrote(1)
        return changed

    async def delete(
        self, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool, check: Check | None = None
    ) -> Record:
        deleted = await self._run(
            lambda conn: sql.delete(conn, tenant, id, spec, hard=hard, check=check)
        )
        self._statistics.wrote(1)
        return deleted

    async def every_record(self, *, after: Record | None, limit: int) -> list[Record]:
        return await self._read(lambda conn: sql.every_record(conn, after, limit))

    async def list(self, query: ListQuery) -> Page:
        if query.where is not None:  # joins the side tables, planned from their statistics
            await self._statistics.fresh()
        return await self._read(lambda conn: sql.list_page(conn, query))

    async def count(self, query: ListQuery) -> int:
        if query.where is not None:
            await self._statistics.fresh()
        return await self._read(lambda conn: sql.count(conn, query))

    async def search(self, query: SearchQuery) -> Page:
        await self._statistics.fresh()
        return await self._read(lambda conn: search.search_page(conn, query))

    async def search_count(self, query: SearchQuery) -> int:
        await self._statistics.fresh()
        return await self._read(lambda conn: search.search_count(conn, query))

    async def recall(self, tenant: Tenant, key: str, *, since_us: int) -> Remembered | None:
        return await self._read(lambda conn: sql.recall(conn, tenant, key, since_us=since_us))

    async def remember(self, response: Remembered, *, since_us: int) -> Remembered:
        return await self._run(lambda conn: sql.remember(conn, response, since_us=since_us))

    async def add_api_key(self, key: ApiKey) -> bool:
        return await self._run(lambda conn: keys.add(conn, key))

    async def has_api_key(self, dialect: str, digest: str) -> bool:
        return await self._read(lambda conn: keys.has(conn, dialect, digest))

    async def api_keys(self) -> tuple[ApiKey, ...]:
        return await self._read(keys.every)

    async def drop_api_key(self, dialect: str, digest: str) -> bool:
        return await self._run(lambda conn: keys.drop(conn, dialect, digest))

    async def _run(self, operation: Callable[[sa.Connection], T]) -> T:
        """Run ``operation`` in one transaction, giving up once the deadline passes.

        Cancelling at the deadline makes SQLAlchemy discard the connection rather than
        return it to the pool in an unknown state.
        """
        with translated_faults():
            async with asyncio.timeout(self._deadline_s), self._transaction() as conn:
                return await conn.run_sync(operation)

    async def _read(self, operation: Callable[[sa.Connection], T]) -> T:
        """Run a read without an explicit transaction, within the same deadline as ``_run``.

        At PostgreSQL's READ COMMITTED every statement sees its own snapshot inside a
        transaction or out of it, so a read sees the same either way; out of one, it spares
        the round trips of ``BEGIN`` and ``COMMIT``.
        """
        with translated_faults():
            async with asyncio.timeout(self._deadline_s), self._engine.connect() as conn:
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                return await autocommit.run_sync(operation)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.begin() as conn:
            yield conn


def _upgrade_without_time_limit(conn: sa.Connection) -> None:
    """Rewriting a large table may take longer than any request should."""
    conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
    upgrade(conn)


@contextmanager
def translated_faults() -> Iterator[None]:
    """Every "the database cannot serve right now" becomes ``Unavailable``; bugs stay bugs.

    psycopg files connection failures, server shutdown and start-up, cancelled statements,
    lock and statement timeouts, and deadlocks all under ``OperationalError``; a connection
    that broke while in use surfaces as ``InterfaceError`` or as an invalidated connection;
    a pool with no free connection raises SQLAlchemy's own ``TimeoutError``; an operation
    past its deadline, the built-in one.
    """
    try:
        yield
    except sa.exc.TimeoutError as exhausted:
        raise _logged(Unavailable("no database connection became free in time")) from exhausted
    except TimeoutError as silent:
        raise _logged(Unavailable("the database did not answer in time")) from silent
    except sa.exc.DBAPIError as fault:
        if not _is_unavailability(fault):
            raise
        raise _logged(Unavailable(_first_line(fault.orig))) from fault


def _logged(down: Unavailable) -> Unavailable:
    """``down``, logged: clients are told only to retry, so the cause is the operator's."""
    log.warning("the database is unavailable: %s", down.reason)
    return down


def _is_unavailability(fault: sa.exc.DBAPIError) -> bool:
    return fault.connection_invalidated or isinstance(
        fault, sa.exc.OperationalError | sa.exc.InterfaceError
    )


def _first_line(reason: BaseException | None) -> str:
    lines = str(reason).strip().splitlines()
    return lines[0] if lines else "the database is unavailable"
