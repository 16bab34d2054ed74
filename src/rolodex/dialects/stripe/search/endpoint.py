"""``GET /v1/customers/search``: Stripe's search result envelope over the store's search."""

from __future__ import annotations

from typing import Any

from rolodex import service
from rolodex.dialects.stripe import expand, params, translate, versions
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import Integer, Text
from rolodex.dialects.stripe.pipeline import Call
from rolodex.dialects.stripe.render import render
from rolodex.dialects.stripe.search import cursor, parse
from rolodex.dialects.stripe.shapes import Operation
from rolodex.service import Context
from rolodex.store.base import Cursor, SearchQuery

URL = "/v1/customers/search"
TOTAL_COUNT = "total_count"

SEARCH = Operation(
    {
        "query": Text(5000, clearable=False),
        "limit": Integer(min=1, max=params.LIMIT_MAX),
        "page": Text(5000, clearable=False),
        "expand": params.EXPAND,
    },
    required=("query",),
)


class CustomerSearch:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def search(self, call: Call) -> dict[str, Any]:
        if call.version.before(versions.SEARCH_RELEASE):
            raise StripeError(
                f"Search is not supported on api version {call.version.text}. Update your API "
                f"version, or set the API Version of this request to {versions.SEARCH_RELEASE} or "
                "greater."
            )
        given = SEARCH.parse(call.params)
        expanded: list[str] = given.get("expand", [])
        per_customer = expand.check(
            [path for path in expanded if path != TOTAL_COUNT], in_list=True
        )
        limit = params.limit_of(given)
        text: str = given["query"]
        where = parse(text)
        page_token = given.get("page")
        after = None if page_token is None else cursor.decode(page_token, call.tenant, text)
        query = SearchQuery(call.tenant, where, translate.SPEC, limit, after)
        page = await service.search_customers(self.ctx, query)
        last = page.records[-1] if page.has_more else None
        result: dict[str, Any] = {
            "object": "search_result",
            "data": [render(record, per_customer) for record in page.records],
            "has_more": page.has_more,
            "next_page": None
            if last is None
            else cursor.encode(Cursor.of(last), call.tenant, text),
            "url": URL,
        }
        if TOTAL_COUNT in expanded:
            result[TOTAL_COUNT] = await service.count_search_matches(self.ctx, query)
        return result
