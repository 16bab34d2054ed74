"""Plain Dub parameters to core commands and list queries; records to Dub customer objects."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from rolodex.core import text
from rolodex.core.errors import InvalidField
from rolodex.core.index import IndexSpec, Scope, UniqueField
from rolodex.core.patch import Merge, merge
from rolodex.core.query import AllOf, AnyOf, Attr, Compare, Condition, Op, RecordId
from rolodex.core.records import Document, Record, Tenant
from rolodex.dialects.dub import fields as _fields
from rolodex.dialects.dub import params
from rolodex.dialects.dub.errors import DubError
from rolodex.dialects.dub.fields import iso_ms
from rolodex.dialects.dub.names import random_name
from rolodex.dialects.dub.params import ListParams, Paging
from rolodex.service import ById, ByKey, CreateCustomer, IdFormat, PatchPlan, Ref
from rolodex.store.base import Cursor, ListQuery

EXTERNAL_ID = UniqueField("externalId", Scope.TENANT)
SPEC = IndexSpec(
    unique=(EXTERNAL_ID, UniqueField("stripeCustomerId", Scope.DIALECT)),
    terms=("email", "externalId", "country"),
    texts=("email", "name"),
)
"""externalId is unique per workspace, stripeCustomerId across every workspace (as in Dub);
``texts``: the fields a list's ``search`` finds words in, served by the text index."""

GENERATED_AVATARS = "https://api.dub.co/og/avatar/"
"""Dub's avatar generator, shown (with the customer id) for a customer without an avatar."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_DIGITS = 25
_FULLTEXT_OPERATORS = re.compile(r"[*+\-()~@%<>!=?:]")
_SHORTEST_WORD = 3
_STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how",
    "i", "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what",
    "when", "where", "who", "will", "with", "und", "www",
})  # fmt: skip
"""What Dub's MySQL full-text index leaves out of every search, by InnoDB's defaults
(``innodb_ft_min_token_size`` and its built-in stopword list): such a word matches nothing."""


def new_customer_id(rng: random.Random, now_us: int) -> str:
    """``cus_`` and 25 Crockford base-32 digits of a ULID-like number, so ids sort by time.

    The number is a millisecond timestamp shifted over 80 bits; of those 80, the first 10 hold
    the microsecond within the millisecond and 70 are random. Written at a fixed width in an
    alphabet that is in ASCII order, ids sort as their numbers do: by creation time to the
    microsecond, which is ``Record.created_us``, then at random. So ordering by the store's
    ``(created_us, id)`` is exactly ordering by id, Dub's cursor order.
    """
    millisecond, microsecond = divmod(now_us, 1000)
    value = millisecond << 80 | microsecond << 70 | rng.getrandbits(70)
    digits = ""
    while value:
        value, digit = divmod(value, 32)
        digits = _CROCKFORD[digit] + digits
    return "cus_" + digits.rjust(_ID_DIGITS, "0")


def ref_of(id: str) -> Ref:
    """``ext_<externalId>`` (only the first ``ext_`` is stripped) or a Dub id."""
    return ByKey(EXTERNAL_ID, id.removeprefix("ext_")) if id.startswith("ext_") else ById(id)


def _drawn_name(rng: random.Random, _now_us: int) -> str:
    return random_name(rng)


def create_command(tenant: Tenant, given: Mapping[str, Any]) -> CreateCustomer:
    """Dub's creation persists ``name || email || <random name>``; the random one is drawn by
    the service from its injected randomness, and then kept like a given name."""
    fields = {name: value for name, value in given.items() if value is not None}
    shown = given.get("name") or given.get("email")
    fields.pop("name", None)
    if shown:
        fields["name"] = shown
    params.check_columns(fields)
    generated: dict[str, IdFormat] = {} if shown else {"name": _drawn_name}
    return CreateCustomer(tenant, fields, SPEC, new_customer_id, generated)


def patch_of(given: Mapping[str, Any]) -> PatchPlan:
    """Sent fields change, ``null`` clears; lengths are checked once the customer is found,
    where Dub's database would refuse them."""
    patch = merge(given)

    def checked(_record: Record) -> Merge:
        params.check_columns(given)
        return patch

    return checked


