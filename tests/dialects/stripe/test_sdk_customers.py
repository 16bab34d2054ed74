"""The official stripe SDK against a real server: every customer operation."""

from __future__ import annotations

import pytest
import stripe

from tests.support.server import Server


@pytest.fixture
def client(server: Server, stripe_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(stripe_key, base_addresses={"api": server.url})


def test_create_retrieve_round_trip(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        {"email": "jenny@example.com", "name": "Jenny Rosen", "metadata": {"order": "6735"}}
    )
    fetched = client.v1.customers.retrieve(created.id)
    assert fetched.email == "jenny@example.com"
    assert fetched.name == "Jenny Rosen"
    assert fetched.metadata.to_dict() == {"order": "6735"}
    assert fetched.id.startswith("cus_") and len(fetched.id) == 18
    assert fetched.livemode is False
    assert fetched.tax_exempt == "none"


def test_update_merges_metadata_and_unsets(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create({"description": "first", "metadata": {"a": "1", "b": "2"}})
    updated = client.v1.customers.update(
        created.id, {"description": "", "metadata": {"a": "", "c": "3"}}
    )
    assert updated.description is None
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}


def test_delete_leaves_a_stub(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create()
    deleted = client.v1.customers.delete(created.id)
    assert deleted.deleted is True
    assert client.v1.customers.retrieve(created.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.update(created.id, {"name": "x"})
    assert missing.value.http_status == 404
    assert missing.value.param == "id"


def test_missing_customer_error(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_nonexistent")
    assert missing.value.code == "resource_missing"
    assert missing.value.http_status == 404
    assert missing.value.error is not None
    assert missing.value.error.message == "No such customer: 'cus_nonexistent'"


def test_auto_pagination_both_ways(client: stripe.StripeClient) -> None:
    ids = [client.v1.customers.create({"name": f"c{i}"}).id for i in range(25)]
    forward = [c.id for c in client.v1.customers.list({"limit": 10}).auto_paging_iter()]
    assert forward == ids[::-1]
    backward_pages = client.v1.customers.list({"limit": 10, "ending_before": ids[0]})
    backward = [c.id for c in backward_pages.auto_paging_iter()]
    assert backward == ids[1:]


def test_keys_are_separate_accounts(server: Server, stripe_key: str) -> None:
    mine = stripe.StripeClient(stripe_key, base_addresses={"api": server.url})
    theirs = stripe.StripeClient(stripe_key + "x", base_addresses={"api": server.url})
    created = mine.v1.customers.create({"name": "private"})
    with pytest.raises(stripe.InvalidRequestError):
        theirs.v1.customers.retrieve(created.id)
    assert theirs.v1.customers.list().data == []
