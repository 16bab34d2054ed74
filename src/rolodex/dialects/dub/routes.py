"""The Dub route table and the request pipeline every endpoint shares.

Each endpoint is: authenticate, parse the query, parse the body, call the service, render, in
the order Dub's handlers check them, so the first problem reported is the one Dub reports.
Errors of every kind are rendered here, at the dialect's edge, in Dub's envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rolodex import service
from rolodex.core.errors import NotFound, RolodexError
from rolodex.core.records import Record, Tenant
from rolodex.dialects.dub import fields, params, translate
from rolodex.dialects.dub.auth import key_of, tenant_of, unknown_key
from rolodex.dialects.dub.decode import (
    MAX_BODY_BYTES,
    json_body,
    query_of,
    refuse_nul,
)
from rolodex.dialects.dub.errors import DubError, from_core, internal
from rolodex.dialects.wire import (
    AsgiEndpoint,
    BodyTooLarge,
    bounded_body,
    client_left,
    query_string,
)
from rolodex.service import ById, Context

log = logging.getLogger(__name__)

INVALID_CURSOR = "Invalid cursor: the provided ID does not exist."
PROGRAM_NOT_FOUND = "Program not found"


@dataclass(frozen=True, slots=True)
class Call:
    tenant: Tenant
    query: dict[str, str]
    path: Mapping[str, str]
    raw_body: bytes

    def body(self) -> Any:
        body = json_body(self.raw_body)
        refuse_nul(body)
        return body


Reply = tuple[Any, int]
Handler = Callable[[Call], Awaitable[Reply]]


class Customers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create(self, call: Call) -> Reply:
        given = fields.body(call.body(), params.CREATE)
        command = translate.create_command(call.tenant, given)
        record = await service.create_customer(self.ctx, command)
        return self._render(record), 201

    async def retrieve(self, call: Call) -> Reply:
        params.list_params(call.query)  # Dub parses the whole list query here too
        ref = translate.ref_of(call.path["id"])
        return self._render(await service.get_customer(self.ctx, call.tenant, ref)), 200

    async def update(self, call: Call) -> Reply:
        params.list_params(call.query)
        given = fields.body(call.body(), params.UPDATE)
        command = service.UpdateCustomer(
            call.tenant,
            translate.ref_of(call.path["id"]),
            translate.patch_of(given),
            translate.SPEC,
        )
        updated = await service.update_customer(self.ctx, command)
        return self._render(updated.record), 200

    async def delete(self, call: Call) -> Reply:
        ref = translate.ref_of(call.path["id"])
        command = service.DeleteCustomer(call.tenant, ref, translate.SPEC, hard=True)
        record = await service.delete_customer(self.ctx, command)
        return {"id": record.id}, 200

    async def list(self, call: Call) -> Reply:
        given = params.list_params(call.query)
        if given.program_id or given.partner_id:
            # Dub swaps these for the workspace's default program; Rolodex workspaces have none.
            raise DubError("not_found", PROGRAM_NOT_FOUND)
        paging = params.paging(given)
        cursor = await self._cursor(call.tenant, paging.cursor)
        conditions = translate.list_conditions(given)
        if conditions is None:
            return [], 200
        query = translate.list_query(call.tenant, given, paging, conditions, cursor)
        page = await service.list_customers(self.ctx, query)
        records = page.records[::-1] if paging.backwards else page.records
        return [self._render(record) for record in records], 200

    async def _cursor(self, tenant: Tenant, id: str | None) -> Record | None:
        if id is None:
            return None
        try:
            return await service.get_customer(self.ctx, tenant, ById(id))
        except NotFound:
            raise DubError("unprocessable_entity", INVALID_CURSOR) from None

    def _render(self, record: Record) -> dict[str, Any]:
        return translate.render(record, self.ctx.rng)


def routes(ctx: Context) -> list[BaseRoute]:
    customers = Customers(ctx)
    return [
        _route(ctx, "/customers", {"GET": customers.list, "POST": customers.create}),
        _route(  # ``path``: an id may hold a slash, sent encoded (%2F) as the npm SDK sends it
            ctx,
            "/customers/{id:path}",
            {"GET": customers.retrieve, "PATCH": customers.update, "DELETE": customers.delete},
        ),
        Route("/{path:path}", AsgiEndpoint(unknown_path)),
    ]


_WITH_BODY = ("POST", "PATCH")


def _route(ctx: Context, path: str, handlers: Mapping[str, Handler]) -> Route:
    served = _endpoint(ctx, handlers)

    async def endpoint(request: Request) -> Response:
        return await (served if _one_segment_id(request) else unknown_path)(request)

    return Route(path, AsgiEndpoint(endpoint))


def _one_segment_id(request: Request) -> bool:
    """Whether the path's ``id``, if it has one, is one non-empty segment of the path as sent:
    a slash in it came encoded. ``/customers/a/b`` is another path, which Dub does not serve."""
    id = request.path_params.get("id")
    if id is None:
        return True
    sent = request.scope.get("raw_path") or request.url.path.encode()
    return id != "" and b"/" not in sent.split(b"/customers/", 1)[-1]


async def unknown_path(_request: Request) -> Response:
    """Rolodex's own answer: Dub's host serves an HTML page for paths it does not know."""
    return _json(DubError("not_found", "Not found").body(), 404)


def _endpoint(
    ctx: Context, handlers: Mapping[str, Handler]
) -> Callable[[Request], Awaitable[Response]]:
    allowed = ", ".join([*handlers, "OPTIONS"])

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        handler = handlers.get(method)
        if handler is None:
            # As Dub's framework does: OPTIONS lists the methods, any other method is a 405.
            status = 204 if method == "OPTIONS" else 405
            return Response(status_code=status, headers={"Allow": allowed})
        try:
            return await _serve(ctx, request, handler)
        except Exception as error:
            return _failure(error, request)

    return endpoint


def _failure(error: Exception, request: Request) -> Response:
    if isinstance(error, BodyTooLarge):  # answered outside Dub's envelope, as its hosting does
        return Response("Request Entity Too Large", 413, media_type="text/plain")
    if isinstance(error, ClientDisconnect):
        return client_left()
    if isinstance(error, DubError):
        return _json(error.body(), error.status)
    if isinstance(error, RolodexError):
        failure = from_core(error)
        return _json(failure.body(), failure.status)
    log.exception("unexpected failure serving %s %s", request.method, request.url.path)
    return _json(internal().body(), 500)


async def _serve(ctx: Context, request: Request, handler: Handler) -> Response:
    query = query_of(query_string(request.scope))
    authorization = request.headers.get("authorization")
    tenant = tenant_of(authorization, query)
    if ctx.locked and not await service.admitted(ctx, "dub", key_of(authorization or "")):
        raise unknown_key()
    refuse_nul(query)
    refuse_nul(request.path_params)
    body = (
        await bounded_body(request.receive, MAX_BODY_BYTES) if request.method in _WITH_BODY else b""
    )
    payload, status = await handler(Call(tenant, query, request.path_params, body))
    return _json(payload, status)


def _json(body: Any, status: int) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")
