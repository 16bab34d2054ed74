"""``expand[]``: which dotted paths a customer response can expand, and expanding them.

Paths are checked against a small map of the objects a customer reaches (from Stripe's
published schema): an *expandable* field holds an id that can become an object, a *nested*
field is an object a path may walk through but not expand, a *list* field is a list object
whose ``data`` elements are walked, and an *includable* field (``tax``, ``sources``, ...) is
absent unless expanded. Rolodex holds no sources, payment methods, discounts or test clocks,
so those fields are always null and stay null when expanded, as Stripe leaves a null field.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rolodex.dialects.stripe.errors import StripeError

MAX_DEPTH = 4
"""Segments in one path, ``data`` of a list response included."""


class Kind(enum.Enum):
    EXPANDABLE = "expandable"
    NESTED = "nested"
    LIST = "list"
    INCLUDABLE = "includable"


@dataclass(frozen=True, slots=True)
class Edge:
    kind: Kind
    type: str


def _expandable(type: str) -> Edge:
    return Edge(Kind.EXPANDABLE, type)


SCHEMA: dict[str, dict[str, Edge]] = {
    "customer": {
        "default_source": _expandable("source"),
        "discount": _expandable("discount"),
        "test_clock": _expandable("test_clock"),
        "invoice_settings": Edge(Kind.NESTED, "invoice_settings"),
        "cash_balance": Edge(Kind.INCLUDABLE, "cash_balance"),
        "invoice_credit_balance": Edge(Kind.INCLUDABLE, "map"),
        "sources": Edge(Kind.INCLUDABLE, "list:source"),
        "subscriptions": Edge(Kind.INCLUDABLE, "list:subscription"),
        "tax": Edge(Kind.INCLUDABLE, "tax"),
        "tax_ids": Edge(Kind.INCLUDABLE, "list:tax_id"),
    },
    "invoice_settings": {"default_payment_method": _expandable("payment_method")},
    "discount": {
        "customer": _expandable("customer"),
        "promotion_code": _expandable("promotion_code"),
    },
    "promotion_code": {"customer": _expandable("customer")},
    "payment_method": {"customer": _expandable("customer")},
    "source": {"customer": _expandable("customer"), "account": _expandable("account")},
    "subscription": {
        "application": _expandable("application"),
        "customer": _expandable("customer"),
        "default_payment_method": _expandable("payment_method"),
        "default_source": _expandable("source"),
        "latest_invoice": _expandable("invoice"),
        "on_behalf_of": _expandable("account"),
        "pending_setup_intent": _expandable("setup_intent"),
        "schedule": _expandable("subscription_schedule"),
        "test_clock": _expandable("test_clock"),
    },
    "invoice": {"customer": _expandable("customer"), "subscription": _expandable("subscription")},
    "subscription_schedule": {
        "customer": _expandable("customer"),
        "subscription": _expandable("subscription"),
    },
    "tax_id": {"customer": _expandable("customer")},
    "list:source": {"data": Edge(Kind.LIST, "source")},
    "list:subscription": {"data": Edge(Kind.LIST, "subscription")},
    "list:tax_id": {"data": Edge(Kind.LIST, "tax_id")},
}


def check(paths: list[str], *, in_list: bool) -> tuple[str, ...]:
    """Validate ``expand[]`` and return the paths relative to one customer."""
    relative = []
    for path in paths:
        if path.count(".") + 1 > MAX_DEPTH:
            raise StripeError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                code="property_expansion_max_depth",
                param="expand",
            )
        own = _own_path(path) if in_list else path
        if own is None:
            continue
        if not _reachable(own.split(".")):
            raise StripeError(f"This property cannot be expanded ({own}).", param="expand")
        relative.append(own)
    return tuple(relative)


def _own_path(path: str) -> str | None:
    """A list response's path without its ``data.``; ``data`` alone expands nothing more."""
    if path == "data":
        return None
    if not path.startswith("data."):
        raise StripeError(
            f"This property cannot be expanded ({path}). You may want to try expanding "
            f"'data.{path}' instead.",
            param="expand",
        )
    return path.removeprefix("data.")


def _reachable(segments: list[str]) -> bool:
    type = "customer"
    for position, segment in enumerate(segments):
        edge = SCHEMA.get(type, {}).get(segment)
        last = position == len(segments) - 1
        if edge is None or (last and edge.kind in (Kind.NESTED, Kind.LIST)):
            return False
        type = edge.type
    return True


Resolve = Callable[[str, Any], Any]
"""Turns an expandable field's value (an id or null) of the given type into its object."""
Include = Callable[[dict[str, Any], str], None]
"""Adds the includable field of that name to a customer object that lacks it."""


def apply(
    obj: dict[str, Any], path: str, resolve: Resolve, include: Include, type: str = "customer"
) -> None:
    """Expand one checked path in a rendered object, in place. The response's own includables
    are present (:func:`includables`); those of a customer expanded inside it are added here."""
    head, _, rest = path.partition(".")
    edge = SCHEMA[type][head]
    if edge.kind is Kind.INCLUDABLE and head not in obj:
        include(obj, head)
    value = obj.get(head)
    if edge.kind is Kind.EXPANDABLE and not isinstance(value, dict):  # not by an earlier path
        value = obj[head] = resolve(edge.type, value)
    if not rest or value is None:
        return
    if edge.kind is Kind.LIST:
        for item in value:
            apply(item, rest, resolve, include, edge.type)
    elif isinstance(value, dict):
        apply(value, rest, resolve, include, edge.type)


def includables(paths: tuple[str, ...]) -> set[str]:
    """The includable fields of a customer that these paths ask for."""
    customer = SCHEMA["customer"]
    heads = {path.split(".", 1)[0] for path in paths}
    return {head for head in heads if customer[head].kind is Kind.INCLUDABLE}
