"""``GET /v1/customers``: filters and cursors to a store query, and the page to a list object.

Newest first, ties inside one second broken by creation order (records keep microseconds),
then by id. ``starting_after`` continues towards older customers; ``ending_before`` returns
the ``limit`` customers just newer than the cursor, still newest first, with ``has_more``
saying whether more lie on the newer side, which is what the SDKs' auto-pagination expects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rolodex.core.query import AllOf, Attr, Compare, Condition, Created, Op
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.params import limit_of
from rolodex.dialects.stripe.translate import SPEC
from rolodex.store.base import Cursor, ListQuery, Page

URL = "/v1/customers"
_SECOND_US = 1_000_000
_SECONDS_BOUND = 1 << 42
"""Far beyond any creation time; bounds are clamped to it so none overflows in the store."""

FindCursor = Callable[[str, str], Awaitable[Cursor]]
"""Resolves a cursor parameter (its name and the customer id it holds) to a position."""


async def query_of(tenant: Tenant, given: dict[str, Any], find: FindCursor) -> ListQuery:
    # Stripe looks both customers up before it refuses the pair, so a missing one is what it
    # reports.
    after = await _cursor(given, "starting_after", find)
    before = await _cursor(given, "ending_before", find)
    if after is not None and before is not None:
        raise StripeError(
            "Received both starting_after and ending_before parameters. Please pass in only one."
        )
    return ListQuery(
        tenant=tenant,
        where=filter_of(given),
        spec=SPEC,
        limit=limit_of(given),
        newest_first=before is None,
        after=before or after,
    )


async def _cursor(given: dict[str, Any], name: str, find: FindCursor) -> Cursor | None:
    cursor_id = given.get(name)
    return None if cursor_id is None else await find(name, cursor_id)


def page_of(page: Page, query: ListQuery, render: Callable[[Record], Any]) -> dict[str, Any]:
    records = page.records if query.newest_first else page.records[::-1]
    return {
        "object": "list",
        "data": [render(record) for record in records],
        "has_more": page.has_more,
        "url": URL,
    }


def filter_of(given: dict[str, Any]) -> Condition | None:
    clauses: list[Condition] = []
    if (email := given.get("email")) is not None:
        clauses.append(Compare(Attr("email"), Op.EQ, email))
    created = given.get("created")
    if isinstance(created, int):
        created = {"gte": created, "lte": created}
    if isinstance(created, dict):
        clauses.extend(created_bounds(created))
    return AllOf(tuple(clauses)) if clauses else None


def created_bounds(bounds: dict[str, int | None]) -> list[Condition]:
    """Whole seconds to microsecond bounds: ``gt 5`` means from the start of second 6."""
    starts = {
        "gt": (Op.GE, 1),
        "gte": (Op.GE, 0),
        "lt": (Op.LT, 0),
        "lte": (Op.LT, 1),
    }
    clauses: list[Condition] = []
    for name, second in bounds.items():
        if second is not None:
            op, shift = starts[name]
            clamped = max(-_SECONDS_BOUND, min(second, _SECONDS_BOUND))
            clauses.append(Compare(Created(), op, (clamped + shift) * _SECOND_US))
    return clauses
