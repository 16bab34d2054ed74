"""The official stripe SDK against a real server: every customer operation and parameter."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import stripe

from tests.conftest import random_key
from tests.dialects.stripe.conftest import sdk
from tests.support.server import Server

ADDRESS = {
    "city": "Paris", "country": "FR", "line1": "1 Rue de Rivoli", "line2": "Apt 2",
    "postal_code": "75001", "state": "IDF",
}  # fmt: skip
EVERY_CREATE_PARAMETER: dict[str, Any] = {
    "address": ADDRESS,
    "balance": -1250,
    "business_name": "Rocket Rides",
    "cash_balance": {"settings": {"reconciliation_mode": "manual"}},
    "description": "First customer",
    "email": "jenny.rosen@example.com",
    "individual_name": "Jenny Rosen",
    "invoice_prefix": "ROCKET42",
    "invoice_settings": {
        "custom_fields": [{"name": "PO", "value": "6735"}, {"name": "Dept", "value": "R&D"}],
        "footer": "Thank you",
        "rendering_options": {"amount_tax_display": "exclude_tax", "template": "inrtem_1"},
    },
    "metadata": {"order_id": "6735", "plan": "pro plan"},
    "name": "Jenny Rosen",
    "next_invoice_sequence": 42,
    "phone": "+1 555 0100",
    "preferred_locales": ["fr-FR", "en"],
    "shipping": {"address": ADDRESS, "name": "Jenny", "phone": "+33 1 00"},
    "tax": {"ip_address": "203.0.113.9", "validate_location": "deferred"},
    "tax_exempt": "reverse",
}


def as_dict(customer: stripe.Customer) -> dict[str, Any]:
    return customer.to_dict()


def test_every_create_parameter_round_trips(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(EVERY_CREATE_PARAMETER)  # type: ignore[arg-type]
    fetched = as_dict(client.v1.customers.retrieve(created.id, {"expand": ["tax", "cash_balance"]}))
    assert fetched == {
        **as_dict(created),
        "tax": fetched["tax"],
        "cash_balance": fetched["cash_balance"],
    }
    for name in ("address", "balance", "business_name", "description", "email", "individual_name",
                 "invoice_prefix", "metadata", "name", "next_invoice_sequence", "phone",
                 "preferred_locales", "shipping", "tax_exempt"):  # fmt: skip
        assert fetched[name] == EVERY_CREATE_PARAMETER[name], name
    assert fetched["invoice_settings"] == {
        **EVERY_CREATE_PARAMETER["invoice_settings"],
        "default_payment_method": None,
    }
    assert fetched["cash_balance"]["settings"] == {
        "reconciliation_mode": "manual",
        "using_merchant_default": False,
    }
    assert fetched["tax"] == {
        "automatic_tax": "supported",
        "ip_address": "203.0.113.9",
        "location": {"country": "FR", "source": "shipping_destination", "state": "IDF"},
        "provider": "stripe",
    }


def test_a_fresh_customer_has_every_default(client: stripe.StripeClient) -> None:
    before = int(time.time())
    customer = as_dict(client.v1.customers.create())
    assert re.fullmatch(r"cus_[A-Za-z0-9]{14}", customer.pop("id"))
    assert re.fullmatch(r"[A-Z0-9]{8}", customer.pop("invoice_prefix"))
    assert before - 1 <= customer.pop("created") <= int(time.time()) + 1
    assert customer == {
        "object": "customer", "address": None, "balance": 0, "currency": None,
        "default_source": None, "delinquent": False, "description": None, "discount": None,
        "email": None,
        "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                             "rendering_options": None},
        "livemode": False, "metadata": {}, "name": None, "next_invoice_sequence": 1, "phone": None,
        "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
    }  # fmt: skip


def test_generated_invoice_prefixes_are_unique_and_taken_ones_refused(
    server: Server, client: stripe.StripeClient
) -> None:
    prefixes = {client.v1.customers.create().invoice_prefix for _ in range(20)}
    assert len(prefixes) == 20
    holder = client.v1.customers.create({"invoice_prefix": "TAKEN1"})
    other = client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError) as taken:
        client.v1.customers.update(other.id, {"invoice_prefix": "TAKEN1"})
    assert (taken.value.http_status, taken.value.param) == (400, "invoice_prefix")
    client.v1.customers.delete(holder.id)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.create({"invoice_prefix": "TAKEN1"})
    elsewhere = sdk(server, random_key("sk_test_"))
    assert elsewhere.v1.customers.create({"invoice_prefix": "TAKEN1"}).invoice_prefix == "TAKEN1"


def test_every_update_parameter_round_trips(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"name": "Before", "metadata": {"keep": "yes"}})
    changes = {key: value for key, value in EVERY_CREATE_PARAMETER.items() if key != "metadata"}
    changes["tax"] = {"ip_address": "198.51.100.7", "validate_location": "auto"}
    updated = as_dict(client.v1.customers.update(customer.id, changes))  # type: ignore[arg-type]
    fetched = as_dict(client.v1.customers.retrieve(customer.id))
    assert fetched == updated
    assert fetched["metadata"] == {"keep": "yes"}
    assert fetched["invoice_prefix"] == "ROCKET42"
    assert fetched["business_name"] == "Rocket Rides"
    assert fetched["shipping"] == EVERY_CREATE_PARAMETER["shipping"]


def test_only_sent_fields_change_and_empty_strings_unset(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        {"description": "d", "email": "a@example.com", "business_name": "B", "address": ADDRESS,
         "metadata": {"a": "1", "b": "2"}, "invoice_settings": {"footer": "f"}}
    )  # fmt: skip
    step = client.v1.customers.update(customer.id, {"metadata": {"a": "", "c": "3"}, "phone": "1"})
    assert step.metadata.to_dict() == {"b": "2", "c": "3"}
    assert (step.description, step.email, step.phone) == ("d", "a@example.com", "1")
    cleared = as_dict(
        client.v1.customers.update(
            customer.id,
            {
                "description": "",
                "business_name": "",
                "address": "",
                "tax_exempt": "",
                "invoice_settings": {"footer": ""},
            },
        )
    )
    assert cleared["description"] is None
    assert "business_name" not in cleared
    assert cleared["address"] is None
    assert cleared["tax_exempt"] == "none"
    assert cleared["invoice_settings"]["footer"] is None
    assert cleared["email"] == "a@example.com"
    emptied = client.v1.customers.update(customer.id, {"metadata": ""})
    assert emptied.metadata.to_dict() == {}


@pytest.mark.parametrize(
    "name", ["invoice_prefix", "balance", "next_invoice_sequence", "invoice_settings"]
)
def test_parameters_that_cannot_be_unset(client: stripe.StripeClient, name: str) -> None:
    customer = client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.update(customer.id, {name: ""})  # type: ignore[misc]
    assert refused.value.code == "parameter_invalid_empty"
    assert refused.value.param == name


def test_sdk_save_style_partial_update_keeps_other_keys(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"metadata": {"a": "1", "b": "2"}, "name": "N"})
    client.v1.customers.update(customer.id, {"metadata": {"b": "20"}})
    fetched = client.v1.customers.retrieve(customer.id)
    assert fetched.metadata.to_dict() == {"a": "1", "b": "20"}
    assert fetched.name == "N"


def test_expanding_fields_rolodex_never_fills_leaves_them_null(client: stripe.StripeClient) -> None:
    paths = ["default_source", "test_clock", "discount", "invoice_settings.default_payment_method"]
    created = client.v1.customers.create({"expand": paths})
    fetched = client.v1.customers.retrieve(created.id, {"expand": paths})
    for customer in (created, fetched):
        assert customer.default_source is None and customer.test_clock is None
        assert (
            customer.discount is None and customer.invoice_settings.default_payment_method is None
        )


def test_includables_expand_on_every_operation(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create({"expand": ["sources"]})
    assert created.sources is not None and created.sources.data == []
    updated = client.v1.customers.update(created.id, {"expand": ["subscriptions"]})
    assert updated.subscriptions is not None and updated.subscriptions.url.endswith(
        "/subscriptions"
    )
    listed = client.v1.customers.list({"expand": ["data.tax"], "limit": 1})
    assert listed.data[0].tax is not None
    assert listed.data[0].tax.automatic_tax == "unrecognized_location"
    assert "tax" not in client.v1.customers.retrieve(created.id)


def test_tax_ids_given_at_creation_expand(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        {"tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}], "expand": ["tax_ids"]}
    )
    assert customer.tax_ids is not None
    [tax_id] = customer.tax_ids.data
    assert (tax_id.type, tax_id.value, tax_id.customer) == ("eu_vat", "DE123456789", customer.id)
    again = client.v1.customers.retrieve(customer.id, {"expand": ["tax_ids"]})
    assert again.tax_ids is not None and again.tax_ids.data[0].id == tax_id.id


def test_delete_leaves_a_stub_and_blocks_writes(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"email": "gone@example.com"})
    deleted = client.v1.customers.delete(customer.id)
    assert deleted.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}
    assert client.v1.customers.retrieve(customer.id).to_dict() == deleted.to_dict()
    for attempt in (
        lambda: client.v1.customers.update(customer.id, {"name": "x"}),
        lambda: client.v1.customers.delete(customer.id),
    ):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            attempt()
        assert (missing.value.http_status, missing.value.code, missing.value.param) == (
            404, "resource_missing", "id",
        )  # fmt: skip
        assert str(missing.value.error.message) == f"No such customer: '{customer.id}'"  # type: ignore[union-attr]
    assert client.v1.customers.list({"email": "gone@example.com"}).data == []


def test_delete_takes_expand_as_every_request_does(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"email": "expanded@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.delete(customer.id, {"expand": ["bogus"]})
    assert str(refused.value.error.message) == "This property cannot be expanded (bogus)."  # type: ignore[union-attr]
    assert "deleted" not in client.v1.customers.retrieve(customer.id)  # the refusal kept it
    deleted = client.v1.customers.delete(customer.id, {"expand": ["default_source"]})
    assert deleted.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}


def test_list_filters_by_exact_email(client: stripe.StripeClient) -> None:
    jenny = client.v1.customers.create({"email": "jenny@example.com"})
    client.v1.customers.create({"email": "Jenny@example.com"})
    client.v1.customers.create({"email": "jenny@example.co"})
    found = client.v1.customers.list({"email": "jenny@example.com"})
    assert [c.id for c in found.data] == [jenny.id]
    assert found.url == "/v1/customers" and found.has_more is False


def test_list_filters_by_created(client: stripe.StripeClient) -> None:
    first = client.v1.customers.create()
    second = client.v1.customers.create()
    stamp = first.created
    exact = [c.id for c in client.v1.customers.list({"created": stamp}).data]
    assert first.id in exact
    before = client.v1.customers.list({"created": {"lt": stamp}}).data
    assert before == []
    window = [
        c.id
        for c in client.v1.customers.list({"created": {"gte": stamp, "lte": second.created}}).data
    ]
    assert window == [second.id, first.id]
    assert client.v1.customers.list({"created": {"gt": second.created}}).data == []


def test_list_is_newest_first_with_limit(client: stripe.StripeClient) -> None:
    ids = [client.v1.customers.create().id for _ in range(12)]
    page = client.v1.customers.list()
    assert [c.id for c in page.data] == ids[::-1][:10]
    assert page.has_more is True
    assert [c.id for c in client.v1.customers.list({"limit": 3}).data] == ids[::-1][:3]


def test_live_keys_make_live_customers(live_client: stripe.StripeClient) -> None:
    assert live_client.v1.customers.create().livemode is True


def test_test_and_live_data_never_mix(server: Server) -> None:
    secret = random_key("", 24)
    test, live = sdk(server, "sk_test_" + secret), sdk(server, "sk_live_" + secret)
    made_in_test = test.v1.customers.create({"email": "mode@example.com"})
    assert live.v1.customers.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as missing:
        live.v1.customers.retrieve(made_in_test.id)
    assert missing.value.http_status == 404
    assert [c.id for c in test.v1.customers.list().data] == [made_in_test.id]


def test_keys_are_separate_accounts(server: Server, stripe_key: str) -> None:
    mine, theirs = sdk(server, stripe_key), sdk(server, stripe_key + "x")
    created = mine.v1.customers.create({"name": "private"})
    with pytest.raises(stripe.InvalidRequestError):
        theirs.v1.customers.retrieve(created.id)
    assert theirs.v1.customers.list().data == []
    restricted = sdk(server, "rk_test_" + stripe_key.removeprefix("sk_test_"))
    assert restricted.v1.customers.retrieve(created.id).name == "private"


def test_idempotency_keys_are_tolerated(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        {"name": "idem"}, {"idempotency_key": "key-" + random_key("")}
    )
    assert created.name == "idem"


def test_request_id_reaches_the_sdk(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    assert customer.last_response is not None
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", customer.last_response.request_id or "")


def test_connected_accounts_keep_their_own_customers(client: stripe.StripeClient) -> None:
    connected: stripe.RequestOptions = {"stripe_account": "acct_1RolodexConnect"}
    theirs = client.v1.customers.create({"email": "connected@example.com"}, connected)
    ours = client.v1.customers.create({"email": "connected@example.com"})
    assert client.v1.customers.retrieve(theirs.id, options=connected).id == theirs.id
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(theirs.id)
    listed = client.v1.customers.list({"email": "connected@example.com"}, connected)
    assert [customer.id for customer in listed.data] == [theirs.id]
    assert ours.id not in [customer.id for customer in listed.data]
    elsewhere: stripe.RequestOptions = {"stripe_account": "acct_1RolodexElsewhere"}
    assert client.v1.customers.list({}, elsewhere).data == []
