"""Idempotent requests, as the official SDK makes them: one run per key, repeats replayed."""

from __future__ import annotations

import uuid

import httpx
import pytest
import stripe

from tests.conftest import random_key
from tests.dialects.stripe.conftest import sdk
from tests.support.server import Server


def _key() -> str:
    return f"rolodex-test-{uuid.uuid4()}"


def test_a_repeated_create_makes_one_customer_and_replays_the_first_answer(
    client: stripe.StripeClient,
) -> None:
    key = _key()
    params: stripe.CustomerCreateParams = {"email": "once@example.com", "metadata": {"n": "1"}}
    first = client.v1.customers.create(params, {"idempotency_key": key})
    again = client.v1.customers.create(params, {"idempotency_key": key})

    assert again.id == first.id
    assert again.to_dict() == first.to_dict()
    assert client.v1.customers.list({"email": "once@example.com"}).data == [first]
    first_headers = first.last_response.headers
    again_headers = again.last_response.headers
    assert "Idempotent-Replayed" not in first_headers
    assert again_headers["Idempotent-Replayed"] == "true"
    assert again_headers["Original-Request"] == first.last_response.request_id
    assert again.last_response.request_id != first.last_response.request_id
    assert first_headers["Idempotency-Key"] == again_headers["Idempotency-Key"] == key


def test_a_repeated_update_runs_once(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create({"balance": 0})
    key = _key()
    for _ in range(3):
        client.v1.customers.update(customer.id, {"name": "Once"}, {"idempotency_key": key})
    # Whatever changes in between, the repeat answers what the first run did.
    client.v1.customers.update(customer.id, {"name": "Later"})
    replayed = client.v1.customers.update(customer.id, {"name": "Once"}, {"idempotency_key": key})
    assert replayed.name == "Once"
    assert client.v1.customers.retrieve(customer.id).name == "Later"


def test_the_same_key_with_other_parameters_is_refused(client: stripe.StripeClient) -> None:
    key = _key()
    client.v1.customers.create({"name": "First"}, {"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.customers.create({"name": "Second"}, {"idempotency_key": key})
    error = refused.value
    assert error.http_status == 400
    assert error.error is not None
    assert error.error.type == "idempotency_error"
    assert error.error.message == (
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request."
    )


def test_the_same_key_on_another_endpoint_is_refused(client: stripe.StripeClient) -> None:
    key = _key()
    customer = client.v1.customers.create({}, {"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.customers.update(customer.id, {}, {"idempotency_key": key})
    assert refused.value.error is not None
    assert refused.value.error.message == (
        "Keys for idempotent requests can only be used for the same endpoint they were first "
        f"used for ('/v1/customers' vs '/v1/customers/{customer.id}'). Try using a key other "
        f"than '{key}' if you meant to execute a different request."
    )


def test_a_failure_after_validation_is_replayed(client: stripe.StripeClient) -> None:
    key = _key()
    for _ in range(2):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            client.v1.customers.update("cus_missing", {"name": "x"}, {"idempotency_key": key})
        assert missing.value.http_status == 404
    assert missing.value.headers is not None
    assert missing.value.headers["Idempotent-Replayed"] == "true"


def test_a_request_refused_by_validation_is_not_remembered(client: stripe.StripeClient) -> None:
    key = _key()
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.create({"email": "not an email"}, {"idempotency_key": key})
    created = client.v1.customers.create({"email": "fixed@example.com"}, {"idempotency_key": key})
    assert created.email == "fixed@example.com"
    assert "Idempotent-Replayed" not in created.last_response.headers


def test_keys_belong_to_one_account(server: Server, client: stripe.StripeClient) -> None:
    key = _key()
    ours = client.v1.customers.create({"name": "Ours"}, {"idempotency_key": key})
    other = sdk(server, random_key("sk_test_"))
    theirs = other.v1.customers.create({"name": "Theirs"}, {"idempotency_key": key})
    assert theirs.id != ours.id
    assert theirs.name == "Theirs"


def test_the_stripe_prefix_names_the_same_endpoint(server: Server, stripe_key: str) -> None:
    key = _key()
    with httpx.Client(auth=(stripe_key, ""), timeout=30) as http:
        headers = {"Idempotency-Key": key}
        first = http.post(f"{server.url}/v1/customers", data={"name": "A"}, headers=headers)
        again = http.post(f"{server.url}/stripe/v1/customers", data={"name": "A"}, headers=headers)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


def test_get_and_delete_ignore_the_key(raw: httpx.Client) -> None:
    customer = raw.post("/v1/customers", data={"name": "Kept"}).json()
    key = {"Idempotency-Key": _key()}
    assert raw.get(f"/v1/customers/{customer['id']}", headers=key).status_code == 200
    deleted = raw.delete(f"/v1/customers/{customer['id']}", headers=key)
    assert deleted.json()["deleted"] is True
    assert "idempotent-replayed" not in deleted.headers
    again = raw.delete(f"/v1/customers/{customer['id']}", headers=key)
    assert again.status_code == 404


def test_a_path_longer_than_5000_characters_is_remembered(raw: httpx.Client) -> None:
    path = "/v1/customers/cus_" + "x" * 4990  # an id Stripe accepts, a longer endpoint
    headers = {"idempotency-key": _key()}
    first = raw.post(path, data={"name": "x"}, headers=headers)
    assert first.status_code == 404
    assert first.json()["error"]["message"] == f"No such customer: '{path.rsplit('/', 1)[1]}'"
    again = raw.post(path, data={"name": "x"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.text == first.text
    elsewhere = raw.post("/v1/customers", data={"name": "x"}, headers=headers)
    assert elsewhere.status_code == 400
    assert path in elsewhere.json()["error"]["message"]


def test_a_key_longer_than_255_characters_is_refused(raw: httpx.Client) -> None:
    refused = raw.post("/v1/customers", data={}, headers={"Idempotency-Key": "k" * 256})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error.pop("request_log_url").startswith("https://dashboard.stripe.com/test/logs/")
    assert error == {
        "type": "idempotency_error",
        "message": "Idempotency keys can be at most 255 characters long; this one has 256.",
    }
    accepted = raw.post("/v1/customers", data={}, headers={"Idempotency-Key": "k" * 255})
    assert accepted.status_code == 200


def test_an_array_sent_either_way_is_the_same_parameters(raw: httpx.Client) -> None:
    key = {"Idempotency-Key": _key(), "content-type": "application/x-www-form-urlencoded"}
    first = raw.post("/v1/customers", content=b"preferred_locales[]=fr", headers=key)
    again = raw.post("/v1/customers", content=b"preferred_locales[0]=fr", headers=key)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    ("first", "then"),
    [({"123": "x"}, {"456": "x"}), ({"01": "x"}, {"1": "x"}), ({"0": "x"}, {"1": "x"})],
    ids=["other digits", "a leading zero", "not from zero"],
)
def test_metadata_keys_of_digits_are_parameters_of_their_own(
    client: stripe.StripeClient, first: dict[str, str], then: dict[str, str]
) -> None:
    """Not array indices: read as one, both hashes were the array ``["x"]``, and the second
    request was answered with the first one's customer, its own metadata never written."""
    created = client.v1.customers.create({"metadata": first}, {"idempotency_key": (key := _key())})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create({"metadata": then}, {"idempotency_key": key})

    key = _key()
    client.v1.customers.update(created.id, {"metadata": then}, {"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.update(created.id, {"metadata": first}, {"idempotency_key": key})
    assert client.v1.customers.retrieve(created.id).metadata.to_dict() == {**first, **then}
