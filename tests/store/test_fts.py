"""Full-text keys (a record's fields share its slots, its millisecond numbers its records)
and the documents' tokens."""

from __future__ import annotations

import pytest

from rolodex.store import fts

CREATED = 5_000_000_123


def test_the_first_record_of_a_millisecond_takes_its_first_key() -> None:
    assert fts.base_after(CREATED, None) == fts.first_key(CREATED)


def test_a_record_comes_after_every_slot_of_the_newest_one() -> None:
    newest_base = fts.first_key(CREATED) + 2 * fts.FIELDS_PER_RECORD
    for slot in range(fts.FIELDS_PER_RECORD):
        base = fts.base_after(CREATED, newest_base + slot)
        assert base == newest_base + fts.FIELDS_PER_RECORD
        assert fts.record_base(base) == base


def test_a_millisecond_holds_as_many_records_as_its_keys_have_room_for() -> None:
    last_base = fts.key_above(CREATED) - fts.FIELDS_PER_RECORD
    assert fts.base_after(CREATED, last_base - 1) == last_base
    with pytest.raises(OverflowError, match="records created in one millisecond"):
        fts.base_after(CREATED, last_base)


def test_a_record_has_a_slot_per_text_field_and_no_more() -> None:
    base = fts.first_key(CREATED)
    keys = [fts.field_key(base, slot) for slot in range(fts.FIELDS_PER_RECORD)]
    assert {fts.record_base(key) for key in keys} == {base}
    with pytest.raises(OverflowError, match="text fields in one record"):
        fts.field_key(base, fts.FIELDS_PER_RECORD)


# The documents are a stored format: FTS5 forgets a document only when given the tokens it was
# indexed with, so a change here would strand every document already indexed.
_NAME_OF_TENANT_ABC = "dd0133a4ad6e616d65z"
"""The tag of tenant ``stripe:test:abc`` and the hex of ``name``."""


@pytest.mark.parametrize(
    ("value", "words", "trigrams"),
    [
        (
            "Jo O'Neil",
            ["6a6f", "6f", "6e65696c"],
            ["6a6f20", "6f206f", "206f27", "6f276e", "276e65", "6e6569", "65696c"],
        ),
        (
            "Straße 5",
            ["73747261c39f65", "35"],
            ["737472", "747261", "7261c39f", "61c39f65", "c39f6520", "652035"],
        ),
    ],
    ids=["ascii", "non-ascii"],
)
def test_a_fields_document_is_its_folded_words_then_its_trigrams_in_utf8_hex(
    value: str, words: list[str], trigrams: list[str]
) -> None:
    tokens = [f"{_NAME_OF_TENANT_ABC}w{word}" for word in words]
    tokens += [f"{_NAME_OF_TENANT_ABC}t{gram}" for gram in trigrams]
    assert fts.field_document("stripe:test:abc", "name", value) == " ".join(tokens)
