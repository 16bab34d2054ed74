"""The legacy autumn-py client (x-api-version 1.2.0) on the legacy REST paths."""

from __future__ import annotations

import autumn
import pytest
from autumn.error import AutumnHTTPError

from tests.dialects.autumn.conftest import Wire


def test_create_get_update_delete(legacy: autumn.Client) -> None:
    created = legacy.customers.create(
        "user_1", email="jo@example.com", name="Jo", metadata={"plan": "pro"}
    )
    assert (created.id, created.email, created.name) == ("user_1", "jo@example.com", "Jo")
    assert created.env == autumn.AppEnv.SANDBOX
    assert (created.products, created.features, created.metadata) == ([], {}, {"plan": "pro"})
    repeated = legacy.customers.create("user_1", name="Ignored")
    assert (repeated.name, repeated.created_at) == ("Jo", created.created_at)
    updated = legacy.customers.update("user_1", name="Joanna", fingerprint="device-9")
    assert (updated.name, updated.fingerprint, updated.email) == (
        "Joanna",
        "device-9",
        "jo@example.com",
    )
    fetched = legacy.customers.get("user_1", expand=["invoices", "referrals", "payment_method"])
    assert (fetched.invoices, fetched.referrals, fetched.payment_method) == ([], [], None)
    assert fetched.name == "Joanna"
    legacy.customers.delete("user_1")
    with pytest.raises(AutumnHTTPError) as missing:
        legacy.customers.get("user_1")
    assert (missing.value.status_code, missing.value.code) == (404, "customer_not_found")
    assert missing.value.message == "Customer user_1 not found"


def test_list_pages_by_offset(legacy: autumn.Client) -> None:
    ids = [legacy.customers.create(f"c{i}").id for i in range(12)]
    first = legacy.customers.list()
    assert (first.total, first.limit, first.offset) == (10, 10, 0)
    second = legacy.customers.list(limit=10, offset=10)
    assert second.total == 2
    assert [c.id for c in first.list + second.list] == ids[::-1]


def test_errors_parse_into_the_typed_error(legacy: autumn.Client) -> None:
    with pytest.raises(AutumnHTTPError) as invalid:
        legacy.customers.create("has space")
    assert (invalid.value.status_code, invalid.value.code) == (400, "invalid_inputs")
    assert invalid.value.message == (
        "id: cannot contain spaces. Use only letters, numbers, underscores, hyphens, and colons."
    )
    with pytest.raises(AutumnHTTPError) as too_small:
        legacy.customers.list(limit=5)
    assert too_small.value.message == "limit: Too small: expected number to be >=10"
    with pytest.raises(AutumnHTTPError) as bad_email:
        legacy.customers.update("nobody", email="nope")
    assert bad_email.value.message == "email: not a valid email address"
    with pytest.raises(AutumnHTTPError) as missing:
        legacy.customers.update("nobody", name="x")
    assert (missing.value.status_code, missing.value.code) == (404, "customer_not_found")


def test_legacy_list_reports_totals(wire: Wire) -> None:
    for i in range(3):
        wire.rpc("get_or_create", {"customer_id": f"t{i}"})
    page = wire.call("GET", "/v1/customers?limit=10&offset=1", version="1.2.0").json()
    assert {key: page[key] for key in page if key != "list"} == {
        "total": 2,
        "total_count": 3,
        "total_filtered_count": 3,
        "limit": 10,
        "offset": 1,
    }
    assert [c["id"] for c in page["list"]] == ["t1", "t0"]
    assert "products" in page["list"][0] and "subscriptions" not in page["list"][0]


def test_the_legacy_list_route_is_also_the_list_operation(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "a"})
    listed = wire.call("POST", "/v1/customers/list", {"limit": 5}).json()
    assert [c["id"] for c in listed["list"]] == ["a"] and listed["next_cursor"] is None
    # Any other method reads "list" as a customer id.
    assert wire.call("GET", "/v1/customers/list").json()["code"] == "customer_not_found"


def test_head_is_answered_as_get_without_the_body(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "headless", "name": "Headless"})
    for path in ("/v1/customers/headless", "/v1/customers?limit=10"):
        got, head = wire.call("GET", path), wire.call("HEAD", path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(got.content))
    assert wire.call("HEAD", "/v1/customers/nobody").status_code == 404
    assert wire.call("HEAD", "/v1/customers.get").status_code == 404  # an RPC route is POST only
