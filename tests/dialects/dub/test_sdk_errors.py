"""Every error the customers API returns, in Dub's envelope, parsed by the SDK's typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from dub import Dub
from dub.models import errors

from tests.conftest import random_key
from tests.dialects.dub.conftest import Workspace
from tests.support.server import Server

DOCS = "https://dub.co/docs/api-reference/errors#"
NOT_FOUND = (
    "Customer not found. Make sure you're using the correct customer ID "
    "(e.g. `cus_3TagGjzRzmsFJdH8od2BNCsc`) or external ID (has to be prefixed with `ext_`)."
)


def failure(
    kind: type[errors.DubError], call: Callable[[], object]
) -> tuple[int, str, str, str | None]:
    """Status, code, message and doc_url of the typed error ``call`` raises."""
    with pytest.raises(kind) as raised:
        call()
    error: Any = raised.value
    detail = error.data.error
    return error.status_code, detail.code.value, detail.message, detail.doc_url


def patch(workspace: Workspace, id: str, body: object) -> tuple[int, str, str]:
    """``body`` as JSON, or as it is if bytes."""
    content = body if isinstance(body, bytes) else json.dumps(body)
    response = workspace.http.patch(f"/customers/{id}", content=content)
    error = response.json()["error"]
    assert error["doc_url"] == DOCS + error["code"].replace("_", "-", 1)
    return response.status_code, error["code"], error["message"]


@pytest.fixture
def without_auth_header(server: Server) -> Iterator[Dub]:
    def drop(request: httpx.Request) -> None:
        del request.headers["authorization"]

    with (
        httpx.Client(event_hooks={"request": [drop]}) as client,
        Dub(token="unused", server_url=f"{server.url}/dub", client=client) as sdk,
    ):
        yield sdk


def test_authentication_errors(server: Server, without_auth_header: Dub, dub_key: str) -> None:
    def listing(sdk: Dub) -> Callable[[], object]:
        return lambda: sdk.customers.list(request={})

    assert failure(errors.Unauthorized, listing(without_auth_header)) == (
        401, "unauthorized", "Missing Authorization header.", DOCS + "unauthorized",
    )  # fmt: skip
    url = f"{server.url}/dub"
    with Dub(token=f"bearer {dub_key}", server_url=url) as lowercase:
        assert failure(errors.BadRequest, listing(lowercase)) == (
            400,
            "bad_request",
            "Misconfigured authorization header. Did you forget to add 'Bearer '? "
            "Learn more: https://d.to/auth",
            DOCS + "bad-request",
        )
    with Dub(token="dub_not-a-key!", server_url=url) as malformed:
        assert failure(errors.Unauthorized, listing(malformed))[2] == (
            "Unauthorized: Invalid API key."
        )
    with Dub(token=random_key("sk_test_"), server_url=url) as personal:
        status, code, message, _ = failure(errors.NotFound, listing(personal))
        assert (status, code) == (404, "not_found")
        assert message.startswith("Workspace ID not found. Did you forget to include a")
    with_workspace = httpx.get(
        f"{url}/customers?workspaceId=ws_1", headers={"Authorization": "Bearer personal"}
    )
    assert with_workspace.status_code == 401
    assert with_workspace.json()["error"]["message"] == "Unauthorized: Invalid API key."


def test_missing_customer_is_a_typed_not_found(dub: Dub) -> None:
    for call in (
        lambda: dub.customers.get(request={"id": "cus_1M7ZZZZZZZZZZZZZZZZZZZZZZ"}),
        lambda: dub.customers.update(request={"id": "ext_nobody", "request_body": {"name": "x"}}),
        lambda: dub.customers.delete(id="ext_nobody"),
    ):
        assert failure(errors.NotFound, call) == (404, "not_found", NOT_FOUND, DOCS + "not-found")


def test_update_without_a_json_body_is_a_bad_request(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="b")
    message = (
        "Invalid JSON format in request body. Please ensure the request body is a valid JSON "
        "object."
    )
    assert failure(errors.BadRequest, lambda: dub.customers.update(request={"id": "ext_b"})) == (
        400, "bad_request", message, DOCS + "bad-request",
    )  # fmt: skip
    for raw in (b"{", b"name=x", b"\xff"):
        response = workspace.http.patch("/customers/ext_b", content=raw)
        assert (response.status_code, response.json()["error"]["message"]) == (400, message)
    missing = workspace.http.patch("/customers/ext_nobody", content=b"")
    assert missing.status_code == 400  # the body is read before the customer is looked up


DEEPEST = b"[" * 1000 + b"]" * 1000
"""About as deep as JSON parsers take, past Python's recursion limit."""


