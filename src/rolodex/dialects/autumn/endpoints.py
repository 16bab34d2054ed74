"""One handler per Autumn operation: parse the parameters, run the operation, render.

The RPC paths (``/v1/customers.update``) take everything in a JSON body; the legacy REST paths
(``/v1/customers/{customer_id}``) take the id from the path, ``expand`` from the query when the
body has none, and a rename as the body's ``id`` (or, as the seed document has it,
``new_customer_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rolodex import service
from rolodex.core.records import Record, Tenant
from rolodex.dialects.autumn import customers, listing, params, translate
from rolodex.dialects.autumn.decode import expand_list, last
from rolodex.dialects.autumn.versions import Paging, Version
from rolodex.service import Context
from rolodex.store.base import Cursor, ListQuery

OFFSET_MAX = 2**31 - 1
"""The largest offset a list applies. Autumn sets no bound, and an offset past the end gives an
empty page however large it is, so a larger one is read as this, the largest both SQLite and
PostgreSQL (whose OFFSET parameter is bound as a 32-bit integer here) accept."""


@dataclass(frozen=True, slots=True)
class Call:
    tenant: Tenant
    version: Version
    body: Any
    query: dict[str, list[str]]
    path: Mapping[str, str]

    def render(self, record: Record, given: Mapping[str, Any]) -> dict[str, Any]:
        """One customer as an operation returns it: with the expansions asked for, and with
        Autumn's internal id when the body or the query string sets ``with_autumn_id``."""
        expand = tuple(dict.fromkeys(given.get("expand", ())))
        asked = given.get("with_autumn_id") is True or last(self.query, "with_autumn_id") == "true"
        return translate.render(record, self.version, expand, with_autumn_id=asked)

    def listed(self, record: Record) -> dict[str, Any]:
        """A list item: the customer without expansions or internal id."""
        return translate.render(record, self.version)

    def with_query_expand(self, body: Any) -> Any:
        """The body, taking ``expand`` from the query string when the body has none."""
        if not isinstance(body, dict) or "expand" in body or "expand" not in self.query:
            return body
        return {**body, "expand": expand_list(self.query["expand"])}


class Endpoints:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def get_or_create(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.GET_OR_CREATE, call.body)
        return call.render(await customers.get_or_create(self.ctx, call.tenant, given), given)

    async def legacy_create(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.LEGACY_CREATE, call.with_query_expand(call.body))
        given["customer_id"] = given.pop("id")
        return call.render(await customers.get_or_create(self.ctx, call.tenant, given), given)

    async def get(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.GET, call.body)
        return call.render(await customers.get(self.ctx, call.tenant, given["customer_id"]), given)

    async def legacy_get(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.LEGACY_GET, call.with_query_expand({}))
        record = await customers.get(self.ctx, call.tenant, call.path["customer_id"])
        return call.render(record, given)

    async def update(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.UPDATE, call.body)
        record = await customers.update(self.ctx, call.tenant, given["customer_id"], given)
        return call.render(record, given)

    async def legacy_update(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.LEGACY_UPDATE, call.with_query_expand(call.body))
        if "id" in given:
            given.setdefault("new_customer_id", given.pop("id"))
        record = await customers.update(self.ctx, call.tenant, call.path["customer_id"], given)
        return call.render(record, given)

    async def delete(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.DELETE, call.body)
        return await customers.delete(self.ctx, call.tenant, given["customer_id"])

    async def legacy_delete(self, call: Call) -> dict[str, Any]:
        return await customers.delete(self.ctx, call.tenant, call.path["customer_id"])

    async def list(self, call: Call) -> dict[str, Any]:
        if call.version.paging is Paging.CURSOR:
            return await self._list_by_cursor(call)
        given = params.parse(params.LIST_BY_OFFSET, call.body)
        page = await self._offset_page(call, given)
        return {**page, "has_more": len(page["list"]) == given["limit"]}

    async def legacy_list(self, call: Call) -> dict[str, Any]:
        query = {name: values[-1] for name, values in call.query.items()}
        page = await self._offset_page(call, params.parse(params.LEGACY_LIST, query))
        return {**page, "total_filtered_count": page["total_count"]}

    async def _list_by_cursor(self, call: Call) -> dict[str, Any]:
        given = params.parse(params.LIST_BY_CURSOR, call.body)
        listing.check_limit(given["limit"])
        after = listing.decode_cursor(given["start_cursor"])
        found = listing.filter_of(given)
        if found.nothing:
            return {"list": [], "next_cursor": None}
        query = ListQuery(
            call.tenant,
            where=found.where,
            spec=translate.SPEC,
            limit=given["limit"],
            newest_first=given["sort_order"] == "desc",
            after=after,
        )
        page = await service.list_customers(self.ctx, query)
        last = page.records[-1] if page.has_more else None
        return {
            "list": [call.listed(record) for record in page.records],
            "next_cursor": None if last is None else listing.encode_cursor(Cursor.of(last)),
        }

    async def _offset_page(self, call: Call, given: Mapping[str, Any]) -> dict[str, Any]:
        found = listing.filter_of(given)
        offset = min(given["offset"], OFFSET_MAX)
        everyone = ListQuery(call.tenant, spec=translate.SPEC)
        matching = ListQuery(
            call.tenant,
            where=found.where,
            spec=translate.SPEC,
            limit=given["limit"],
            offset=offset,
        )
        records = (
            [] if found.nothing else (await service.list_customers(self.ctx, matching)).records
        )
        filtered = 0 if found.nothing else await service.count_customers(self.ctx, matching)
        return {
            "list": [call.listed(record) for record in records],
            "total": len(records),
            "total_count": await service.count_customers(self.ctx, everyone),
            "total_filtered_count": filtered,
            "limit": given["limit"],
            "offset": offset,  # the one applied, which JSON can carry as any client reads it
        }
