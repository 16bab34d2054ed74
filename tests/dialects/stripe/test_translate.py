"""Parameters to stored documents and patches, checked by applying them with the core."""

from __future__ import annotations

import random
from typing import Any

import pytest

from rolodex.core.patch import apply
from rolodex.core.records import Record, Tenant, first_difference
from rolodex.dialects.stripe import params, translate
from rolodex.dialects.stripe.decode import decode_query
from rolodex.dialects.stripe.errors import StripeError
from tests.support.documents import assert_refused, refusal

TENANT = Tenant("stripe", "acct", "test")


def created(query: str) -> dict[str, Any]:
    return dict(translate.new_fields(params.CREATE.parse(decode_query(query))))


def updated(fields: dict[str, Any], query: str) -> dict[str, Any]:
    return apply(fields, translate.patch_of(params.UPDATE.parse(decode_query(query)))).fields


def test_new_customer_ids_and_prefixes() -> None:
    rng = random.Random(7)
    customer_id = translate.new_customer_id(rng, 0)
    assert customer_id.startswith("cus_") and len(customer_id) == 18
    assert customer_id[4:].isalnum()
    prefix = translate.new_invoice_prefix(rng, 0)
    assert (len(prefix) == 8 and prefix.isupper()) or prefix.isdigit()


def test_create_keeps_what_was_given_and_drops_request_only_parameters() -> None:
    fields = created(
        "name=J&expand[]=tax&validate=true&tax[validate_location]=deferred&description="
    )
    assert fields == {"name": "J"}


def test_create_fills_every_address_key() -> None:
    assert created("address[city]=Paris")["address"] == {
        "city": "Paris", "country": None, "line1": None, "line2": None, "postal_code": None,
        "state": None,
    }  # fmt: skip


def test_create_drops_removed_metadata_keys() -> None:
    assert created("metadata[a]=1&metadata[b]=")["metadata"] == {"a": "1"}


def test_create_keeps_tax_ids_by_type_and_value() -> None:
    fields = created("tax_id_data[0][type]=us_ein&tax_id_data[0][value]=12-3456789")
    assert fields["tax_ids"] == [{"type": "us_ein", "value": "12-3456789"}]


def test_update_changes_only_what_was_sent() -> None:
    before = {"name": "J", "email": "j@example.com", "metadata": {"a": "1"}}
    assert updated(before, "phone=123") == {**before, "phone": "123"}


def test_metadata_merges_key_by_key_and_empty_removes() -> None:
    before = {"metadata": {"a": "1", "b": "2"}}
    assert updated(before, "metadata[a]=&metadata[c]=3")["metadata"] == {"b": "2", "c": "3"}
    assert "metadata" not in updated(before, "metadata=")


def test_empty_string_unsets_a_field() -> None:
    assert "description" not in updated({"description": "d"}, "description=")
    assert "tax_exempt" not in updated({"tax_exempt": "exempt"}, "tax_exempt=")


def test_address_is_replaced_whole() -> None:
    before = {"address": {"city": "Paris", "line1": "1 Rue", "country": "FR"}}
    assert updated(before, "address[city]=Lyon")["address"]["line1"] is None


def test_invoice_settings_merge_by_key() -> None:
    before = {"invoice_settings": {"footer": "f", "custom_fields": [{"name": "a", "value": "b"}]}}
    after = updated(before, "invoice_settings[custom_fields]=")
    assert after["invoice_settings"] == {"footer": "f"}


def test_tax_keeps_only_the_ip_address() -> None:
    after = updated({}, "tax[ip_address]=1.2.3.4&tax[validate_location]=auto")
    assert after["tax"] == {"ip_address": "1.2.3.4"}
    assert updated(after, "tax[ip_address]=")["tax"] == {}


def test_the_update_check_counts_the_metadata_the_update_leaves() -> None:
    record = Record(TENANT, "cus_1", 0, {"metadata": {f"k{i}": "v" for i in range(50)}})
    add_one = params.UPDATE.parse({"metadata": {"new": "v"}})
    check = translate.update_check(add_one, live=False)
    with pytest.raises(StripeError) as refused:
        check(apply(record.fields, translate.patch_of(add_one)).fields)
    assert refused.value.message == "Metadata can have up to 50 keys, but you've set 51"
    swap = params.UPDATE.parse({"metadata": {"k0": "", "new": "v"}})
    swapped = apply(record.fields, translate.patch_of(swap)).fields
    translate.update_check(swap, live=False)(swapped)
    assert swapped["metadata"]["new"] == "v"


