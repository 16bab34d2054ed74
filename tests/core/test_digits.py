"""Numbers written in requests, past what Python converts."""

from __future__ import annotations

import math

import pytest

from rolodex.core import digits

PAST_PYTHONS_LIMIT = "9" * 4301
"""More decimal digits than ``int`` converts (``sys.get_int_max_str_digits``)."""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("-42", -42),
        ("+42", 42),
        ("1000", 1000),
        ("1001", 1000),
        ("-1001", -1000),
        ("0" * 5000 + "7", 7),
        (PAST_PYTHONS_LIMIT, 1000),
        ("-" + PAST_PYTHONS_LIMIT, -1000),
    ],
)
def test_a_number_is_clamped_without_converting_more_digits_than_its_bound_has(
    text: str, value: int
) -> None:
    assert digits.clamped(text, 1000) == value


def test_a_number_past_the_largest_double_is_infinity_as_in_javascript() -> None:
    assert digits.double(2**53) == 2.0**53
    assert digits.double(16**256) == math.inf
    assert digits.double(-(16**256)) == -math.inf
