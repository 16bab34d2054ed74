"""The store contract (``store/base.py``) for single records, against every adapter alike:
insert, get, find, update and delete at their edges. Listing is in ``test_contract_listing``.
"""

from __future__ import annotations

import dataclasses

import pytest

from rolodex.core.errors import AlreadyExists, NotFound
from rolodex.core.query import Attr, Compare, Entry, Op
from rolodex.core.records import Record
from rolodex.store.base import ListQuery, Store
from tests.store.conftest import (
    HANDLE,
    PREFIX,
    RELEASING,
    SPEC,
    ids,
    new_tenant,
    record,
    set_fields,
)

pytestmark = pytest.mark.anyio


# insert


async def test_insert_then_get_returns_the_record(store: Store) -> None:
    tenant = new_tenant()
    stored = record(tenant, "r1", 1_234_567, email="a@x.io", metadata={"k": "v"}, n=3)
    await store.insert(stored, SPEC)
    assert await store.get(tenant, "r1") == stored


async def test_insert_of_a_taken_id_raises_and_writes_nothing(store: Store) -> None:
    tenant = new_tenant()
    first = record(tenant, "r1", email="first@x.io", prefix="P1")
    await store.insert(first, SPEC)
    with pytest.raises(AlreadyExists) as clash:
        await store.insert(record(tenant, "r1", email="second@x.io", prefix="P2"), SPEC)
    assert (clash.value.kind, clash.value.value) == ("id", "r1")
    assert await store.get(tenant, "r1") == first
    assert await store.find(tenant, PREFIX, "P2") is None
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "second@x.io")) == []
    await store.insert(record(tenant, "r2", prefix="P2"), SPEC)


async def test_insert_of_a_taken_key_raises_and_writes_nothing(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1"), SPEC)
    with pytest.raises(AlreadyExists) as clash:
        await store.insert(record(tenant, "r2", prefix="P1", email="b@x.io", handle="h"), SPEC)
    assert (clash.value.kind, clash.value.value) == ("prefix", "P1")
    assert await store.get(tenant, "r2") is None
    assert await store.find(tenant, HANDLE, "h") is None
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "b@x.io")) == []
    assert await store.count(ListQuery(tenant, spec=SPEC)) == 1


async def test_tenant_keys_and_ids_are_per_tenant(store: Store) -> None:
    mine = new_tenant()
    theirs = dataclasses.replace(mine, account="other")
    await store.insert(record(mine, "r1", prefix="P1"), SPEC)
    await store.insert(record(theirs, "r1", prefix="P1"), SPEC)
    found = await store.find(theirs, PREFIX, "P1")
    assert found is not None and found.tenant == theirs


async def test_dialect_keys_are_unique_across_the_dialects_tenants(store: Store) -> None:
    mine = new_tenant()
    await store.insert(record(mine, "r1", handle="h"), SPEC)
    with pytest.raises(AlreadyExists) as clash:
        await store.insert(record(dataclasses.replace(mine, mode="live"), "r2", handle="h"), SPEC)
    assert (clash.value.kind, clash.value.value) == ("handle", "h")
    await store.insert(record(new_tenant(), "r3", handle="h"), SPEC)


# get and find


