"""PostgreSQL, for many stateless Rolodex processes sharing one database.

The operations are the same synchronous functions the SQLite adapter runs (``store.sql``);
``AsyncConnection.run_sync`` runs them on a pooled psycopg connection without blocking the
event loop. Row locks (``SELECT ... FOR UPDATE``) serialise concurrent updates of one record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from rolodex.core.errors import Unavailable
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.records import Record, Tenant
from rolodex.store import search, sql
from rolodex.store.base import Change, ListQuery, Page, SearchQuery, Store
from rolodex.store.migrate import upgrade

T = TypeVar("T")


def async_url(url: str) -> str:
    """Any PostgreSQL URL, pointed at the psycopg 3 driver."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return f"postgresql+psycopg://{rest}"


class PostgresStore(Store):
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self._engine = create_async_engine(
            async_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )

    async def migrate(self) -> None:
        await self._run(upgrade)

    async def close(self) -> None:
        await self._engine.dispose()

    async def insert(self, record: Record, spec: IndexSpec) -> None:
        await self._run(lambda conn: sql.insert(conn, record, spec))

    async def get(self, tenant: Tenant, id: str) -> Record | None:
        return await self._run(lambda conn: sql.get(conn, tenant, id))

    async def find(self, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
        return await self._run(lambda conn: sql.find(conn, tenant, key, value))

    async def update(
        self, tenant: Tenant, id: str, change: Change, spec: IndexSpec
    ) -> tuple[Record, Record]:
        return await self._run(lambda conn: sql.update(conn, tenant, id, change, spec))

    async def delete(self, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool) -> Record:
        return await self._run(lambda conn: sql.delete(conn, tenant, id, spec, hard=hard))

    async def list(self, query: ListQuery) -> Page:
        return await self._run(lambda conn: sql.list_page(conn, query))

    async def count(self, query: ListQuery) -> int:
        return await self._run(lambda conn: sql.count(conn, query))

    async def search(self, query: SearchQuery) -> Page:
        return await self._run(lambda conn: search.search_page(conn, query))

    async def search_count(self, query: SearchQuery) -> int:
        return await self._run(lambda conn: search.search_count(conn, query))

    async def _run(self, operation: Callable[[sa.Connection], T]) -> T:
        async with self._transaction() as conn:
            return await conn.run_sync(operation)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._engine.begin() as conn:
                yield conn
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as fault:
            raise Unavailable(str(fault.orig)) from fault
