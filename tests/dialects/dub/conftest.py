"""Dub fixtures: a workspace key per test, the official SDK and a plain client for creation.

Dub's SDKs cannot create customers (``POST /customers`` is served but no longer documented), so
tests create them over plain HTTP and drive everything else through the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dub import Dub

from tests.conftest import random_key
from tests.support.server import Server


@pytest.fixture
def dub_key() -> str:
    return random_key("dub_")


@pytest.fixture
def dub(server: Server, dub_key: str) -> Iterator[Dub]:
    with Dub(token=dub_key, server_url=f"{server.url}/dub") as client:
        yield client


class Workspace:
    """Plain HTTP on one workspace's key, for what the SDK cannot send."""

    def __init__(self, server: Server, key: str) -> None:
        self.http = httpx.Client(
            base_url=f"{server.url}/dub", headers={"Authorization": f"Bearer {key}"}
        )

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def create(self, **body: Any) -> dict[str, Any]:
        body.setdefault("country", "US")
        response = self.http.post("/customers", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


@pytest.fixture
def workspace(server: Server, dub_key: str) -> Iterator[Workspace]:
    with Workspace(server, dub_key) as opened:
        yield opened
