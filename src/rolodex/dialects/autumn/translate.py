"""Plain Autumn parameters to core records and patches, and records to Autumn customers.

A customer is stored under an internal id (``cus_`` and 27 characters, like Autumn's own); the
id the caller chose is the unique field ``customer_id``, so a rename changes one field and the
store moves its key atomically. Email-only customers have no ``customer_id``; they are found by
the derived term ``email_lower``, and one created so holds its email as the unique field
``email_only`` until it gets an id or another email.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Mapping
from typing import Any

from rolodex.core.errors import InvalidField
from rolodex.core.index import IndexSpec, Scope, UniqueField
from rolodex.core.patch import Merge, merge
from rolodex.core.records import Document, Record
from rolodex.core.unset import UNSET
from rolodex.dialects.autumn.errors import invalid_request
from rolodex.dialects.autumn.fields import Invalid
from rolodex.dialects.autumn.params import GET_OR_CREATE
from rolodex.dialects.autumn.versions import Section, Version

CUSTOMER_ID = UniqueField("customer_id", Scope.TENANT)
EMAIL_ONLY = UniqueField("email_only", Scope.TENANT)
"""The lower-cased email of a customer created without an id, so that of concurrent
get-or-creates of one email only the first creates a customer: the others find the key taken,
and look again. Given up, never taken again, once the customer gets an id or another email, so
that an update never fails on it: Autumn makes no email unique, and two email-only customers
may come to share one."""
SPEC = IndexSpec(
    unique=(CUSTOMER_ID, EMAIL_ONLY),
    terms=("email_lower",),
    texts=("customer_id", "name", "email"),
)
"""``texts``: the fields a list's ``search`` looks in (``listing``), served by the text index."""
_DERIVED = ("email_lower", EMAIL_ONLY.name)

INTERNAL_ID = re.compile(r"cus_[0-9A-Za-z]{27}")
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_KSUID_EPOCH_S = 1_400_000_000
_KSUID_LENGTH = 27

_PLAIN = ("name", "fingerprint", "stripe_id", "send_email_receipts")
"""Fields stored as given; ``None`` removes them."""


