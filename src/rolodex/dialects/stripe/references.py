"""Parameters naming objects Rolodex never holds: each gets Stripe's "No such ..." error.

Rolodex keeps customers only, so a payment method, source, token, test clock, coupon or
promotion code named in a request cannot exist; accepting one silently would let a test pass
here and fail against Stripe. Raw card details get the error Stripe gives accounts that may not
send card numbers; raw bank details, which Rolodex cannot hold either, are refused plainly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rolodex.dialects.stripe.errors import StripeError, no_such

_NOUNS: dict[str, str] = {
    "payment_method": "PaymentMethod",
    "test_clock": "test clock",
    "default_source": "source",
    "default_alipay_account": "source",
    "default_bank_account": "source",
    "default_card": "source",
    "coupon": "coupon",
    "promotion_code": "promotion code",
}
_TOKEN_PREFIXES = ("tok_", "btok_")

RAW_CARD_TEST = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest "
    "you use test tokens that map to the test card you are using, see "
    "https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see "
    "https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
)
RAW_CARD_LIVE = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. To continue "
    "processing use Stripe.js, the Stripe mobile bindings, or Stripe Elements. For more "
    "information, see https://dashboard.stripe.com/account/integration/settings. If you are "
    "qualified to handle card data directly, see "
    "https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
)
RAW_BANK_ACCOUNT = (
    "Rolodex holds no bank accounts, so bank account details cannot be attached to a customer here."
)


_NAMING = frozenset(_NOUNS) | {"source", "invoice_settings", "card", "bank_account"}
"""Every parameter that may name an object."""


def reject_references(params: Mapping[str, Any], *, live: bool) -> None:
    """Raise the error Stripe gives for the first parameter naming a missing object."""
    if _NAMING.isdisjoint(params):  # as most requests: nothing to look at
        return
    for name, noun in _NOUNS.items():
        if isinstance(value := params.get(name), str):
            raise no_such(noun, value, name)
    if isinstance(source := params.get("source"), str):
        raise no_such(_source_noun(source), source, "source")
    settings = params.get("invoice_settings") or {}
    if isinstance(method := settings.get("default_payment_method"), str):
        raise no_such("PaymentMethod", method, "invoice_settings[default_payment_method]")
    _reject_legacy_source(params, "card", RAW_CARD_LIVE if live else RAW_CARD_TEST, None)
    _reject_legacy_source(params, "bank_account", RAW_BANK_ACCOUNT, "bank_account")


def _reject_legacy_source(
    params: Mapping[str, Any], name: str, raw_details: str, param: str | None
) -> None:
    """A legacy source is a token id (missing, like every token) or raw details (refused with
    ``raw_details``)."""
    value = params.get(name)
    if isinstance(value, str):
        raise no_such("token", value, name)
    if isinstance(value, dict):
        raise StripeError(raw_details, param=param)


def _source_noun(value: str) -> str:
    return "token" if value.startswith(_TOKEN_PREFIXES) else "source"
