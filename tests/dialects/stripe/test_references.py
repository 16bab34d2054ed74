"""Parameters naming objects Rolodex never holds get Stripe's resource_missing errors."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.references import RAW_CARD_LIVE, RAW_CARD_TEST, reject_references


def refusal(params: dict[str, Any], *, live: bool = False) -> StripeError:
    with pytest.raises(StripeError) as refused:
        reject_references(params, live=live)
    assert refused.value.status == 400
    return refused.value


@pytest.mark.parametrize(
    ("params", "message", "param"),
    [
        ({"payment_method": "pm_1"}, "No such PaymentMethod: 'pm_1'", "payment_method"),
        ({"invoice_settings": {"default_payment_method": "pm_2"}}, "No such PaymentMethod: 'pm_2'",
         "invoice_settings[default_payment_method]"),
        ({"source": "tok_visa"}, "No such token: 'tok_visa'", "source"),
        ({"source": "src_1"}, "No such source: 'src_1'", "source"),
        ({"default_source": "card_1"}, "No such source: 'card_1'", "default_source"),
        ({"default_card": "card_2"}, "No such source: 'card_2'", "default_card"),
        ({"card": "tok_1"}, "No such token: 'tok_1'", "card"),
        ({"bank_account": "btok_1"}, "No such token: 'btok_1'", "bank_account"),
        ({"test_clock": "clock_1"}, "No such test clock: 'clock_1'", "test_clock"),
        ({"coupon": "SPRING"}, "No such coupon: 'SPRING'", "coupon"),
        ({"promotion_code": "promo_1"}, "No such promotion code: 'promo_1'", "promotion_code"),
    ],
)  # fmt: skip
def test_missing_objects(params: dict[str, Any], message: str, param: str) -> None:
    error = refusal(params)
    assert (error.message, error.code, error.param) == (message, "resource_missing", param)


def test_raw_card_details_get_stripes_unsafe_card_error_per_mode() -> None:
    card = {"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2030}}
    assert refusal(card).message == RAW_CARD_TEST
    assert refusal(card, live=True).message == RAW_CARD_LIVE


def test_raw_bank_details_are_refused() -> None:
    assert (
        refusal({"bank_account": {"account_number": "1", "country": "US"}}).param == "bank_account"
    )


def test_nothing_referenced_passes() -> None:
    reject_references(
        {"name": "J", "coupon": None, "invoice_settings": {"footer": "f"}}, live=False
    )
