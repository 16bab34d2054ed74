"""Autumn's field types: what a body's values become once read as Autumn's server reads them."""

from __future__ import annotations

from rolodex.dialects.autumn.fields import Record
from tests.dialects.autumn.conftest import Wire


def test_whole_numbers_in_metadata_become_integers_as_in_javascript() -> None:
    sent = {"a": 1.0, "b": [2.0, {"c": -0.0}], "d": 1.5, "e": 2.0**53, "f": 7, "g": True}
    read = Record().parse(sent, "metadata")
    assert read == {"a": 1, "b": [2, {"c": 0}], "d": 1.5, "e": 2.0**53, "f": 7, "g": True}
    assert [type(read["a"]), type(read["b"][1]["c"]), type(read["e"])] == [int, int, float]


def test_a_whole_number_sent_as_a_decimal_comes_back_without_its_fraction(wire: Wire) -> None:
    raw = b'{"customer_id": "u1", "metadata": {"a": 1.0, "b": 1E2, "c": -0.0, "d": 0.5}}'
    created = wire.client.post(
        "/v1/customers.get_or_create",
        content=raw,
        headers={"authorization": f"Bearer {wire.key}", "content-type": "application/json"},
    )
    assert created.status_code == 200, created.text
    assert b'"metadata":{"a":1,"b":100,"c":0,"d":0.5}' in created.content
    again = wire.rpc("get", {"customer_id": "u1"})
    assert again.json()["metadata"] == {"a": 1, "b": 100, "c": 0, "d": 0.5}
