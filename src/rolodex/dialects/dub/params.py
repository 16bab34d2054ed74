"""What each Dub customer operation accepts, with Dub's own validation messages.

The query is checked here; body fields by the validators of ``fields``. Dub validates with
zod and reports the first failing check as
``<issue code>: <dotted path>: <message>``; the checks below run in the order of Dub's schemas
so that the first failure is the one Dub would name. Hand-written because no Python library
reproduces zod's coercions (JavaScript's ``Number()`` on query strings) and its messages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rolodex.dialects.dub.errors import DubError, invalid
from rolodex.dialects.dub.fields import Field, email, external_id, text, timestamp, url
from rolodex.dialects.wire import js_number

SORT_FIELDS = ("createdAt", "saleAmount", "firstSaleAt", "subscriptionCanceledAt")
SORT_ORDERS = ("asc", "desc")
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
COLUMN_MAX = 191
"""Dub keeps these fields in ``VARCHAR(191)`` columns; a longer value fails in its database."""
LIMITED_COLUMNS = ("name", "email", "externalId", "stripeCustomerId", "country")
MAX_SEARCH_LENGTH = 500
"""Rolodex's own bound on ``search`` (Dub sets none): well past the longest name or email it can
match (191 characters), and short enough that its words (at most 250) stay far inside SQLite's
limit on the depth of an expression (1,000), which every word deepens."""
MAX_CUSTOMER_IDS = 100
"""Rolodex's own bound on ``customerIds`` (Dub sets none): a full page of customers, since each
id deepens the list's filter as a word of a search does."""


@dataclass(frozen=True, slots=True)
class ListParams:
    """``GET /customers`` query, also parsed (and so validated) by retrieve and update."""

    email: str | None = None
    external_id: str | None = None
    search: str | None = None
    country: str | None = None
    link_id: str | None = None
    program_id: str | None = None
    partner_id: str | None = None
    customer_ids: tuple[str, ...] | None = None
    """Only the customers with these Dub ids; ``None`` when the parameter is absent or empty."""
    expanded: bool = False
    sort_by: str = "createdAt"
    descending: bool = True
    page: int | None = None
    page_size: int = MAX_PAGE_SIZE
    ending_before: str | None = None
    starting_after: str | None = None


def list_params(query: Mapping[str, str]) -> ListParams:
    # Keyword arguments are evaluated left to right: the order of Dub's schema.
    return ListParams(
        email=query.get("email"),
        external_id=query.get("externalId"),
        search=_bounded(query, "search", MAX_SEARCH_LENGTH),
        country=query.get("country"),
        link_id=query.get("linkId"),
        program_id=query.get("programId"),
        partner_id=query.get("partnerId"),
        customer_ids=_id_list(query, "customerIds"),
        expanded=_boolean(query, "includeExpandedFields"),
        sort_by=_choice(query, "sortBy", SORT_FIELDS) or "createdAt",
        descending=(_choice(query, "sortOrder", SORT_ORDERS) or "desc") == "desc",
        page=_count(query, "page", "Page"),
        page_size=_count(query, "pageSize", "Page size", MAX_PAGE_SIZE) or MAX_PAGE_SIZE,
        ending_before=query.get("endingBefore"),
        starting_after=query.get("startingAfter"),
    )


@dataclass(frozen=True, slots=True)
class Paging:
    cursor: str | None
    """The customer a page continues from, exclusive."""
    backwards: bool
    """Whether the page is the one just before ``cursor`` (``endingBefore``)."""
    offset: int
    limit: int


