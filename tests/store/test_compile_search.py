"""Search through the real store adapters agrees with the reference evaluation, on generated
records and conditions, page by page, after updates and deletes, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolodex.core.index import IndexSpec
from rolodex.core.query import (
    AllOf,
    AnyOf,
    Attr,
    Compare,
    Condition,
    Created,
    Entry,
    IsNull,
    Not,
    Op,
)
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, open_store
from rolodex.store.base import Cursor, SearchQuery, Store
from rolodex.store.postgres import async_url
from tests.store import reference

T = TypeVar("T")

INDEXED = IndexSpec(
    terms=("email",), maps=("metadata",), folded=("metadata",), texts=("email", "name", "phone")
)
UNINDEXED = IndexSpec()
TEXT_FIELDS = ("email", "name", "phone")
BASE_US = 1_700_000_000_000_000


@dataclass
class Backend:
    loop: asyncio.AbstractEventLoop
    store: Store

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A plain synchronous engine on the same database, for bulk loading."""
    url = database_url if database_url.startswith("sqlite") else async_url(database_url)
    running = sa.create_engine(url)
    yield running
    running.dispose()


@pytest.fixture(scope="module")
def backend(database_url: str) -> Iterator[Backend]:
    loop = asyncio.new_event_loop()
    store = open_store(database_url)
    running = Backend(loop, store)
    running.run(store.migrate())
    yield running
    running.run(store.close())
    loop.close()


WORDS = ["jane", "Jane", "DOE", "doe", "ann", "anna", "Éa", "éa", "x_y", "50%", "a*b", "[x]"]
WORDS += ["İz", "straße", "o'brien", 'say "hi"', "back\\slash", "555", "0100", "gmail"]
ASCII_WORDS = ["jane", "Jane", "DOE", "doe", "ann", "anna", "x_y", "50%", "a*b", "555"]
SEPARATORS = [" ", ".", "@", "-", "+", ", ", ""]
KEYS = ["plan", "team", "Plan"]
VALUES = ["pro", "Pro", "PRO", "free", "Free", "x y", "É", "é"]


def texts(words: list[str]) -> st.SearchStrategy[str]:
    parts = st.lists(st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(words)), max_size=4)
    return parts.map(lambda ps: "".join(sep + word for sep, word in ps))


def documents(words: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    optional_text = st.one_of(st.none(), texts(words))
    metadata = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)
    return st.fixed_dictionaries(
        {field: optional_text for field in TEXT_FIELDS} | {"metadata": metadata}
    ).map(lambda doc: {k: v for k, v in doc.items() if v is not None})


CREATED_OFFSETS = st.sampled_from([0, 0, 1, 2, 999, 1000, 1001, 5000, 1_000_000, 3_000_000])


def conditions(words: list[str], *, indexed: bool) -> st.SearchStrategy[Condition]:
    text_field = st.sampled_from([Attr(f) for f in TEXT_FIELDS])
    entry = st.builds(Entry, st.just("metadata"), st.sampled_from(KEYS))
    # Any text but NUL, which the dialects refuse before a query reaches a store (PostgreSQL
    # cannot hold it).
    any_text = st.text(st.characters(exclude_characters="\x00"), max_size=4)
    query = st.one_of(st.sampled_from(words), texts(words), any_text)
    text_ops = [Op.WORDS, Op.CONTAINS, Op.EQ, Op.TOKEN] if indexed else [Op.CONTAINS, Op.EQ]
    leaves = st.one_of(
        st.builds(Compare, text_field, st.sampled_from(text_ops), query),
        st.builds(Compare, entry, st.sampled_from([Op.TOKEN, Op.EQ]), st.sampled_from(VALUES)),
        st.builds(IsNull, st.one_of(text_field, entry, st.just(Created()))),
        st.builds(
            Compare,
            st.just(Created()),
            st.sampled_from([Op.EQ, Op.GT, Op.GE, Op.LT, Op.LE]),
            CREATED_OFFSETS.map(lambda offset: BASE_US + offset),
        ),
    )
    return leaves | st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(Not, inner),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: AllOf(tuple(cs))),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: AnyOf(tuple(cs))),
        ),
        max_leaves=6,
    )


@st.composite
def scenarios(draw: st.DrawFn, words: list[str], *, indexed: bool) -> dict[str, Any]:
    docs = draw(st.lists(documents(words), max_size=12))
    created = [BASE_US + draw(CREATED_OFFSETS) for _ in docs]
    order = draw(st.permutations(range(len(docs))))
    changes = draw(
        st.lists(
            st.tuples(
                st.integers(0, 11), st.sampled_from(["update", "soft", "hard"]), documents(words)
            ),
            max_size=4,
        )
    )
    return {
        "records": [(f"cus_{i:03d}", created[i], docs[i]) for i in order],
        "changes": changes,
        "where": draw(st.one_of(st.none(), conditions(words, indexed=indexed))),
        "limit": draw(st.integers(1, 5)),
    }


