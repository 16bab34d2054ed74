"""Stripe Tax locations, and immediate validation of a customer's location."""

from __future__ import annotations

import pytest

from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.tax import LOCATION_UNRECOGNIZED, tax_location, validate_location


def test_tax_location_prefers_shipping_then_billing() -> None:
    billing = {"country": "FR", "state": None, "postal_code": None}
    shipping = {"address": {"country": "DE", "state": "BE"}, "name": "J"}
    assert tax_location({"address": billing}) == {
        "country": "FR",
        "source": "billing_address",
        "state": None,
    }
    assert (
        tax_location({"address": billing, "shipping": shipping})["source"] == "shipping_destination"
    )
    assert tax_location({"address": {"country": "US", "postal_code": None}}) is None
    assert tax_location({"tax": {"ip_address": "1.2.3.4"}}) is None


def test_immediate_validation_refuses_an_unplaceable_customer() -> None:
    immediately = {"tax": {"validate_location": "immediately"}}
    with pytest.raises(StripeError) as refused:
        validate_location(immediately, {"address": {"country": "US", "postal_code": None}})
    assert (refused.value.message, refused.value.code) == (
        LOCATION_UNRECOGNIZED,
        "customer_tax_location_invalid",
    )
    validate_location(immediately, {"address": {"country": "FR"}})
    validate_location(immediately, {"tax": {"ip_address": "203.0.113.9"}})


def test_deferred_and_auto_validation_accept_anything() -> None:
    for when in ("deferred", "auto"):
        validate_location({"tax": {"validate_location": when}}, {})
