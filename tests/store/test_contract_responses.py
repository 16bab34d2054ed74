"""The store contract for remembered responses (``Store.recall``, ``Store.remember``), against
every adapter alike."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from rolodex.core.records import Tenant
from rolodex.store.base import Remembered, Store
from tests.store.conftest import new_tenant

pytestmark = pytest.mark.anyio

DAY_US = 86_400_000_000


def response(
    tenant: Tenant, key: str = "k1", created_us: int = 10 * DAY_US, **changes: object
) -> Remembered:
    remembered = Remembered(
        tenant=tenant,
        key=key,
        endpoint="/v1/customers",
        fingerprint="f" * 64,
        status=200,
        body='{"id": "cus_1"}',
        request_id="req_first",
        created_us=created_us,
    )
    return dataclasses.replace(remembered, **changes)  # type: ignore[arg-type]


async def test_a_remembered_response_is_recalled_as_it_was(store: Store) -> None:
    tenant = new_tenant()
    first = response(tenant, status=404, body='{"error": {"message": "x"}}')
    assert await store.remember(first, since_us=0) == first
    assert await store.recall(tenant, "k1", since_us=0) == first
    assert await store.recall(tenant, "k2", since_us=0) is None


async def test_the_first_response_for_a_key_is_the_one_kept(store: Store) -> None:
    tenant = new_tenant()
    first = response(tenant)
    second = response(tenant, body='{"id": "cus_2"}', request_id="req_second")
    await store.remember(first, since_us=0)
    assert await store.remember(second, since_us=0) == first
    assert await store.recall(tenant, "k1", since_us=0) == first


async def test_keys_are_per_tenant(store: Store) -> None:
    ours, theirs = new_tenant(), new_tenant()
    await store.remember(response(ours), since_us=0)
    assert await store.recall(theirs, "k1", since_us=0) is None
    kept = await store.remember(response(theirs, body="{}"), since_us=0)
    assert kept.body == "{}"


async def test_a_response_older_than_the_window_is_forgotten_and_replaced(store: Store) -> None:
    tenant = new_tenant()
    old = response(tenant, created_us=DAY_US)
    await store.remember(old, since_us=0)
    assert await store.recall(tenant, "k1", since_us=DAY_US + 1) is None
    fresh = response(tenant, created_us=3 * DAY_US, body='{"id": "cus_new"}')
    assert await store.remember(fresh, since_us=2 * DAY_US) == fresh
    assert await store.recall(tenant, "k1", since_us=0) == fresh


async def test_remembering_drops_the_tenants_expired_responses(store: Store) -> None:
    tenant, other = new_tenant(), new_tenant()
    await store.remember(response(tenant, "old", created_us=DAY_US), since_us=0)
    await store.remember(response(other, "old", created_us=DAY_US), since_us=0)
    await store.remember(response(tenant, "new", created_us=3 * DAY_US), since_us=2 * DAY_US)
    assert await store.recall(tenant, "old", since_us=0) is None
    assert await store.recall(other, "old", since_us=0) is not None  # another tenant's stay


async def test_concurrent_first_responses_agree_on_one(store: Store) -> None:
    tenant = new_tenant()
    candidates = [response(tenant, body=f'{{"n": {n}}}') for n in range(8)]
    kept = await asyncio.gather(*(store.remember(each, since_us=0) for each in candidates))
    assert len(set(kept)) == 1
    assert await store.recall(tenant, "k1", since_us=0) == kept[0]
