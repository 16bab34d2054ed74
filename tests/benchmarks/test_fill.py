"""The in-process fill writes customers the Stripe API then serves like any other."""

from __future__ import annotations

import asyncio

from benchmarks.fill import fill

from rolodex.core.index import UniqueField
from rolodex.dialects.stripe import translate
from rolodex.dialects.stripe.auth import tenant_of
from rolodex.store import open_store
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
