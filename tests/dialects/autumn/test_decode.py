"""Bodies as Autumn's server reads them: JSON as a JavaScript server parses it, at any depth
its parser takes, and metadata within Rolodex's bound on nesting."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.dialects.autumn.fields import RECORD_MAX_DEPTH
from tests.dialects.autumn.conftest import Wire

JSON = {"content-type": "application/json"}


def nested(levels: int) -> dict[str, Any]:
    """An object holding objects ``levels`` deep, itself included."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def test_a_body_nested_as_deep_as_json_goes_is_checked_without_failing(wire: Wire) -> None:
    deepest = b"[" * 1000 + b"]" * 1000
    response = wire.client.post(
        "/v1/customers.get_or_create", content=deepest, headers={**wire_auth(wire), **JSON}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "input: Invalid input: expected object, received array"


def test_metadata_nests_up_to_rolodexs_bound(wire: Wire) -> None:
    kept = nested(RECORD_MAX_DEPTH)
    created = wire.rpc("get_or_create", {"customer_id": "deep", "metadata": kept})
    assert created.status_code == 200, created.text
    assert created.json()["metadata"] == kept
    assert wire.rpc("list", {}).json()["list"][0]["metadata"] == kept
    for call, body in (
        ("get_or_create", {"customer_id": "deeper"}),
        ("update", {"customer_id": "deep"}),
    ):
        refused = wire.rpc(call, {**body, "metadata": nested(RECORD_MAX_DEPTH + 1)})
        assert (refused.status_code, refused.json()["message"]) == (
            400,
            f"metadata: Too deep: expected at most {RECORD_MAX_DEPTH} levels of nesting",
        )
    assert [c["id"] for c in wire.rpc("list", {}).json()["list"]] == ["deep"]
    assert wire.rpc("get", {"customer_id": "deep"}).json()["metadata"] == kept


@pytest.mark.parametrize(
    ("body", "name"),
    [(b'\xef\xbb\xbf{"customer_id":"marked","name":"Jo"}', "Jo"),
     (b'{"customer_id":"latin","name":"Jos\xe9"}', "Jos\ufffd")],
    ids=["byte order mark", "malformed UTF-8"],
)  # fmt: skip
def test_bodies_decode_as_javascript_servers_decode_them(
    wire: Wire, body: bytes, name: str
) -> None:
    response = wire.client.post(
        "/v1/customers.get_or_create", content=body, headers={**wire_auth(wire), **JSON}
    )
    assert (response.status_code, response.json()["name"]) == (200, name)


def wire_auth(wire: Wire) -> dict[str, str]:
    return {"authorization": f"Bearer {wire.key}"}
