"""Autumn's errors on the wire, walked from ``wire_errors.json`` (request -> exact response)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from rolodex.dialects.autumn.routes import MAX_BODY_BYTES

CASES = json.loads((Path(__file__).parent / "wire_errors.json").read_text())


def _authorization(case: dict[str, Any], key: str) -> dict[str, str]:
    secret = key.removeprefix("am_sk_test_")
    named = {
        "{live}": "am_sk_live_" + secret,
        "{publishable}": "am_pk_test_" + secret,
    }
    chosen = case.get("key", key)
    if chosen is None:
        return {}
    return {"authorization": "Bearer " + named.get(chosen, chosen)}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_error_is_exactly_autumns(case: dict[str, Any], autumn_url: str, autumn_key: str) -> None:
    headers = {**_authorization(case, autumn_key), **case.get("headers", {})}
    if "version" in case:
        headers["x-api-version"] = case["version"]
    content = case.get("raw_body")
    body = None if content is not None else case.get("body")
    response = httpx.request(
        case["method"],
        autumn_url + case["path"],
        json=body,
        content=content,
        headers=headers,
        timeout=30,
    )
    assert response.status_code == case["expect"]["status"], response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == case["expect"]["body"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/customers.get"),
        ("GET", "/v1/customers.list"),
        ("POST", "/v1/no-such-thing"),
        ("GET", "/v2/customers"),
        ("DELETE", "/"),
        ("POST", "/v1/customers/"),  # routes are strict: a trailing slash is another path
        ("TRACE", "/v1/customers"),
        ("PROPFIND", "/v1/customers.get"),
        ("MKCOL", "/v1/customers/u1"),
        ("TRACE", "/nowhere"),
        ("GET", ""),  # the bare prefix Rolodex serves Autumn under
        ("POST", ""),
    ],
)
def test_what_autumn_does_not_route_gets_its_frameworks_plain_404(
    method: str, path: str, autumn_url: str, autumn_key: str
) -> None:
    """Autumn's framework (Hono) routes by method and path together, so a method a path does
    not take and a path it does not know both fall to the same answer."""
    headers = {"authorization": f"Bearer {autumn_key}"}
    response = httpx.request(method, autumn_url + path, headers=headers, timeout=30)
    assert (response.status_code, response.text) == (404, "404 Not Found")
    assert response.headers["content-type"].startswith("text/plain")


def test_a_body_past_the_limit_is_refused_and_stores_nothing(
    autumn_url: str, autumn_key: str
) -> None:
    headers = {"authorization": f"Bearer {autumn_key}", "content-type": "application/json"}

    def create(id: str, size: int) -> httpx.Response:
        shell = json.dumps({"id": id, "name": ""}).encode()
        body = shell.replace(b'""', b'"' + b"n" * (size - len(shell)) + b'"')
        assert len(body) == size
        return httpx.post(f"{autumn_url}/v1/customers", content=body, headers=headers, timeout=60)

    refused = create("too_big", MAX_BODY_BYTES + 1)
    assert (refused.status_code, refused.text) == (413, "Payload Too Large")
    missing = httpx.post(
        f"{autumn_url}/v1/customers.get",
        json={"customer_id": "too_big"},
        headers=headers,
        timeout=30,
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "customer_not_found")
    taken = create("just_fits", MAX_BODY_BYTES)
    assert (taken.status_code, taken.json()["id"]) == (200, "just_fits")
