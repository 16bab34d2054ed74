"""``multipart/form-data`` bodies: their text fields, in order; a file part is refused."""

from __future__ import annotations

import pytest

from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.multipart import multipart_pairs

pytestmark = pytest.mark.anyio

_BOUNDARY = "b0und4ry"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _scope() -> dict[str, object]:
    content_type = f"multipart/form-data; boundary={_BOUNDARY}".encode()
    return {"type": "http", "headers": [(b"content-type", content_type)]}


def _part(disposition: str, value: str) -> str:
    return f"--{_BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n{value}\r\n"


async def test_text_fields_arrive_as_pairs_in_order() -> None:
    body = _part('name="metadata[plan]"', "pro") + _part('name="name"', "Multi Part")
    pairs = await multipart_pairs(_scope(), (body + f"--{_BOUNDARY}--\r\n").encode())
    assert pairs == [("metadata[plan]", "pro"), ("name", "Multi Part")]


async def test_a_file_is_refused_in_stripes_envelope() -> None:
    body = _part('name="name"; filename="a.txt"', "x") + f"--{_BOUNDARY}--\r\n"
    with pytest.raises(StripeError) as refused:
        await multipart_pairs(_scope(), body.encode())
    error = refused.value.body()["error"]
    assert (refused.value.status, error["type"]) == (400, "invalid_request_error")
    assert error["message"] == "Invalid request: Too many files. Maximum number of files is 0."


@pytest.mark.parametrize(
    "ending",
    ["", "\r\n", f"--{_BOUNDARY}", f"\r\n--{_BOUNDARY}\r\nContent-Disposition: form-data; "],
)
async def test_a_body_cut_off_before_its_closing_boundary_is_refused(ending: str) -> None:
    body = (
        _part('name="name"', "Ada")
        + f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@example.com'
    )
    with pytest.raises(StripeError) as refused:
        await multipart_pairs(_scope(), (body + ending).encode())
    error = refused.value.body()["error"]
    assert (refused.value.status, error["message"]) == (
        400,
        "Invalid request: Invalid multipart data.",
    )


@pytest.mark.parametrize("epilogue", ["", "\r\n", "\r\nanything after the end"])
async def test_a_body_closed_by_its_boundary_is_read_whole(epilogue: str) -> None:
    body = _part('name="name"', "Ada") + _part('name="email"', "ada@example.com")
    pairs = await multipart_pairs(_scope(), (body + f"--{_BOUNDARY}--{epilogue}").encode())
    assert pairs == [("name", "Ada"), ("email", "ada@example.com")]
