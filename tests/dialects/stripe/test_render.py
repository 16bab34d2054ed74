"""Records to Stripe customer objects: every field, its default, its order."""

from __future__ import annotations

from typing import Any

from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe.render import render

TEST = Tenant("stripe", "acct", "test")


def record(fields: dict[str, Any] | None = None, tenant: Tenant = TEST) -> Record:
    return Record(
        tenant,
        "cus_NffrFeUfNV2Hib",
        1_680_893_993_123_456,
        fields or {"invoice_prefix": "0759376C"},
    )


def test_a_fresh_customer_is_exactly_the_documented_object() -> None:
    assert render(record()) == {
        "id": "cus_NffrFeUfNV2Hib",
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": 1680893993,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": "0759376C",
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def test_keys_are_id_object_then_alphabetical() -> None:
    keys = list(render(record({"business_name": "B", "individual_name": "I"}), ("tax",)))
    assert keys[:2] == ["id", "object"]
    assert keys[2:] == sorted(keys[2:])
    assert {"business_name", "individual_name", "tax"} <= set(keys)


def test_business_and_individual_names_appear_only_once_set() -> None:
    assert "business_name" not in render(record())
    assert render(record({"business_name": "Acme"}))["business_name"] == "Acme"


def test_livemode_follows_the_key() -> None:
    assert render(record(tenant=Tenant("stripe", "acct", "live")))["livemode"] is True


def test_deleted_customer_is_the_three_key_stub() -> None:
    deleted = record().as_deleted()
    assert render(deleted, ("tax",)) == {
        "id": "cus_NffrFeUfNV2Hib",
        "object": "customer",
        "deleted": True,
    }


def test_rendering_options_show_both_keys() -> None:
    settings = {"invoice_settings": {"rendering_options": {"template": "t"}}}
    assert render(record(settings))["invoice_settings"]["rendering_options"] == {
        "amount_tax_display": None,
        "template": "t",
    }


def test_includables_appear_only_when_expanded() -> None:
    plain = render(record())
    assert not {"tax", "sources", "subscriptions", "tax_ids", "cash_balance"} & set(plain)
    expanded = render(record(), ("sources", "cash_balance", "invoice_credit_balance"))
    assert expanded["sources"] == {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": "/v1/customers/cus_NffrFeUfNV2Hib/sources",
    }
    assert expanded["cash_balance"]["settings"] == {
        "reconciliation_mode": "automatic",
        "using_merchant_default": True,
    }
    assert expanded["invoice_credit_balance"] == {}


def test_cash_balance_reflects_its_setting() -> None:
    fields = {"cash_balance": {"settings": {"reconciliation_mode": "manual"}}}
    assert render(record(fields), ("cash_balance",))["cash_balance"]["settings"] == {
        "reconciliation_mode": "manual",
        "using_merchant_default": False,
    }


def test_expanded_tax_shows_ip_address_and_status() -> None:
    tax = render(record({"tax": {"ip_address": "1.2.3.4"}}), ("tax",))["tax"]
    assert tax == {
        "automatic_tax": "unrecognized_location",
        "ip_address": "1.2.3.4",
        "location": None,
        "provider": "stripe",
    }


def test_tax_ids_expand_and_their_customer_expands_to_the_customer() -> None:
    fields = {"tax_ids": [{"type": "eu_vat", "value": "DE123456789"}]}
    listed = render(record(fields), ("tax_ids.data.customer",))["tax_ids"]
    [tax_id] = listed["data"]
    assert tax_id["object"] == "tax_id"
    assert tax_id["id"].startswith("txi_")
    assert (tax_id["type"], tax_id["value"], tax_id["country"]) == ("eu_vat", "DE123456789", "DE")
    assert tax_id["customer"]["id"] == "cus_NffrFeUfNV2Hib"
    assert tax_id["customer"]["object"] == "customer"


def test_a_customer_expanded_inside_the_response_shows_the_includables_asked_of_it() -> None:
    fields = {
        "tax_ids": [{"type": "eu_vat", "value": "DE123456789"}],
        "tax": {"ip_address": "1.2.3.4"},
    }
    paths = ("tax_ids.data.customer.tax", "tax_ids.data.customer.cash_balance")
    customer = render(record(fields), paths)
    nested = customer["tax_ids"]["data"][0]["customer"]
    assert nested["tax"] == render(record(fields), ("tax",))["tax"]
    assert nested["cash_balance"]["object"] == "cash_balance"
    assert list(nested) == ["id", "object", *sorted(set(nested) - {"id", "object"})]
    assert "tax" not in customer and "cash_balance" not in customer
