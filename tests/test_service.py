"""The service's key admission for a locked server (``service.admitted``), on a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from rolodex import service
from rolodex.service import ADMISSION_US, Context
from rolodex.store import open_store
from rolodex.store.base import Store

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
