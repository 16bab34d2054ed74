"""A migrated store per test, over every adapter: SQLite file, SQLite in memory, PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from rolodex.core.records import Tenant
from rolodex.store import open_store
from rolodex.store.base import Store

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
