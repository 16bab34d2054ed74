"""Comparing documents field by field."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.core.records import first_difference


@pytest.mark.parametrize(
    ("document", "other", "difference"),
    [
        ({"a": 1, "b": [1, {"c": None}]}, {"b": [1, {"c": None}], "a": 1}, None),
        ({"a": 1, "m": {}}, {"a": 1}, None),
        ({"a": None}, {}, None),
        ({"a": 1}, {"a": 1.0}, "a"),
        ({"a": 1}, {"a": True}, "a"),
        ({"a": "1"}, {"a": 1}, "a"),
        ({"a": {"x": 1}}, {"a": {"x": 1, "y": None}}, "a"),
        ({"a": [1, 2]}, {"a": [1]}, "a"),
        ({"a": [{"x": 0}]}, {"a": [{"x": False}]}, "a"),
        ({"b": 1, "c": 1}, {"c": 2, "b": 2}, "b"),
        ({"z": 1}, {}, "z"),
    ],
)
def test_the_first_field_held_differently_is_named(
    document: dict[str, Any], other: dict[str, Any], difference: str | None
) -> None:
    assert first_difference(document, other) == difference
    assert first_difference(other, document) == difference
