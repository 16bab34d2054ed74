"""Plain Stripe parameters to core commands, and records to Stripe customer objects."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from typing import Any

from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.patch import Merge, merge
from rolodex.core.records import Document, Record
from rolodex.dialects.stripe.errors import StripeError, no_such
from rolodex.dialects.stripe.params import ADDRESS_KEYS, REFERENCES

SPEC = IndexSpec(
    unique=(UniqueField("invoice_prefix"),),
    terms=("email",),
    maps=("metadata",),
    folded=("metadata",),
    texts=("email", "name", "phone"),
    keep_keys_on_delete=True,
)

_ALPHANUMERIC = string.ascii_letters + string.digits
_PREFIX_ALPHABET = string.ascii_uppercase + string.digits

STORED = (
    "address", "balance", "business_name", "cash_balance", "description", "email",
    "individual_name", "invoice_prefix", "invoice_settings", "metadata", "name",
    "next_invoice_sequence", "phone", "preferred_locales", "shipping", "tax", "tax_exempt",
)  # fmt: skip
"""Parameters kept on the customer; the rest (expand, validate, ...) only shape one request."""


def new_customer_id(rng: random.Random, _now_us: int) -> str:
    return "cus_" + "".join(rng.choices(_ALPHANUMERIC, k=14))


def new_invoice_prefix(rng: random.Random, _now_us: int) -> str:
    return "".join(rng.choices(_PREFIX_ALPHABET, k=8))


def reject_references(params: Mapping[str, Any]) -> None:
    """Rolodex holds no payment methods, sources, tokens or clocks, so every one is missing."""
    for name, noun in REFERENCES.items():
        if (value := params.get(name)) is not None:
            raise no_such(noun, value, name)
    settings = params.get("invoice_settings") or {}
    if (method := settings.get("default_payment_method")) is not None:
        raise no_such("PaymentMethod", method, "invoice_settings[default_payment_method]")


def new_fields(params: Mapping[str, Any]) -> Document:
    stored = {name: _stored(name, value) for name, value in params.items() if name in STORED}
    return {name: value for name, value in stored.items() if value is not None}


def patch_of(params: Mapping[str, Any]) -> Merge:
    entries: dict[str, Any] = {}
    for name, value in params.items():
        if name not in STORED:
            continue
        if name in ("metadata", "invoice_settings", "tax") and value is not None:
            entries[name] = merge(value)
        else:
            entries[name] = _stored(name, value)
    return merge(entries)


def _stored(name: str, value: Any) -> Any:
    if name == "address" and value is not None:
        return _address(value)
    if name == "shipping" and value is not None:
        return {
            "address": _address(value["address"]),
            "name": value["name"],
            "phone": value.get("phone"),
        }
    if name == "metadata" and value is not None:
        return {key: entry for key, entry in value.items() if entry is not None}
    return value


def _address(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.get(key) for key in ADDRESS_KEYS}


def render(record: Record, expand: tuple[str, ...] = ()) -> dict[str, Any]:
    if record.deleted:
        return {"id": record.id, "object": "customer", "deleted": True}
    fields = record.fields
    settings = fields.get("invoice_settings", {})
    customer: dict[str, Any] = {
        "id": record.id,
        "object": "customer",
        "address": fields.get("address"),
        "balance": fields.get("balance", 0),
        "created": record.created_us // 1_000_000,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": fields.get("description"),
        "discount": None,
        "email": fields.get("email"),
        "invoice_prefix": fields.get("invoice_prefix"),
        "invoice_settings": {
            "custom_fields": settings.get("custom_fields"),
            "default_payment_method": None,
            "footer": settings.get("footer"),
            "rendering_options": settings.get("rendering_options"),
        },
        "livemode": record.tenant.mode == "live",
        "metadata": fields.get("metadata", {}),
        "name": fields.get("name"),
        "next_invoice_sequence": fields.get("next_invoice_sequence", 1),
        "phone": fields.get("phone"),
        "preferred_locales": fields.get("preferred_locales", []),
        "shipping": fields.get("shipping"),
        "tax_exempt": fields.get("tax_exempt", "none"),
        "test_clock": None,
    }
    for optional in ("business_name", "individual_name"):
        if optional in fields:
            customer[optional] = fields[optional]
    for path in expand:
        _expand(customer, record, path)
    return customer


_EXPANDABLE_NULLS = {
    "default_source",
    "test_clock",
    "discount",
    "invoice_settings.default_payment_method",
}
_MAX_EXPAND_DEPTH = 4


def check_expand(paths: list[str], *, in_list: bool) -> tuple[str, ...]:
    """Validate ``expand[]`` and return the paths relative to one customer."""
    relative = []
    for path in paths:
        if path.count(".") + 1 > _MAX_EXPAND_DEPTH:
            raise StripeError(
                f"You cannot expand more than {_MAX_EXPAND_DEPTH} levels of a property. "
                f"Property: {path}",
                code="property_expansion_max_depth",
                param="expand",
            )
        if in_list:
            if path == "data":
                continue
            if not path.startswith("data."):
                raise StripeError(
                    f"This property cannot be expanded ({path}). You may want to try "
                    f"expanding 'data.{path}' instead.",
                    param="expand",
                )
        own = path.removeprefix("data.") if in_list else path
        if own not in _EXPANDABLE_NULLS and own not in _INCLUDABLE:
            raise StripeError(f"This property cannot be expanded ({own}).", param="expand")
        relative.append(own)
    return tuple(relative)


def _list_of(url: str) -> dict[str, Any]:
    return {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": url}


def _tax(record: Record) -> dict[str, Any]:
    tax = record.fields.get("tax", {})
    located = record.fields.get("address") is not None
    return {
        "automatic_tax": "supported" if located else "unrecognized_location",
        "ip_address": tax.get("ip_address"),
        "location": None,
        "provider": "stripe",
    }


def _cash_balance(record: Record) -> dict[str, Any]:
    mode = record.fields.get("cash_balance", {}).get("settings", {}).get("reconciliation_mode")
    return {
        "object": "cash_balance",
        "available": None,
        "customer": record.id,
        "livemode": record.tenant.mode == "live",
        "settings": {
            "reconciliation_mode": "automatic" if mode in (None, "merchant_default") else mode,
            "using_merchant_default": mode in (None, "merchant_default"),
        },
    }


_INCLUDABLE: dict[str, Callable[[Record], Any]] = {
    "sources": lambda r: _list_of(f"/v1/customers/{r.id}/sources"),
    "subscriptions": lambda r: _list_of(f"/v1/customers/{r.id}/subscriptions"),
    "tax_ids": lambda r: _list_of(f"/v1/customers/{r.id}/tax_ids"),
    "tax": _tax,
    "cash_balance": _cash_balance,
    "invoice_credit_balance": lambda r: {},
}


def _expand(customer: dict[str, Any], record: Record, path: str) -> None:
    if path in _INCLUDABLE:
        customer[path] = _INCLUDABLE[path](record)
