"""Auto-pagination with the official SDK over 250 customers, in both directions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import stripe

from tests.conftest import random_key
from tests.dialects.stripe.conftest import sdk
from tests.support.server import Server

COUNT = 250


@dataclass(frozen=True)
class Account:
    client: stripe.StripeClient
    ids: list[str]
    """Customer ids in creation order; many share a second, so order rests on the tie-break."""


@pytest.fixture(scope="module")
def account(server: Server) -> Account:
    """One account of 250 customers per backend, read (never changed) by the tests below."""
    client = sdk(server, random_key("sk_test_"))
    return Account(client, [client.v1.customers.create({"name": f"c{i}"}).id for i in range(COUNT)])


@pytest.fixture
def client(account: Account) -> stripe.StripeClient:
    return account.client


@pytest.fixture
def ids(account: Account) -> list[str]:
    return account.ids


def test_forward_walks_every_customer_newest_first(
    client: stripe.StripeClient, ids: list[str]
) -> None:
    walked = [c.id for c in client.v1.customers.list({"limit": 100}).auto_paging_iter()]
    assert walked == ids[::-1]


def test_forward_from_a_cursor(client: stripe.StripeClient, ids: list[str]) -> None:
    start = ids[200]
    walked = [
        c.id
        for c in client.v1.customers.list({"limit": 7, "starting_after": start}).auto_paging_iter()
    ]
    assert walked == ids[:200][::-1]


def test_backward_walks_towards_the_newest(client: stripe.StripeClient, ids: list[str]) -> None:
    pages = client.v1.customers.list({"limit": 100, "ending_before": ids[0]})
    assert [c.id for c in pages.data] == ids[1:101][::-1]
    assert pages.has_more is True
    walked = [c.id for c in pages.auto_paging_iter()]
    assert walked == ids[1:]


def test_backward_with_small_pages(client: stripe.StripeClient, ids: list[str]) -> None:
    walked = [
        c.id
        for c in client.v1.customers.list(
            {"limit": 9, "ending_before": ids[100]}
        ).auto_paging_iter()
    ]
    assert walked == ids[101:]


def test_pages_are_stable_and_exact(client: stripe.StripeClient, ids: list[str]) -> None:
    first = client.v1.customers.list({"limit": 100})
    second = client.v1.customers.list({"limit": 100, "starting_after": first.data[-1].id})
    third = client.v1.customers.list({"limit": 100, "starting_after": second.data[-1].id})
    assert (len(first.data), len(second.data), len(third.data)) == (100, 100, 50)
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)
    assert [c.id for c in first.data + second.data + third.data] == ids[::-1]
    back = client.v1.customers.list({"limit": 100, "ending_before": third.data[0].id})
    assert [c.id for c in back.data] == [c.id for c in second.data]


def test_deleted_customers_leave_pages(server: Server, stripe_key: str) -> None:
    client = sdk(server, stripe_key)
    ids = [client.v1.customers.create().id for _ in range(30)]
    for customer_id in ids[::2]:
        client.v1.customers.delete(customer_id)
    walked = [c.id for c in client.v1.customers.list({"limit": 4}).auto_paging_iter()]
    assert walked == ids[1::2][::-1]
    from_deleted = client.v1.customers.list({"limit": 3, "starting_after": ids[10]})
    assert [c.id for c in from_deleted.data] == [ids[9], ids[7], ids[5]]
