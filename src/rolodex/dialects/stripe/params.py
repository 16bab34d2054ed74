"""What each Stripe customer operation accepts (API version 2026-10-28.endive).

Limits are those of Stripe's published schema. Choices where Stripe's behaviour is not on
record: ``limit`` outside 1-100 is refused with the wording Stripe uses for other integer
bounds (``This value must be less than or equal to 100.``) rather than silently clamped (the
one indirect sighting of clamping went through a tool, not the API); ``invoice_prefix`` is
checked against the documented "3-12 uppercase letters or numbers"; ``tax_exempt=""`` returns
the customer to the default ``"none"`` (the value every customer starts with).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rolodex.dialects.stripe import versions
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import Boolean, Choice, Email, Integer, Param, Text
from rolodex.dialects.stripe.shapes import Array, Hash, Metadata, Operation
from rolodex.dialects.stripe.tax_ids import TAX_ID_TYPES, well_formed

LIMIT_MAX = 100
DEFAULT_LIMIT = 10
INVOICE_SEQUENCE_MAX = 1_000_000_000
_PREFIX = re.compile(r"[A-Z0-9]{3,12}")


@dataclass(frozen=True)
class InvoicePrefix:
    def parse(self, value: Any, name: str) -> str | None:
        text = Text(clearable=False).parse(value, name)
        if text is not None and not _PREFIX.fullmatch(text):
            raise StripeError(
                f"Invalid invoice_prefix: {text}. The prefix must be 3-12 uppercase letters "
                "or numbers.",
                param=name,
            )
        return text


@dataclass(frozen=True)
class Created:
    """An exact Unix time, or a range of ``gt``/``gte``/``lt``/``lte`` bounds."""

    def parse(self, value: Any, name: str) -> int | dict[str, int | None] | None:
        if isinstance(value, dict):
            bounds = Hash({op: Integer() for op in ("gt", "gte", "lt", "lte")}, clearable=False)
            return bounds.parse(value, name)
        return Integer().parse(value, name)


@dataclass(frozen=True)
class TokenOrDetails:
    """A token id, or (legacy) the raw details of a card or bank account as a hash."""

    details: Hash

    def parse(self, value: Any, name: str) -> str | dict[str, Any] | None:
        if isinstance(value, dict):
            return self.details.parse(value, name)
        return Text(clearable=False).parse(value, name)


_ADDRESS_FIELDS: dict[str, Param] = {
    key: Text() for key in ("city", "country", "line1", "line2", "postal_code", "state")
}
ADDRESS_KEYS = tuple(_ADDRESS_FIELDS)
EXPAND = Array(Text(clearable=False), clearable=False)
_ID = Text(clearable=False)

_CUSTOM_FIELD = Hash(
    {"name": Text(40, clearable=False), "value": Text(140, clearable=False)},
    required=("name", "value"),
    clearable=False,
)
_RENDERING_OPTIONS = Hash(
    {
        "amount_tax_display": Choice(("exclude_tax", "include_inclusive_tax"), clearable=True),
        "template": Text(),
    }
)
_INVOICE_SETTINGS = Hash(
    {
        "custom_fields": Array(_CUSTOM_FIELD, max_items=4),
        "default_payment_method": Text(),
        "footer": Text(),
        "rendering_options": _RENDERING_OPTIONS,
    },
    clearable=False,
)
_SHIPPING = Hash(
    {
        "address": Hash(_ADDRESS_FIELDS, clearable=False),
        "name": Text(clearable=False),
        "phone": Text(),
    },
    required=("address", "name"),
)
_RECONCILIATION = Choice(("automatic", "manual", "merchant_default"))
_CASH_BALANCE = Hash(
    {"settings": Hash({"reconciliation_mode": _RECONCILIATION}, clearable=False)},
    clearable=False,
)


def _tax(validate_locations: tuple[str, ...]) -> Hash:
    return Hash(
        {"ip_address": Text(), "validate_location": Choice(validate_locations)},
        clearable=False,
    )


_COMMON: dict[str, Param] = {
    "address": Hash(_ADDRESS_FIELDS),
    "balance": Integer(),
    "business_name": Text(150),
    "cash_balance": _CASH_BALANCE,
    "description": Text(),
    "email": Email(),
    "expand": EXPAND,
    "individual_name": Text(150),
    "invoice_prefix": InvoicePrefix(),
    "invoice_settings": _INVOICE_SETTINGS,
    "metadata": Metadata(),
    "name": Text(256),
    "next_invoice_sequence": Integer(min=1, max=INVOICE_SEQUENCE_MAX),
    "phone": Text(20),
    "preferred_locales": Array(Text(clearable=False)),
    "shipping": _SHIPPING,
    "source": _ID,
    "tax_exempt": Choice(("exempt", "none", "reverse"), clearable=True),
    "validate": Boolean(),
}

_TAX_ID_ENTRY = Hash(
    {"type": Choice(TAX_ID_TYPES), "value": Text(clearable=False)},
    required=("type", "value"),
    clearable=False,
)


@dataclass(frozen=True)
class TaxIdEntry:
    """One ``tax_id_data`` entry: a known type, and a value of that type's shape."""

    def parse(self, value: Any, name: str) -> dict[str, Any] | None:
        parsed = _TAX_ID_ENTRY.parse(value, name)
        if parsed is not None and not well_formed(parsed["type"], parsed["value"]):
            raise StripeError(
                f"Invalid value for {parsed['type']}.",
                code="tax_id_invalid",
                param=f"{name}[value]",
            )
        return parsed


