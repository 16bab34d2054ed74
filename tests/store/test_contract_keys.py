"""The store contract for the keys a locked server accepts (``Store.add_api_key`` and the
rest), against every adapter alike."""

from __future__ import annotations

import uuid

import pytest

from rolodex.store import open_store
from rolodex.store.base import ApiKey, Store
from tests.store.conftest import SHARED_FILE_ADAPTERS

pytestmark = pytest.mark.anyio


def api_key(dialect: str, digest: str = "a" * 64, created_us: int = 1) -> ApiKey:
    return ApiKey(dialect, digest, "sk_test_****abcd", created_us)


def a_dialect() -> str:
    """A dialect no other test uses: the key table is shared by the tests of one database."""
    return f"d{uuid.uuid4().hex[:10]}"


def mine(keys: tuple[ApiKey, ...], *dialects: str) -> list[ApiKey]:
    return [key for key in keys if key.dialect in dialects]


async def test_a_kept_key_is_found_and_listed(store: Store) -> None:
    dialect = a_dialect()
    assert not await store.has_api_key(dialect, "a" * 64)
    assert await store.add_api_key(api_key(dialect))
    assert await store.has_api_key(dialect, "a" * 64)
    assert not await store.has_api_key(dialect, "b" * 64)
    assert mine(await store.api_keys(), dialect) == [api_key(dialect)]


async def test_a_digest_is_kept_once_per_dialect(store: Store) -> None:
    first, second = a_dialect(), a_dialect()
    assert await store.add_api_key(api_key(first, created_us=1))
    assert not await store.add_api_key(api_key(first, created_us=2))
    assert await store.add_api_key(api_key(second, created_us=3))
    assert not await store.has_api_key(a_dialect(), "a" * 64)
    kept = mine(await store.api_keys(), first, second)
    assert kept == [api_key(first, created_us=1), api_key(second, created_us=3)]


async def test_keys_are_listed_oldest_first(store: Store) -> None:
    dialect = a_dialect()
    for digest, created_us in (("c" * 64, 30), ("a" * 64, 10), ("b" * 64, 20)):
        await store.add_api_key(api_key(dialect, digest, created_us))
    listed = mine(await store.api_keys(), dialect)
    assert [key.digest[0] for key in listed] == ["a", "b", "c"]


async def test_a_dropped_key_is_no_longer_found(store: Store) -> None:
    dialect = a_dialect()
    await store.add_api_key(api_key(dialect))
    assert await store.drop_api_key(dialect, "a" * 64)
    assert not await store.has_api_key(dialect, "a" * 64)
    assert not await store.drop_api_key(dialect, "a" * 64)
    assert mine(await store.api_keys(), dialect) == []


@pytest.mark.parametrize("store_url", SHARED_FILE_ADAPTERS, indirect=True)
async def test_a_key_kept_by_one_store_is_found_by_another_on_the_database(
    store: Store, store_url: str
) -> None:
    dialect = a_dialect()
    other = open_store(store_url)
    try:
        await store.add_api_key(api_key(dialect))
        assert await other.has_api_key(dialect, "a" * 64)
        await other.drop_api_key(dialect, "a" * 64)
        assert not await store.has_api_key(dialect, "a" * 64)
    finally:
        await other.close()