def _check(
    backend: Backend,
    spec: IndexSpec,
    scenario: dict[str, Any],
    load: Callable[[list[Record]], None] | None = None,
) -> None:
    """Load the records (one by one through the store, or with ``load``), change some, and
    compare every page of the search with the reference."""
    tenant = Tenant("stripe", uuid.uuid4().hex, "test")
    model = {
        id: Record(tenant, id, created_us, fields) for id, created_us, fields in scenario["records"]
    }
    if load is None:
        for record in model.values():
            backend.run(backend.store.insert(record, spec))
    else:
        load(list(model.values()))
    _apply_changes(backend, spec, tenant, model, scenario["changes"])

    where, limit = scenario["where"], scenario["limit"]
    expected = reference.search(where, model.values())
    assert _all_pages(backend, SearchQuery(tenant, where, spec, limit)) == expected
    assert backend.run(backend.store.search_count(SearchQuery(tenant, where, spec))) == len(
        expected
    )


def _apply_changes(
    backend: Backend,
    spec: IndexSpec,
    tenant: Tenant,
    model: dict[str, Record],
    changes: list[tuple[int, str, dict[str, Any]]],
) -> None:
    store = backend.store
    for position, kind, fields in changes:
        live = sorted(id for id, r in model.items() if not r.deleted)
        if not live:
            return
        id = live[position % len(live)]
        if kind == "update":
            _, model[id] = backend.run(
                store.update(tenant, id, lambda r, f=fields: r.with_fields(f), spec)  # type: ignore[misc]
            )
        else:
            backend.run(store.delete(tenant, id, spec, hard=kind == "hard"))
            if kind == "hard":
                del model[id]
            else:
                model[id] = replace(model[id], deleted=True)


def _all_pages(backend: Backend, query: SearchQuery) -> list[str]:
    found: list[str] = []
    while True:
        page = backend.run(backend.store.search(query))
        found += [record.id for record in page.records]
        assert len(page.records) <= query.limit
        if not page.has_more:
            return found
        assert len(page.records) == query.limit
        query = replace(query, after=Cursor.of(page.records[-1]))


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(scenario=scenarios(WORDS, indexed=True))
def test_indexed_search_equals_the_reference(backend: Backend, scenario: dict[str, Any]) -> None:
    _check(backend, INDEXED, scenario)


@pytest.mark.parametrize(
    "where",
    [
        Compare(Attr("name"), Op.WORDS, "jane"),
        Compare(Attr("name"), Op.CONTAINS, "ane"),
        Compare(Entry("metadata", "plan"), Op.TOKEN, "pro"),
        AnyOf((Compare(Attr("name"), Op.WORDS, "jane"), Compare(Attr("email"), Op.CONTAINS, "@x"))),
        None,
    ],
)
def test_pages_keep_creation_order_through_ties(backend: Backend, where: Condition | None) -> None:
    """Records created in the same microsecond and millisecond, inserted out of order, still
    come newest first with ties broken by id, across page boundaries."""
    offsets = [0, 0, 0, 1, 1, 2, 999, 999, 1000, 1000, 1001, 2_000_000] * 3
    records = [
        {"id": f"cus_{i:03d}", "created": BASE_US + offset, "name": f"Jane {i}"}
        for i, offset in enumerate(offsets)
    ]
    scenario = {
        "records": [
            (
                r["id"],
                r["created"],
                {"name": r["name"], "email": f"{r['id']}@x.io", "metadata": {"plan": "Pro"}},
            )
            for r in records[::-1][::2] + records[::-1][1::2]
        ],
        "changes": [],
        "where": where,
        "limit": 4,
    }
    _check(backend, INDEXED, scenario)


@PROPERTY
@given(scenario=scenarios(ASCII_WORDS, indexed=False))
def test_unindexed_fields_fall_back_to_the_document(
    backend: Backend, scenario: dict[str, Any]
) -> None:
    _check(backend, UNINDEXED, scenario)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(WORDS, indexed=True))
def test_bulk_loading_indexes_like_one_by_one(
    backend: Backend, engine: sa.Engine, scenario: dict[str, Any]
) -> None:
    def load(records: list[Record]) -> None:
        with engine.begin() as conn:
            bulk.insert_many(conn, records, INDEXED)

    _check(backend, INDEXED, scenario, load)