def paging(given: ListParams) -> Paging:
    """Dub's pagination rules, in Dub's order; empty cursors count as absent."""
    after, before = given.starting_after or None, given.ending_before or None
    if after and before:
        raise _unprocessable("You cannot use both startingAfter and endingBefore at the same time.")
    cursor = after or before
    if cursor and given.sort_by != "createdAt":
        raise _unprocessable(
            "Cursor-based pagination only supports sorting by `createdAt`. Use offset-based "
            "pagination (page/pageSize) for other sort fields."
        )
    if cursor and given.page is not None:
        raise _unprocessable(
            "You cannot use both page and startingAfter/endingBefore at the same time. "
            "Please use one pagination method."
        )
    page = given.page or 1
    if page > MAX_PAGE:
        raise _unprocessable(
            f"Page is too big (cannot be more than {MAX_PAGE}), recommend using cursor-based "
            "pagination instead."
        )
    offset = 0 if cursor else (page - 1) * given.page_size
    return Paging(cursor, before is not None, offset, given.page_size)


def _unprocessable(message: str) -> DubError:
    return DubError("unprocessable_entity", message)


def _bounded(query: Mapping[str, str], name: str, maximum: int) -> str | None:
    value = query.get(name)
    if value is not None and len(value) > maximum:
        raise invalid("too_big", name, f"Too big: expected string to have <={maximum} characters")
    return value


def _id_list(query: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """``a,b`` as ``("a", "b")``; an empty value counts as absent, and empty entries name no
    customer, so they are dropped."""
    text = query.get(name)
    if not text:
        return None
    ids = tuple(id for id in text.split(",") if id)
    if len(ids) > MAX_CUSTOMER_IDS:
        message = f"Too big: expected array to have <={MAX_CUSTOMER_IDS} items"
        raise invalid("too_big", name, message)
    return ids


def _boolean(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise _not_one_of(name, ("true", "false"))
    return value.lower() == "true"


def _choice(query: Mapping[str, str], name: str, options: tuple[str, ...]) -> str | None:
    value = query.get(name)
    if value is not None and value not in options:
        raise _not_one_of(name, options)
    return value


def _not_one_of(name: str, options: tuple[str, ...]) -> DubError:
    expected = "|".join(f'"{option}"' for option in options)
    return invalid("invalid_value", name, f"Invalid option: expected one of {expected}")


def _count(
    query: Mapping[str, str], name: str, label: str, maximum: int | None = None
) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    number = js_number(text)
    if not math.isfinite(number):
        raise invalid("invalid_type", name, f"{label} must be a number.")
    if number <= 0:
        raise invalid("too_small", name, f"{label} must be greater than 0.")
    if maximum is not None and number > maximum:
        raise invalid("too_big", name, f"Max page size is {maximum}.")
    if not number.is_integer():
        # Dub lets fractions through to its database, which fails; Rolodex names the problem.
        raise invalid("invalid_type", name, "Invalid input: expected int, received number")
    return int(number)


UPDATE: dict[str, Field] = {
    "email": Field(email, nullable=True),
    "name": Field(text, nullable=True),
    "avatar": Field(url, nullable=True),
    "externalId": Field(external_id),
    "stripeCustomerId": Field(text, nullable=True),
    "country": Field(text),
    "subscriptionCanceledAt": Field(timestamp, nullable=True),
}
"""``PATCH /customers/{id}``: every field optional; ``null`` clears the nullable ones."""

CREATE: dict[str, Field] = {
    "email": Field(email, nullable=True),
    "name": Field(text, nullable=True),
    "avatar": Field(url, nullable=True),
    "externalId": Field(external_id, required=True),
    "stripeCustomerId": Field(text, nullable=True),
    "country": Field(text, required=True),
}
"""``POST /customers`` (served by Dub though no longer documented)."""


STORED: dict[str, Field] = {**UPDATE, "externalId": Field(external_id, required=True)}
"""A customer as stored (``rolodex import``): an update's fields, and the ``externalId`` every
customer has, which Dub's SDKs require of each one they read."""


def check_columns(fields: Mapping[str, Any]) -> None:
    """Dub's database refuses values longer than its columns; so does Rolodex, in its words."""
    for name in LIMITED_COLUMNS:
        value = fields.get(name)
        if isinstance(value, str) and len(value) > COLUMN_MAX:
            raise DubError(
                "unprocessable_entity",
                "The provided value for the column is too long for the column's type. "
                f"Column: {name}",
            )
