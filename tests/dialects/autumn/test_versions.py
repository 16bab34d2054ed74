"""Each API version's customer shape and list paging, over the wire; and the version table."""

from __future__ import annotations

import pytest

from rolodex.dialects.autumn.errors import AutumnError
from rolodex.dialects.autumn.versions import LATEST, Paging, version_of
from tests.dialects.autumn.conftest import Wire

BASE = [
    "id", "name", "email", "created_at", "fingerprint", "stripe_id", "env", "metadata",
    "send_email_receipts",
]  # fmt: skip
LATEST_KEYS = [
    *BASE, "billing_controls", "subscriptions", "purchases", "licenses", "balances", "flags",
    "config",
]  # fmt: skip
V2_0_KEYS = [
    *BASE, "billing_controls", "subscriptions", "scheduled_subscriptions", "licenses",
    "balances", "flags", "config",
]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "keys", "features"),
    [
        (None, LATEST_KEYS, None),
        ("2.5.0", LATEST_KEYS, None),
        ("2.4.0", LATEST_KEYS, None),
        ("2026-05-13", LATEST_KEYS, None),
        ("2.1", LATEST_KEYS, None),
        ("2", V2_0_KEYS, None),
        ("beta", [*BASE, "products", "features"], {}),
        ("1.2.0", [*BASE, "products", "features"], {}),
        ("1.2", [*BASE, "products", "features"], {}),
        ("2025-04-17", [*BASE, "products", "features"], []),
        ("0.2.0", [*BASE, "products", "features", "invoices"], []),
        ("1", [*BASE, "products", "features", "invoices"], []),
    ],
)
def test_customer_shape_per_version(
    wire: Wire, version: str | None, keys: list[str], features: object
) -> None:
    created = wire.rpc("get_or_create", {"customer_id": "v"}, version=version)
    assert created.status_code == 200, created.text
    body = wire.rpc("get", {"customer_id": "v"}, version=version).json()
    assert list(body) == keys
    if features is not None:
        assert body["features"] == features


def test_a_stripe_link_shows_as_a_processor_in_current_versions(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "p", "stripe_id": "cus_123"})
    current = wire.rpc("get", {"customer_id": "p"}).json()
    assert current["processors"] == {"stripe": {"id": "cus_123"}}
    legacy = wire.rpc("get", {"customer_id": "p"}, version="1.2.0").json()
    assert "processors" not in legacy
    unlinked = wire.rpc("update", {"customer_id": "p", "stripe_id": ""}).json()
    assert unlinked["stripe_id"] is None and "processors" not in unlinked


@pytest.mark.parametrize("version", ["2.2.0", "2.1.0", "2.0.0", "1.2.0"])
def test_versions_before_2_3_page_by_offset(wire: Wire, version: str) -> None:
    for i in range(3):
        wire.rpc("get_or_create", {"customer_id": f"o{i}"})
    page = wire.rpc("list", {"limit": 2, "offset": 1, "search": "o"}, version=version).json()
    assert [c["id"] for c in page["list"]] == ["o1", "o0"]
    assert {key: page[key] for key in page if key != "list"} == {
        "total": 2,
        "total_count": 3,
        "total_filtered_count": 3,
        "limit": 2,
        "offset": 1,
        "has_more": True,
    }


@pytest.mark.parametrize(("version", "paging"), [("2.6.0", "next_cursor"), ("2.2.7", "offset")])
def test_releases_newer_than_the_table_keep_the_latest_shape(
    wire: Wire, version: str, paging: str
) -> None:
    created = wire.rpc("get_or_create", {"customer_id": "n"}, version=version)
    assert created.status_code == 200, created.text
    assert list(created.json()) == LATEST_KEYS
    page = wire.rpc("list", {}, version=version).json()
    assert paging in page and [c["id"] for c in page["list"]] == ["n"]


def test_the_internal_id_only_when_asked_for(wire: Wire) -> None:
    plain = wire.rpc("get_or_create", {"customer_id": "a"}).json()
    assert "autumn_id" not in plain
    created = wire.rpc("get_or_create", {"customer_id": "b", "with_autumn_id": True}).json()
    internal = created["autumn_id"]
    assert internal.startswith("cus_") and list(created)[-1] == "autumn_id"
    for response in (
        wire.call("GET", "/v1/customers/b?with_autumn_id=true"),
        wire.call("GET", f"/v1/customers/{internal}?with_autumn_id=true", version="1.2.0"),
        wire.call("POST", "/v1/customers?with_autumn_id=true", {"id": "b"}),
        wire.call("POST", "/v1/customers.get?with_autumn_id=true", {"customer_id": "b"}),
    ):
        assert response.json()["autumn_id"] == internal, response.text
    for response in (
        wire.call("GET", "/v1/customers/b?with_autumn_id=false"),
        wire.rpc("get", {"customer_id": "b", "with_autumn_id": True}),
        wire.call("POST", "/v1/customers.list?with_autumn_id=true", {}),
    ):
        assert "autumn_id" not in response.text, response.text
    refused = wire.rpc("get_or_create", {"customer_id": "b", "with_autumn_id": "yes"})
    assert refused.json()["message"] == "with_autumn_id: must be a boolean (received string)"


def test_a_publishable_key_reads_one_customer_of_its_organisation(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "pub", "name": "Visible"})
    publishable = "am_pk_test_" + wire.key.removeprefix("am_sk_test_")
    fetched = wire.call("GET", "/v1/customers/pub", key=publishable)
    assert fetched.json()["name"] == "Visible"
    refused = wire.call("GET", "/v1/customers", key=publishable)
    assert (refused.status_code, refused.json()["code"]) == (401, "endpoint_not_public")


def test_an_unsupported_method_is_not_a_route(wire: Wire) -> None:
    response = wire.call("PUT", "/v1/customers/a", {"name": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("2.3.0", "2.3.0"),
        ("2.3", "2.3.0"),
        ("2026-03-18", "2.2.0"),
        ("2026-03-18.clover", "2.2.0"),
        ("1.4", "beta"),
        ("0.1", "0.1.0"),
        ("1.20", "1.2.0"),
        ("1.2xyz", "1.2.0"),
        ("2.3.0.9", "2.3.0"),
        ("2.3.1", "2.3.0"),
        ("2.1.9", "2.1.0"),
        ("2.6.0", "2.5.0"),
        ("2.6", "2.5.0"),
        ("2.10.3", "2.5.0"),
        ("2." + "1" * 4301, "2.5.0"),
        ("2.1." + "0" * 4400 + "1", "2.1.0"),
    ],
)
def test_version_forms(header: str, name: str) -> None:
    assert version_of(header).name == name


@pytest.mark.parametrize(
    "header",
    [
        "3",
        "3.0.0",
        "2.0.5",
        "1.3.0",
        "2025-13-01",
        "latest",
        "v2.3.0",
        "9" * 4301,
        "0." + "0" * 4400 + "1",
    ],
)
def test_unknown_versions_are_refused(header: str) -> None:
    with pytest.raises(AutumnError) as refused:
        version_of(header)
    assert (refused.value.status, refused.value.code) == (400, "invalid_api_version")


def test_no_header_means_the_newest_version() -> None:
    assert version_of(None) is LATEST
    assert version_of("") is LATEST
    assert LATEST.paging is Paging.CURSOR
