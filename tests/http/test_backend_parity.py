"""Stripe behaviours that rest on the store's unique keys, alike on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import stripe

from tests.http.conftest import stripe_client
from tests.support.server import Server


@pytest.fixture
def client(server: Server, stripe_key: str) -> stripe.StripeClient:
    return stripe_client(stripe_key, server.url)


def prefix_in_use(
    client: stripe.StripeClient, attempt: dict[str, str], id: str | None = None
) -> str:
    with pytest.raises(stripe.InvalidRequestError) as taken:
        if id is None:
            client.v1.customers.create(attempt)
        else:
            client.v1.customers.update(id, attempt)
    assert (taken.value.http_status, taken.value.param) == (400, "invoice_prefix")
    assert taken.value.error is not None and taken.value.error.message is not None
    return taken.value.error.message


def test_an_invoice_prefix_belongs_to_one_customer(client: stripe.StripeClient) -> None:
    holder = client.v1.customers.create({"invoice_prefix": "PARITY1"})
    other = client.v1.customers.create({"name": "other"})
    message = prefix_in_use(client, {"invoice_prefix": "PARITY1", "name": "dup"})
    assert message == "Invoice prefix PARITY1 is already in use by another customer."
    prefix_in_use(client, {"invoice_prefix": "PARITY1"}, other.id)
    assert [c.id for c in client.v1.customers.list().data] == [other.id, holder.id]
    assert client.v1.customers.retrieve(other.id).invoice_prefix != "PARITY1"


def test_a_deleted_customer_keeps_its_invoice_prefix(client: stripe.StripeClient) -> None:
    holder = client.v1.customers.create({"invoice_prefix": "PARITY2"})
    client.v1.customers.delete(holder.id)
    prefix_in_use(client, {"invoice_prefix": "PARITY2"})
