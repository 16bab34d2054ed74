"""Concurrent read-modify-writes of one record lose nothing, within a store and across stores."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from rolodex.core.records import Record, Tenant
from rolodex.store import open_store
from rolodex.store.base import Store
from tests.store.conftest import SHARED_FILE_ADAPTERS, SPEC, new_tenant, record

WRITERS = 20
T = TypeVar("T")


def add_entry(key: str) -> Callable[[Record], Record]:
    def change(current: Record) -> Record:
        metadata = {**current.fields.get("metadata", {}), key: "1"}
        return current.with_fields({**current.fields, "metadata": metadata})

    return change


@pytest.mark.anyio
async def test_concurrent_updates_through_one_store_all_survive(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", metadata={}), SPEC)
    await asyncio.gather(
        *(store.update(tenant, "r1", add_entry(f"k{i}"), SPEC) for i in range(WRITERS))
    )
    final = await store.get(tenant, "r1")
    assert final is not None
    assert set(final.fields["metadata"]) == {f"k{i}" for i in range(WRITERS)}
    assert final.version == 1 + WRITERS


@pytest.mark.parametrize("store_url", SHARED_FILE_ADAPTERS, indirect=True)
def test_concurrent_updates_through_separate_stores_all_survive(store_url: str) -> None:
    """Two stores on one database, each on its own thread and event loop, as two processes."""
    tenant = new_tenant()
    asyncio.run(_with_store(store_url, lambda s: s.insert(record(tenant, "r1"), SPEC)))
    failures: list[BaseException] = []
    writers = [
        threading.Thread(target=_write_keys, args=(store_url, tenant, name, failures))
        for name in ("a", "b")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    final = asyncio.run(_with_store(store_url, lambda s: s.get(tenant, "r1")))
    assert final is not None
    expected = {f"{name}{i}" for name in ("a", "b") for i in range(WRITERS // 2)}
    assert set(final.fields["metadata"]) == expected


def _write_keys(url: str, tenant: Tenant, name: str, failures: list[BaseException]) -> None:
    async def write(store: Store) -> None:
        for i in range(WRITERS // 2):
            await store.update(tenant, "r1", add_entry(f"{name}{i}"), SPEC)

    try:
        asyncio.run(_with_store(url, write))
    except BaseException as failure:
        failures.append(failure)


async def _with_store(url: str, use: Callable[[Store], Awaitable[T]]) -> T:
    store = open_store(url)
    try:
        return await use(store)
    finally:
        await store.close()
