"""The Stripe pipeline in process: a repeat that arrives while its first run is still going."""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest

from rolodex.core.index import IndexSpec
from rolodex.core.records import Record
from rolodex.dialects.stripe import pipeline
from rolodex.http.app import create_app
from rolodex.settings import Settings
from rolodex.store.base import Receipt
from rolodex.store.sqlite import SQLiteStore

pytestmark = pytest.mark.anyio

KEY = "sk_test_pipelinepipelinepipeline"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SlowInserts(SQLiteStore):
    """Every insert waits for ``release`` first, so a request can be caught mid-run."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.release = asyncio.Event()

    async def insert(
        self, record: Record, spec: IndexSpec, *, receipt: Receipt | None = None
    ) -> None:
        await self.release.wait()
        await super().insert(record, spec, receipt=receipt)


async def test_a_repeat_during_the_first_run_is_told_to_retry(tmp_path: Path) -> None:
    store = SlowInserts(f"sqlite:///{tmp_path / 'pipeline.db'}")
    await store.migrate()
    app = create_app(Settings(), store, migrate=False)
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": "in-flight"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://rolodex"
    ) as http:
        first = asyncio.ensure_future(http.post("/v1/customers", data={}, headers=headers))
        await asyncio.sleep(0.05)  # the first run waits inside its insert
        during = await http.post("/v1/customers", data={}, headers=headers)
        store.release.set()
        done = await first
        after = await http.post("/v1/customers", data={}, headers=headers)
    await store.close()

    assert during.status_code == 409
    error = during.json()["error"]
    assert error.pop("request_log_url").startswith("https://dashboard.stripe.com/test/logs/req_")
    assert error == {
        "type": "invalid_request_error",
        "code": "idempotency_key_in_use",
        "doc_url": "https://stripe.com/docs/error-codes/idempotency-key-in-use",
        "message": "There is currently another in-progress request using this Idempotent Key "
        "(that probably means you submitted twice, and the other request is still going "
        "through): in-flight. Please try again later.",
    }
    assert done.status_code == 200
    assert after.json() == done.json()
    assert after.headers["idempotent-replayed"] == "true"


async def test_one_key_sent_to_two_processes_at_once_runs_once(tmp_path: Path) -> None:
    """Two processes on one database, each past its look for a remembered answer before
    either writes: the second to commit is undone and answers with the first's answer."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    stores = [SlowInserts(url), SlowInserts(url)]
    for store in stores:
        await store.migrate()
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": "sent-twice"}
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(Settings(), store, migrate=False)),
            base_url="http://rolodex",
        )
        for store in stores
    ]
    runs = [
        asyncio.ensure_future(http.post("/v1/customers", data={"name": "Once"}, headers=headers))
        for http in clients
    ]
    await asyncio.sleep(0.05)  # both runs wait inside their inserts
    for store in stores:
        store.release.set()
    answers = await asyncio.gather(*runs)
    listed = await clients[0].get("/v1/customers", headers={"Authorization": f"Bearer {KEY}"})
    for http in clients:
        await http.aclose()
    for store in stores:
        await store.close()

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert sorted(answer.headers.get("idempotent-replayed", "") for answer in answers) == [
        "",
        "true",
    ]
    assert [customer["id"] for customer in listed.json()["data"]] == [answers[0].json()["id"]]


def test_request_ids_are_drawn_evenly_and_never_repeat() -> None:
    ids = [pipeline._request_id() for _ in range(2_000)]  # several draws' worth
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"req_[A-Za-z0-9]{14}", each) for each in ids)
    characters = Counter("".join(each[4:] for each in ids))
    assert len(characters) == 62  # every letter and digit, none favoured much
    assert max(characters.values()) < 2 * min(characters.values())


def test_a_forked_child_draws_request_ids_of_its_own() -> None:
    pipeline._request_id()  # the parent has characters drawn ahead
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(writing, pipeline._request_id().encode())
        os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    childs = os.read(reading, 64).decode()
    os.close(reading)
    assert childs.startswith("req_")
    assert childs != pipeline._request_id()
