"""Update, as the seed document specifies it, through autumn-sdk and on every path it takes."""

from __future__ import annotations

import json

import pytest
from autumn_sdk import Autumn
from autumn_sdk.errors import AutumnDefaultError

from tests.dialects.autumn.conftest import Wire


def error_of(raised: pytest.ExceptionInfo[AutumnDefaultError]) -> tuple[int, dict[str, str]]:
    return raised.value.status_code, json.loads(raised.value.body)


def test_update_sets_every_field(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="u1", name="Old", email="old@example.com")
    updated = sdk.customers.update(
        customer_id="u1",
        name="Jane Doe",
        email="jane@example.com",
        fingerprint="serial-42",
        metadata={"company": "New Company Inc"},
        stripe_id="cus_U0BKxpq1mFhuJO",
        send_email_receipts=True,
    )
    assert (updated.id, updated.name, updated.email) == ("u1", "Jane Doe", "jane@example.com")
    assert updated.fingerprint == "serial-42"
    assert updated.stripe_id == "cus_U0BKxpq1mFhuJO"
    assert updated.send_email_receipts is True
    assert updated.metadata == {"company": "New Company Inc"}
    fetched = sdk.customers.get(customer_id="u1")
    assert fetched.model_dump() == updated.model_dump()


def test_omitted_fields_stay_and_null_clears(sdk: Autumn) -> None:
    created = sdk.customers.get_or_create(
        customer_id="u1", name="Jane", email="jane@example.com", fingerprint="fp", stripe_id="cus_1"
    )
    updated = sdk.customers.update(customer_id="u1", name=None, fingerprint=None, stripe_id=None)
    assert (updated.name, updated.fingerprint, updated.stripe_id) == (None, None, None)
    assert updated.email == "jane@example.com"
    assert updated.created_at == created.created_at
    cleared = sdk.customers.update(customer_id="u1", email=None)
    assert cleared.email is None


def test_metadata_merges_key_by_key(sdk: Autumn) -> None:
    sdk.customers.get_or_create(
        customer_id="u1", metadata={"keep": "1", "drop": "2", "nested": {"a": 1}}
    )
    updated = sdk.customers.update(
        customer_id="u1", metadata={"drop": None, "nested": {"b": 2}, "new": [1, 2]}
    )
    assert updated.metadata == {"keep": "1", "nested": {"b": 2}, "new": [1, 2]}
    unchanged = sdk.customers.update(customer_id="u1", metadata={})
    assert unchanged.metadata == updated.metadata


def test_metadata_null_clears_all_as_the_seed_says(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="u1", metadata={"a": "1", "b": "2"})
    assert sdk.customers.update(customer_id="u1", metadata=None).metadata == {}
    assert sdk.customers.get(customer_id="u1").metadata == {}


def test_rename_moves_everything_to_the_new_id(sdk: Autumn) -> None:
    created = sdk.customers.get_or_create(
        customer_id="old-id", name="Jane", metadata={"plan": "pro"}
    )
    renamed = sdk.customers.update(customer_id="old-id", new_customer_id="user:new_id-2")
    assert renamed.id == "user:new_id-2"
    with pytest.raises(AutumnDefaultError) as missing:
        sdk.customers.get(customer_id="old-id")
    assert error_of(missing) == (
        404,
        {"message": "Customer old-id not found", "code": "customer_not_found", "env": "sandbox"},
    )
    fetched = sdk.customers.get(customer_id="user:new_id-2")
    assert (fetched.name, fetched.metadata) == ("Jane", {"plan": "pro"})
    assert fetched.created_at == created.created_at
    listed = sdk.customers.list()
    assert [customer.id for customer in listed.list] == ["user:new_id-2"]


def test_rename_to_the_same_id_changes_nothing(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="same", name="Jane")
    assert sdk.customers.update(customer_id="same", new_customer_id="same").id == "same"