def stored_form(fields: Document) -> Document:
    """The document an update sending ``fields``' values would leave (an update, as only it
    sets every field; ``rolodex import`` stores each customer it reads so); raises
    ``InvalidField``, in Dub's words, for a value its schema or its database refuses, or for
    a customer without an ``externalId``. Keys Dub does not know are dropped, as its schemas
    drop them."""
    try:
        given = _fields.body(dict(fields), params.STORED)
        params.check_columns(given)
    except DubError as refused:
        raise InvalidField(None, refused.code, refused.message) from None
    return {name: value for name, value in given.items() if value is not None}


def render(record: Record, rng: random.Random) -> dict[str, Any]:
    """The customer object, keys in Dub's order.

    ``name`` falls back to the email, then to a fresh random name on every response, as Dub's
    reads do. ``includeExpandedFields`` adds nothing: Dub then appends link, programId, partner
    and discount only when the customer has them, and Rolodex holds no links, partner
    enrollments or discounts. Rolodex records no sales, so the sale figures are zero.
    """
    fields = record.fields
    return {
        "id": record.id,
        "name": fields.get("name") or fields.get("email") or random_name(rng),
        "email": fields.get("email"),
        "avatar": fields.get("avatar") or GENERATED_AVATARS + record.id,
        "externalId": fields.get("externalId"),
        "stripeCustomerId": fields.get("stripeCustomerId"),
        "country": fields.get("country"),
        "sales": 0,
        "saleAmount": 0,
        "createdAt": iso_ms(_EPOCH + timedelta(microseconds=record.created_us)),
        "firstSaleAt": None,
        "subscriptionCanceledAt": fields.get("subscriptionCanceledAt"),
    }


def list_conditions(given: ListParams) -> tuple[Condition, ...] | None:
    """The list's filters, or ``None`` when nothing can match.

    ``email`` beats ``externalId``, which beats ``search`` (empty values count as absent).
    A ``search`` with ``@`` is an exact email; otherwise, like Dub's boolean-mode full-text
    search, any of its words must be a word of the email and any a word of the name (words as
    ``core.text`` splits them, so ``john.smith`` is two). ``customerIds`` narrows every other
    filter to the customers with those Dub ids.
    """
    clauses: list[Condition] = []
    if given.customer_ids is not None:
        named = (Compare(RecordId(), Op.EQ, id) for id in dict.fromkeys(given.customer_ids))
        clauses.append(AnyOf(tuple(named)))
    if given.email:
        clauses.append(Compare(Attr("email"), Op.EQ, given.email))
    elif given.external_id:
        clauses.append(Compare(Attr("externalId"), Op.EQ, given.external_id))
    elif given.search and "@" in given.search:
        clauses.append(Compare(Attr("email"), Op.EQ, given.search))
    elif given.search:
        words = _searched_words(given.search)
        if not words:
            return None
        for field in SPEC.texts:
            clauses.append(AnyOf(tuple(Compare(Attr(field), Op.WORDS, w) for w in words)))
    if given.country:
        clauses.append(Compare(Attr("country"), Op.EQ, given.country))
    if given.link_id:
        return None  # Rolodex holds no links, so no customer came through one.
    return tuple(clauses)


def _searched_words(search: str) -> tuple[str, ...]:
    """The words of a ``search`` that Dub's full-text index can match, each once."""
    words = text.words(_FULLTEXT_OPERATORS.sub(" ", search))
    kept = (w for w in words if len(w) >= _SHORTEST_WORD and w not in _STOPWORDS)
    return tuple(dict.fromkeys(kept))


def list_query(
    tenant: Tenant,
    given: ListParams,
    paging: Paging,
    conditions: tuple[Condition, ...],
    cursor: Record | None,
) -> ListQuery:
    """A page in Dub's order; ``endingBefore`` reads backwards (the caller reverses the page).

    Dub orders cursor pages by id. The store's keyset is ``(created_us, id)``, which for ids
    drawn by :func:`new_customer_id` is the same order, so a cursor is the customer's position
    in it.

    Rolodex records no sales, so ``saleAmount`` and ``firstSaleAt`` are equal for everyone
    and those sorts fall back to creation order in the requested direction; so do ties of
    ``subscriptionCanceledAt``, where customers without one sort lowest (as in Dub's MySQL).
    """
    sort = Attr(given.sort_by) if given.sort_by == "subscriptionCanceledAt" else None
    return ListQuery(
        tenant=tenant,
        where=AllOf(conditions) if conditions else None,
        spec=SPEC,
        limit=paging.limit,
        newest_first=given.descending != paging.backwards,
        after=None if cursor is None else Cursor.of(cursor),
        offset=paging.offset,
        sort=sort,
    )
