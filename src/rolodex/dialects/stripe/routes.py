"""The Stripe route table and the customer endpoints.

Each handler is: validate the parameters, call the service, render. The shared pipeline
(authentication, decoding, errors, headers) is in :mod:`~rolodex.dialects.stripe.pipeline`.
To add an endpoint, add a handler and a line to :func:`routes` (every path before the final
catch-all; a fixed path such as ``/v1/customers/search`` is kept out of ``{id:customer_id}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.convertors import StringConvertor, register_url_convertor
from starlette.routing import BaseRoute, Route

from rolodex import service
from rolodex.core.errors import NotFound
from rolodex.core.records import Tenant
from rolodex.dialects.stripe import expand, listing, params, translate, versions
from rolodex.dialects.stripe.errors import StripeError, no_such_customer
from rolodex.dialects.stripe.pipeline import Call, Endpoint, Handler, not_found
from rolodex.dialects.stripe.references import reject_references
from rolodex.dialects.stripe.render import render
from rolodex.dialects.stripe.search.endpoint import CustomerSearch
from rolodex.dialects.stripe.tax import validate_location
from rolodex.service import ById, Context
from rolodex.store.base import Cursor

__all__ = ["Customers", "not_found", "routes"]

_MAX_ID_LENGTH = 5000
_OTHER_MODE = {"test": "live", "live": "test"}


class Customers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create(self, call: Call) -> dict[str, Any]:
        given = params.create_for(call.version).parse(call.params)
        paths = expand.check(given.get("expand", []), in_list=False)
        reject_references(given, live=call.tenant.mode == "live")
        fields = translate.new_fields(given)
        validate_location(given, fields)
        record = await service.create_customer(
            self.ctx,
            service.CreateCustomer(
                tenant=call.tenant,
                fields=fields,
                spec=translate.SPEC,
                new_id=translate.new_customer_id,
                generated={"invoice_prefix": translate.new_invoice_prefix},
                receipt=call.receipt(lambda made: render(made, paths)),
            ),
        )
        return render(record, paths)

    async def retrieve(self, call: Call) -> dict[str, Any]:
        given = params.RETRIEVE.parse(call.params)
        paths = expand.check(given.get("expand", []), in_list=False)
        try:
            record = await service.get_customer(self.ctx, call.tenant, _customer_ref(call))
        except NotFound as missing:
            raise await self._hinted(call, missing) from None
        return render(record, paths)

    async def update(self, call: Call) -> dict[str, Any]:
        given = params.update_for(call.version).parse(call.params)
        paths = expand.check(given.get("expand", []), in_list=False)
        command = service.UpdateCustomer(
            call.tenant,
            _customer_ref(call),
            translate.patch_of(given),
            translate.SPEC,
            receipt=call.receipt(lambda updated: render(updated, paths)),
            check=translate.update_check(given, live=call.tenant.mode == "live"),
        )
        try:
            updated = await service.update_customer(self.ctx, command)
        except NotFound as missing:
            raise await self._hinted(call, missing) from None
        return render(updated.record, paths)

    async def delete(self, call: Call) -> dict[str, Any]:
        given = params.DELETE.parse(call.params)
        expand.check(given.get("expand", []), in_list=False)
        command = service.DeleteCustomer(
            call.tenant, _customer_ref(call), translate.SPEC, hard=False
        )
        try:
            record = await service.delete_customer(self.ctx, command)
        except NotFound as missing:
            raise await self._hinted(call, missing) from None
        return render(record.as_deleted())

    async def _hinted(self, call: Call, missing: NotFound) -> Exception:
        """``missing`` as Stripe reports it: naming the other mode if the same account holds
        the customer there (a test customer asked for with a live key, say).

        Called only once the customer is found missing, so a found one costs nothing more.
        """
        if not _possible_id(missing.id):
            return missing
        here = call.tenant.mode
        there = Tenant(call.tenant.dialect, call.tenant.account, _OTHER_MODE[here])
        try:
            await service.get_customer(self.ctx, there, ById(missing.id))
        except NotFound:
            return missing
        return no_such_customer(missing.id, exists_in=(there.mode, here))

    async def list(self, call: Call) -> dict[str, Any]:
        given = params.LIST.parse(call.params)
        paths = expand.check(given.get("expand", []), in_list=True)
        reject_references(given, live=call.tenant.mode == "live")

        async def find(name: str, customer_id: str) -> Cursor:
            try:
                return Cursor.of(
                    await service.get_customer(self.ctx, call.tenant, ById(customer_id))
                )
            except NotFound:
                raise no_such_customer(customer_id, param=name, status=400) from None

        counted = bool(given.get("include"))
        if counted and not call.version.before(versions.BASIL):
            raise StripeError(
                "This property cannot be included (total_count)",
                code="property_forbidden",
                param="include",
            )
        query = await listing.query_of(call.tenant, given, find)
        page = await service.list_customers(self.ctx, query)
        listed = listing.page_of(page, query, lambda record: render(record, paths))
        if counted:  # versions before basil still count every customer the filters match
            listed["total_count"] = await service.count_customers(self.ctx, query)
        return listed


def _customer_ref(call: Call) -> ById:
    """The path's customer; an id no customer can have is missing without a lookup."""
    customer_id = call.path["id"]
    if not _possible_id(customer_id):
        raise NotFound(customer_id)
    return ById(customer_id)


def _possible_id(customer_id: str) -> bool:
    return len(customer_id) <= _MAX_ID_LENGTH and "\x00" not in customer_id


class _CustomerId(StringConvertor):
    """A path segment naming a customer: any but ``search``, which names its own endpoint.

    Why: so that ``/v1/customers/{id}``, the path of retrieves and updates, can come first in
    the route table; the router tries the routes in turn, each a regular expression.
    """

    regex = "(?!search$)[^/]+"


register_url_convertor("customer_id", _CustomerId())


def routes(ctx: Context) -> list[BaseRoute]:
    customers = Customers(ctx)
    return [
        _route(
            ctx,
            "/v1/customers/{id:customer_id}",
            {"GET": customers.retrieve, "POST": customers.update, "DELETE": customers.delete},
        ),
        _route(ctx, "/v1/customers", {"GET": customers.list, "POST": customers.create}),
        _route(ctx, "/v1/customers/search", {"GET": CustomerSearch(ctx).search}),
        # Keep last: any other /v1 path (a trailing slash included) is Stripe's 404, not a
        # redirect to the path without the slash.
        Route("/v1/{path:path}", not_found),
    ]


def _route(ctx: Context, path: str, handlers: Mapping[str, Handler]) -> Route:
    """Every method reaches the endpoint, so an unsupported one gets Stripe's own 404.

    HEAD is answered as GET (Stripe lists it among the methods a browser may use); the
    server sends the headers alone."""
    if "GET" in handlers:
        handlers = {**handlers, "HEAD": handlers["GET"]}
    return Route(path, Endpoint(handlers, ctx))
