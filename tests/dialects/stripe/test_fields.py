"""Scalar validators: Stripe's coercions, limits and exact messages."""

from __future__ import annotations

from typing import Any

import pytest

from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import Boolean, Choice, Email, Integer, Text


def refusal(param: Any, value: Any, name: str = "p") -> StripeError:
    with pytest.raises(StripeError) as refused:
        param.parse(value, name)
    assert refused.value.status == 400
    return refused.value


def test_text_accepts_up_to_its_limit() -> None:
    assert Text(5).parse("abcde", "p") == "abcde"


def test_text_too_long_shows_four_characters_at_each_end() -> None:
    value = "abcdefghij" + "x" * 300 + "klmnopqrst"
    error = refusal(Text(256), value, "name")
    assert error.message == "Invalid string: abcd...qrst; must be at most 256 characters"
    assert error.param == "name"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"0": "wrong", "1": "type"}, '{"0":"wrong","1":"type"}'),
        (["a", "b"], '["a","b"]'),
    ],
)
def test_text_given_a_hash_or_array_is_an_invalid_string(value: Any, shown: str) -> None:
    error = refusal(Text(), value, "description")
    assert error.message == f"Invalid string: {shown}"
    assert error.code is None


def test_empty_text_unsets_when_clearable() -> None:
    assert Text().parse("", "description") is None


def test_empty_text_is_refused_when_not_clearable() -> None:
    error = refusal(Text(clearable=False), "", "invoice_prefix")
    assert error.code == "parameter_invalid_empty"
    assert error.param == "invoice_prefix"
    assert error.message == (
        "You passed an empty string for 'invoice_prefix'. We assume empty values are an attempt "
        "to unset a parameter; however 'invoice_prefix' cannot be unset. You should remove "
        "'invoice_prefix' from your request or supply a non-empty value."
    )


@pytest.mark.parametrize("email", ["jenny@example.com", "a.b+c@sub.example.co.uk", "x@y.io"])
def test_plausible_emails_pass(email: str) -> None:
    assert Email().parse(email, "email") == email


@pytest.mark.parametrize(
    "email",
    ["otameshi@com", "no-at-sign.com", " lead@example.com", "trail@example.com ", "a@b@c.com",
     "wide\uff20example.com", "dot@example."],
)  # fmt: skip
def test_implausible_emails_are_refused(email: str) -> None:
    error = refusal(Email(), email, "email")
    assert error.message == f"Invalid email address: {email}"
    assert error.code == "email_invalid"


def test_email_length_is_bounded_at_512() -> None:
    assert Email().parse("a" * 500 + "@example.com", "email") is not None
    error = refusal(Email(), "a" * 501 + "@example.com", "email")
    assert error.message.endswith("must be at most 512 characters")


def test_empty_email_unsets() -> None:
    assert Email().parse("", "email") is None


@pytest.mark.parametrize(
    ("wire", "value"), [("0", 0), ("-42", -42), ("9223372036854775807", 2**63 - 1)]
)
def test_integers_parse(wire: str, value: int) -> None:
    assert Integer().parse(wire, "balance") == value


@pytest.mark.parametrize("wire", ["55.00", "1e3", "abc", " 5", "9223372036854775808", "+1"])
def test_non_integers_are_refused(wire: str) -> None:
    error = refusal(Integer(), wire, "balance")
    assert error.message == f"Invalid integer: {wire}"
    assert error.code == "parameter_invalid_integer"


def test_integer_given_a_hash_quotes_it_as_json() -> None:
    assert refusal(Integer(), {"a": "1"}, "balance").message == 'Invalid integer: {"a":"1"}'


def test_integer_bounds_use_stripes_wording() -> None:
    bounded = Integer(min=1, max=100)
    assert (
        refusal(bounded, "0", "limit").message == "This value must be greater than or equal to 1."
    )
    assert (
        refusal(bounded, "101", "limit").message == "This value must be less than or equal to 100."
    )
    assert bounded.parse("100", "limit") == 100


def test_empty_integer_cannot_be_unset() -> None:
    assert refusal(Integer(), "", "balance").code == "parameter_invalid_empty"


@pytest.mark.parametrize(
    ("wire", "value"), [("true", True), ("false", False), ("True", True), ("FALSE", False)]
)
def test_booleans_in_any_case(wire: str, value: bool) -> None:
    assert Boolean().parse(wire, "validate") is value


def test_invalid_boolean_has_no_code() -> None:
    error = refusal(Boolean(), "1", "validate")
    assert error.message == "Invalid boolean: 1"
    assert error.code is None


def test_choice_lists_its_options() -> None:
    error = refusal(Choice(("exempt", "none", "reverse")), "maybe", "tax_exempt")
    assert error.message == "Invalid tax_exempt: must be one of exempt, none, or reverse"
    pair = refusal(Choice(("deferred", "immediately")), "x", "tax[validate_location]")
    assert pair.message == "Invalid validate_location: must be one of deferred or immediately"
    assert pair.param == "tax[validate_location]"


def test_choice_empty_string_unsets_only_when_clearable() -> None:
    assert Choice(("a", "b"), clearable=True).parse("", "p") is None
    assert refusal(Choice(("a", "b")), "").code == "parameter_invalid_empty"