def test_rename_onto_a_taken_id_is_a_conflict(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="first", name="First")
    sdk.customers.get_or_create(customer_id="second", name="Second")
    with pytest.raises(AutumnDefaultError) as clash:
        sdk.customers.update(customer_id="first", name="Changed", new_customer_id="second")
    assert error_of(clash) == (
        409,
        {
            "message": "Customer with ID second already exists, can't change to this ID",
            "code": "customer_already_exists",
            "env": "sandbox",
        },
    )
    assert sdk.customers.get(customer_id="first").name == "First"
    assert sdk.customers.get(customer_id="second").name == "Second"


@pytest.mark.parametrize(
    ("new_id", "problem"),
    [
        ("", "can't be an empty string"),
        ("a@b", "cannot contain @ symbol."),
        ("a b", "cannot contain spaces."),
        ("a.b", "cannot contain periods."),
        ("a/b", "cannot contain '/'."),
    ],
)
def test_new_id_follows_the_id_rules(sdk: Autumn, new_id: str, problem: str) -> None:
    sdk.customers.get_or_create(customer_id="u1")
    with pytest.raises(AutumnDefaultError) as invalid:
        sdk.customers.update(customer_id="u1", new_customer_id=new_id)
    status, body = error_of(invalid)
    hint = " Use only letters, numbers, underscores, hyphens, and colons."
    expected = f"new_customer_id: {problem}" + ("" if new_id == "" else hint)
    assert (status, body["code"], body["message"]) == (400, "invalid_inputs", expected)
    assert sdk.customers.get(customer_id="u1").id == "u1"


def test_email_must_be_valid(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="u1", email="kept@example.com")
    for bad in ("not-an-email", "", "a@@b", "two words@x.io"):
        with pytest.raises(AutumnDefaultError) as invalid:
            sdk.customers.update(customer_id="u1", email=bad)
        assert error_of(invalid) == (
            400,
            {
                "message": "email: not a valid email address",
                "code": "invalid_inputs",
                "env": "sandbox",
            },
        )
    assert sdk.customers.get(customer_id="u1").email == "kept@example.com"


def test_email_whitespace_is_javascripts(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="u1")
    with pytest.raises(AutumnDefaultError) as invalid:  # U+FEFF is a space to JavaScript
        sdk.customers.update(customer_id="u1", email="a\ufeffb@example.com")
    assert error_of(invalid)[1]["message"] == "email: not a valid email address"
    for odd in ("a\x1fb@example.com", "a\x85b@example.com"):  # spaces to Python only
        assert sdk.customers.update(customer_id="u1", email=odd).email == odd


def test_update_of_a_missing_customer_is_404(sdk: Autumn) -> None:
    with pytest.raises(AutumnDefaultError) as missing:
        sdk.customers.update(customer_id="ghost", name="x")
    assert error_of(missing)[0] == 404
    assert error_of(missing)[1]["code"] == "customer_not_found"


def test_validation_comes_before_lookup(sdk: Autumn) -> None:
    with pytest.raises(AutumnDefaultError) as invalid:
        sdk.customers.update(customer_id="ghost", email="bad")
    assert error_of(invalid)[0] == 400


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_rest_paths_update_and_rename(wire: Wire, method: str) -> None:
    wire.rpc("get_or_create", {"customer_id": "rest", "name": "A", "metadata": {"a": 1}})
    response = wire.call(
        method,
        "/v1/customers/rest",
        {"email": "rest@example.com", "metadata": {"a": None, "b": 2}, "new_customer_id": "rest2"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["name"], body["email"]) == ("rest2", "A", "rest@example.com")
    assert body["metadata"] == {"b": 2}
    assert wire.call("GET", "/v1/customers/rest").status_code == 404
    renamed_by_id = wire.call(method, "/v1/customers/rest2", {"id": "rest3"})
    assert renamed_by_id.json()["id"] == "rest3"
    assert wire.call("GET", "/v1/customers/rest3").json()["metadata"] == {"b": 2}


def test_rest_path_conflict_and_missing(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "one"})
    wire.rpc("get_or_create", {"customer_id": "two"})
    clash = wire.call("PATCH", "/v1/customers/one", {"new_customer_id": "two"})
    assert (clash.status_code, clash.json()["code"]) == (409, "customer_already_exists")
    missing = wire.call("PATCH", "/v1/customers/none.such", {"name": "x"})
    assert missing.status_code == 404
    assert missing.json()["message"] == "Customer none.such not found"