def test_update_field_validation(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="v", email="v@example.com")
    assert failure(
        errors.UnprocessableEntity,
        lambda: dub.customers.update(request={"id": "ext_v", "request_body": {"email": "a@b"}}),
    ) == (
        422, "unprocessable_entity", "invalid_format: email: Invalid email address",
        DOCS + "unprocessable-entity",
    )  # fmt: skip
    cases: list[tuple[object, str]] = [
        ({"email": ".a@example.com"}, "invalid_format: email: Invalid email address"),
        ({"email": 5}, "invalid_type: email: Invalid input: expected string, received number"),
        ({"name": True}, "invalid_type: name: Invalid input: expected string, received boolean"),
        ({"avatar": "example.com/a.png"}, "invalid_format: avatar: Invalid URL"),
        ({"externalId": None}, "invalid_type: externalId: External ID is required"),
        (
            {"stripeCustomerId": []},
            "invalid_type: stripeCustomerId: Invalid input: expected string, received array",
        ),
        ({"country": 1}, "invalid_type: country: Invalid input: expected string, received number"),
        ({"country": None}, "invalid_type: country: Invalid input: expected string, received null"),
        (
            {"subscriptionCanceledAt": "2024-13-01T00:00:00Z"},
            "invalid_format: subscriptionCanceledAt: Invalid ISO datetime",
        ),
        (
            {"subscriptionCanceledAt": "0001-01-01T00:00:00+00:01"},  # before year 1 in UTC
            "invalid_format: subscriptionCanceledAt: Invalid ISO datetime",
        ),
        (
            {"subscriptionCanceledAt": "9999-12-31T23:59:59.999-23:59"},  # after 9999 in UTC
            "invalid_format: subscriptionCanceledAt: Invalid ISO datetime",
        ),
        (None, "invalid_type: : Invalid input: expected object, received null"),
        ([], "invalid_type: : Invalid input: expected object, received array"),
        (DEEPEST, "invalid_type: : Invalid input: expected object, received array"),
        (
            b'{"name":' + DEEPEST + b"}",
            "invalid_type: name: Invalid input: expected string, received array",
        ),
        ({"name": 1, "email": "x"}, "invalid_format: email: Invalid email address"),
    ]
    for body, message in cases:
        assert patch(workspace, "ext_v", body) == (422, "unprocessable_entity", message)
    assert patch(workspace, "ext_nobody", {"email": "bad"})[0] == 422  # checked before lookup
    assert dub.customers.get(request={"id": "ext_v"}).email == "v@example.com"


def test_bodies_decode_as_javascript_servers_decode_them(workspace: Workspace) -> None:
    workspace.create(externalId="coded")
    for body, name in ((b'\xef\xbb\xbf{"name":"Jo"}', "Jo"), (b'{"name":"Jos\xe9"}', "Jos\ufffd")):
        response = workspace.http.patch("/customers/ext_coded", content=body)
        assert (response.status_code, response.json()["name"]) == (200, name)


def test_column_limits_are_enforced_after_lookup(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="long", name="Short")
    too_long = "x" * 192
    assert patch(workspace, "ext_nobody", {"name": too_long})[0] == 404
    assert patch(workspace, "ext_long", {"name": too_long}) == (
        422,
        "unprocessable_entity",
        "The provided value for the column is too long for the column's type. Column: name",
    )
    assert dub.customers.get(request={"id": "ext_long"}).name == "Short"
    fits = dub.customers.update(request={"id": "ext_long", "request_body": {"name": "y" * 191}})
    assert fits.name == "y" * 191
    response = workspace.http.post("/customers", json={"externalId": too_long, "country": "US"})
    assert response.json()["error"]["message"].endswith("Column: externalId")


def test_create_validation(workspace: Workspace) -> None:
    cases: dict[str, object] = {
        "invalid_type: externalId: External ID is required": {"country": "US"},
        "invalid_type: country: Invalid input: expected string, received undefined": {
            "externalId": "c"
        },
        "invalid_format: avatar: Invalid URL": {"externalId": "c", "avatar": "nope"},
    }
    for message, body in cases.items():
        response = workspace.http.post("/customers", json=body)
        assert response.status_code == 422
        assert response.json()["error"]["message"] == message
    empty = workspace.http.post("/customers", content=b"")
    assert empty.status_code == 400
    assert workspace.http.get("/customers").json() == []


def test_unknown_paths_and_methods(workspace: Workspace) -> None:
    unknown = workspace.http.get("/customers/a/b")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    put = workspace.http.put("/customers/x", json={})
    assert (put.status_code, put.headers["allow"]) == (405, "GET, PATCH, DELETE, OPTIONS")
    for method in ("TRACE", "PROPFIND"):
        other = workspace.http.request(method, "/customers")
        assert (other.status_code, other.headers["allow"]) == (405, "GET, POST, OPTIONS")
    assert workspace.http.request("MKCOL", "/nowhere").json()["error"]["code"] == "not_found"
    bare = str(workspace.http.base_url).rstrip("/")  # the prefix Rolodex serves Dub under
    assert workspace.http.get(bare).json()["error"]["code"] == "not_found"
    assert workspace.http.options("/customers").status_code == 204


def test_oversized_body_is_refused(workspace: Workspace) -> None:
    workspace.create(externalId="big")
    response = workspace.http.patch("/customers/ext_big", content=b" " * 4_500_001)
    assert response.status_code == 413


NUL_MESSAGE = "Invalid string: must not contain U+0000"


def test_u0000_is_refused_in_every_input(dub: Dub, workspace: Workspace) -> None:
    known = workspace.create(externalId="n2", email="n2@example.com")
    http = workspace.http
    sent = [
        ("country", http.patch("/customers/ext_n2", json={"country": "\x00"})),
        ("x.0", http.patch("/customers/ext_n2", json={"name": "a", "x": ["\x00"]})),
        ("externalId", http.post("/customers", json={"externalId": "z\x00", "country": "US"})),
        (
            "stripeCustomerId",
            http.post("/customers", json={"externalId": "z", "stripeCustomerId": "\x00"}),
        ),
        ("id", http.get("/customers/ext_a%00b")),
        ("id", http.delete("/customers/cus_%00")),
        ("customerIds", http.get(f"/customers?customerIds={known['id']},%00")),
    ]
    for name in ("email", "search", "country", "externalId", "startingAfter", "endingBefore"):
        sent.append((name, http.get(f"/customers?{name}=a%00")))
    for path, response in sent:
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"] == {
            "code": "unprocessable_entity",
            "message": f"invalid_format: {path}: {NUL_MESSAGE}",
            "doc_url": DOCS + "unprocessable-entity",
        }
    assert [c.external_id for c in dub.customers.list(request={}).result] == ["n2"]  # type: ignore[union-attr]
    assert dub.customers.get(request={"id": "ext_n2"}).name == "n2@example.com"
