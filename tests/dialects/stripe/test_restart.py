"""Customers outlive the process: create, restart the server on the same file, read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from tests.conftest import random_key
from tests.dialects.stripe.conftest import sdk
from tests.support.server import Server


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Server]:
    running = Server(f"sqlite:///{tmp_path / 'restart.db'}", tmp_path / "server.log").start()
    yield running
    running.stop()


def test_a_restart_keeps_every_customer(own_server: Server) -> None:
    key = random_key("sk_test_")
    before = sdk(own_server, key)
    kept = before.v1.customers.create(
        {"email": "kept@example.com", "metadata": {"plan": "pro"}, "address": {"city": "Paris"}}
    )
    gone = before.v1.customers.create()
    before.v1.customers.delete(gone.id)
    own_server.restart()
    after = sdk(own_server, key)
    assert after.v1.customers.retrieve(kept.id).to_dict() == kept.to_dict()
    assert after.v1.customers.retrieve(gone.id).to_dict() == {
        "id": gone.id, "object": "customer", "deleted": True,
    }  # fmt: skip
    assert [c.id for c in after.v1.customers.list().data] == [kept.id]
    with pytest.raises(stripe.InvalidRequestError):
        after.v1.customers.create({"invoice_prefix": kept.invoice_prefix})


def test_a_restart_keeps_every_remembered_answer(own_server: Server) -> None:
    key = random_key("sk_test_")
    options: stripe.RequestOptions = {"idempotency_key": "rolodex-restart-test"}
    first = sdk(own_server, key).v1.customers.create({"name": "Kept"}, options)
    own_server.restart()
    again = sdk(own_server, key).v1.customers.create({"name": "Kept"}, options)
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