async def test_get_misses_other_tenants_and_absent_ids(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1"), SPEC)
    assert await store.get(tenant, "r2") is None
    assert await store.get(dataclasses.replace(tenant, account="other"), "r1") is None


async def test_get_returns_deleted_records(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", name="n"), SPEC)
    await store.delete(tenant, "r1", SPEC, hard=False)
    gone = await store.get(tenant, "r1")
    assert gone is not None and gone.deleted and gone.fields == {"name": "n"}


async def test_find_by_a_tenant_key(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1"), SPEC)
    found = await store.find(tenant, PREFIX, "P1")
    assert found is not None and found.id == "r1"
    assert await store.find(tenant, PREFIX, "P9") is None
    assert await store.find(dataclasses.replace(tenant, account="other"), PREFIX, "P1") is None


async def test_find_by_a_dialect_key_only_within_the_asking_tenant(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", handle="h"), SPEC)
    found = await store.find(tenant, HANDLE, "h")
    assert found is not None and found.id == "r1"
    assert await store.find(dataclasses.replace(tenant, mode="live"), HANDLE, "h") is None


async def test_find_misses_deleted_records_whose_keys_stay_taken(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1"), SPEC)
    await store.delete(tenant, "r1", SPEC, hard=False)
    assert await store.find(tenant, PREFIX, "P1") is None


# update


async def test_update_writes_the_change_and_bumps_the_version(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", email="old@x.io", metadata={"k": "a"}), SPEC)
    old, new = await store.update(
        tenant, "r1", set_fields(email="new@x.io", metadata={"k": "b"}), SPEC
    )
    assert (old.version, new.version) == (1, 2)
    assert old.fields["email"] == "old@x.io"
    assert await store.get(tenant, "r1") == new
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "old@x.io")) == []
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "new@x.io")) == ["r1"]
    assert await ids(store, tenant, Compare(Entry("metadata", "k"), Op.EQ, "a")) == []
    assert await ids(store, tenant, Compare(Entry("metadata", "k"), Op.EQ, "b")) == ["r1"]


async def test_update_takes_a_version_past_32_bits(store: Store) -> None:
    tenant = new_tenant()
    stored = dataclasses.replace(record(tenant, "r1", email="a@x.io"), version=2**31 - 1)
    await store.insert(stored, SPEC)
    _, new = await store.update(tenant, "r1", set_fields(email="b@x.io"), SPEC)
    assert new.version == 2**31
    assert await store.get(tenant, "r1") == new


async def test_update_whose_change_raises_writes_nothing(store: Store) -> None:
    tenant = new_tenant()
    stored = record(tenant, "r1", email="a@x.io")
    await store.insert(stored, SPEC)

    def refuse(_record: Record) -> Record:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await store.update(tenant, "r1", refuse, SPEC)
    assert await store.get(tenant, "r1") == stored


async def test_update_that_changes_nothing_writes_nothing(store: Store) -> None:
    tenant = new_tenant()
    stored = record(tenant, "r1", email="a@x.io")
    await store.insert(stored, SPEC)
    old, new = await store.update(tenant, "r1", set_fields(email="a@x.io"), SPEC)
    assert old == new == stored
    assert await store.get(tenant, "r1") == stored


async def test_update_of_missing_deleted_or_foreign_records_is_not_found(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "gone"), SPEC)
    await store.insert(record(tenant, "theirs"), SPEC)
    await store.delete(tenant, "gone", SPEC, hard=False)
    other = dataclasses.replace(tenant, account="other")
    for owner, id in ((tenant, "absent"), (tenant, "gone"), (other, "theirs")):
        with pytest.raises(NotFound) as missing:
            await store.update(owner, id, set_fields(name="x"), SPEC)
        assert missing.value.id == id


async def test_update_moves_unique_keys(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1", handle="h1"), SPEC)
    await store.update(tenant, "r1", lambda r: r.with_fields({"prefix": "P2"}), SPEC)
    assert await store.find(tenant, PREFIX, "P1") is None
    assert await store.find(tenant, HANDLE, "h1") is None
    moved = await store.find(tenant, PREFIX, "P2")
    assert moved is not None and moved.id == "r1"
    await store.insert(record(tenant, "r2", prefix="P1", handle="h1"), SPEC)


async def test_update_onto_a_taken_key_raises_and_writes_nothing(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1"), SPEC)
    second = record(tenant, "r2", prefix="P2", email="b@x.io")
    await store.insert(second, SPEC)
    with pytest.raises(AlreadyExists) as clash:
        await store.update(tenant, "r2", set_fields(prefix="P1", email="c@x.io"), SPEC)
    assert (clash.value.kind, clash.value.value) == ("prefix", "P1")
    assert await store.get(tenant, "r2") == second
    assert [r and r.id for r in [await store.find(tenant, PREFIX, p) for p in ("P1", "P2")]] == [
        "r1",
        "r2",
    ]
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "c@x.io")) == []


async def test_update_moves_the_terms_of_the_metadata_entries_it_changes(store: Store) -> None:
    spec = dataclasses.replace(SPEC, folded=("metadata",))
    tenant = new_tenant()
    metadata = {"plan": "pro", "team": "Red", "keep": "Same"}
    await store.insert(record(tenant, "r1", metadata=metadata), spec)
    changed = {"plan": "free", "keep": "Same", "seat": "One"}  # one changed, gone, kept, new
    await store.update(tenant, "r1", set_fields(metadata=changed), spec)

    async def found(key: str, op: Op, value: str) -> list[str]:
        where = Compare(Entry("metadata", key), op, value)
        page = await store.list(ListQuery(tenant, where=where, spec=spec))
        return [r.id for r in page.records]

    assert [await found(key, Op.EQ, value) for key, value in metadata.items()] == [[], [], ["r1"]]
    assert await found("plan", Op.EQ, "free") == ["r1"]
    assert await found("seat", Op.EQ, "One") == ["r1"]
    assert await found("seat", Op.TOKEN, "one") == ["r1"]
    assert await found("team", Op.TOKEN, "red") == []
    await store.update(tenant, "r1", set_fields(metadata=""), spec)  # no longer a map
    assert [await found(key, Op.EQ, value) for key, value in changed.items()] == [[], [], []]


# delete


async def test_soft_delete_hides_the_record_and_keeps_its_keys(store: Store) -> None:
    tenant = new_tenant()
    stored = record(tenant, "r1", prefix="P1", email="a@x.io")
    await store.insert(stored, SPEC)
    assert await store.delete(tenant, "r1", SPEC, hard=False) == stored
    assert await ids(store, tenant) == []
    by_email = Compare(Attr("email"), Op.EQ, "a@x.io")
    assert await store.count(ListQuery(tenant, where=by_email, spec=SPEC)) == 0
    with pytest.raises(AlreadyExists):
        await store.insert(record(tenant, "r2", prefix="P1"), SPEC)


async def test_soft_delete_releases_keys_unless_the_spec_keeps_them(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1"), RELEASING)
    await store.delete(tenant, "r1", RELEASING, hard=False)
    deleted = await store.get(tenant, "r1")
    assert deleted is not None and deleted.deleted
    await store.insert(record(tenant, "r2", prefix="P1"), RELEASING)


async def test_hard_delete_removes_every_trace(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1", prefix="P1", email="a@x.io"), SPEC)
    await store.delete(tenant, "r1", SPEC, hard=True)
    assert await store.get(tenant, "r1") is None
    await store.insert(record(tenant, "r1", prefix="P1"), SPEC)
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "a@x.io")) == []


@pytest.mark.parametrize("hard", [False, True])
async def test_delete_whose_check_raises_deletes_nothing(store: Store, hard: bool) -> None:
    tenant = new_tenant()
    stored = record(tenant, "r1", prefix="P1", email="a@x.io")
    await store.insert(stored, SPEC)
    seen: list[Record] = []

    def refuse(live: Record) -> None:
        seen.append(live)
        raise NotFound("r1")

    with pytest.raises(NotFound):
        await store.delete(tenant, "r1", SPEC, hard=hard, check=refuse)
    assert seen == [stored]
    assert await store.get(tenant, "r1") == stored
    assert await ids(store, tenant, Compare(Attr("email"), Op.EQ, "a@x.io")) == ["r1"]
    with pytest.raises(AlreadyExists):
        await store.insert(record(tenant, "r2", prefix="P1"), SPEC)


async def test_delete_of_missing_or_deleted_records_is_not_found(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1"), SPEC)
    await store.delete(tenant, "r1", SPEC, hard=False)
    for id in ("r1", "absent"):
        with pytest.raises(NotFound):
            await store.delete(tenant, id, SPEC, hard=False)
        with pytest.raises(NotFound):
            await store.delete(tenant, id, SPEC, hard=True)


# schema


async def test_migrate_again_changes_nothing(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1"), SPEC)
    await store.migrate()
    assert await store.get(tenant, "r1") is not None
