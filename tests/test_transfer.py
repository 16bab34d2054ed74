"""The lines ``rolodex export`` writes and ``rolodex import`` reads."""

from __future__ import annotations

import orjson
import pytest

from rolodex.core.records import Record, Tenant
from rolodex.store.base import ApiKey
from rolodex.transfer import BadLine, as_stored, customer_line, key_line, parse_line

TENANT = Tenant("stripe", "acct_1:connected", "test")
_FIELDS = {"name": "Zoë", "metadata": {"plan": "pro"}, "balance": -5, "invoice_prefix": "ZOE1"}
RECORD = Record(
    TENANT,
    "cus_1",
    created_us=1_767_225_600_000_000,
    fields=_FIELDS,
    version=3,
    deleted=True,
)
KEY = ApiKey("autumn", "0" * 63 + "f", "am_sk_test_****abcd", 42)


def test_a_customer_comes_back_as_it_went() -> None:
    line = customer_line(RECORD)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_line(line) == RECORD


def test_a_version_past_32_bits_comes_back_as_it_went() -> None:
    updated_often = Record(TENANT, "cus_1", 1, _FIELDS, version=2**53 - 1)
    assert parse_line(customer_line(updated_often)) == updated_often


def test_a_key_comes_back_as_it_went() -> None:
    assert parse_line(key_line(KEY)) == KEY


def test_a_customer_line_names_its_parts() -> None:
    assert orjson.loads(customer_line(RECORD)) == {
        "object": "customer",
        "tenant": {"dialect": "stripe", "mode": "test", "account": "acct_1:connected"},
        "id": "cus_1",
        "created_us": 1_767_225_600_000_000,
        "version": 3,
        "deleted": True,
        "fields": _FIELDS,
    }


def _customer(**changes: object) -> bytes:
    value = orjson.loads(customer_line(RECORD))
    value.update(changes)
    return orjson.dumps({k: v for k, v in value.items() if v is not _DROP})


def _key(**changes: object) -> bytes:
    value = orjson.loads(key_line(KEY))
    value.update(changes)
    return orjson.dumps(value)


_DROP = object()
YEAR_10000_US = 253_402_300_800_000_000
_TENANT = {"dialect": "stripe", "mode": "test", "account": "a"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"object": "invoice"}', '"object" is \'invoice\', neither "customer" nor "api_key"'),
        (_customer(id=_DROP), '"id" is missing'),
        (_customer(colour="red"), '"colour" is not a field of this line'),
        (_customer(id=""), '"id" is empty'),
        (_customer(id=7), '"id" is not a string'),
        (_customer(fields=[]), '"fields" is not an object'),
        (_customer(deleted="no"), '"deleted" is not true or false'),
        (_customer(version=0), '"version" is not a whole number from 1 to 9007199254740991'),
        (_customer(version=2**53), '"version" is not a whole number from 1 to 9007199254740991'),
        (_customer(version=True), '"version" is not a whole number from 1'),
        (_customer(created_us=-1), '"created_us" is not a whole number from 0'),
        (_customer(created_us=1.5), '"created_us" is not a whole number from 0'),
        (_customer(tenant="stripe:test:a"), '"tenant" is not an object'),
        (_customer(tenant={**_TENANT, "dialect": "paddle"}), "\"tenant.dialect\" is 'paddle'"),
        (_customer(tenant={**_TENANT, "mode": "te:st"}), '"tenant.mode" holds a colon'),
        (_customer(tenant={**_TENANT, "mode": "sandbox"}), "\"tenant.mode\" is 'sandbox'; stri"),
        (_customer(tenant={**_TENANT, "dialect": "dub", "mode": "test"}), '"tenant.mode" is \'t'),
        (_customer(tenant={"dialect": "dub", "mode": "live"}), '"tenant.account" is missing'),
        (_key(digest="F" * 64), '"digest" is not a SHA-256 in lower-case hex'),
        (_key(digest="ab"), '"digest" is not a SHA-256 in lower-case hex'),
        (_key(dialect="paddle"), "\"dialect\" is 'paddle'; the dialects are stripe, autumn, dub"),
        # Each of these was stored once, and then broke reads or the move to PostgreSQL.
        (_customer(created_us=YEAR_10000_US), '"created_us" is not a whole number from 0 to'),
        (_key(created_us=YEAR_10000_US), '"created_us" is not a whole number from 0 to'),
        (_customer(id="cus_" + "x" * 252), '"id" is longer than the 255 characters'),
        (_customer(tenant={**_TENANT, "account": "a" * 190}), '"tenant" is longer than the 200'),
        (_customer(id="cus_\x00"), '"id" holds the character U+0000'),
        (_customer(tenant={**_TENANT, "account": "a\x00"}), '"tenant.account" holds the char'),
        (_key(shown="sk_test_\x00"), '"shown" holds the character U+0000'),
        (_customer(fields={"name": "J\x00o"}), '"fields.name" holds the character U+0000'),
        (_customer(fields={"metadata": {"k\x00": "v"}}), '"fields.metadata.k\\u0000" holds the'),
    ],
)
def test_a_line_it_did_not_write_is_refused_with_its_reason(line: bytes, message: str) -> None:
    with pytest.raises(BadLine) as refused:
        parse_line(line)
    assert str(refused.value).startswith(message)


def _record(dialect: str, fields: dict[str, object]) -> Record:
    return Record(Tenant(dialect, "a", "test"), "cus_1", 1, fields)


def test_fields_already_as_stored_are_kept_as_they_are() -> None:
    assert as_stored(RECORD) is RECORD
    stub = Record(TENANT, "cus_2", created_us=1, fields={}, version=2, deleted=True)
    assert as_stored(stub) is stub


def test_other_fields_are_stored_as_a_request_of_their_api_would_leave_them() -> None:
    hand_made = Record(TENANT, "cus_1", 1, {**_FIELDS, "balance": "-5", "name": 7}, 3, True)
    assert as_stored(hand_made) == Record(
        TENANT, "cus_1", 1, {**_FIELDS, "name": "7"}, version=3, deleted=True
    )
    autumn = _record("autumn", {"customer_id": "c", "email": "A@b.co"})
    assert as_stored(autumn).fields == {
        "customer_id": "c",
        "email": "A@b.co",
        "email_lower": "a@b.co",
        "metadata": {},
    }


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            _record("stripe", {**_FIELDS, "balance": "x"}),
            '"fields.balance": no stripe customer can hold this: Invalid integer: x',
        ),
        (
            _record("stripe", {"name": "x"}),
            '"fields.invoice_prefix": no stripe customer can hold this: Every customer has',
        ),
        (
            _record("autumn", {"customer_id": 5}),
            '"fields.customer_id": no autumn customer can hold this: customer_id: must be',
        ),
        (
            _record("dub", {"avatar": "no url"}),
            '"fields": no dub customer can hold this: invalid_format: avatar: Invalid URL',
        ),
        (
            _record("dub", {"email": "ann@example.com", "country": "US"}),
            '"fields": no dub customer can hold this: invalid_type: externalId: External ID is',
        ),
    ],
)
def test_a_value_its_api_refuses_is_refused_naming_the_field(record: Record, message: str) -> None:
    with pytest.raises(BadLine) as refused:
        as_stored(record)
    assert str(refused.value).startswith(message)
