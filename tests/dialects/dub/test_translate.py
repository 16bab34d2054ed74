"""Dub ids, generated names and the customer object, with injected clocks and randomness."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from rolodex.core.patch import apply
from rolodex.core.records import Record, Tenant
from rolodex.dialects.dub import fields, names, params, translate
from rolodex.service import ById, ByKey
from tests.support.documents import assert_refused

TENANT = Tenant("dub", "w", "live")


def test_ids_are_cus_and_25_crockford_digits_starting_with_the_millisecond() -> None:
    rng = random.Random(7)
    now_us = 1_705_314_600_000_000  # 2024-01-15T10:30:00Z
    id = translate.new_customer_id(rng, now_us)
    assert re.fullmatch(r"cus_1[0-9A-HJKMNP-TV-Z]{24}", id)
    digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    number = 0
    for digit in id.removeprefix("cus_"):
        number = number * 32 + digits.index(digit)
    assert number >> 80 == now_us // 1000


def test_id_order_is_creation_order_to_the_microsecond() -> None:
    rng = random.Random(11)
    base = 1_705_314_600_000_000
    times = [base + offset for offset in (0, 0, 1, 999, 1000, 1001, 5_000_000)] * 3
    rng.shuffle(times)
    records = [(t, translate.new_customer_id(rng, t)) for t in times]
    assert sorted(records) == sorted(records, key=lambda pair: pair[1])


def test_references_strip_only_the_first_ext_prefix() -> None:
    assert translate.ref_of("cus_1ABC") == ById("cus_1ABC")
    assert translate.ref_of("ext_user") == ByKey(translate.EXTERNAL_ID, "user")
    assert translate.ref_of("ext_ext_user") == ByKey(translate.EXTERNAL_ID, "ext_user")
    assert translate.ref_of("EXT_user") == ById("EXT_user")


def test_random_names_are_three_capitalised_words_from_the_rng() -> None:
    first = names.random_name(random.Random(3))
    assert first == names.random_name(random.Random(3))
    adjective, colour, animal = first.split(" ")
    assert (adjective, colour, animal) in {
        (a, c, n) for a in names.ADJECTIVES for c in names.COLOURS for n in names.ANIMALS
    }
    drawn = {names.random_name(random.Random(seed)) for seed in range(50)}
    assert len(drawn) > 40


def test_rendering_falls_back_and_formats_dates() -> None:
    record = Record(TENANT, "cus_1X", 1_705_314_600_123_999, {"externalId": "u", "name": ""})
    shown = translate.render(record, random.Random(5))
    assert shown["name"] == names.random_name(random.Random(5))
    assert shown["createdAt"] == "2024-01-15T10:30:00.123Z"
    assert shown["avatar"] == "https://api.dub.co/og/avatar/cus_1X"
    emailed = Record(TENANT, "cus_1Y", 0, {"externalId": "v", "email": "v@example.com"})
    assert translate.render(emailed, random.Random())["name"] == "v@example.com"
    assert translate.render(emailed, random.Random())["createdAt"] == "1970-01-01T00:00:00.000Z"


def test_creation_persists_name_or_email_or_a_drawn_name() -> None:
    named = translate.create_command(TENANT, {"externalId": "a", "name": "", "email": "a@b.io"})
    assert named.fields == {"externalId": "a", "email": "a@b.io", "name": "a@b.io"}
    assert not named.generated
    drawn = translate.create_command(TENANT, {"externalId": "b", "name": None, "avatar": None})
    assert drawn.fields == {"externalId": "b"}
    assert drawn.generated["name"](random.Random(9), 0) == names.random_name(random.Random(9))


def _created(body: dict[str, Any]) -> dict[str, Any]:
    command = translate.create_command(TENANT, fields.body(body, params.CREATE))
    drawn = {name: draw(random.Random(3), 0) for name, draw in command.generated.items()}
    return {**command.fields, **drawn}


def _updated(stored: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    plan = translate.patch_of(fields.body(body, params.UPDATE))
    return apply(stored, plan(Record(TENANT, "cus_1", 0, stored))).fields


_EVERY_FIELD = {
    "externalId": "u1",
    "country": "FR",
    "name": "Zoë",
    "email": "zoe@example.com",
    "avatar": " https://example.com/zoe.png ",
    "stripeCustomerId": "cus_S1",
}


@pytest.mark.parametrize(
    "updates",
    [
        (),
        ({"subscriptionCanceledAt": "2024-01-15T11:30:00+01:00"},),
        ({"name": None, "email": None, "avatar": None, "stripeCustomerId": None},),
        ({"externalId": "u2", "country": "DE", "subscriptionCanceledAt": None},),
    ],
)
def test_every_document_requests_leave_is_its_own_stored_form(
    updates: tuple[dict[str, Any], ...],
) -> None:
    stored = _created(_EVERY_FIELD)
    assert translate.stored_form(stored) == stored
    for body in updates:
        stored = _updated(stored, body)
        assert translate.stored_form(stored) == stored
    plain = _created({"externalId": "u3", "country": "US"})
    assert translate.stored_form(plain) == plain


@pytest.mark.parametrize(
    ("stored", "rewritten"),
    [
        ({"avatar": " https://x.io "}, {"avatar": "https://x.io"}),
        (
            {"subscriptionCanceledAt": "2024-01-15T10:30:00Z"},
            {"subscriptionCanceledAt": "2024-01-15T10:30:00.000Z"},
        ),
        ({"colour": "red", "name": None}, {}),
    ],
)
def test_a_document_is_stored_as_a_request_with_its_values_would_leave_it(
    stored: dict[str, Any], rewritten: dict[str, Any]
) -> None:
    base = {"externalId": "u1", "country": "FR"}
    assert translate.stored_form({**base, **stored}) == {**base, **rewritten}


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"name": 5}, "invalid_type: name: Invalid input: expected string, received number"),
        ({"email": "nobody"}, "invalid_format: email: Invalid email address"),
        ({"externalId": None}, "invalid_type: externalId: External ID is required"),
        ({"name": "x" * 192}, "The provided value for the column is too long for the column's"),
    ],
)
def test_a_value_dub_refuses_is_refused_in_its_words(stored: dict[str, Any], message: str) -> None:
    sent = {"externalId": "u1", "country": "FR", **stored}
    assert_refused(translate.stored_form, sent, None, message)
