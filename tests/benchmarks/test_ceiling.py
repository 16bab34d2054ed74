"""The ceiling endpoint answers the same whether or not it is made to work first."""

from __future__ import annotations

import time

import httpx
import pytest
from benchmarks.ceiling import build

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("work_us", [0.0, 200.0])
async def test_the_ceiling_answers_its_small_document(work_us: float) -> None:
    transport = httpx.ASGITransport(app=build(work_us))
    async with httpx.AsyncClient(transport=transport, base_url="http://ceiling") as client:
        answered = await client.get("/")
    assert answered.status_code == 200
    assert answered.json() == {"object": "ceiling", "ok": True}


async def test_work_comes_before_the_answer() -> None:
    """A lower bound on the time the answer takes, which no host can shorten: not a speed
    test, and it fails if the work is skipped."""
    work_us = 20_000.0
    transport = httpx.ASGITransport(app=build(work_us))
    async with httpx.AsyncClient(transport=transport, base_url="http://ceiling") as client:
        started = time.perf_counter()
        await client.get("/")
        spent_us = (time.perf_counter() - started) * 1e6
    assert spent_us >= work_us
