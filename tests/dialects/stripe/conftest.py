"""Clients for the Stripe end-to-end tests: the official SDK and raw HTTP, per test key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import stripe

from tests.conftest import random_key
from tests.support.server import Server


def sdk(server: Server, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.url})


@pytest.fixture
def client(server: Server, stripe_key: str) -> stripe.StripeClient:
    return sdk(server, stripe_key)


@pytest.fixture
def live_client(server: Server) -> stripe.StripeClient:
    return sdk(server, random_key("sk_live_"))


@pytest.fixture
def raw(server: Server, stripe_key: str) -> Iterator[httpx.Client]:
    """Plain HTTP as curl would speak it, authenticated with this test's key."""
    with httpx.Client(base_url=server.url, auth=(stripe_key, ""), timeout=30) as http:
        yield http
