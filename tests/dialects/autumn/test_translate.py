"""The pure parts of the dialect: internal ids, patches, cursors and query-string numbers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from rolodex.core import patch as patches
from rolodex.core.records import Record, Tenant, first_difference
from rolodex.dialects.autumn import listing, params, translate
from rolodex.dialects.autumn.errors import AutumnError
from rolodex.store.base import Cursor
from tests.support.documents import assert_refused

SECOND_US = 1_000_000


def test_internal_ids_are_ksuid_shaped_and_ordered_by_time() -> None:
    rng = random.Random(7)
    early = translate.new_internal_id(rng, 1_700_000_000 * SECOND_US)
    late = translate.new_internal_id(rng, 1_700_000_001 * SECOND_US)
    assert translate.INTERNAL_ID.fullmatch(early) and translate.INTERNAL_ID.fullmatch(late)
    assert early < late
    assert translate.new_internal_id(random.Random(7), 1_700_000_000 * SECOND_US) == early


def test_update_patch_clears_merges_and_renames() -> None:
    stored = {
        "customer_id": "old",
        "name": "Jo",
        "email": "Jo@X.io",
        "email_lower": "jo@x.io",
        "stripe_id": "cus_1",
        "metadata": {"a": 1, "b": {"deep": 1}},
    }
    given = {"email": None, "stripe_id": "", "metadata": {"a": None, "b": {"new": 2}}}
    result = patches.apply(stored, translate.patch_of({**given, "new_customer_id": "new"}))
    assert result.fields == {"customer_id": "new", "name": "Jo", "metadata": {"b": {"new": 2}}}
    assert (
        patches.apply(stored, translate.patch_of({"metadata": None})).fields.get("metadata") is None
    )
    assert not patches.apply(stored, translate.patch_of({"metadata": {}})).changed


def test_fill_in_touches_only_blank_fields() -> None:
    record = Record(Tenant("autumn", "o", "sandbox"), "cus_x", 1, {"name": "", "email": "a@b"})
    plan = translate.fill_in({"name": "New", "email": "c@d", "send_email_receipts": True})
    assert plan(record).entries == {"name": "New", "send_email_receipts": True}


def test_cursor_round_trip() -> None:
    position = Cursor(1_795_000_000_123_456, "cus_" + "a" * 27)
    encoded = listing.encode_cursor(position)
    assert "=" not in encoded
    assert listing.decode_cursor(encoded) == position
    assert listing.decode_cursor("") is None


@pytest.mark.parametrize("text", ["eyJ2IjowLCJpZCI6IngiLCJ0IjoxZTMwMH0", "W10"])
def test_cursor_shapes_outside_the_contract_are_refused(text: str) -> None:
    with pytest.raises(AutumnError) as refused:
        listing.decode_cursor(text)
    assert refused.value.code == "invalid_cursor"


def _created(body: dict[str, Any]) -> dict[str, Any]:
    given = params.parse(params.GET_OR_CREATE, body)
    return dict(translate.new_fields(given, given["customer_id"]))


def _updated(fields: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    given = params.parse(params.UPDATE, {"customer_id": "c", **body})
    return patches.apply(fields, translate.patch_of(given)).fields


_EVERY_FIELD = {
    "customer_id": "c",
    "name": "Zoë",
    "email": "Zoe@Example.com",
    "fingerprint": "f",
    "stripe_id": "cus_1",
    "send_email_receipts": True,
    "metadata": {"plan": "pro", "deep": {"n": [1, 2.5]}},
    "config": {"disable_pooled_balance": True},
}


@pytest.mark.parametrize(
    "updates",
    [
        (),
        ({"metadata": {"plan": None, "deep": None}},),
        ({"metadata": None, "email": None, "name": None, "stripe_id": ""},),
        ({"new_customer_id": "d", "config": {"disable_overage_billing": False}},),
        ({"email": "New@Example.com", "send_email_receipts": False},),
    ],
)
def test_every_document_requests_leave_is_its_own_stored_form(
    updates: tuple[dict[str, Any], ...],
) -> None:
    fields = _created(_EVERY_FIELD)
    assert first_difference(translate.stored_form(fields), fields) is None
    for body in updates:
        fields = _updated(fields, body)
        assert first_difference(translate.stored_form(fields), fields) is None
    email_only = _created({"customer_id": None, "email": "only@example.com"})
    assert translate.stored_form(email_only) == email_only


def test_a_customer_created_without_an_id_holds_its_email_until_an_update_changes_either() -> None:
    created = _created({"customer_id": None, "email": "Jo@x.io"})
    assert created["email_only"] == "jo@x.io"
    assert "email_only" not in _created({"customer_id": "jo", "email": "Jo@x.io"})
    assert "email_only" in _updated(created, {"name": "Jo"})
    for body in ({"email": "Al@x.io"}, {"email": None}, {"new_customer_id": "jo"}):
        assert "email_only" not in _updated(created, body)
    claimed = patches.apply(created, translate.claim("jo")(_record(created))).fields
    assert (claimed["customer_id"], "email_only" in claimed) == ("jo", False)


def test_a_stored_form_keeps_the_email_key_as_the_record_holds_it_and_never_takes_it() -> None:
    created = _created({"customer_id": None, "email": "Jo@x.io"})
    assert translate.stored_form(created) == created
    released = _updated(created, {"email": "Al@x.io"})
    assert translate.stored_form(released) == released
    without = {name: value for name, value in created.items() if name != "email_only"}
    assert translate.stored_form(without) == without  # as stored by builds before the key
    assert translate.stored_form({**without, "email_only": "al@x.io"}) == without


def _record(fields: dict[str, Any]) -> Record:
    return Record(Tenant("autumn", "o", "sandbox"), "cus_x", 1, fields)


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        (
            {"email": "Z@x.io", "email_lower": "Z@x.io"},
            {"email": "Z@x.io", "email_lower": "z@x.io"},
        ),
        ({"email": "Z@x.io"}, {"email": "Z@x.io", "email_lower": "z@x.io"}),
        ({"currency": "usd", "colour": "red"}, {}),
    ],
)
def test_a_document_is_stored_as_a_request_with_its_values_would_leave_it(
    fields: dict[str, Any], stored: dict[str, Any]
) -> None:
    named = {"customer_id": "c"}
    assert translate.stored_form({**named, **fields}) == {**named, **stored, "metadata": {}}


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"name": 5}, "name", "name: must be a string (received number)"),
        ({"customer_id": "c 1"}, "customer_id", "customer_id: cannot contain spaces."),
        ({"send_email_receipts": "yes"}, "send_email_receipts", "send_email_receipts: must be"),
        ({"metadata": [1]}, "metadata", "metadata: "),
    ],
)
def test_a_value_autumn_refuses_is_refused_naming_the_field(
    fields: dict[str, Any], param: str, message: str
) -> None:
    assert_refused(translate.stored_form, {"customer_id": "c", **fields}, param, message)
