"""The store contract (``store/base.py``), edge by edge, against every adapter alike."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from rolodex.core.errors import AlreadyExists, NotFound
from rolodex.core.index import IndexSpec, Scope, UniqueField
from rolodex.core.query import AllOf, AnyOf, Attr, Compare, Created, Entry, IsNull, Not, Op
from rolodex.core.records import Record, Tenant
from rolodex.store.base import Cursor, ListQuery, Store
from tests.store.conftest import new_tenant

pytestmark = pytest.mark.anyio

PREFIX = UniqueField("prefix")
HANDLE = UniqueField("handle", Scope.DIALECT)
SPEC = IndexSpec(unique=(PREFIX, HANDLE), terms=("email",), maps=("metadata",),
                 keep_keys_on_delete=True)  # fmt: skip
RELEASING = dataclasses.replace(SPEC, keep_keys_on_delete=False)


def record(tenant: Tenant, id: str, created_us: int = 1_000_000, **fields: Any) -> Record:
    return Record(tenant=tenant, id=id, created_us=created_us, fields=fields)


def set_fields(**changes: Any) -> Any:
    return lambda r: r.with_fields({**r.fields, **changes})


async def ids(store: Store, tenant: Tenant, where: Any = None, **paging: Any) -> list[str]:
    page = await store.list(ListQuery(tenant, where=where, spec=SPEC, **paging))
    return [r.id for r in page.records]


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


async def test_delete_of_missing_or_deleted_records_is_not_found(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1"), SPEC)
    await store.delete(tenant, "r1", SPEC, hard=False)
    for id in ("r1", "absent"):
        with pytest.raises(NotFound):
            await store.delete(tenant, id, SPEC, hard=False)
        with pytest.raises(NotFound):
            await store.delete(tenant, id, SPEC, hard=True)


# list and count


async def test_list_orders_by_creation_then_id_bytewise(store: Store) -> None:
    tenant = new_tenant()
    for id, created in (("r_b", 3), ("r_z", 1), ("r_a", 2), ("r_C", 2), ("r_B", 2)):
        await store.insert(record(tenant, id, created), SPEC)
    assert await ids(store, tenant, newest_first=False) == ["r_z", "r_B", "r_C", "r_a", "r_b"]
    assert await ids(store, tenant) == ["r_b", "r_a", "r_C", "r_B", "r_z"]


async def test_list_pages_by_keyset_both_ways(store: Store) -> None:
    tenant = new_tenant()
    made = [record(tenant, f"r{i}", 10 + i) for i in range(5)]
    for each in made:
        await store.insert(each, SPEC)
    first = await store.list(ListQuery(tenant, limit=2))
    assert ([r.id for r in first.records], first.has_more) == (["r4", "r3"], True)
    after = Cursor.of(first.records[-1])
    second = await store.list(ListQuery(tenant, limit=2, after=after))
    assert ([r.id for r in second.records], second.has_more) == (["r2", "r1"], True)
    last = await store.list(ListQuery(tenant, limit=2, after=Cursor.of(made[1])))
    assert ([r.id for r in last.records], last.has_more) == (["r0"], False)
    oldest = await store.list(
        ListQuery(tenant, limit=2, newest_first=False, after=Cursor.of(made[2]))
    )
    assert ([r.id for r in oldest.records], oldest.has_more) == (["r3", "r4"], False)


async def test_list_offset_skips_past_the_cursor(store: Store) -> None:
    tenant = new_tenant()
    for i in range(6):
        await store.insert(record(tenant, f"r{i}", 10 + i), SPEC)
    assert await ids(store, tenant, limit=2, offset=1) == ["r4", "r3"]
    cursor = Cursor(13, "r3")
    page = await store.list(ListQuery(tenant, limit=2, offset=1, newest_first=False, after=cursor))
    assert ([r.id for r in page.records], page.has_more) == (["r5"], False)


async def test_list_and_count_skip_deleted_and_foreign_records(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "live"), SPEC)
    await store.insert(record(tenant, "gone"), SPEC)
    await store.insert(record(dataclasses.replace(tenant, account="other"), "theirs"), SPEC)
    await store.delete(tenant, "gone", SPEC, hard=False)
    assert await ids(store, tenant) == ["live"]
    assert await store.count(ListQuery(tenant)) == 1


@pytest.fixture
async def people(store: Store) -> Tenant:
    tenant = new_tenant()
    rows = [
        ("ana", 1_000, {"email": "ana@x.io", "name": "École Été", "metadata": {"plan": "pro"}}),
        ("bob", 2_000, {"email": "bob@x.io", "name": "100% Bob_1", "metadata": {"plan": "free"}}),
        ("cy", 3_000, {"name": "Cy", "metadata": {"team": "pro"}}),
        ("dee", 4_000, {"email": "DEE@x.io"}),
    ]
    for id, created, fields in rows:
        await store.insert(record(tenant, id, created, **fields), SPEC)
    return tenant


WHERE_CASES = {
    "email term": (Compare(Attr("email"), Op.EQ, "bob@x.io"), ["bob"]),
    "email term is case-sensitive": (Compare(Attr("email"), Op.EQ, "dee@x.io"), []),
    "metadata entry": (Compare(Entry("metadata", "plan"), Op.EQ, "pro"), ["ana"]),
    "created range": (
        AllOf((Compare(Created(), Op.GE, 2_000), Compare(Created(), Op.LT, 4_000))),
        ["bob", "cy"],
    ),
    "created strict bounds": (
        AllOf((Compare(Created(), Op.GT, 1_000), Compare(Created(), Op.LE, 3_000))),
        ["bob", "cy"],
    ),
    "created equal": (Compare(Created(), Op.EQ, 3_000), ["cy"]),
    "indexed field absent": (IsNull(Attr("email")), ["cy"]),
    "document field absent": (IsNull(Attr("name")), ["dee"]),
    "metadata entry absent": (IsNull(Entry("metadata", "plan")), ["cy", "dee"]),
    "not": (Not(Compare(Attr("email"), Op.EQ, "ana@x.io")), ["bob", "cy", "dee"]),
    "any of": (
        AnyOf(
            (
                Compare(Attr("email"), Op.EQ, "ana@x.io"),
                Compare(Entry("metadata", "team"), Op.EQ, "pro"),
            )
        ),
        ["ana", "cy"],
    ),
    "token ignores case, any letter": (Compare(Attr("name"), Op.TOKEN, "école été"), ["ana"]),
    "token matches whole values": (Compare(Attr("name"), Op.TOKEN, "école"), []),
    "contains ignores case, any letter": (Compare(Attr("name"), Op.CONTAINS, "COLE é"), ["ana"]),
    "contains takes % and _ literally": (Compare(Attr("name"), Op.CONTAINS, "0% bob_"), ["bob"]),
    "contains is no wildcard": (Compare(Attr("name"), Op.CONTAINS, "1_0"), []),
    "document equality is case-sensitive": (Compare(Attr("name"), Op.EQ, "cy"), []),
    "document equality": (Compare(Attr("name"), Op.EQ, "Cy"), ["cy"]),
}


@pytest.mark.parametrize(("where", "expected"), WHERE_CASES.values(), ids=WHERE_CASES.keys())
async def test_list_and_count_filter(
    store: Store, people: Tenant, where: Any, expected: list[str]
) -> None:
    assert await ids(store, people, where, newest_first=False) == expected
    assert await store.count(ListQuery(people, where=where, spec=SPEC)) == len(expected)


@pytest.mark.parametrize("field", [Attr("email"), Entry("metadata", "plan")])
async def test_filters_on_unindexed_fields_read_the_document(
    store: Store, people: Tenant, field: Any
) -> None:
    unindexed = ListQuery(people, where=Compare(field, Op.TOKEN, "PRO"), spec=IndexSpec())
    by_token = await store.list(unindexed)
    assert [r.id for r in by_token.records] == (["ana"] if isinstance(field, Entry) else [])
    contains = dataclasses.replace(unindexed, where=Compare(field, Op.CONTAINS, "x.IO"))
    assert await store.count(contains) == (3 if isinstance(field, Attr) else 0)


async def test_count_ignores_paging(store: Store, people: Tenant) -> None:
    query = ListQuery(people, limit=1, offset=1, after=Cursor(4_000, "dee"))
    assert await store.count(query) == 4


# schema


async def test_migrate_again_changes_nothing(store: Store) -> None:
    tenant = new_tenant()
    await store.insert(record(tenant, "r1"), SPEC)
    await store.migrate()
    assert await store.get(tenant, "r1") is not None
