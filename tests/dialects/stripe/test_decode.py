"""Form decoding, one step at a time: bracket paths, arrays, escapes and the limits."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolodex.dialects.stripe.decode import (
    MAX_DEPTH,
    MAX_PARAMETERS,
    Indexed,
    decode_pairs,
    decode_query,
    pairs_of,
    path_of,
)
from rolodex.dialects.stripe.errors import StripeError


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("email", ["email"]),
        ("address[line1]", ["address", "line1"]),
        (
            "invoice_settings[custom_fields][0][name]",
            ["invoice_settings", "custom_fields", "0", "name"],
        ),
        ("preferred_locales[]", ["preferred_locales", ""]),
    ],
)
def test_path_of_splits_brackets(key: str, path: list[str]) -> None:
    assert path_of(key) == path


@pytest.mark.parametrize("key", ["a[b", "a]b[", "[a]", "a[b]c", "a[[b]]"])
def test_malformed_names_are_refused(key: str) -> None:
    with pytest.raises(StripeError) as refused:
        path_of(key)
    assert refused.value.status == 400
    assert "malformed parameter name" in refused.value.message


def test_nesting_is_bounded() -> None:
    deepest_allowed = "a" + "[x]" * (MAX_DEPTH - 1)
    assert len(path_of(deepest_allowed)) == MAX_DEPTH
    with pytest.raises(StripeError) as refused:
        path_of("a" + "[x]" * MAX_DEPTH)
    assert refused.value.status == 400
    assert f"deeper than {MAX_DEPTH} levels" in refused.value.message


def test_hashes_nest_at_any_depth() -> None:
    tree = decode_query(
        "invoice_settings[rendering_options][template]=t&invoice_settings[footer]=f"
    )
    assert tree == {"invoice_settings": {"rendering_options": {"template": "t"}, "footer": "f"}}


def test_empty_brackets_make_an_array_in_arrival_order() -> None:
    assert decode_query("preferred_locales[]=fr&preferred_locales[]=en") == {
        "preferred_locales": ["fr", "en"]
    }


def test_indices_arrive_as_an_indexed_hash_the_schema_orders() -> None:
    tree = decode_query("expand[1]=tax&expand[0]=sources")
    assert isinstance(tree["expand"], Indexed)
    assert tree["expand"] == {"1": "tax", "0": "sources"}


def test_indices_are_ordered_as_numbers_however_many_digits_they_have() -> None:
    longest = "9" * 4301  # more digits than ``int`` converts
    tree = decode_query(f"expand[{longest}]=c&expand[0010]=b&expand[9]=a&expand[{longest}0]=d")
    assert [tree["expand"][key] for key in tree["expand"].as_indices()] == ["a", "b", "c", "d"]


def test_rack_array_of_hashes_starts_an_element_when_a_key_repeats() -> None:
    tree = decode_query("f[][name]=a&f[][value]=1&f[][name]=b&f[][value]=2")
    assert tree == {"f": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]}


def test_percent_encoded_brackets_and_plus_as_space() -> None:
    tree = decode_query("metadata%5Bfirst%20key%5D=hello+world&name=a%2Bb")
    assert tree == {"metadata": {"first key": "hello world"}, "name": "a+b"}


def test_empty_values_are_kept_because_they_mean_unset() -> None:
    assert decode_query("description=&metadata[a]=") == {"description": "", "metadata": {"a": ""}}


def test_mixing_array_and_hash_notation_is_refused() -> None:
    with pytest.raises(StripeError) as refused:
        decode_query("a[]=1&a[x]=2")
    assert "mixes array and hash notation" in refused.value.message


def test_parameter_count_is_bounded() -> None:
    assert len(decode_query("&".join(f"k{i}=v" for i in range(MAX_PARAMETERS)))) == MAX_PARAMETERS
    with pytest.raises(StripeError) as refused:
        decode_query("&".join(f"k{i}=v" for i in range(MAX_PARAMETERS + 1)))
    assert refused.value.status == 400
    assert "Too many parameters" in refused.value.message


def test_nul_characters_are_refused() -> None:
    with pytest.raises(StripeError) as refused:
        decode_query("metadata[a]=x%00y")
    assert refused.value.status == 400


def test_query_and_body_pairs_make_one_tree_and_one_count() -> None:
    query, body = pairs_of("metadata[a]=1&expand[]=tax"), pairs_of("metadata[b]=2&name=x")
    assert decode_pairs(query + body) == {
        "metadata": {"a": "1", "b": "2"},
        "expand": ["tax"],
        "name": "x",
    }
    half = pairs_of("&".join(f"k{i}=v" for i in range(MAX_PARAMETERS // 2 + 1)))
    with pytest.raises(StripeError) as refused:
        decode_pairs(half + half)
    assert "Too many parameters" in refused.value.message


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert decode_query("name=%FF") == {"name": "\ufffd"}


_FORM_PIECES = st.sampled_from(
    [
        *("a", "b[c]", "=", "&", "+", "%", "%2", "%5B", "%5b", "%5D", "%25", "%e9", "%C3%A9"),
        *("%C3", "é", " ", ";", "\x00"),
    ]
)


@given(st.lists(_FORM_PIECES, max_size=12).map("".join))
def test_pairs_are_read_exactly_as_the_standard_library_reads_them(text: str) -> None:
    assert pairs_of(text) == parse_qsl(text, keep_blank_values=True)
