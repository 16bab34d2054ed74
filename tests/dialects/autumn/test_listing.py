"""Lists at the edges of their inputs, on every backend: huge offsets, long searches, cursors
holding U+0000. Each must get a page or Autumn's 400, never a failure of the database."""

from __future__ import annotations

import base64

import orjson
import pytest

from rolodex.dialects.autumn.endpoints import OFFSET_MAX
from rolodex.dialects.autumn.params import SEARCH_MAX_LENGTH
from tests.dialects.autumn.conftest import Wire

OFFSET_PAGED = "2.2.0"


@pytest.mark.parametrize(
    "offset", [b"1e300", b"18446744073709551616", b"9223372036854775807", b"2147483648"]
)
def test_an_offset_past_any_list_is_an_empty_page(wire: Wire, offset: bytes) -> None:
    wire.rpc("get_or_create", {"customer_id": "only"})
    response = wire.client.post(
        "/v1/customers.list",
        content=b'{"offset": %b, "search": "only"}' % offset,
        headers={"authorization": f"Bearer {wire.key}", "x-api-version": OFFSET_PAGED},
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["list"], page["total"], page["total_filtered_count"]) == ([], 0, 1)
    assert (page["offset"], page["has_more"]) == (OFFSET_MAX, False)


@pytest.mark.parametrize("offset", ["1e20", "2147483648", str(2**64)])
def test_a_legacy_offset_past_any_list_is_an_empty_page(wire: Wire, offset: str) -> None:
    wire.rpc("get_or_create", {"customer_id": "only"})
    response = wire.call("GET", f"/v1/customers?offset={offset}")
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["list"], page["total_count"], page["offset"]) == ([], 1, OFFSET_MAX)


def test_the_largest_offset_applied_still_pages(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "only"})
    page = wire.rpc("list", {"offset": OFFSET_MAX}, version=OFFSET_PAGED).json()
    assert (page["list"], page["offset"]) == ([], OFFSET_MAX)
    first = wire.rpc("list", {"offset": 0}, version=OFFSET_PAGED).json()
    assert [c["id"] for c in first["list"]] == ["only"]


@pytest.mark.parametrize("version", [OFFSET_PAGED, None])
def test_the_longest_search_runs_on_every_backend(wire: Wire, version: str | None) -> None:
    # Characters LIKE must escape, several bytes each in UTF-8: the costliest pattern there is.
    longest = ("%_/é😀" * SEARCH_MAX_LENGTH)[:SEARCH_MAX_LENGTH]
    wire.rpc("get_or_create", {"customer_id": "c", "name": longest})
    wire.rpc("get_or_create", {"customer_id": "d", "name": longest[1:]})
    response = wire.rpc("list", {"search": longest}, version=version)
    assert response.status_code == 200, response.text
    assert [customer["id"] for customer in response.json()["list"]] == ["c"]


@pytest.mark.parametrize("version", [OFFSET_PAGED, None])
@pytest.mark.parametrize("length", [SEARCH_MAX_LENGTH + 1, 100_000])
def test_a_longer_search_is_refused(wire: Wire, version: str | None, length: int) -> None:
    response = wire.rpc("list", {"search": "x" * length}, version=version)
    assert response.status_code == 400
    assert response.json() == {
        "message": f"search: Too big: expected string to have <={SEARCH_MAX_LENGTH} characters",
        "code": "invalid_inputs",
        "env": "sandbox",
    }


def test_a_cursor_naming_an_id_with_u0000_is_invalid(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "c"})
    payload = orjson.dumps({"v": 0, "id": "a\x00", "t": 1})
    cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    response = wire.rpc("list", {"start_cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {
        "message": "cursor shape mismatch: id cannot contain U+0000",
        "code": "invalid_cursor",
        "env": "sandbox",
    }