def test_the_update_check_refuses_references_once_the_customer_is_known() -> None:
    check = translate.update_check(params.UPDATE.parse({"default_source": "card_1"}), live=False)
    with pytest.raises(StripeError) as refused:
        check({})
    assert refused.value.message == "No such source: 'card_1'"


_PREFIXED = "invoice_prefix=ABC123&"
_EVERY_FIELD = (
    _PREFIXED + "name=Zoë&email=z@example.com&phone=%2B331&description=d&balance=-5&business_name=B"
    "&individual_name=I&next_invoice_sequence=7&preferred_locales[]=fr&preferred_locales[]=en"
    "&tax_exempt=reverse&metadata[plan]=pro&address[city]=Paris&address[country]=FR"
    "&shipping[name]=S&shipping[address][line1]=1 Rue&shipping[phone]=9"
    "&invoice_settings[footer]=f&invoice_settings[custom_fields][0][name]=n"
    "&invoice_settings[custom_fields][0][value]=v"
    "&invoice_settings[rendering_options][amount_tax_display]=exclude_tax"
    "&cash_balance[settings][reconciliation_mode]=manual&tax[ip_address]=1.2.3.4"
    "&tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789"
)


@pytest.mark.parametrize(
    "updates",
    [
        (),
        ("metadata[plan]=",),
        ("metadata=", "invoice_settings[footer]=", "invoice_settings[custom_fields]="),
        ("tax[ip_address]=", "invoice_settings[rendering_options][amount_tax_display]="),
        ("address[line1]=2 Rue", "shipping[name]=T&shipping[address][city]=L"),
        ("description=&phone=&email=&tax_exempt=&preferred_locales=&balance=0",),
    ],
)
def test_every_document_requests_leave_is_its_own_stored_form(updates: tuple[str, ...]) -> None:
    fields = created(_EVERY_FIELD)
    assert first_difference(translate.stored_form(fields), fields) is None
    for query in updates:
        fields = updated(fields, query)
        assert first_difference(translate.stored_form(fields), fields) is None


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"name": 5}, {"name": "5"}),
        ({"balance": "-5"}, {"balance": -5}),
        ({"metadata": {"a": 1}}, {"metadata": {"a": "1"}}),
        ({"description": ""}, {}),
        ({"address": {"city": "x"}}, created("address[city]=x")),
        (
            {"tax": {"ip_address": "192.0.2.1", "validate_location": "auto"}},
            {"tax": {"ip_address": "192.0.2.1"}},
        ),
    ],
)
def test_a_document_is_stored_as_a_request_with_its_values_would_leave_it(
    fields: dict[str, Any], stored: dict[str, Any]
) -> None:
    prefix = {"invoice_prefix": "ABC123"}
    assert translate.stored_form({**prefix, **fields}) == {**prefix, **stored}


def test_a_document_without_an_invoice_prefix_is_refused() -> None:
    refused = refusal(translate.stored_form, {"name": "x"})
    assert (refused.param, refused.message) == (
        "invoice_prefix",
        "Every customer has an invoice_prefix.",
    )


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"balance": "abc"}, "balance", "Invalid integer: abc"),
        ({"balance": 1.5}, "balance", "Invalid integer: 1.5"),
        ({"balance": True}, "balance", "Invalid integer: True"),
        ({"metadata": "x"}, "metadata", "Invalid object"),
        ({"metadata": {f"k{i}": "v" for i in range(51)}}, "metadata", "Metadata can have up to 50"),
        ({"email": "nobody"}, "email", "Invalid email address: nobody"),
        (
            {"name": "x" * 257},
            "name",
            "Invalid string: xxxx...xxxx; must be at most 256",
        ),
        ({"preferred_locales": "en"}, "preferred_locales", "Invalid array"),
        ({"tax_exempt": "sometimes"}, "tax_exempt", "Invalid tax_exempt: must be one of"),
        ({"tax_ids": [{"type": "eu_vat", "value": "zz"}]}, "tax_ids[0][value]", "Invalid value"),
        ({"colour": "red"}, "colour", "Received unknown parameter: colour"),
        ({"invoice_prefix": "abc"}, "invoice_prefix", "Invalid invoice_prefix: abc."),
    ],
)
def test_a_value_stripe_refuses_is_refused_naming_the_field(
    fields: dict[str, Any], param: str, message: str
) -> None:
    assert_refused(translate.stored_form, {"invoice_prefix": "ABC123", **fields}, param, message)
