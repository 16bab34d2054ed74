"""autumn-sdk against a real server: get-or-create, get, list, delete, keys and environments."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from autumn_sdk import Autumn
from autumn_sdk.errors import AutumnDefaultError

from tests.conftest import random_key
from tests.dialects.autumn.conftest import KEY_LENGTH, Wire

FRESH_CUSTOMER_KEYS = [
    "id", "name", "email", "created_at", "fingerprint", "stripe_id", "env", "metadata",
    "send_email_receipts", "billing_controls", "subscriptions", "purchases", "licenses",
    "balances", "flags", "config",
]  # fmt: skip


def test_a_fresh_customer_has_every_key_empty_but_correct(sdk: Autumn) -> None:
    before_ms = time.time() * 1000
    customer = sdk.customers.get_or_create(customer_id="user_1", name="Jo", email="jo@example.com")
    raw = json.loads(sdk.customers.get(customer_id="user_1").model_dump_json())
    assert list(raw)[: len(FRESH_CUSTOMER_KEYS)] == FRESH_CUSTOMER_KEYS
    assert raw["env"] == "sandbox"
    assert (raw["subscriptions"], raw["purchases"], raw["licenses"]) == ([], [], [])
    assert (raw["balances"], raw["flags"], raw["billing_controls"]) == ({}, {}, {})
    assert raw["metadata"] == {} and raw["send_email_receipts"] is False
    assert "processors" not in raw
    # Milliseconds since the epoch, not seconds.
    assert before_ms - 60_000 < customer.created_at < before_ms + 60_000


def test_get_or_create_is_idempotent_and_does_not_mutate(sdk: Autumn) -> None:
    first = sdk.customers.get_or_create(
        customer_id="u1", email="first@example.com", metadata={"a": "1"}, fingerprint="fp1"
    )
    again = sdk.customers.get_or_create(
        customer_id="u1",
        name="Filled In",
        email="second@example.com",
        metadata={"b": "2"},
        fingerprint="fp2",
        stripe_id="cus_other",
    )
    assert again.created_at == first.created_at
    assert again.name == "Filled In"  # a blank name is filled, nothing else changes
    assert (again.email, again.metadata, again.fingerprint) == (
        "first@example.com",
        {"a": "1"},
        "fp1",
    )
    assert again.stripe_id is None
    assert len(sdk.customers.list().list) == 1


def test_email_only_customers_are_found_by_email_and_claimed_by_id(sdk: Autumn) -> None:
    orphan = sdk.customers.get_or_create(customer_id=None, email="Jo@Example.com")
    assert orphan.id is None
    same = sdk.customers.get_or_create(customer_id=None, email="jo@example.COM")
    assert same.created_at == orphan.created_at
    claimed = sdk.customers.get_or_create(customer_id="jo", email="JO@example.com")
    assert (claimed.id, claimed.created_at) == ("jo", orphan.created_at)
    assert [c.id for c in sdk.customers.list().list] == ["jo"]
    fresh = sdk.customers.get_or_create(customer_id=None, email="jo@example.com")
    assert fresh.id is None and fresh.created_at >= orphan.created_at
    assert len(sdk.customers.list().list) == 2


def test_an_email_only_customer_may_take_anothers_email_and_frees_its_own(wire: Wire) -> None:
    def get_or_create(email: str) -> dict[str, Any]:
        body = {"customer_id": None, "email": email, "with_autumn_id": True}
        answer: dict[str, Any] = wire.rpc("get_or_create", body).json()
        return answer

    first, second = get_or_create("one@example.com"), get_or_create("two@example.com")
    moved = wire.rpc("update", {"customer_id": second["autumn_id"], "email": "ONE@example.com"})
    assert moved.status_code == 200, moved.text
    assert get_or_create("one@example.com")["autumn_id"] == first["autumn_id"]  # the oldest
    fresh = get_or_create("two@example.com")
    assert fresh["autumn_id"] not in (first["autumn_id"], second["autumn_id"])
    assert len(wire.rpc("list", {}).json()["list"]) == 3


def test_a_claim_gives_the_id_and_changes_nothing_else(sdk: Autumn) -> None:
    orphan = sdk.customers.get_or_create(customer_id=None, email="z@example.com")
    claimed = sdk.customers.get_or_create(
        customer_id="z", email="z@example.com", name="New Name", send_email_receipts=True
    )
    assert (claimed.id, claimed.created_at) == ("z", orphan.created_at)
    assert (claimed.name, claimed.send_email_receipts) == (None, False)
    again = sdk.customers.get_or_create(customer_id="z", name="New Name")
    assert again.name == "New Name"  # once it has its id, a blank name is filled as usual


def test_an_empty_stripe_id_links_nothing(sdk: Autumn) -> None:
    created = sdk.customers.get_or_create(customer_id="unlinked", stripe_id="")
    raw = json.loads(sdk.customers.get(customer_id="unlinked").model_dump_json())
    assert created.stripe_id is None and raw["stripe_id"] is None
    assert "processors" not in raw


def test_get_or_create_needs_an_id_or_an_email(sdk: Autumn) -> None:
    with pytest.raises(AutumnDefaultError) as refused:
        sdk.customers.get_or_create(customer_id=None, name="Nobody")
    assert refused.value.status_code == 400
    assert json.loads(refused.value.body) == {
        "message": "Either customer ID or email is required",
        "code": "invalid_request",
        "env": "sandbox",
    }


def test_get_expands_to_empty_collections(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="u1")
    customer = sdk.customers.get(
        customer_id="u1", expand=["invoices", "entities", "trials_used", "rewards", "referrals"]
    )
    assert (customer.invoices, customer.entities, customer.trials_used) == ([], [], [])
    assert customer.referrals == [] and customer.rewards is None


def test_missing_customer_is_404(sdk: Autumn) -> None:
    with pytest.raises(AutumnDefaultError) as missing:
        sdk.customers.get(customer_id="nobody")
    assert missing.value.status_code == 404
    assert json.loads(missing.value.body) == {
        "message": "Customer nobody not found",
        "code": "customer_not_found",
        "env": "sandbox",
    }


def test_list_pages_by_cursor_newest_first(sdk: Autumn) -> None:
    ids = [sdk.customers.get_or_create(customer_id=f"c{i}").id for i in range(7)]
    seen: list[str | None] = []
    cursor = ""
    pages = 0
    while True:
        page = sdk.customers.list(start_cursor=cursor, limit=3)
        seen.extend(customer.id for customer in page.list)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ids[::-1]
    assert pages == 3
    ascending = sdk.customers.list(sort_order="asc", limit=100)
    assert [c.id for c in ascending.list] == ids


def test_list_searches_id_name_and_email_ignoring_case(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="alpha-1", name="Zed")
    sdk.customers.get_or_create(customer_id="b2", name="Mary ALPHAson")
    sdk.customers.get_or_create(customer_id="c3", email="someone@alpha.io")
    sdk.customers.get_or_create(customer_id="d4", name="Unrelated")
    found = sdk.customers.list(search="  Alpha ")
    assert sorted(c.id or "" for c in found.list) == ["alpha-1", "b2", "c3"]
    percent = sdk.customers.list(search="%")
    assert percent.list == []


def test_list_filters_by_creation_time(sdk: Autumn) -> None:
    first = sdk.customers.get_or_create(customer_id="early")
    time.sleep(0.01)
    second = sdk.customers.get_or_create(customer_id="late")
    only_late = sdk.customers.list(created_at_range={"start": second.created_at})
    assert [c.id for c in only_late.list] == ["late"]
    only_early = sdk.customers.list(created_at_range={"end": first.created_at})
    assert [c.id for c in only_early.list] == ["early"]


def test_list_filters_that_no_customer_meets(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="plain")
    sdk.customers.get_or_create(customer_id="linked", stripe_id="cus_abc")
    assert sdk.customers.list(plans=[{"id": "pro"}]).list == []
    stripe = sdk.customers.list(processors=["stripe"])
    assert [c.id for c in stripe.list] == ["linked"]
    assert stripe.list[0].processors is not None
    assert sdk.customers.list(processors=["vercel"]).list == []


def test_delete_then_recreate_is_a_new_customer(sdk: Autumn) -> None:
    first = sdk.customers.get_or_create(customer_id="gone", metadata={"x": 1})
    assert sdk.customers.delete(customer_id="gone").success is True
    with pytest.raises(AutumnDefaultError) as missing:
        sdk.customers.get(customer_id="gone")
    assert missing.value.status_code == 404
    with pytest.raises(AutumnDefaultError) as again:
        sdk.customers.delete(customer_id="gone")
    assert json.loads(again.value.body)["code"] == "customer_not_found"
    time.sleep(0.002)
    second = sdk.customers.get_or_create(customer_id="gone")
    assert second.created_at > first.created_at and second.metadata == {}


def test_sandbox_and_live_keys_never_share_customers(autumn_url: str) -> None:
    secret = random_key("", KEY_LENGTH)
    sandbox = Autumn(secret_key="am_sk_test_" + secret, server_url=autumn_url)
    live = Autumn(secret_key="am_sk_live_" + secret, server_url=autumn_url)
    assert sandbox.customers.get_or_create(customer_id="shared", name="S").env == "sandbox"
    assert live.customers.get_or_create(customer_id="shared", name="L").env == "live"
    assert sandbox.customers.get(customer_id="shared").name == "S"
    assert live.customers.get(customer_id="shared").name == "L"
    live.customers.delete(customer_id="shared")
    assert sandbox.customers.get(customer_id="shared").name == "S"
    with pytest.raises(AutumnDefaultError) as missing:
        live.customers.get(customer_id="shared")
    assert json.loads(missing.value.body)["env"] == "live"


def test_each_key_is_its_own_organisation(sdk: Autumn, autumn_url: str) -> None:
    sdk.customers.get_or_create(customer_id="mine")
    other = Autumn(secret_key=random_key("am_sk_test_", KEY_LENGTH), server_url=autumn_url)
    assert other.customers.list().list == []
    with pytest.raises(AutumnDefaultError):
        other.customers.get(customer_id="mine")


def test_a_bad_key_is_refused(autumn_url: str) -> None:
    broken = Autumn(secret_key="am_sk_test_not-alphanumeric!", server_url=autumn_url)
    with pytest.raises(AutumnDefaultError) as refused:
        broken.customers.list()
    assert refused.value.status_code == 401
    assert json.loads(refused.value.body) == {
        "message": "Invalid secret key: am_sk_test_not-" + "*" * 13,
        "code": "invalid_secret_key",
        "env": "sandbox",
    }
