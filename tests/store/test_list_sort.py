"""``ListQuery.sort``: a document field ahead of creation order, missing values lowest."""

from __future__ import annotations

import asyncio

import pytest

from rolodex.core.errors import InvalidQuery
from rolodex.core.query import Attr
from rolodex.core.records import Record, Tenant
from rolodex.store import open_store
from rolodex.store.base import NO_INDEX, Cursor, ListQuery
from tests.conftest import random_key


def test_sorted_lists_put_missing_values_lowest(database_url: str) -> None:
    tenant = Tenant("test", random_key("sort_"), "test")
    values = {"a": "2024-03", "b": None, "c": "2024-01", "d": None, "e": "2024-02"}

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        store = open_store(database_url)
        await store.migrate()
        try:
            for created, (id, value) in enumerate(values.items()):
                fields = {} if value is None else {"at": value}
                await store.insert(Record(tenant, id, created, fields), NO_INDEX)
            pages = []
            for newest_first, offset in ((True, 0), (False, 0), (True, 2)):
                query = ListQuery(
                    tenant, limit=3, newest_first=newest_first, offset=offset, sort=Attr("at")
                )
                pages.append([r.id for r in (await store.list(query)).records])
            with pytest.raises(InvalidQuery):
                await store.list(ListQuery(tenant, sort=Attr("at"), after=Cursor(0, "a")))
            return pages[0], pages[1], pages[2]
        finally:
            await store.close()

    newest, oldest, second_page = asyncio.run(scenario())
    assert newest == ["a", "e", "c"]
    assert oldest == ["b", "d", "c"]
    assert second_page == ["c", "d", "b"]
