"""The store contract (``store/base.py``) for listing and counting, against every adapter:
keyset order and paging both ways, offsets, ``has_more``, and every kind of ``where``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from rolodex.core.index import IndexSpec
from rolodex.core.query import AllOf, AnyOf, Attr, Compare, Created, Entry, IsNull, Not, Op
from rolodex.core.records import Tenant
from rolodex.store.base import Cursor, ListQuery, Store
from tests.store.conftest import SPEC, ids, new_tenant, record

pytestmark = pytest.mark.anyio


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
    "contains under three characters": (Compare(Attr("name"), Op.CONTAINS, "Y"), ["cy"]),
    "words ignore case, any letter": (Compare(Attr("name"), Op.WORDS, "ÉCOLE"), ["ana"]),
    "words are whole": (Compare(Attr("name"), Op.WORDS, "cole"), []),
    "words follow one another": (Compare(Attr("email"), Op.WORDS, "x io"), ["ana", "bob", "dee"]),
    "words in another order": (Compare(Attr("name"), Op.WORDS, "été école"), []),
    "not words": (Not(Compare(Attr("name"), Op.WORDS, "cy")), ["ana", "bob", "dee"]),
    "document equality is case-sensitive": (Compare(Attr("name"), Op.EQ, "cy"), []),
    "document equality": (Compare(Attr("name"), Op.EQ, "Cy"), ["cy"]),
}

TEXTS = dataclasses.replace(SPEC, texts=("name", "email"))
"""``SPEC`` with text fields: filters on them are served by the text index, with the same
meaning as when they are read from the document."""


@pytest.mark.parametrize("spec", [SPEC, TEXTS], ids=["documents", "text index"])
@pytest.mark.parametrize(("where", "expected"), WHERE_CASES.values(), ids=WHERE_CASES.keys())
async def test_list_and_count_filter(
    store: Store, people: Tenant, where: Any, expected: list[str], spec: IndexSpec
) -> None:
    if spec is TEXTS:  # the people again, indexed by a spec that has text fields
        people = await _indexed_copy(store, people)
    page = await store.list(ListQuery(people, where=where, spec=spec, newest_first=False))
    assert [r.id for r in page.records] == expected
    assert await store.count(ListQuery(people, where=where, spec=spec)) == len(expected)


async def _indexed_copy(store: Store, tenant: Tenant) -> Tenant:
    copy = new_tenant()
    for each in (await store.list(ListQuery(tenant, limit=100))).records:
        await store.insert(dataclasses.replace(each, tenant=copy), TEXTS)
    return copy


async def test_a_list_by_text_sees_every_write_before_it(store: Store) -> None:
    """The text index follows each write at once (on SQLite, whose full-text index takes
    changes through a queue, the list applies the queue first)."""
    tenant = new_tenant()
    for n, name in enumerate(("Ann Lee", "Bo Lee", "Cy Lee")):
        await store.insert(record(tenant, f"r{n}", 1_000 + n, name=name), TEXTS)
    await store.update(tenant, "r0", lambda r: r.with_fields({"name": "Dot Ray"}), TEXTS)
    await store.delete(tenant, "r1", TEXTS, hard=False)

    async def found(op: Op, value: str) -> tuple[list[str], int]:
        query = ListQuery(tenant, where=Compare(Attr("name"), op, value), spec=TEXTS)
        return [r.id for r in (await store.list(query)).records], await store.count(query)

    assert await found(Op.WORDS, "lee") == (["r2"], 1)
    assert await found(Op.WORDS, "ann") == ([], 0)
    assert await found(Op.CONTAINS, "t ra") == (["r0"], 1)
    assert await found(Op.CONTAINS, "bo l") == ([], 0)


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
