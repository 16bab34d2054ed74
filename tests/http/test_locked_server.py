"""A locked server (``rolodex serve --locked``): each dialect's SDK with a key ``rolodex keys``
holds works as on an open server; any other well-formed key gets that API's answer to a key it
does not know."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe
from autumn_sdk import Autumn
from dub import Dub
from dub.models import errors

from rolodex.service import ADMISSION_US
from tests.conftest import random_key
from tests.support.cli import rolodex
from tests.support.server import Server


@pytest.fixture(scope="module")
def locked(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = Path(tmp_path_factory.mktemp("locked")) / "server.log"
    running = Server(database_url, log, options=["--locked"]).start()
    yield running
    running.stop()


def hold(server: Server, key: str) -> str:
    held = rolodex("keys", "add", key, "--database", server.database_url)
    assert held.stdout.startswith("Holding"), held.stderr
    return key


def revoke(server: Server, key: str) -> None:
    revoked = rolodex("keys", "revoke", key, "--database", server.database_url)
    assert revoked.returncode == 0, revoked.stderr


def stripe_client(server: Server, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.url}, max_network_retries=0)


def test_stripe_takes_a_held_key_and_refuses_others(locked: Server) -> None:
    key = hold(locked, random_key("sk_test_"))
    created = stripe_client(locked, key).v1.customers.create(params={"name": "Locked"})
    assert stripe_client(locked, key).v1.customers.retrieve(created.id).name == "Locked"
    stranger = random_key("sk_test_")
    with pytest.raises(stripe.AuthenticationError) as refused:
        stripe_client(locked, stranger).v1.customers.list()
    assert refused.value.http_status == 401
    assert refused.value.user_message == (
        f"Invalid API Key provided: sk_test_{'*' * 20}{stranger[-4:]}"
    )
    # The same secret in live mode is another key, and not held.
    with pytest.raises(stripe.AuthenticationError):
        stripe_client(locked, key.replace("sk_test_", "sk_live_")).v1.customers.list()


def test_autumn_takes_a_held_key_and_refuses_others(locked: Server) -> None:
    key = hold(locked, random_key("am_sk_test_", 42))
    sdk = Autumn(secret_key=key, server_url=f"{locked.url}/autumn")
    assert sdk.customers.get_or_create(customer_id="org-1", name="Locked").id == "org-1"
    stranger = random_key("am_sk_test_", 42)
    refused = httpx.post(
        f"{locked.url}/autumn/v1/customers.get",
        json={"customer_id": "org-1"},
        headers={"authorization": f"Bearer {stranger}"},
    )
    assert refused.status_code == 401
    assert refused.json() == {
        "message": f"Invalid secret key: {stranger[:15]}{'*' * (len(stranger) - 15)}",
        "code": "invalid_secret_key",
        "env": "sandbox",
    }


def test_dub_takes_a_held_key_and_refuses_others(locked: Server) -> None:
    key = hold(locked, random_key("dub_"))
    with Dub(token=key, server_url=f"{locked.url}/dub") as dub:
        page = dub.customers.list(request={})
        assert page is not None and page.result == []
    with (
        Dub(token=random_key("dub_"), server_url=f"{locked.url}/dub") as stranger,
        pytest.raises(errors.Unauthorized) as refused,
    ):
        stranger.customers.list(request={})
    assert refused.value.data.error.message == "Unauthorized: Invalid API key."


def test_a_revoked_key_is_refused_within_a_second(locked: Server) -> None:
    key = hold(locked, random_key("sk_test_"))
    stripe_client(locked, key).v1.customers.list()
    revoke(locked, key)
    time.sleep(ADMISSION_US / 1e6 + 0.2)  # the server took the key as held for this long
    with pytest.raises(stripe.AuthenticationError):
        stripe_client(locked, key).v1.customers.list()


def test_a_locked_server_says_so_when_it_starts(locked: Server) -> None:
    assert "locked: only the keys `rolodex keys` holds are accepted" in locked.log_path.read_text()
