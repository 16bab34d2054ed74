"""Fixtures for the Autumn suites: keys, the two Python SDKs and a raw HTTP client.

Every test draws its own key, and every key's secret part names its own organisation, so tests
sharing one server never see each other's customers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import autumn
import httpx
import pytest
from autumn_sdk import Autumn

from tests.conftest import random_key
from tests.support.server import Server

KEY_LENGTH = 42


@pytest.fixture
def autumn_key() -> str:
    """A fresh sandbox secret key: its own organisation."""
    return random_key("am_sk_test_", KEY_LENGTH)


@pytest.fixture
def autumn_url(server: Server) -> str:
    return f"{server.url}/autumn"


@pytest.fixture
def sdk(autumn_url: str, autumn_key: str) -> Autumn:
    """autumn-sdk, as an application would configure it (it sends x-api-version 2.5.0)."""
    return Autumn(secret_key=autumn_key, server_url=autumn_url)


@pytest.fixture
def legacy(autumn_url: str, autumn_key: str) -> Iterator[autumn.Client]:
    """The legacy autumn-py client (it sends x-api-version 1.2.0), without retries."""
    client = autumn.Client(autumn_key, base_url=autumn_url, max_retries=0)
    yield client
    client.http.close()


class Wire:
    """Raw requests, for what no SDK sends: broken keys, other versions, malformed bodies."""

    def __init__(self, client: httpx.Client, key: str) -> None:
        self.client = client
        self.key = key

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        version: str | None = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"authorization": f"Bearer {key or self.key}"}
        if version is not None:
            sent["x-api-version"] = version
        sent.update(headers or {})
        return self.client.request(method, path, json=body, headers=sent)

    def rpc(self, operation: str, body: Any, **options: Any) -> httpx.Response:
        return self.call("POST", f"/v1/customers.{operation}", body, **options)


@pytest.fixture
def wire(autumn_url: str, autumn_key: str) -> Iterator[Wire]:
    with httpx.Client(base_url=autumn_url, timeout=30) as client:
        yield Wire(client, autumn_key)