_TAX_ID_DATA = Array(TaxIdEntry(), clearable=False)

_CARD = Hash(
    {
        **{key: Text() for key in ("address_city", "address_country", "address_line1")},
        **{key: Text() for key in ("address_line2", "address_state", "address_zip", "cvc")},
        "exp_month": Integer(),
        "exp_year": Integer(),
        "metadata": Metadata(),
        "name": Text(),
        "number": Text(clearable=False),
        "object": Choice(("card",)),
    },
    required=("exp_month", "exp_year", "number"),
    clearable=False,
)
_BANK_ACCOUNT = Hash(
    {
        "account_holder_name": Text(),
        "account_holder_type": Choice(("company", "individual")),
        "account_number": Text(clearable=False),
        "country": Text(clearable=False),
        "currency": Text(),
        "object": Choice(("bank_account",)),
        "routing_number": Text(),
    },
    required=("account_number", "country"),
    clearable=False,
)

CREATE = Operation(
    {
        **_COMMON,
        "payment_method": _ID,
        "tax": _tax(("deferred", "immediately")),
        "tax_id_data": _TAX_ID_DATA,
        "test_clock": _ID,
    }
)

UPDATE = Operation(
    {
        **_COMMON,
        "tax": _tax(("auto", "deferred", "immediately")),
        "default_source": Text(500, clearable=False),
        "default_alipay_account": Text(500, clearable=False),
        "default_bank_account": Text(500, clearable=False),
        "default_card": Text(500, clearable=False),
        "bank_account": TokenOrDetails(_BANK_ACCOUNT),
        "card": TokenOrDetails(_CARD),
    }
)

_BEFORE_BASIL: dict[str, Param] = {"coupon": Text(), "promotion_code": Text()}
"""Discount parameters that API versions before 2025-03-31.basil still accept."""


def create_for(version: versions.Version) -> Operation:
    return CREATE.extended(_BEFORE_BASIL) if version.before(versions.BASIL) else CREATE


def update_for(version: versions.Version) -> Operation:
    return UPDATE.extended(_BEFORE_BASIL) if version.before(versions.BASIL) else UPDATE


def limit_of(given: dict[str, Any]) -> int:
    """A page size from parsed parameters: the default when absent, else checked 1-100."""
    limit: int = given.get("limit", DEFAULT_LIMIT)
    Integer(min=1, max=LIMIT_MAX).check_bounds(limit, "limit")
    return limit


RETRIEVE = Operation({"expand": EXPAND})
DELETE = Operation({"expand": EXPAND})
"""Stripe takes ``expand`` on every request; a deleted stub has nothing to expand."""

LIST = Operation(
    {
        "created": Created(),
        "email": Text(512, clearable=False),
        "ending_before": _ID,
        "expand": EXPAND,
        "include": Array(Choice(("total_count",)), clearable=False),
        "limit": Integer(min=1, max=LIMIT_MAX),
        "starting_after": _ID,
        "test_clock": _ID,
    }
)
