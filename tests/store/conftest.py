"""A migrated store per test, over every adapter: SQLite file, SQLite in memory, PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from rolodex.core.index import IndexSpec, Scope, UniqueField
from rolodex.core.query import Condition
from rolodex.core.records import Record, Tenant
from rolodex.store import open_store
from rolodex.store.base import ListQuery, Store
from tests.support.postgres import engine_on, fresh_database

ADAPTERS = ["sqlite_file", "sqlite_memory", pytest.param("postgres", marks=pytest.mark.postgres)]
SHARED_FILE_ADAPTERS = ["sqlite_file", pytest.param("postgres", marks=pytest.mark.postgres)]
"""Adapters whose database several stores (processes) can share."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=ADAPTERS)
def store_url(request: pytest.FixtureRequest) -> str:
    """The database of one adapter; a test narrows the adapters by parametrising this."""
    adapter: str = request.param
    if adapter == "sqlite_memory":
        return "sqlite:///:memory:"
    url: str = request.getfixturevalue("sqlite_url" if adapter == "sqlite_file" else "postgres_url")
    return url


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def fresh_postgres(fresh_postgres_url: str) -> Iterator[sa.Engine]:
    """An engine on :func:`fresh_postgres_url`, connecting as Rolodex's store does."""
    with engine_on(fresh_postgres_url) as engine:
        yield engine


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = open_store(store_url)
    await opened.migrate()
    try:
        yield opened
    finally:
        await opened.close()


def new_tenant(dialect: str | None = None) -> Tenant:
    """A tenant no other test uses, in a dialect of its own unless one is named."""
    return Tenant(dialect or f"d{uuid.uuid4().hex[:10]}", uuid.uuid4().hex[:12], "test")


PREFIX = UniqueField("prefix")
HANDLE = UniqueField("handle", Scope.DIALECT)
SPEC = IndexSpec(unique=(PREFIX, HANDLE), terms=("email",), maps=("metadata",),
                 keep_keys_on_delete=True)  # fmt: skip
RELEASING = dataclasses.replace(SPEC, keep_keys_on_delete=False)


def record(tenant: Tenant, id: str, created_us: int = 1_000_000, **fields: Any) -> Record:
    return Record(tenant=tenant, id=id, created_us=created_us, fields=fields)


def set_fields(**changes: Any) -> Callable[[Record], Record]:
    return lambda r: r.with_fields({**r.fields, **changes})


async def ids(
    store: Store, tenant: Tenant, where: Condition | None = None, **paging: Any
) -> list[str]:
    page = await store.list(ListQuery(tenant, where=where, spec=SPEC, **paging))
    return [r.id for r in page.records]
