"""The store contract for moving records between databases: the walk over every record
(``Store.every_record``) and the insert of a record as exported, deleted ones included,
against every adapter alike."""

from __future__ import annotations

import dataclasses

import pytest

from rolodex.core.errors import AlreadyExists, NotFound
from rolodex.core.query import Attr, Compare, Op
from rolodex.core.records import Record, Tenant
from rolodex.store.base import SearchQuery, Store
from tests.store.conftest import HANDLE, PREFIX, RELEASING, SPEC, ids, new_tenant, record

pytestmark = pytest.mark.anyio

SEARCHABLE = dataclasses.replace(SPEC, texts=("name",))


async def walk(store: Store, limit: int) -> list[Record]:
    walked: list[Record] = []
    while page := await store.every_record(after=walked[-1] if walked else None, limit=limit):
        assert len(page) <= limit
        walked.extend(page)
    return walked


def of(tenants: set[Tenant], records: list[Record]) -> list[Record]:
    """The records of ``tenants``: other tests' records share the database."""
    return [r for r in records if r.tenant in tenants]


async def test_the_walk_holds_every_record_of_every_tenant_once(store: Store) -> None:
    first, second = new_tenant(), new_tenant()
    kept = [
        record(first, "cus_b", 2_000_000, name="B"),
        record(first, "cus_a", 3_000_000, name="A"),
        record(second, "cus_a", 1_000_000),
        record(first, "cus_c", 1_000_000, prefix="P1"),
    ]
    for each in kept:
        await store.insert(each, SPEC)
    deleted = await store.delete(first, "cus_c", SPEC, hard=False)
    gone = dataclasses.replace(deleted, version=2, deleted=True)

    walked = of({first, second}, await walk(store, limit=2))

    by_id = sorted(walked, key=lambda r: (r.tenant.account, r.id))
    assert by_id == sorted([*kept[:3], gone], key=lambda r: (r.tenant.account, r.id))
    assert [r.id for r in walked if r.tenant == first] == ["cus_a", "cus_b", "cus_c"]


async def test_the_walk_pages_as_one_read_would(store: Store) -> None:
    tenant = new_tenant()
    for n in range(7):
        await store.insert(record(tenant, f"cus_{n}", 1_000_000 + n), SPEC)
    whole = await walk(store, limit=10_000)
    assert await walk(store, limit=3) == whole
    assert len(of({tenant}, whole)) == 7


async def test_an_account_with_colons_comes_back_whole(store: Store) -> None:
    tenant = Tenant("stripe", f"{new_tenant().account}:acct_connected:x", "test")
    await store.insert(record(tenant, "cus_1"), SPEC)
    assert [r.tenant for r in of({tenant}, await walk(store, limit=100))] == [tenant]


async def test_a_deleted_record_is_inserted_as_a_soft_delete_leaves_it(store: Store) -> None:
    tenant = new_tenant()
    gone = dataclasses.replace(
        record(tenant, "cus_gone", name="Ada Lovelace", email="ada@example.com", prefix="P1"),
        version=4,
        deleted=True,
    )
    await store.insert(gone, SEARCHABLE)

    assert await store.get(tenant, "cus_gone") == gone
    assert await ids(store, tenant) == []
    found = await store.search(
        SearchQuery(tenant, Compare(Attr("name"), Op.WORDS, "ada"), SEARCHABLE)
    )
    assert found.records == []
    with pytest.raises(NotFound):
        await store.update(tenant, "cus_gone", lambda r: r, SPEC)
    with pytest.raises(AlreadyExists):  # this spec keeps unique keys on delete
        await store.insert(record(tenant, "cus_other", prefix="P1"), SPEC)


@pytest.mark.parametrize("together", [False, True], ids=["insert", "insert_new"])
async def test_a_deleted_record_holds_no_key_its_spec_releases(
    store: Store, together: bool
) -> None:
    tenant = new_tenant()
    gone = dataclasses.replace(record(tenant, "cus_gone", prefix="P1"), deleted=True)
    if together:
        assert await store.insert_new([gone], RELEASING)
    else:
        await store.insert(gone, RELEASING)
    await store.insert(record(tenant, "cus_new", prefix="P1"), RELEASING)
    assert (await store.find(tenant, PREFIX, "P1")) == record(tenant, "cus_new", prefix="P1")


async def test_an_inserted_live_record_is_found_as_written(store: Store) -> None:
    tenant = new_tenant()
    kept = dataclasses.replace(
        record(tenant, "cus_1", 5_000_000, name="Grace Hopper", handle="gh"), version=9
    )
    await store.insert(kept, SEARCHABLE)
    assert await store.get(tenant, "cus_1") == kept
    assert await store.find(tenant, HANDLE, "gh") == kept
    found = await store.search(
        SearchQuery(tenant, Compare(Attr("name"), Op.WORDS, "grace hopper"), SEARCHABLE)
    )
    assert found.records == [kept]


async def test_new_records_are_inserted_together_as_one_by_one(store: Store) -> None:
    tenant = new_tenant()
    live = record(tenant, "cus_live", 2_000_000, name="Grace Hopper", handle="gh")
    gone = dataclasses.replace(
        record(tenant, "cus_gone", 1_000_000, name="Grace Gone", prefix="P1"), deleted=True
    )
    assert await store.insert_new([live, gone], SEARCHABLE)

    assert await store.get(tenant, "cus_gone") == gone
    assert await ids(store, tenant) == ["cus_live"]
    assert await store.find(tenant, HANDLE, "gh") == live
    found = await store.search(
        SearchQuery(tenant, Compare(Attr("name"), Op.WORDS, "grace"), SEARCHABLE)
    )
    assert found.records == [live]
    with pytest.raises(AlreadyExists):  # the deleted one keeps its key, as its spec says
        await store.insert(record(tenant, "cus_other", prefix="P1"), SPEC)


@pytest.mark.parametrize("clash", ["id taken", "key taken", "id twice", "key twice"])
async def test_new_records_of_which_one_is_not_are_none_inserted(store: Store, clash: str) -> None:
    tenant = new_tenant()
    there = record(tenant, "cus_there", prefix="P0")
    await store.insert(there, SPEC)
    fresh = record(tenant, "cus_fresh", name="Fresh")
    other = {
        "id taken": record(tenant, "cus_there", name="Again"),
        "key taken": record(tenant, "cus_key", prefix="P0"),
        "id twice": record(tenant, "cus_fresh", name="Twin"),
        "key twice": record(tenant, "cus_key", handle="h"),
    }[clash]
    fresh_with_key = record(tenant, "cus_fresh", name="Fresh", handle="h")

    batch = [fresh_with_key if clash == "key twice" else fresh, other]
    assert not await store.insert_new(batch, SEARCHABLE)

    assert await store.get(tenant, "cus_fresh") is None
    assert await store.get(tenant, "cus_key") is None
    assert await store.get(tenant, "cus_there") == there
    assert await ids(store, tenant) == ["cus_there"]
    assert await store.insert_new([fresh_with_key], SEARCHABLE)  # nothing of it was left
