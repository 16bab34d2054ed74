"""The store contract for remembered responses (``Store.recall``, ``Store.remember``), against
every adapter alike."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from rolodex.core.records import Tenant
from rolodex.store import open_store
from rolodex.store.base import AnsweredMeanwhile, Receipt, Remembered, Store
from tests.store.conftest import (
    PREFIX,
    SHARED_FILE_ADAPTERS,
    SPEC,
    ids,
    new_tenant,
    record,
    set_fields,
)

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


def receipt_for(tenant: Tenant, key: str = "k1") -> Receipt:
    """An answer naming the record its write leaves, as a dialect's receipt makes one."""
    return Receipt(
        lambda made: response(tenant, key, body=f'{{"id": "{made.id}", "name": '
                              f'"{made.fields.get("name")}"}}'),
        since_us=0,
    )  # fmt: skip


async def test_a_write_keeps_its_receipt_in_its_transaction(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "cus_a", name="A"), SPEC, receipt=receipt_for(tenant))
    kept = await store.recall(tenant, "k1", since_us=0)
    assert kept is not None and kept.body == '{"id": "cus_a", "name": "A"}'
    await store.update(
        tenant, "cus_a", set_fields(name="B"), SPEC, receipt=receipt_for(tenant, "k2")
    )
    updated = await store.recall(tenant, "k2", since_us=0)
    assert updated is not None and updated.body == '{"id": "cus_a", "name": "B"}'
    await store.update(
        tenant, "cus_a", set_fields(name="B"), SPEC, receipt=receipt_for(tenant, "k3")
    )
    unchanged = await store.recall(tenant, "k3", since_us=0)
    assert unchanged is not None and unchanged.body == updated.body


async def test_a_write_whose_key_was_answered_meanwhile_is_undone(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "cus_a", name="A"), SPEC, receipt=receipt_for(tenant))
    with pytest.raises(AnsweredMeanwhile) as raced:
        await store.insert(
            record(tenant, "cus_b", name="B", prefix="PB"), SPEC, receipt=receipt_for(tenant)
        )
    assert raced.value.kept.body == '{"id": "cus_a", "name": "A"}'
    assert await store.get(tenant, "cus_b") is None
    assert await store.find(tenant, PREFIX, "PB") is None  # its unique key was undone too
    with pytest.raises(AnsweredMeanwhile):
        await store.update(tenant, "cus_a", set_fields(name="C"), SPEC, receipt=receipt_for(tenant))
    kept = await store.get(tenant, "cus_a")
    assert kept is not None and kept.fields["name"] == "A"


@pytest.mark.parametrize("store_url", SHARED_FILE_ADAPTERS, indirect=True)
async def test_two_processes_answer_one_key_once(store_url: str) -> None:
    tenant = new_tenant()
    first, second = open_store(store_url), open_store(store_url)
    try:
        await first.migrate()
        await second.migrate()
        writes = [
            each.insert(record(tenant, f"cus_{n}", name=str(n)), SPEC, receipt=receipt_for(tenant))
            for n, each in enumerate((first, second) * 4)
        ]
        outcomes = await asyncio.gather(*writes, return_exceptions=True)
    finally:
        await first.close()
        await second.close()
    stored = [n for n, outcome in enumerate(outcomes) if outcome is None]
    assert len(stored) == 1
    assert all(isinstance(outcome, AnsweredMeanwhile) for n, outcome in enumerate(outcomes)
               if n not in stored)  # fmt: skip
    check = open_store(store_url)
    try:
        assert await ids(check, tenant) == [f"cus_{stored[0]}"]
    finally:
        await check.close()
