"""Three-state patches: leave alone, clear, set; maps patched key by key; the diff made."""

from __future__ import annotations

from rolodex.core.patch import Merge, apply, merge
from rolodex.core.unset import UNSET


def test_unset_entries_vanish_when_the_patch_is_built() -> None:
    assert merge({"a": UNSET, "b": None, "c": 1}) == Merge({"b": None, "c": 1})


def test_absent_fields_are_left_alone() -> None:
    applied = apply({"a": 1, "b": 2}, merge({"b": 3}))
    assert applied.fields == {"a": 1, "b": 3}
    assert applied.previous == {"b": 2}


def test_none_clears_a_field() -> None:
    applied = apply({"a": 1, "b": 2}, merge({"a": None}))
    assert applied.fields == {"b": 2}
    assert applied.previous == {"a": 1}


def test_maps_merge_key_by_key() -> None:
    applied = apply(
        {"metadata": {"a": "1", "b": "2"}}, merge({"metadata": merge({"a": None, "c": "3"})})
    )
    assert applied.fields == {"metadata": {"b": "2", "c": "3"}}
    assert applied.previous == {"metadata": {"a": "1", "b": "2"}}


def test_merging_into_a_missing_map_creates_it() -> None:
    assert apply({}, merge({"m": merge({"k": "v"})})).fields == {"m": {"k": "v"}}


def test_a_patch_that_changes_nothing_reports_no_change() -> None:
    applied = apply({"a": 1, "m": {"k": "v"}}, merge({"a": 1, "m": merge({"k": "v"}), "z": None}))
    assert not applied.changed
    assert applied.previous == {}


def test_the_original_document_is_not_mutated() -> None:
    original = {"m": {"k": "v"}}
    apply(original, merge({"m": merge({"k": None})}))
    assert original == {"m": {"k": "v"}}


def test_unset_is_falsy_and_named() -> None:
    assert not UNSET
    assert repr(UNSET) == "UNSET"
