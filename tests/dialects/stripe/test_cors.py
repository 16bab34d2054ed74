"""A browser calling Rolodex as it calls Stripe: Stripe's CORS headers, and preflights."""

from __future__ import annotations

import httpx

from rolodex.dialects.stripe import cors

ORIGIN = {"origin": "http://localhost:5173"}


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    names = [name.decode() for name, _ in cors.HEADERS] + ["access-control-allow-headers"]
    return {name: response.headers[name] for name in names if name in response.headers}


STRIPE_CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET, POST, HEAD, OPTIONS, DELETE",
    "access-control-expose-headers": (
        "Request-Id, Stripe-Version, Idempotency-Key, Original-Request, Idempotent-Replayed, "
        "Stripe-Should-Retry"
    ),
    "access-control-max-age": "300",
    "cache-control": "no-cache, no-store",
}


def test_a_browsers_requests_get_stripes_cors_headers(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers", data={"name": "From a page"}, headers=ORIGIN)
    assert created.status_code == 200
    assert _cors_headers(created) == STRIPE_CORS
    missing = raw.get("/v1/customers/cus_missing", headers=ORIGIN)
    assert missing.status_code == 404
    assert _cors_headers(missing) == STRIPE_CORS
    unknown = raw.get("/v1/customerz", headers=ORIGIN)
    assert unknown.status_code == 404
    assert _cors_headers(unknown) == STRIPE_CORS


def test_an_idempotent_replay_exposes_its_headers_to_a_browser(raw: httpx.Client) -> None:
    headers = {**ORIGIN, "idempotency-key": "page-create-1"}
    first = raw.post("/v1/customers", data={"name": "Once"}, headers=headers)
    again = raw.post("/v1/customers", data={"name": "Once"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _cors_headers(again) == STRIPE_CORS


def test_a_preflight_is_allowed_with_the_headers_it_asks_for(raw: httpx.Client) -> None:
    asked = "authorization, content-type, stripe-version, idempotency-key"
    response = raw.options(
        "/v1/customers",
        headers={
            **ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": asked,
        },
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["request-id"].startswith("req_")
    assert _cors_headers(response) == {**STRIPE_CORS, "access-control-allow-headers": asked}


def test_a_preflight_needs_no_key(raw: httpx.Client) -> None:
    """Browsers send a preflight without the request's own headers, its key among them."""
    preflight = {**ORIGIN, "access-control-request-method": "DELETE"}
    response = httpx.options(f"{raw.base_url}/v1/customers/cus_any", headers=preflight)
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-methods"]
    assert allowed == STRIPE_CORS["access-control-allow-methods"]


def test_requests_without_an_origin_get_no_cors_headers(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers", data={"name": "From a server"})
    assert created.status_code == 200
    assert _cors_headers(created) == {}


def test_options_outside_a_preflight_is_an_unrecognized_request(raw: httpx.Client) -> None:
    response = raw.options("/v1/customers")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith(
        "Unrecognized request URL (OPTIONS: /v1/customers)."
    )
