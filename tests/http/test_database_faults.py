"""Database faults while serving: a quick 503 in Stripe's envelope, never a hang, then recovery.

Restarts and freezes happen on a private PostgreSQL server (the shared one serves other test
runs); timeouts that need no restart use a fresh database on the shared server.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import stripe

from tests.conftest import random_key
from tests.http.conftest import stripe_client
from tests.support.postgres import PrivatePostgres, fresh_database, private_postgres
from tests.support.server import Server

pytestmark = pytest.mark.postgres

HANG_GUARD_S = 60.0
"""A request unanswered after this long has hung; every fault here is answered far sooner."""


@pytest.fixture(scope="module")
def private_server() -> Iterator[PrivatePostgres]:
    with private_postgres() as database:
        yield database


@pytest.fixture
def private_db(private_server: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """The private server, running at the start and at the end of each test."""
    if not private_server.is_running():
        private_server.start()
    yield private_server
    if not private_server.is_running():
        private_server.start()


@pytest.fixture
def shared_db() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], Api]]:
    """Start a server over a database; the server's log must show no traceback at the end."""
    started: list[Api] = []

    def start(database_url: str) -> Api:
        server = Server(database_url, tmp_path / f"server{len(started)}.log").start()
        started.append(Api(server))
        return started[-1]

    yield start
    for api in started:
        api.http.close()
        api.server.stop()
        assert "Traceback" not in api.server.log()


class Api:
    """Raw HTTP calls, so the tests see the exact status, headers and envelope."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.key = random_key("sk_test_")
        self.http = httpx.Client(base_url=server.url, auth=(self.key, ""), timeout=HANG_GUARD_S)

    def create(self, **fields: str) -> httpx.Response:
        return self.http.post("/v1/customers", data=fields)

    def retrieve(self, id: str) -> httpx.Response:
        return self.http.get(f"/v1/customers/{id}")

    def update(self, id: str, **fields: str) -> httpx.Response:
        return self.http.post(f"/v1/customers/{id}", data=fields)

    def every_call(self, id: str) -> list[Callable[[], httpx.Response]]:
        return [
            lambda: self.create(name="new"),
            lambda: self.retrieve(id),
            lambda: self.update(id, name="changed"),
            lambda: self.http.get("/v1/customers"),
            lambda: self.http.delete(f"/v1/customers/{id}"),
        ]


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["type"] == "api_error"
    assert set(error) == {"type", "message", "request_log_url"}
    assert response.headers["stripe-should-retry"] == "true"


def created_id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    id: str = response.json()["id"]
    return id


def test_a_restart_fails_requests_cleanly_and_service_resumes(
    private_db: PrivatePostgres, serve: Callable[[str], Api]
) -> None:
    api = serve(private_db.admin_url)
    id = created_id(api.create(name="kept"))
    private_db.stop()
    for call in api.every_call(id):
        assert_unavailable(call())
    assert "the database is unavailable: " in api.server.log()  # the cause, for the operator
    with pytest.raises(stripe.APIError) as failure:
        stripe_client(api.key, api.server.url).v1.customers.retrieve(id)
    assert failure.value.http_status == 503
    private_db.start()
    assert api.retrieve(id).json()["name"] == "kept"
    created_id(api.create(name="after"))


def test_a_restart_between_requests_goes_unnoticed(
    private_db: PrivatePostgres, serve: Callable[[str], Api]
) -> None:
    """Pooled connections died with the old server; each is checked before it is lent."""
    api = serve(private_db.admin_url)
    id = created_id(api.create(name="kept"))
    private_db.stop()
    private_db.start()
    assert api.retrieve(id).json()["name"] == "kept"


def test_a_request_cut_off_by_the_restart_fails_cleanly(
    private_db: PrivatePostgres, serve: Callable[[str], Api]
) -> None:
    api = serve(private_db.admin_url)
    id = created_id(api.create())
    with row_locked(private_db.admin_url, id), ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(api.update, id, name="caught")
        wait_for_lock_wait(private_db.admin_url, waiting)
        private_db.stop()
        assert_unavailable(waiting.result(timeout=HANG_GUARD_S))
    private_db.start()
    assert api.update(id, name="retried").json()["name"] == "retried"


def test_a_frozen_database_fails_requests_at_the_deadline(
    private_db: PrivatePostgres, serve: Callable[[str], Api]
) -> None:
    api = serve(f"{private_db.admin_url}?operation_timeout=1&connect_timeout=1")
    id = created_id(api.create(name="kept"))
    with private_db.frozen():
        assert_unavailable(api.retrieve(id))
    assert api.retrieve(id).json()["name"] == "kept"


def test_a_statement_past_its_timeout_fails_cleanly(
    shared_db: str, serve: Callable[[str], Api]
) -> None:
    api = serve(f"{shared_db}?statement_timeout=200")
    id = created_id(api.create())
    with row_locked(shared_db, id):
        assert_unavailable(api.update(id, name="blocked"))
    assert api.update(id, name="free").json()["name"] == "free"


def test_a_request_finding_no_free_connection_fails_cleanly(
    shared_db: str, serve: Callable[[str], Api]
) -> None:
    api = serve(f"{shared_db}?pool_size=1&max_overflow=0&pool_timeout=0.5")
    id = created_id(api.create())
    with ThreadPoolExecutor(1) as pool:
        with row_locked(shared_db, id):
            holding = pool.submit(api.update, id, name="held")
            wait_for_lock_wait(shared_db, holding)
            assert_unavailable(api.retrieve(id))
        assert holding.result(timeout=HANG_GUARD_S).json()["name"] == "held"


@contextlib.contextmanager
def row_locked(database_url: str, id: str) -> Iterator[None]:
    """Hold a customer's row lock from outside Rolodex, as a long transaction would."""
    with psycopg.connect(database_url, connect_timeout=5) as conn:
        conn.execute("SELECT 1 FROM customers WHERE id = %s FOR UPDATE", (id,))
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.OperationalError):  # gone with a stopped server
                conn.rollback()


def wait_for_lock_wait(database_url: str, request: Future[Any]) -> None:
    """Until a Rolodex session waits on a lock (or the request has already finished)."""
    deadline = time.monotonic() + HANG_GUARD_S
    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as watcher:
        while time.monotonic() < deadline and not request.done():
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = 'rolodex' AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"the request never waited on the lock: {request}")
