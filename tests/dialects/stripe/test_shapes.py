"""Container validators: hashes, arrays, metadata and unknown parameters."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.dialects.stripe.decode import decode_query
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import Text
from rolodex.dialects.stripe.shapes import Array, Hash, Metadata, Operation


def refusal(param: Any, value: Any, name: str) -> StripeError:
    with pytest.raises(StripeError) as refused:
        param.parse(value, name)
    return refused.value


ADDRESS = Hash({"city": Text(), "line1": Text()})


def test_hash_given_a_string_is_an_invalid_object() -> None:
    error = refusal(ADDRESS, "Paris", "address")
    assert (error.message, error.param) == ("Invalid object", "address")


def test_unknown_nested_key_is_named_with_brackets() -> None:
    error = refusal(ADDRESS, {"town": "x"}, "address")
    assert error.message == "Received unknown parameter: address[town]"
    assert (error.code, error.param) == ("parameter_unknown", "address[town]")


def test_missing_required_key() -> None:
    shipping = Hash({"name": Text(), "phone": Text()}, required=("name",))
    error = refusal(shipping, {"phone": "1"}, "shipping")
    assert error.message == "Missing required param: shipping[name]."
    assert (error.code, error.param) == ("parameter_missing", "shipping[name]")


def test_array_both_notations_in_index_order() -> None:
    locales = Array(Text(clearable=False))
    assert locales.parse(decode_query("l[1]=en&l[0]=fr")["l"], "l") == ["fr", "en"]
    assert locales.parse(decode_query("l[]=fr&l[]=en")["l"], "l") == ["fr", "en"]


def test_array_given_a_string_is_an_invalid_array() -> None:
    error = refusal(Array(Text()), "tax", "expand")
    assert (error.message, error.param) == ("Invalid array", "expand")


def test_array_given_a_named_hash_is_an_invalid_array() -> None:
    assert refusal(Array(Text()), decode_query("e[a]=1")["e"], "e").message == "Invalid array"


def test_array_elements_cannot_be_unset() -> None:
    error = refusal(Array(Text(clearable=False)), ["fr", ""], "preferred_locales")
    assert (error.code, error.param) == ("parameter_invalid_empty", "preferred_locales[1]")


def test_array_length_is_bounded() -> None:
    error = refusal(Array(Text(), max_items=4), ["a"] * 5, "invoice_settings[custom_fields]")
    assert "at most 4 elements" in error.message


def test_metadata_keeps_removals_as_none() -> None:
    assert Metadata().parse({"a": "1", "b": ""}, "metadata") == {"a": "1", "b": None}
    assert Metadata().parse("", "metadata") is None


def test_metadata_limits() -> None:
    assert refusal(Metadata(), {"k" * 41: "v"}, "metadata").message == (
        "Metadata keys can have up to 40 characters, but you passed in a key that is 41 "
        f"characters. Invalid key: {'k' * 41}"
    )
    long_value = refusal(Metadata(), {"k": "v" * 501}, "metadata")
    assert long_value.message.startswith(
        "Metadata values can have up to 500 characters, but you passed in a value that is 501"
    )
    assert long_value.param == "metadata[k]"
    many = {f"k{i}": "v" for i in range(51)}
    assert refusal(Metadata(), many, "metadata").message == (
        "Metadata can have up to 50 keys, but you've set 51"
    )
    assert Metadata().parse({f"k{i}": "v" for i in range(50)}, "metadata") is not None


def test_metadata_values_must_be_strings() -> None:
    error = refusal(Metadata(), {"a": {"b": "1"}}, "metadata")
    assert (error.message, error.param) == ('Invalid string: {"b":"1"}', "metadata[a]")


def test_unknown_top_level_parameters_are_listed() -> None:
    operation = Operation({"name": Text()})
    with pytest.raises(StripeError) as one:
        operation.parse({"notaparameter": "1"})
    assert one.value.message == "Received unknown parameter: notaparameter"
    with pytest.raises(StripeError) as two:
        operation.parse({"billing_details": "1", "type": "2"})
    assert two.value.message == "Received unknown parameters: billing_details, type"


def test_metadata_limit_counts_the_keys_set_not_the_keys_removed() -> None:
    removed_and_one_set = {**{f"k{i}": "" for i in range(50)}, "new": "x"}
    assert Metadata().parse(removed_and_one_set, "metadata") == {
        **{f"k{i}": None for i in range(50)},
        "new": "x",
    }
