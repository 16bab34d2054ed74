"""Several ``rolodex serve`` processes, and ``--workers``, on one database act as one service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe

from tests.http.conftest import all_at_once, stripe_client
from tests.support.server import Server

WRITERS = 20


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    first = Server(database_url, tmp_path / "first.log").start()
    try:
        second = Server(database_url, tmp_path / "second.log").start()
    except BaseException:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path / "workers.log", workers=2).start()
    yield server
    server.stop()


def add_key(client: stripe.StripeClient, customer: str, i: int) -> dict[str, str]:
    updated = client.v1.customers.update(customer, {"metadata": {f"k{i}": str(i)}})
    return updated.metadata.to_dict()


def test_concurrent_updates_through_two_processes_all_survive(
    two_servers: tuple[Server, Server], stripe_key: str
) -> None:
    clients = [stripe_client(stripe_key, server.url) for server in two_servers]
    customer = clients[0].v1.customers.create({"metadata": {"origin": "first"}}).id
    seen = all_at_once([lambda i=i: add_key(clients[i % 2], customer, i) for i in range(WRITERS)])
    assert all(f"k{i}" in keys for i, keys in enumerate(seen))
    expected = {"origin": "first"} | {f"k{i}": str(i) for i in range(WRITERS)}
    for client in clients:
        assert client.v1.customers.retrieve(customer).metadata.to_dict() == expected


def test_one_idempotent_create_sent_through_both_is_answered_as_one(
    two_servers: tuple[Server, Server], stripe_key: str
) -> None:
    """The run that loses the race finds the invoice prefix taken by the customer the other
    run made under the same key: it answers with that run's answer, not with the prefix."""
    headers = {"authorization": f"Bearer {stripe_key}", "idempotency-key": "one-create"}
    form = {"invoice_prefix": "ONCE", "email": "once@example.com"}

    def send(i: int) -> httpx.Response:
        url = f"{two_servers[i % 2].url}/v1/customers"
        return httpx.post(url, data=form, headers=headers, timeout=30)

    answers = all_at_once([lambda i=i: send(i) for i in range(WRITERS)])
    assert {answer.status_code for answer in answers} <= {200, 409}  # 409: still running
    created = {answer.json()["id"] for answer in answers if answer.status_code == 200}
    assert len(created) == 1
    first = [answer for answer in answers if "idempotent-replayed" not in answer.headers]
    assert len([answer for answer in first if answer.status_code == 200]) == 1


def test_each_process_serves_what_the_other_wrote(
    two_servers: tuple[Server, Server], stripe_key: str
) -> None:
    first, second = (stripe_client(stripe_key, server.url) for server in two_servers)
    created = first.v1.customers.create({"email": "ada@example.com", "name": "Ada"})
    assert second.v1.customers.retrieve(created.id).email == "ada@example.com"
    second.v1.customers.update(created.id, {"name": "Ada L."})
    assert first.v1.customers.retrieve(created.id).name == "Ada L."
    assert [c.id for c in second.v1.customers.list({"email": "ada@example.com"}).data] == [
        created.id
    ]
    first.v1.customers.delete(created.id)
    assert second.v1.customers.retrieve(created.id).deleted is True
    assert second.v1.customers.list().data == []


def test_creates_through_both_are_listed_alike_by_both(
    two_servers: tuple[Server, Server], stripe_key: str
) -> None:
    clients = [stripe_client(stripe_key, server.url) for server in two_servers]
    made = all_at_once(
        [lambda i=i: clients[i % 2].v1.customers.create({"name": f"c{i}"}).id for i in range(10)]
    )
    listings = [
        [c.id for c in client.v1.customers.list({"limit": 3}).auto_paging_iter()]
        for client in clients
    ]
    assert sorted(listings[0]) == sorted(made)
    assert listings[0] == listings[1]


def test_workers_share_one_database(workers: Server, stripe_key: str) -> None:
    clients = [stripe_client(stripe_key, workers.url) for _ in range(WRITERS)]
    customer = clients[0].v1.customers.create().id
    all_at_once([lambda i=i: add_key(clients[i], customer, i) for i in range(WRITERS)])
    assert clients[0].v1.customers.retrieve(customer).metadata.to_dict() == {
        f"k{i}": str(i) for i in range(WRITERS)
    }
    created = all_at_once([lambda c=c: c.v1.customers.create().id for c in clients[:6]])
    listed = {c.id for c in clients[0].v1.customers.list({"limit": 100}).data}
    assert listed == {customer, *created}


def test_workers_stop_once_the_process_that_started_them_is_killed(
    database_url: str, tmp_path: Path
) -> None:
    """A ``rolodex serve --workers 2`` killed outright leaves no worker serving its port."""
    server = Server(database_url, tmp_path / "killed.log", workers=2).start()
    try:
        assert server.answers()
        server.kill()
        deadline = time.monotonic() + 20
        while server.answers() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not server.answers(), server.log()
    finally:
        server.stop()
