"""The operations' parameter sets: what each accepts, per API version."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.dialects.stripe import params, versions
from rolodex.dialects.stripe.decode import decode_query
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.shapes import Operation


def refusal(operation: Operation, query: str) -> StripeError:
    with pytest.raises(StripeError) as refused:
        operation.parse(decode_query(query))
    return refused.value


def test_every_documented_create_parameter_parses() -> None:
    query = "&".join(
        [
            "address[line1]=1 Main&address[city]=Paris&address[country]=FR",
            "balance=-500&business_name=Acme&individual_name=Jenny&description=d",
            "cash_balance[settings][reconciliation_mode]=manual&email=j@example.com",
            "expand[0]=tax&invoice_prefix=ACME1&invoice_settings[footer]=f",
            "invoice_settings[custom_fields][0][name]=PO&invoice_settings[custom_fields][0][value]=42",
            "invoice_settings[rendering_options][amount_tax_display]=exclude_tax",
            "metadata[k]=v&name=Jenny&next_invoice_sequence=7&phone=+1555",
            "preferred_locales[0]=fr&shipping[name]=J&shipping[address][city]=Paris",
            "tax[ip_address]=1.2.3.4&tax[validate_location]=deferred&tax_exempt=reverse",
            "tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789&validate=true",
        ]
    )
    given: dict[str, Any] = params.CREATE.parse(decode_query(query))
    assert given["balance"] == -500
    assert given["invoice_settings"]["custom_fields"] == [{"name": "PO", "value": "42"}]
    assert given["preferred_locales"] == ["fr"]
    assert given["tax_id_data"] == [{"type": "eu_vat", "value": "DE123456789"}]
    assert given["validate"] is True
    assert given["phone"] == " 1555"


def test_create_only_and_update_only_parameters() -> None:
    assert refusal(params.UPDATE, "test_clock=clock_1").message == (
        "Received unknown parameter: test_clock"
    )
    assert refusal(params.CREATE, "default_source=card_1").code == "parameter_unknown"
    assert params.UPDATE.parse({"tax": {"validate_location": "auto"}})
    assert refusal(params.CREATE, "tax[validate_location]=auto").param == "tax[validate_location]"


@pytest.mark.parametrize("version", ["2024-06-20", "2025-02-24.acacia"])
def test_discount_parameters_exist_before_basil(version: str) -> None:
    parsed = versions.parse(version)
    assert params.create_for(parsed).parse({"coupon": "C"}) == {"coupon": "C"}
    assert params.update_for(parsed).parse({"promotion_code": "P"}) == {"promotion_code": "P"}


@pytest.mark.parametrize("version", ["2025-03-31.basil", "2026-10-28.endive"])
def test_discount_parameters_are_unknown_from_basil(version: str) -> None:
    parsed = versions.parse(version)
    assert refusal(params.create_for(parsed), "coupon=C").code == "parameter_unknown"
    assert refusal(params.update_for(parsed), "promotion_code=P").code == "parameter_unknown"


@pytest.mark.parametrize("prefix", ["AB", "abc", "TOOLONGPREFIX1", "AB-C"])
def test_invoice_prefix_format(prefix: str) -> None:
    error = refusal(params.UPDATE, f"invoice_prefix={prefix}")
    assert error.param == "invoice_prefix"
    assert "3-12 uppercase letters or numbers" in error.message


def test_parameters_that_cannot_be_unset() -> None:
    for name in (
        "invoice_prefix",
        "balance",
        "next_invoice_sequence",
        "source",
        "invoice_settings",
    ):
        assert refusal(params.UPDATE, f"{name}=").code == "parameter_invalid_empty", name


def test_parameters_that_can_be_unset() -> None:
    given = params.UPDATE.parse(
        decode_query("address=&shipping=&metadata=&description=&tax_exempt=&business_name=")
    )
    assert all(value is None for value in given.values())


def test_list_limit_is_bounded_and_created_takes_two_forms() -> None:
    assert (
        refusal(params.LIST, "limit=0").message == "This value must be greater than or equal to 1."
    )
    assert (
        refusal(params.LIST, "limit=101").message == "This value must be less than or equal to 100."
    )
    assert params.LIST.parse({"created": "5"}) == {"created": 5}
    assert params.LIST.parse(decode_query("created[gt]=5&created[lte]=9")) == {
        "created": {"gt": 5, "lte": 9}
    }
    assert refusal(params.LIST, "created[between]=1").param == "created[between]"


def test_next_invoice_sequence_is_positive() -> None:
    assert refusal(params.UPDATE, "next_invoice_sequence=0").param == "next_invoice_sequence"


def test_limit_of_defaults_to_ten_and_checks_the_range() -> None:
    assert params.limit_of({}) == 10
    assert params.limit_of({"limit": 100}) == 100
    with pytest.raises(StripeError) as refused:
        params.limit_of({"limit": 0})
    assert refused.value.param == "limit"
