"""The in-process fill writes customers the Stripe API then serves like any other."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from benchmarks.fill import fill, fill_with
from benchmarks.processes import ROOT

from rolodex.core.index import UniqueField
from rolodex.dialects.stripe import translate
from rolodex.dialects.stripe.auth import tenant_of
from rolodex.store import fts, open_store, text_index
from rolodex.store.base import ListQuery
from tests.conftest import random_key


def test_fill_writes_n_customers_with_their_keys_and_terms(database_url: str) -> None:
    key = random_key("sk_test_")
    filled = fill(database_url, key, 25)
    assert len(set(filled.ids)) == 25
    tenant = tenant_of(f"Bearer {key}")

    async def check() -> None:
        store = open_store(database_url)
        try:
            assert await store.count(ListQuery(tenant, spec=translate.SPEC)) == 25
            newest = (await store.list(ListQuery(tenant, limit=1))).records[0]
            assert newest.id == filled.ids[-1]
            shown = translate.render(newest)
            assert shown["email"] == "customer24@example.com"
            assert shown["metadata"] == {"plan": "free", "account": "24"}
            prefix = UniqueField("invoice_prefix")
            assert await store.find(tenant, prefix, shown["invoice_prefix"]) == newest
        finally:
            await store.close()

    asyncio.run(check())


def test_fill_as_a_command_prints_the_ids_it_made(tmp_path: Path) -> None:
    """How ``ab.py`` fills each build's file: with that build's package on the path."""
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    key = random_key("sk_test_")
    ids = fill_with(ROOT / "src", url, key, 7)
    assert len(set(ids)) == 7
    assert all(each.startswith("cus_") for each in ids)

    async def stored() -> list[str]:
        store = open_store(url)
        try:
            page = await store.list(ListQuery(tenant_of(f"Bearer {key}"), limit=10))
            return [record.id for record in page.records]
        finally:
            await store.close()

    assert sorted(asyncio.run(stored())) == sorted(ids)


def test_fill_applies_the_full_text_queue_it_leaves(tmp_path: Path) -> None:
    """So that a benchmark's writes start from an empty queue, as ``instructions.py`` needs."""
    url = f"sqlite:///{tmp_path / 'applied.db'}"
    key = random_key("sk_test_")
    fill(url, key, 25)
    every_name = fts.words_phrase(tenant_of(f"Bearer {key}").key, "name", "customer")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert not text_index.queued(conn)
            named = conn.exec_driver_sql(
                "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH ?", (every_name,)
            ).scalar()
    finally:
        engine.dispose()
    assert named == 25  # "Customer 0" to "Customer 24"
