"""The Stripe route table and the request pipeline every endpoint shares.

Each endpoint is: authenticate, decode, validate, call the service, render. Errors of every
kind are rendered here, at the dialect's edge, in Stripe's envelope.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rolodex import service
from rolodex.core.errors import NotFound, RolodexError
from rolodex.core.query import AllOf, Compare, Condition, Created, Op
from rolodex.core.query import Attr as QueryAttr
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import params, translate
from rolodex.dialects.stripe.auth import tenant_of
from rolodex.dialects.stripe.decode import decode_form, decode_query
from rolodex.dialects.stripe.errors import (
    StripeError,
    from_core,
    internal,
    no_such_customer,
    unrecognized_url,
)
from rolodex.dialects.stripe.search.endpoint import CustomerSearch
from rolodex.service import ById, Context
from rolodex.store.base import Cursor, ListQuery

log = logging.getLogger(__name__)

DEFAULT_VERSION = "2026-10-28.endive"
_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class Call:
    tenant: Tenant
    params: dict[str, Any]
    path: Mapping[str, str]


Handler = Callable[[Call], Awaitable[dict[str, Any]]]


class Customers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create(self, call: Call) -> dict[str, Any]:
        given = params.CREATE.parse(call.params)
        expand = translate.check_expand(given.get("expand", []), in_list=False)
        translate.reject_references(given)
        record = await service.create_customer(
            self.ctx,
            service.CreateCustomer(
                tenant=call.tenant,
                fields=translate.new_fields(given),
                spec=translate.SPEC,
                new_id=translate.new_customer_id,
                generated={"invoice_prefix": translate.new_invoice_prefix},
            ),
        )
        return translate.render(record, expand)

    async def retrieve(self, call: Call) -> dict[str, Any]:
        given = params.RETRIEVE.parse(call.params)
        expand = translate.check_expand(given.get("expand", []), in_list=False)
        record = await service.get_customer(self.ctx, call.tenant, ById(call.path["id"]))
        return translate.render(record, expand)

    async def update(self, call: Call) -> dict[str, Any]:
        given = params.UPDATE.parse(call.params)
        expand = translate.check_expand(given.get("expand", []), in_list=False)
        translate.reject_references(given)
        updated = await service.update_customer(
            self.ctx,
            service.UpdateCustomer(
                call.tenant, ById(call.path["id"]), translate.patch_of(given), translate.SPEC
            ),
        )
        return translate.render(updated.record, expand)

    async def delete(self, call: Call) -> dict[str, Any]:
        params.DELETE.parse(call.params)
        command = service.DeleteCustomer(
            call.tenant, ById(call.path["id"]), translate.SPEC, hard=False
        )
        record = await service.delete_customer(self.ctx, command)
        return translate.render(record.as_deleted())

    async def list(self, call: Call) -> dict[str, Any]:
        given = params.LIST.parse(call.params)
        expand = translate.check_expand(given.get("expand", []), in_list=True)
        limit = params.limit_of(given)
        after = await self._cursor(call.tenant, given, "starting_after")
        before = await self._cursor(call.tenant, given, "ending_before")
        if after and before:
            raise StripeError(
                "Received both starting_after and ending_before parameters. "
                "Please pass in only one."
            )
        query = ListQuery(
            tenant=call.tenant,
            where=_list_filter(given),
            spec=translate.SPEC,
            limit=limit,
            newest_first=before is None,
            after=before or after,
        )
        page = await service.list_customers(self.ctx, query)
        records = page.records if before is None else page.records[::-1]
        return {
            "object": "list",
            "data": [translate.render(record, expand) for record in records],
            "has_more": page.has_more,
            "url": "/v1/customers",
        }

    async def _cursor(self, tenant: Tenant, given: dict[str, Any], name: str) -> Cursor | None:
        if (cursor_id := given.get(name)) is None:
            return None
        try:
            record: Record = await service.get_customer(self.ctx, tenant, ById(cursor_id))
        except NotFound:
            raise no_such_customer(cursor_id, param=name, status=400) from None
        return Cursor.of(record)


def _list_filter(given: dict[str, Any]) -> Condition | None:
    clauses: list[Condition] = []
    if (email := given.get("email")) is not None:
        clauses.append(Compare(QueryAttr("email"), Op.EQ, email))
    created = given.get("created")
    if isinstance(created, int):
        clauses.append(Compare(Created(), Op.GE, created * 1_000_000))
        clauses.append(Compare(Created(), Op.LT, (created + 1) * 1_000_000))
    elif isinstance(created, dict):
        clauses.extend(_created_bounds(created))
    return AllOf(tuple(clauses)) if clauses else None


def _created_bounds(bounds: dict[str, int | None]) -> list[Condition]:
    """Whole seconds to microsecond bounds: ``gt 5`` means from the start of second 6."""
    second = 1_000_000
    mapping = {
        "gt": lambda s: Compare(Created(), Op.GE, (s + 1) * second),
        "gte": lambda s: Compare(Created(), Op.GE, s * second),
        "lt": lambda s: Compare(Created(), Op.LT, s * second),
        "lte": lambda s: Compare(Created(), Op.LT, (s + 1) * second),
    }
    return [mapping[op](value) for op, value in bounds.items() if value is not None]


def routes(ctx: Context) -> list[BaseRoute]:
    customers = Customers(ctx)
    return [
        _route("/v1/customers", {"GET": customers.list, "POST": customers.create}),
        _route("/v1/customers/search", {"GET": CustomerSearch(ctx).search}),
        _route(
            "/v1/customers/{id}",
            {"GET": customers.retrieve, "POST": customers.update, "DELETE": customers.delete},
        ),
    ]


_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _route(path: str, handlers: Mapping[str, Handler]) -> Route:
    """Every method reaches the endpoint, so an unsupported one gets Stripe's own 404."""
    return Route(path, _endpoint(handlers), methods=_EVERY_METHOD)


async def not_found(request: Request) -> Response:
    return _respond(request, unrecognized_url(request.method, request.url.path).body(), 404)


def _endpoint(handlers: Mapping[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            handler = handlers.get(request.method)
            if handler is None:
                raise unrecognized_url(request.method, request.url.path)
            call = Call(
                tenant=tenant_of(request.headers.get("authorization")),
                params=await _params(request),
                path=request.path_params,
            )
            return _respond(request, await handler(call), 200)
        except StripeError as error:
            return _respond(request, error.body(), error.status)
        except RolodexError as error:
            failure = from_core(error)
            return _respond(request, failure.body(), failure.status)
        except Exception:
            log.exception("unexpected failure serving %s %s", request.method, request.url.path)
            return _respond(request, internal().body(), 500)

    return endpoint


async def _params(request: Request) -> dict[str, Any]:
    if request.method != "POST":
        return decode_query(request.url.query)
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if body and not content_type.startswith(_FORM_TYPES):
        raise StripeError(
            f"Invalid request: unsupported Content-Type {content_type}. If error persists and "
            "you need assistance, please contact support@stripe.com."
        )
    return decode_form(body)


def _respond(request: Request, body: dict[str, Any], status: int) -> Response:
    headers = {
        "request-id": _request_id(),
        "stripe-version": request.headers.get("stripe-version", DEFAULT_VERSION),
    }
    if status >= 500:
        headers["stripe-should-retry"] = "true" if status == 503 else "false"
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def _request_id() -> str:
    return "req_" + "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(14))
