"""The Autumn route table and the request pipeline every endpoint shares.

Each request is: authenticate the key, resolve the API version, decode, run the operation,
render. Every failure is rendered here, at the dialect's edge, in Autumn's flat envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from rolodex import service
from rolodex.core.errors import RolodexError
from rolodex.dialects.autumn import decode
from rolodex.dialects.autumn.auth import (
    Credentials,
    credentials_of,
    not_public,
    token_of,
    unknown_key,
)
from rolodex.dialects.autumn.endpoints import Call, Endpoints
from rolodex.dialects.autumn.errors import (
    SANDBOX,
    AutumnError,
    from_core,
    internal,
    invalid_inputs,
)
from rolodex.dialects.autumn.versions import version_of
from rolodex.dialects.wire import (
    AsgiEndpoint,
    BodyTooLarge,
    bounded_body,
    client_left,
    nul_path,
    query_string,
)
from rolodex.service import Context

log = logging.getLogger(__name__)

Handler = Callable[[Call], Awaitable[Any]]
_BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})
MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest body Rolodex reads for Autumn, which states no limit of its own: far past any
customer's fields, and short of letting one request hold the server's memory."""


@dataclass(frozen=True, slots=True)
class Operation:
    handler: Handler
    public: bool = False
    """Whether a publishable key may call it (Autumn allows reading one customer)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    operations: Mapping[str, Operation]
    fixed: Mapping[str, str] = field(default_factory=dict)
    """Path parameters a literal path stands for (``/v1/customers/list`` read as an id)."""


def routes(ctx: Context) -> list[BaseRoute]:
    ops = Endpoints(ctx)
    by_id = {
        "GET": Operation(ops.legacy_get, public=True),
        "POST": Operation(ops.legacy_update),
        "PATCH": Operation(ops.legacy_update),
        "DELETE": Operation(ops.legacy_delete),
    }
    table = [
        Endpoint("/v1/customers.get_or_create", {"POST": Operation(ops.get_or_create)}),
        Endpoint("/v1/customers.get", {"POST": Operation(ops.get)}),
        Endpoint("/v1/customers.update", {"POST": Operation(ops.update)}),
        Endpoint("/v1/customers.list", {"POST": Operation(ops.list)}),
        Endpoint("/v1/customers.delete", {"POST": Operation(ops.delete)}),
        Endpoint(
            "/v1/customers",
            {"GET": Operation(ops.legacy_list), "POST": Operation(ops.legacy_create)},
        ),
        Endpoint(
            "/v1/customers/list",
            {**by_id, "POST": Operation(ops.list)},
            fixed={"customer_id": "list"},
        ),
        Endpoint("/v1/customers/{customer_id}", by_id),
    ]
    return [
        *(Route(e.path, AsgiEndpoint(_serve(e, ctx))) for e in table),
        Route("/{path:path}", AsgiEndpoint(unrouted)),
    ]


async def unrouted(_request: Request) -> Response:
    """What Autumn's framework (Hono) answers where no route takes the method and path: it
    routes by both together, so a known path asked with another method gets this too."""
    return PlainTextResponse("404 Not Found", 404)


def _serve(endpoint: Endpoint, ctx: Context) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        # Autumn's framework (Hono) answers HEAD with the GET handler, headers only.
        method = "GET" if request.method == "HEAD" else request.method
        operation = endpoint.operations.get(method)
        if operation is None:
            return await unrouted(request)
        credentials: Credentials | None = None
        try:
            authorization = request.headers.get("authorization")
            credentials = credentials_of(authorization)
            token = token_of(authorization)
            if ctx.locked and not await service.admitted(ctx, "autumn", token):
                raise unknown_key(token)
            if credentials.publishable and not operation.public:
                raise not_public(_route_path(request))
            call = Call(
                tenant=credentials.tenant,
                version=version_of(request.headers.get("x-api-version")),
                body=await _body(request),
                query=decode.query_params(query_string(request.scope)),
                path={**request.path_params, **endpoint.fixed},
            )
            return _respond(await operation.handler(call), 200)
        except (BodyTooLarge, ClientDisconnect) as unread:
            return _unread(unread)
        except AutumnError as error:
            return _failure(error, credentials)
        except RolodexError as error:
            return _failure(from_core(error), credentials)
        except Exception:
            log.exception("unexpected failure serving %s %s", request.method, request.url.path)
            return _failure(internal(), credentials)

    return serve


def _unread(error: Exception) -> Response:
    """The answer to a body that was not read whole: too large (as Hono's body limit answers
    it), or its client left."""
    if isinstance(error, ClientDisconnect):
        return client_left()
    return PlainTextResponse("Payload Too Large", 413)


async def _body(request: Request) -> Any:
    if request.method not in _BODY_METHODS:
        return {}
    body = decode.json_body(await bounded_body(request.receive, MAX_BODY_BYTES))
    if (path := nul_path(body)) is not None:
        raise invalid_inputs(f"{path or 'input'}: cannot contain the character U+0000")
    return body


def _route_path(request: Request) -> str:
    """The path as Autumn would see it, without the ``/autumn`` mount in front."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _failure(error: AutumnError, credentials: Credentials | None) -> Response:
    env = SANDBOX if credentials is None else credentials.env
    return _respond(error.body(env), error.status)


def _respond(body: Any, status: int) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")
