"""What each Stripe customer operation accepts (API version 2026-10-28.endive)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import (
    Array,
    Boolean,
    Choice,
    Email,
    Hash,
    Integer,
    Metadata,
    Operation,
    Param,
    Text,
)

LIMIT_MAX = 100
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


_ADDRESS_FIELDS: dict[str, Param] = {
    key: Text() for key in ("city", "country", "line1", "line2", "postal_code", "state")
}
ADDRESS_KEYS = tuple(_ADDRESS_FIELDS)
EXPAND = Array(Text(), clearable=False)

_CUSTOM_FIELD = Hash(
    {"name": Text(40, clearable=False), "value": Text(140, clearable=False)},
    required=("name", "value"),
    clearable=False,
)
_INVOICE_SETTINGS = Hash(
    {
        "custom_fields": Array(_CUSTOM_FIELD, max_items=4),
        "default_payment_method": Text(),
        "footer": Text(),
        "rendering_options": Hash(
            {
                "amount_tax_display": Choice(
                    ("exclude_tax", "include_inclusive_tax"), clearable=True
                ),
                "template": Text(),
            }
        ),
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
_CASH_BALANCE = Hash(
    {
        "settings": Hash(
            {
                "reconciliation_mode": Choice(("automatic", "manual", "merchant_default")),
            },
            clearable=False,
        )
    },
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
    "next_invoice_sequence": Integer(),
    "phone": Text(20),
    "preferred_locales": Array(Text()),
    "shipping": _SHIPPING,
    "source": Text(clearable=False),
    "tax_exempt": Choice(("exempt", "none", "reverse"), clearable=True),
    "validate": Boolean(),
}

CREATE = Operation(
    {
        **_COMMON,
        "payment_method": Text(clearable=False),
        "tax": _tax(("deferred", "immediately")),
        "tax_id_data": Array(
            Hash(
                {"type": Text(clearable=False), "value": Text(clearable=False)},
                required=("type", "value"),
                clearable=False,
            ),
            clearable=False,
        ),
        "test_clock": Text(clearable=False),
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
        "bank_account": Text(clearable=False),
        "card": Text(clearable=False),
    }
)

RETRIEVE = Operation({"expand": EXPAND})
DELETE = Operation({})

LIST = Operation(
    {
        "created": Created(),
        "email": Text(512, clearable=False),
        "ending_before": Text(clearable=False),
        "expand": EXPAND,
        "limit": Integer(),
        "starting_after": Text(clearable=False),
        "test_clock": Text(clearable=False),
    }
)

REFERENCES: dict[str, str] = {
    "source": "source",
    "payment_method": "PaymentMethod",
    "test_clock": "test clock",
    "default_source": "source",
    "default_alipay_account": "source",
    "default_bank_account": "source",
    "default_card": "source",
    "bank_account": "token",
    "card": "token",
}
"""Parameters naming objects Rolodex never holds, with the noun Stripe's error uses."""


def limit_of(params: dict[str, Any]) -> int:
    limit: int = params.get("limit", 10)
    if not 1 <= limit <= LIMIT_MAX:
        raise StripeError(
            f"Invalid limit: must be between 1 and {LIMIT_MAX}",
            code="parameter_invalid_integer",
            param="limit",
        )
    return limit
