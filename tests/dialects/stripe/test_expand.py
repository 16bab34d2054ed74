"""expand[]: which paths a customer response accepts, and what expanding does."""

from __future__ import annotations

import pytest

from rolodex.dialects.stripe import expand
from rolodex.dialects.stripe.errors import StripeError


@pytest.mark.parametrize(
    "path",
    [
        "default_source", "test_clock", "discount", "invoice_settings.default_payment_method",
        "discount.promotion_code", "default_source.customer", "tax", "sources", "subscriptions",
        "tax_ids", "cash_balance", "invoice_credit_balance", "tax_ids.data.customer",
        "subscriptions.data.latest_invoice", "subscriptions.data.default_payment_method",
        "subscriptions.data.schedule.customer", "subscriptions.data.pending_setup_intent",
    ],
)  # fmt: skip
def test_expandable_paths(path: str) -> None:
    assert expand.check([path], in_list=False) == (path,)


@pytest.mark.parametrize(
    "path",
    [
        "bogus",
        "email",
        "invoice_settings",
        "tax_ids.data",
        "discount.x",
        "subscriptions.data.items",
    ],
)
def test_paths_that_cannot_be_expanded(path: str) -> None:
    with pytest.raises(StripeError) as refused:
        expand.check([path], in_list=False)
    assert refused.value.message == f"This property cannot be expanded ({path})."
    assert refused.value.status == 400


def test_more_than_four_levels_is_refused_with_its_code() -> None:
    path = "data.discount.customer.default_source.customer"
    with pytest.raises(StripeError) as refused:
        expand.check([path], in_list=True)
    assert refused.value.code == "property_expansion_max_depth"
    assert refused.value.message == (
        f"You cannot expand more than 4 levels of a property. Property: {path}"
    )
    assert expand.check(["data.discount.customer.test_clock"], in_list=True)


def test_list_paths_need_data_prefix() -> None:
    assert expand.check(["data", "data.tax"], in_list=True) == ("tax",)
    with pytest.raises(StripeError) as refused:
        expand.check(["tax"], in_list=True)
    assert refused.value.message == (
        "This property cannot be expanded (tax). You may want to try expanding 'data.tax' instead."
    )


def test_null_fields_stay_null_when_expanded() -> None:
    customer = {"default_source": None, "invoice_settings": {"default_payment_method": None}}
    calls: list[tuple[str, object]] = []

    def resolve(type: str, value: object) -> object:
        calls.append((type, value))
        return value

    expand.apply(customer, "default_source", resolve, _include_nothing)
    expand.apply(customer, "invoice_settings.default_payment_method", resolve, _include_nothing)
    assert customer == {
        "default_source": None,
        "invoice_settings": {"default_payment_method": None},
    }
    assert calls == [("source", None), ("payment_method", None)]


def test_ids_inside_included_lists_are_resolved() -> None:
    customer = {
        "tax_ids": {"object": "list", "data": [{"customer": "cus_1"}, {"customer": "cus_1"}]}
    }
    expand.apply(
        customer,
        "tax_ids.data.customer",
        lambda type, value: {"id": value, "type": type},
        _include_nothing,
    )
    assert customer["tax_ids"]["data"] == [{"customer": {"id": "cus_1", "type": "customer"}}] * 2


def test_includables_of_a_customer_expanded_inside_are_added_to_it() -> None:
    customer = {"tax_ids": {"object": "list", "data": [{"customer": "cus_1"}]}}

    def include(obj: dict[str, object], name: str) -> None:
        obj[name] = f"{name} of {obj['id']}"

    for path in ("tax_ids.data.customer.tax", "tax_ids.data.customer.cash_balance"):
        expand.apply(customer, path, lambda type, value: {"id": value}, include)
    assert customer["tax_ids"]["data"] == [
        {
            "customer": {
                "id": "cus_1",
                "tax": "tax of cus_1",
                "cash_balance": "cash_balance of cus_1",
            }
        }
    ]


def _include_nothing(obj: dict[str, object], name: str) -> None:
    raise AssertionError(f"{name} is not asked for")


def test_includables_are_named_by_first_segment() -> None:
    assert expand.includables(("tax", "tax_ids.data.customer", "default_source")) == {
        "tax",
        "tax_ids",
    }
