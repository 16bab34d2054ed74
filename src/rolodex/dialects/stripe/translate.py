"""Plain Stripe parameters to the documents and patches the core stores.

Create stores what was given; update patches only what was sent. Metadata, ``invoice_settings``
and ``tax`` are patched key by key; ``address``, ``shipping`` and the other hashes are replaced
whole, as Stripe replaces a sub-object (its required keys must be sent again on update).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from typing import Any

from rolodex.core.errors import InvalidField
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.patch import Merge, merge
from rolodex.core.records import Document
from rolodex.dialects.stripe import expand as _expand
from rolodex.dialects.stripe import render as _render
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.params import ADDRESS_KEYS, CREATE, UPDATE
from rolodex.dialects.stripe.references import reject_references
from rolodex.dialects.stripe.shapes import check_metadata_size
from rolodex.dialects.stripe.tax import validate_location

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

render = _render.render
check_expand = _expand.check
"""Rendering and expansion live in ``render`` and ``expand``; these names keep callers that
reach them through this module (as the first layout of the dialect had it) working."""

_MERGED = ("metadata", "invoice_settings", "tax")
_KEPT_SETTINGS = ("custom_fields", "footer", "rendering_options")


def new_customer_id(rng: random.Random, _now_us: int) -> str:
    return "cus_" + "".join(rng.choices(_ALPHANUMERIC, k=14))


def new_invoice_prefix(rng: random.Random, _now_us: int) -> str:
    """Eight uppercase letters and digits, as Stripe draws them (``UZKYMUN3``)."""
    return "".join(rng.choices(_PREFIX_ALPHABET, k=8))


def new_fields(params: Mapping[str, Any]) -> Document:
    stored = {name: _stored(name, value) for name, value in params.items() if name in STORED}
    if tax_ids := params.get("tax_id_data"):
        stored["tax_ids"] = tax_ids
    return {name: value for name, value in stored.items() if value not in (None, {})}


def patch_of(params: Mapping[str, Any]) -> Merge:
    entries: dict[str, Any] = {}
    for name, value in params.items():
        if name not in STORED:
            continue
        if name in _MERGED and value is not None:
            entries[name] = merge(_stored(name, value, keep_unsets=True))
        else:
            entries[name] = _stored(name, value)
    return merge(entries)


def update_check(params: Mapping[str, Any], *, live: bool) -> Callable[[Document], None]:
    """What refuses an update, decided once the customer is known to exist and the patch is
    applied (``service.UpdateCustomer.check``).

    References are checked only then, so a missing customer is reported before a missing
    payment method; the metadata limit and an immediate tax-location validation apply to the
    customer as the update leaves it.
    """

    def check(fields: Document) -> None:
        reject_references(params, live=live)
        check_metadata_size(len(fields.get("metadata", {})))
        validate_location(params, fields)

    return check


def stored_form(fields: Document) -> Document:
    """The document a create request sending ``fields``' values would leave (``rolodex import``
    stores each customer it reads so, whether an older build or a hand wrote it); raises
    ``InvalidField``, with Stripe's message, for a value Stripe's validators refuse, and for a
    customer without an ``invoice_prefix`` (every customer has one)."""
    sent = {_SENT_AS.get(name, name): value for name, value in _as_sent(fields).items()}
    try:
        stored = new_fields(_IMPORTED.parse(sent))
    except StripeError as refused:
        code, param = refused.code or "invalid", _stored_name(refused.param)
        raise InvalidField(param, code, refused.message) from None
    if "invoice_prefix" not in stored:
        raise InvalidField("invoice_prefix", "missing", "Every customer has an invoice_prefix.")
    return stored


_IMPORTED = CREATE.extended({"tax": UPDATE.fields["tax"]})
"""What a stored document may hold: a create's parameters, with every ``tax`` an update
takes (the first builds kept ``tax[validate_location]``, which none shows)."""
_SENT_AS = {"tax_ids": "tax_id_data"}
"""Stored fields kept under another name than the parameter that sets them."""


def _stored_name(param: str | None) -> str | None:
    """A refused parameter named as the stored field that was sent as it."""
    for stored, sent in _SENT_AS.items():
        if param is not None and param.startswith(sent):
            return stored + param.removeprefix(sent)
    return param


def _as_sent(value: Any) -> Any:
    """A stored value as form decoding hands it to the validators: text at every leaf, a null
    as the empty string that leaves one."""
    if isinstance(value, dict):
        return {key: _as_sent(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_as_sent(entry) for entry in value]
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _stored(name: str, value: Any, *, keep_unsets: bool = False) -> Any:
    """The stored form of one parameter; ``keep_unsets`` keeps ``None`` entries of a merge."""
    if value is None:
        return None
    if name == "address":
        return _address(value)
    if name == "shipping":
        return {
            "address": _address(value["address"]),
            "name": value["name"],
            "phone": value.get("phone"),
        }
    if name == "invoice_settings":
        value = {key: entry for key, entry in value.items() if key in _KEPT_SETTINGS}
    if name == "tax":
        value = {key: entry for key, entry in value.items() if key == "ip_address"}
    if isinstance(value, dict) and name in _MERGED and not keep_unsets:
        value = {key: entry for key, entry in value.items() if entry is not None}
    return value


def _address(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.get(key) for key in ADDRESS_KEYS}
