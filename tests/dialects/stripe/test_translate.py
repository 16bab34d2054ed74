"""Parameters to stored documents and patches, checked by applying them with the core."""

from __future__ import annotations

import random
from typing import Any

import pytest

from rolodex.core.patch import apply
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import params, translate
from rolodex.dialects.stripe.decode import decode_query
from rolodex.dialects.stripe.errors import StripeError

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
