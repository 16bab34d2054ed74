"""Records to Stripe customer objects, as the API renders them.

Keys come as Stripe orders them: ``id``, ``object``, then alphabetically. A field never set
shows its default; ``business_name`` and ``individual_name`` appear only once set (Stripe's
schema marks them optional and not nullable); includable fields appear only when expanded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rolodex.core.records import Record
from rolodex.dialects.stripe import expand
from rolodex.dialects.stripe.tax import tax_object
from rolodex.dialects.stripe.tax_ids import tax_id_list

_SET_ONLY = ("business_name", "individual_name")
_LEADING = ("id", "object")


def render(record: Record, paths: tuple[str, ...] = ()) -> dict[str, Any]:
    if record.deleted:
        return {"id": record.id, "object": "customer", "deleted": True}
    customer = _fields(record)
    if not paths:  # as most requests: nothing to include or expand
        return _ordered(customer)
    for name in expand.includables(paths):
        customer[name] = _INCLUDABLE[name](record)
    resolve, include = _resolver(record), _includer(record)
    for path in paths:
        expand.apply(customer, path, resolve, include)
    return _ordered(customer)


_DEFAULTS: dict[str, Any] = {
    "id": None,
    "object": "customer",
    "address": None,
    "balance": 0,
    "created": None,
    "currency": None,
    "default_source": None,
    "delinquent": False,
    "description": None,
    "discount": None,
    "email": None,
    "invoice_prefix": None,
    "invoice_settings": None,
    "livemode": False,
    "metadata": None,
    "name": None,
    "next_invoice_sequence": 1,
    "phone": None,
    "preferred_locales": None,
    "shipping": None,
    "tax_exempt": "none",
    "test_clock": None,
}
"""Every key a customer always shows, in Stripe's order, with the value of a field never set
(``None`` where :func:`_fields` puts a value of its own)."""

_STORED_AS_SHOWN = frozenset(
    {
        "address",
        "balance",
        "description",
        "email",
        "invoice_prefix",
        "metadata",
        "name",
        "next_invoice_sequence",
        "phone",
        "preferred_locales",
        "shipping",
        "tax_exempt",
    }
)
"""The fields a customer shows just as they are stored, once set."""


def _fields(record: Record) -> dict[str, Any]:
    # A copy of the defaults, overwritten by the fields set: about a third cheaper than a
    # lookup with a default for each key, on every customer rendered.
    fields = record.fields
    customer = _DEFAULTS.copy()
    customer["id"] = record.id
    customer["created"] = record.created_us // 1_000_000
    customer["livemode"] = record.tenant.mode == "live"
    customer["metadata"] = {}
    customer["preferred_locales"] = []
    for name in _STORED_AS_SHOWN.intersection(fields):
        customer[name] = fields[name]
    customer["invoice_settings"] = _invoice_settings(fields.get("invoice_settings", {}))
    customer.update({name: fields[name] for name in _SET_ONLY if name in fields})
    return customer


def _invoice_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "custom_fields": settings.get("custom_fields"),
        "default_payment_method": None,
        "footer": settings.get("footer"),
        "rendering_options": _rendering_options(settings.get("rendering_options")),
    }


def _rendering_options(options: dict[str, Any] | None) -> dict[str, Any] | None:
    if options is None:
        return None
    return {
        "amount_tax_display": options.get("amount_tax_display"),
        "template": options.get("template"),
    }


def _ordered(customer: dict[str, Any]) -> dict[str, Any]:
    order = _order_of(tuple(customer))
    return customer if order is None else {key: customer[key] for key in order}


@functools.lru_cache(maxsize=512)
def _order_of(keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """Stripe's order of these keys, or ``None`` if they are in it already (as ``_fields``
    builds them). Cached: a customer has a few fixed sets of keys, and sorting them anew
    cost a twentieth of a retrieve."""
    rest = sorted(key for key in keys if key not in _LEADING)
    order = (*_LEADING, *rest)
    return None if order == keys else order


def _resolver(record: Record) -> expand.Resolve:
    """Only the customer itself can be expanded to an object; every other id is absent."""

    def resolve(type: str, value: Any) -> Any:
        if type == "customer" and value == record.id:
            return render(record)
        return value

    return resolve


def _includer(record: Record) -> expand.Include:
    """Every customer a response holds is the record itself (``_resolver``), so an includable
    asked of one expanded inside it (``tax_ids.data.customer.tax``) is the record's."""

    def include(customer: dict[str, Any], name: str) -> None:
        customer[name] = _INCLUDABLE[name](record)
        ordered = _ordered(customer)
        if ordered is not customer:  # in place, as the object is held by the one around it
            customer.clear()
            customer.update(ordered)

    return include


def _list_of(record: Record, kind: str) -> dict[str, Any]:
    url = f"/v1/customers/{record.id}/{kind}"
    return {"object": "list", "data": [], "has_more": False, "url": url}


def _cash_balance(record: Record) -> dict[str, Any]:
    mode = record.fields.get("cash_balance", {}).get("settings", {}).get("reconciliation_mode")
    default = mode in (None, "merchant_default")
    return {
        "object": "cash_balance",
        "available": None,
        "customer": record.id,
        "livemode": record.tenant.mode == "live",
        "settings": {
            "reconciliation_mode": "automatic" if default else mode,
            "using_merchant_default": default,
        },
    }


_INCLUDABLE: dict[str, Callable[[Record], Any]] = {
    "cash_balance": _cash_balance,
    "invoice_credit_balance": lambda record: {},
    "sources": lambda record: _list_of(record, "sources"),
    "subscriptions": lambda record: _list_of(record, "subscriptions"),
    "tax": tax_object,
    "tax_ids": tax_id_list,
}
