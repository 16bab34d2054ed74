"""Wire examples as data: each request in ``examples/errors.json`` gets exactly its response.

An example's path, query and expected body may name ``{customer}`` (a live customer of this
test's account) or ``{deleted}`` (a deleted one); ``authorization`` replaces the test's own
``Bearer {key}`` header, and ``null`` sends none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import Server

EXAMPLES = json.loads((Path(__file__).parent / "examples" / "errors.json").read_text())
FORM = "application/x-www-form-urlencoded"


def filled(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in names.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, dict):
        return {key: filled(entry, names) for key, entry in value.items()}
    if isinstance(value, list):
        return [filled(entry, names) for entry in value]
    return value


def placeholders(http: httpx.Client, key: str, example: dict[str, Any]) -> dict[str, str]:
    """The customers an example names, made for this test's account."""
    auth = {"authorization": f"Bearer {key}"}
    text = json.dumps(example)
    names = {"key": key}
    if "{customer}" in text:
        names["customer"] = http.post("/v1/customers", headers=auth).json()["id"]
    if "{deleted}" in text:
        names["deleted"] = http.post("/v1/customers", headers=auth).json()["id"]
        http.delete(f"/v1/customers/{names['deleted']}", headers=auth)
    return names


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["name"] for example in EXAMPLES])
def test_wire_example(http: httpx.Client, stripe_key: str, example: dict[str, Any]) -> None:
    names = placeholders(http, stripe_key, example)
    request = filled(example["request"], names)
    headers = {"content-type": FORM} if "form" in request else {}
    headers.update({name.lower(): value for name, value in request.get("headers", {}).items()})
    authorization = request.get("authorization", f"Bearer {stripe_key}")
    if authorization is not None:
        headers["authorization"] = authorization
    url = request["path"] + ("?" + request["query"] if "query" in request else "")
    content = request.get("form", "").encode()
    response = http.request(request["method"], url, content=content, headers=headers)
    expected = filled(example["response"], names)
    assert response.status_code == expected["status"]
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["request-id"]
    assert request_id.startswith("req_")
    body = response.json()
    # The link to the request's log varies with the request; the rest is exact.
    link = body.get("error", {}).pop("request_log_url", None)
    logs = rf"https://dashboard\.stripe\.com/(test/)?logs/{request_id}\?t=\d+"
    if link is not None:
        assert re.fullmatch(logs, link)
    if expected["status"] == 401:
        assert link is None, "an unauthenticated request has no account, and so no log"
    assert body == expected["body"]
