"""The service's key admission for a locked server (``service.admitted``) and its export and
import of records (``transfer.every_record``, ``restore_record``), on a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from rolodex import service, transfer
from rolodex.core.errors import AlreadyExists
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.records import Record, Tenant
from rolodex.service import ADMISSION_US, Context
from rolodex.store import open_store
from rolodex.store.base import ApiKey, Store

pytestmark = pytest.mark.anyio

KEY = "sk_test_admitted0001"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = open_store("sqlite:///:memory:")
    await opened.migrate()
    yield opened
    await opened.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        return self.now


async def test_an_open_server_admits_every_key(store: Store) -> None:
    assert await service.admitted(Context(store=store), "stripe", KEY)


async def test_a_locked_server_admits_the_keys_it_holds_only(store: Store) -> None:
    ctx = Context(store=store, locked=True)
    assert not await service.admitted(ctx, "stripe", KEY)
    assert await service.hold_key(ctx, "stripe", KEY, "sk_test_****0001")
    assert not await service.hold_key(ctx, "stripe", KEY, "sk_test_****0001")
    assert await service.admitted(ctx, "stripe", KEY)
    assert not await service.admitted(ctx, "autumn", KEY)  # held for Stripe, not for Autumn
    assert [key.shown for key in await service.held_keys(ctx)] == ["sk_test_****0001"]


async def test_a_revoked_key_is_refused_once_its_admission_runs_out(store: Store) -> None:
    clock = Clock()
    ctx = Context(store=store, locked=True, clock=clock)
    await service.hold_key(ctx, "stripe", KEY, "sk_test_****0001")
    assert await service.admitted(ctx, "stripe", KEY)
    assert await service.drop_key(ctx, "stripe", KEY)
    assert not await service.drop_key(ctx, "stripe", KEY)
    assert await service.admitted(ctx, "stripe", KEY)  # admitted a moment ago: not asked again
    clock.now += ADMISSION_US
    assert not await service.admitted(ctx, "stripe", KEY)


async def test_the_store_keeps_a_digest_not_the_key(store: Store) -> None:
    ctx = Context(store=store, locked=True)
    await service.hold_key(ctx, "dub", "dub_secretsecret", "dub_****cret")
    (held,) = await service.held_keys(ctx)
    assert "secretsecret" not in repr(held)
    assert held.digest == service.key_digest("dub_secretsecret")


TENANT = Tenant("autumn", "org_1", "sandbox")
PREFIXED = IndexSpec(unique=(UniqueField("prefix"),))


async def test_the_export_walks_every_page(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "EXPORT_PAGE", 2)
    kept = [Record(TENANT, f"cus_{n}", created_us=n) for n in range(5)]
    for record in kept:
        await store.insert(record, PREFIXED)
    walked = [record async for record in transfer.every_record(Context(store=store))]
    assert walked == kept


async def test_a_restored_record_keeps_its_id_time_and_version(store: Store) -> None:
    ctx = Context(store=store)
    restored = Record(TENANT, "cus_1", created_us=7, fields={"prefix": "A"}, version=5)
    assert await service.restore_record(ctx, restored, PREFIXED)
    assert await store.get(TENANT, "cus_1") == restored


async def test_a_record_already_there_is_left_as_it_is(store: Store) -> None:
    ctx = Context(store=store)
    there = Record(TENANT, "cus_1", created_us=7, fields={"name": "there"})
    await store.insert(there, PREFIXED)
    assert not await service.restore_record(ctx, replace(there, fields={"name": "new"}), PREFIXED)
    assert await store.get(TENANT, "cus_1") == there


async def test_a_unique_key_held_by_another_record_is_refused(store: Store) -> None:
    ctx = Context(store=store)
    await store.insert(Record(TENANT, "cus_1", 1, {"prefix": "A"}), PREFIXED)
    with pytest.raises(AlreadyExists) as clash:
        await service.restore_record(ctx, Record(TENANT, "cus_2", 2, {"prefix": "A"}), PREFIXED)
    assert (clash.value.kind, clash.value.value) == ("prefix", "A")
    assert await store.get(TENANT, "cus_2") is None


async def test_a_restored_key_is_kept_once(store: Store) -> None:
    ctx = Context(store=store)
    key = ApiKey("dub", service.key_digest("dub_x"), "dub_****x", 3)
    assert await service.restore_key(ctx, key)
    assert not await service.restore_key(ctx, key)
    assert await store.api_keys() == (key,)
