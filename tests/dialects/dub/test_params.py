"""Dub's query coercions and field checks, which decide the exact 422 a request gets."""

from __future__ import annotations

import pytest

from rolodex.core.unset import UNSET
from rolodex.dialects.dub import fields, params
from rolodex.dialects.dub.auth import tenant_of
from rolodex.dialects.dub.errors import DubError


def message(call: object) -> str:
    with pytest.raises(DubError) as failure:
        call()  # type: ignore[operator]
    return failure.value.message


def test_query_checks_follow_the_schema_order() -> None:
    assert message(lambda: params.list_params({"pageSize": "0", "page": "x"})) == (
        "invalid_type: page: Page must be a number."
    )
    assert message(lambda: params.list_params({"page": "1.5"})) == (
        "invalid_type: page: Invalid input: expected int, received number"
    )
    assert message(lambda: params.list_params({"pageSize": "0x" + "f" * 256})) == (
        "invalid_type: pageSize: Page size must be a number."
    )
    given = params.list_params({"includeExpandedFields": "TRUE", "sortOrder": "asc", "page": "2"})
    assert (given.expanded, given.descending, given.page, given.page_size) == (True, False, 2, 100)


@pytest.mark.parametrize(
    "address", ["a@example.com", "a.b+c_d-e'f@sub.example.co", "A_@x.io", "_@ex-ample.com"]
)
def test_emails_zod_accepts(address: str) -> None:
    assert fields.email(address, "email") == address


@pytest.mark.parametrize(
    "address", ["a@b", ".a@example.com", "a..b@example.com", "a.@example.com", "é@example.com",
                "a@-x.com", "a@example.c", "a@example.com\n", " a@example.com"],
)  # fmt: skip
def test_emails_zod_refuses(address: str) -> None:
    assert message(lambda: fields.email(address, "email")) == (
        "invalid_format: email: Invalid email address"
    )


def test_urls_follow_the_whatwg_rules() -> None:
    for good in ("https://x.io/a b", "mailto:a@b.c", "data:image/png;base64,AA", " https://x.io "):
        assert fields.url(good, "avatar") == good.strip()
    # Trimmed as JavaScript trims: U+FEFF is white space there, U+0085 is not.
    assert fields.url("\ufeffhttps://x.io/a.png\u2028", "avatar") == "https://x.io/a.png"
    for bad in ("x.io", "http://", "https://a b.io", "https://x.io:99999", "\x85https://x.io"):
        assert message(lambda bad=bad: fields.url(bad, "avatar")) == (
            "invalid_format: avatar: Invalid URL"
        )


def test_timestamps_are_kept_in_utc_milliseconds() -> None:
    check = fields.timestamp
    assert check("2024-01-15T12:30Z", "t") == "2024-01-15T12:30:00.000Z"
    assert check("2024-01-15T00:30:00.98765-01:30", "t") == "2024-01-15T02:00:00.987Z"
    assert check("0999-12-31T23:00:00Z", "t") == "0999-12-31T23:00:00.000Z"  # sorts as text
    assert check("0001-01-01T00:30:00+00:00", "t") == "0001-01-01T00:30:00.000Z"
    for bad in ("2024-01-15", "2024-01-15T10:30:00", "2024-02-30T00:00:00Z", "yesterday"):
        assert message(lambda bad=bad: check(bad, "t")).startswith("invalid_format: t: ")


def test_required_fields_name_undefined() -> None:
    assert message(lambda: fields.text(UNSET, "country")) == (
        "invalid_type: country: Invalid input: expected string, received undefined"
    )


def test_keys_name_their_own_workspace() -> None:
    first = tenant_of("Bearer dub_abc", {})
    assert first == tenant_of("Bearer dub_abc", {})
    assert first != tenant_of("Bearer dub_abd", {})
    assert first.dialect == "dub"
    assert message(lambda: tenant_of("", {})) == "Missing Authorization header."
    assert message(lambda: tenant_of("Bearer dub_", {})) == "Unauthorized: Invalid API key."


def test_customer_ids_are_a_comma_list() -> None:
    assert params.list_params({"customerIds": "cus_a,,cus_b"}).customer_ids == ("cus_a", "cus_b")
    assert params.list_params({"customerIds": ","}).customer_ids == ()
    assert params.list_params({"customerIds": ""}).customer_ids is None
    assert params.list_params({}).customer_ids is None