def new_internal_id(rng: random.Random, now_us: int) -> str:
    """``cus_`` and a KSUID-shaped 27 characters: seconds since 2014-05-13, then 128 random bits.

    Written out here because the encoding is twenty lines and a library would bring its own
    clock and randomness, where Rolodex injects both.
    """
    seconds = max(now_us // 1_000_000 - _KSUID_EPOCH_S, 0) & 0xFFFFFFFF
    number = (seconds << 128) | rng.getrandbits(128)
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = _BASE62[digit] + digits
    return "cus_" + digits.rjust(_KSUID_LENGTH, "0")


def check_currency(given: Mapping[str, Any]) -> None:
    """Rolodex organisations bill in one currency, as Autumn's do until multi-currency is on."""
    if given.get("currency") is not None:
        raise invalid_request("Multi-currency is not enabled for this organization")


def new_fields(given: Mapping[str, Any], customer_id: str | None) -> Document:
    fields: dict[str, Any] = {"customer_id": customer_id, "name": given.get("name")}
    fields.update(_email(given.get("email")))
    if customer_id is None and fields.get("email_lower"):
        fields[EMAIL_ONLY.name] = fields["email_lower"]
    fields.update({name: given.get(name) for name in _PLAIN})
    if fields["stripe_id"] == "":  # links nothing, as on update (Autumn tests the id's truth)
        fields["stripe_id"] = None
    fields["metadata"] = _without_nulls(given.get("metadata") or {})
    fields["config"] = given.get("config") or None
    return {name: value for name, value in fields.items() if value is not None}


def stored_form(fields: Document) -> Document:
    """The document a create request sending ``fields``' values would leave (``rolodex import``
    stores each customer it reads so); raises ``InvalidField``, in Autumn's words, for a value
    its schema refuses. Keys Autumn does not know are dropped, as its schemas drop them, and
    ``email_lower`` is derived again from ``email``. ``email_only`` is kept where the record
    holds it as its creation left it, and never taken anew (an update gave it up)."""
    sent = {name: value for name, value in fields.items() if name not in _DERIVED}
    sent.setdefault("customer_id", None)  # email-only customers have none
    try:
        stored = new_fields(GET_OR_CREATE.parse(sent), sent["customer_id"])
    except Invalid as refused:
        raise InvalidField(refused.issues[0][0], "invalid_inputs", refused.message()) from None
    if stored.get(EMAIL_ONLY.name) == fields.get(EMAIL_ONLY.name):
        return stored
    return {name: value for name, value in stored.items() if name != EMAIL_ONLY.name}


def patch_of(given: Mapping[str, Any]) -> Merge:
    """An update: absent fields stay, ``null`` clears, metadata merges key by key.

    ``metadata: null`` clears every key, as the seed document says (Autumn's server ignores it).
    """
    entries: dict[str, Any] = {name: given.get(name, UNSET) for name in _PLAIN}
    if "email" in given:
        entries.update(_email(given["email"], clearing=True))
        entries[EMAIL_ONLY.name] = None
    if given.get("stripe_id") == "":
        entries["stripe_id"] = None
    if "metadata" in given:
        metadata = given["metadata"]
        entries["metadata"] = None if metadata is None else merge(metadata)
    if "config" in given:
        entries["config"] = merge(given["config"])
    if (new_id := given.get("new_customer_id")) is not None:
        entries["customer_id"] = new_id
        entries[EMAIL_ONLY.name] = None
    return merge({name: value for name, value in entries.items() if value != merge({})})


def fill_in(given: Mapping[str, Any]) -> Callable[[Record], Merge]:
    """What a repeated get-or-create changes: blank name and email filled, receipts set."""

    def plan(record: Record) -> Merge:
        stored = record.fields
        entries: dict[str, Any] = {}
        if given.get("name") and not stored.get("name"):
            entries["name"] = given["name"]
        if given.get("email") and not stored.get("email"):
            entries.update(_email(given["email"]))
        receipts = given.get("send_email_receipts")
        if receipts is not None and receipts != stored.get("send_email_receipts", False):
            entries["send_email_receipts"] = receipts
        return merge(entries)

    return plan


def claim(customer_id: str) -> Callable[[Record], Merge]:
    """Give an email-only customer its first id; a customer that has one already is left be."""

    def plan(record: Record) -> Merge:
        if record.fields.get("customer_id") is not None:
            return merge({})
        return merge({"customer_id": customer_id, EMAIL_ONLY.name: None})

    return plan


def _email(email: str | None, *, clearing: bool = False) -> dict[str, Any]:
    if email is None:
        return {"email": None, "email_lower": None} if clearing else {}
    return {"email": email, "email_lower": email.lower()}


def _without_nulls(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in metadata.items() if value is not None}


def render(
    record: Record, version: Version, expand: tuple[str, ...] = (), *, with_autumn_id: bool = False
) -> dict[str, Any]:
    """The customer object in the shape ``version`` expects; ``autumn_id`` (the internal id)
    last, and only when asked for, as Autumn adds it."""
    fields = record.fields
    customer: dict[str, Any] = {
        "id": fields.get("customer_id"),
        "name": fields.get("name") or None,
        "email": fields.get("email") or None,
        "created_at": record.created_us // 1000,
        "fingerprint": fields.get("fingerprint"),
        "stripe_id": fields.get("stripe_id"),
        "env": record.tenant.mode,
        "metadata": fields.get("metadata", {}),
        "send_email_receipts": fields.get("send_email_receipts", False),
    }
    for key, section in version.sections:
        value = _SECTIONS[section](record)
        if value is not _OMITTED:
            customer[key] = value
    for path in expand:
        value = _EXPANSIONS[path]
        if value is not _OMITTED:
            customer.setdefault(path, value() if callable(value) else value)
    if with_autumn_id:
        customer["autumn_id"] = record.id
    return customer


_OMITTED = object()


def _processors(record: Record) -> Any:
    stripe_id = record.fields.get("stripe_id")
    return _OMITTED if stripe_id is None else {"stripe": {"id": stripe_id}}


_SECTIONS: dict[Section, Callable[[Record], Any]] = {
    Section.EMPTY_LIST: lambda _record: [],
    Section.EMPTY_MAP: lambda _record: {},
    Section.CONFIG: lambda record: dict(record.fields.get("config", {})),
    Section.PROCESSORS: _processors,
}

_EXPANSIONS: dict[str, Any] = {
    "invoices": list,
    "invoice_previews": list,
    "trials_used": list,
    "entities": list,
    "referrals": list,
    "rewards": None,
    "payment_method": None,
    "billing_details": None,
    # Plans, balances and top-ups would be expanded inside entries a customer without plans
    # does not have.
    "subscriptions.plan": _OMITTED,
    "purchases.plan": _OMITTED,
    "balances.feature": _OMITTED,
    "flags.feature": _OMITTED,
    "billing_controls.auto_topups.purchase_limit": _OMITTED,
}
