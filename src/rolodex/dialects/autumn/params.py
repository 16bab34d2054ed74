"""What each Autumn customer operation accepts: fields, types, limits and Autumn's messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rolodex.dialects.autumn.errors import invalid_inputs
from rolodex.dialects.autumn.fields import (
    Boolean,
    Choice,
    Field,
    Invalid,
    Items,
    Number,
    Record,
    Shape,
    Text,
)
from rolodex.dialects.wire import JS_WHITESPACE

ID_MAX_LENGTH = 2048
"""Rolodex's own bound on a customer id, so that every id fits its unique index."""
LIST_MAX = 1000
"""The most customers one list page may hold for an organisation."""
SEARCH_MAX_LENGTH = ID_MAX_LENGTH
"""Rolodex's own bound on a list ``search`` (Autumn sets none): long enough to search for any
whole id, far past any name or email typed into a search box, and short enough that its
substring pattern stays well inside SQLite's 50,000-byte LIKE limit on either database."""

_ID_CHARACTERS = re.compile(r"[a-zA-Z0-9_:-]")
_ID_HINT = "Use only letters, numbers, underscores, hyphens, and colons."
_JS_SPACE = re.escape(JS_WHITESPACE)
"""JavaScript's ``\\s``, for a character class (Python's ``\\s`` is another set)."""
_EMAIL = re.compile(f'[^{_JS_SPACE}@"]{{1,64}}@[^{_JS_SPACE}@]{{1,255}}')

EXPANDABLE = (
    "invoices",
    "invoice_previews",
    "trials_used",
    "rewards",
    "entities",
    "referrals",
    "payment_method",
    "billing_details",
    "subscriptions.plan",
    "purchases.plan",
    "balances.feature",
    "flags.feature",
    "billing_controls.auto_topups.purchase_limit",
)


_ID_RULES: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda value: value == "", "can't be an empty string"),
    (lambda value: "@" in value, f"cannot contain @ symbol. {_ID_HINT}"),
    (lambda value: " " in value, f"cannot contain spaces. {_ID_HINT}"),
    (lambda value: "." in value, f"cannot contain periods. {_ID_HINT}"),
)


def id_problem(value: str) -> str | None:
    """Autumn's rules for a customer id, checked in Autumn's order."""
    for broken, problem in _ID_RULES:
        if broken(value):
            return problem
    if bad := next((c for c in value if not _ID_CHARACTERS.fullmatch(c)), None):
        return f"cannot contain '{bad}'. {_ID_HINT}"
    if len(value) > ID_MAX_LENGTH:
        return f"Too big: expected string to have <={ID_MAX_LENGTH} characters"
    return None


def search_problem(value: str) -> str | None:
    if len(value) > SEARCH_MAX_LENGTH:
        return f"Too big: expected string to have <={SEARCH_MAX_LENGTH} characters"
    return None


def email_problem(value: str) -> str | None:
    return None if _EMAIL.fullmatch(value) else "not a valid email address"


CUSTOMER_ID = Text(check=id_problem)
NULLABLE_ID = Text(nullable=True, check=id_problem)
_EXPAND = Items(Choice(EXPANDABLE))
_CONFIG = Shape({"disable_pooled_balance": Boolean(), "disable_overage_billing": Boolean()})

_CUSTOMER_DATA: dict[str, Field] = {
    "name": Text(nullable=True),
    "email": Text(nullable=True, check=email_problem),
    "fingerprint": Text(nullable=True),
    "metadata": Record(nullable=True),
    "stripe_id": Text(nullable=True),
    "send_email_receipts": Boolean(),
    "currency": Text(nullable=True),
    "billing_controls": Record(),
    "config": _CONFIG,
}
_CREATE_ONLY: dict[str, Field] = {
    "create_in_stripe": Boolean(),
    "auto_enable_plan_id": Text(),
    "expand": _EXPAND,
    "with_autumn_id": Boolean(),
}

GET_OR_CREATE = Shape(
    {"customer_id": NULLABLE_ID, **_CUSTOMER_DATA, **_CREATE_ONLY},
    required=frozenset({"customer_id"}),
)
LEGACY_CREATE = Shape(
    {"id": NULLABLE_ID, **_CUSTOMER_DATA, **_CREATE_ONLY}, required=frozenset({"id"})
)
GET = Shape({"customer_id": CUSTOMER_ID, "expand": _EXPAND}, required=frozenset({"customer_id"}))
LEGACY_GET = Shape({"expand": _EXPAND})
UPDATE = Shape(
    {
        "customer_id": CUSTOMER_ID,
        **_CUSTOMER_DATA,
        "new_customer_id": CUSTOMER_ID,
        "expand": _EXPAND,
    },
    required=frozenset({"customer_id"}),
)
LEGACY_UPDATE = Shape(
    {"id": CUSTOMER_ID, **_CUSTOMER_DATA, "new_customer_id": CUSTOMER_ID, "expand": _EXPAND}
)
DELETE = Shape(
    {"customer_id": CUSTOMER_ID, "delete_in_stripe": Boolean()},
    required=frozenset({"customer_id"}),
)

_FILTERS: dict[str, Field] = {
    "plans": Items(
        Shape(
            {"id": Text(), "versions": Items(Number(integer=True))},
            required=frozenset({"id"}),
        )
    ),
    "subscription_status": Choice(("active", "scheduled")),
    "search": Text(check=search_problem),
    "processors": Items(Choice(("stripe", "revenuecat", "vercel"))),
}
LIST_BY_CURSOR = Shape(
    {
        "start_cursor": Text(),
        "limit": Number(integer=True, minimum=1, maximum=5000),
        **_FILTERS,
        "sort_order": Choice(("asc", "desc")),
        "created_at_range": Shape({"start": Number(), "end": Number()}),
    },
    defaults={"start_cursor": "", "limit": 50, "sort_order": "desc"},
)
LIST_BY_OFFSET = Shape(
    {
        "offset": Number(integer=True, minimum=0),
        "limit": Number(integer=True, minimum=1, maximum=LIST_MAX),
        **_FILTERS,
    },
    defaults={"offset": 0, "limit": 10},
)
LEGACY_LIST = Shape(
    {
        "limit": Number(integer=True, minimum=10, maximum=100, coerce=True),
        "offset": Number(integer=True, minimum=0, coerce=True),
    },
    defaults={"limit": 10, "offset": 0},
)


def parse(schema: Shape, body: Any) -> dict[str, Any]:
    """The accepted fields of ``body``, or Autumn's 400 ``invalid_inputs`` naming every problem."""
    try:
        return schema.parse(body)
    except Invalid as invalid:
        raise invalid_inputs(invalid.message()) from None
