"""The keys ``rolodex keys`` makes and recognises, in each dialect's own format."""

from __future__ import annotations

import re

import pytest

from rolodex.dialects.autumn.auth import credentials_of
from rolodex.dialects.dub.auth import tenant_of as dub_tenant_of
from rolodex.dialects.stripe.auth import tenant_of as stripe_tenant_of
from rolodex.keys import DIALECTS, MalformedKey, dialect_of, new_key, shown


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_new_key_is_one_its_dialect_accepts(dialect: str) -> None:
    key = new_key(dialect, live=False)
    assert dialect_of(key) == dialect
    assert new_key(dialect, live=False) != key


def test_new_keys_name_their_mode() -> None:
    assert stripe_tenant_of("Bearer " + new_key("stripe", live=True)).mode == "live"
    assert stripe_tenant_of("Bearer " + new_key("stripe", live=False)).mode == "test"
    assert credentials_of("Bearer " + new_key("autumn", live=True)).env == "live"
    assert credentials_of("Bearer " + new_key("autumn", live=False)).env == "sandbox"
    assert dub_tenant_of("Bearer " + new_key("dub", live=False), {}).dialect == "dub"


@pytest.mark.parametrize(
    ("dialect", "pattern"),
    [("stripe", r"sk_test_[0-9A-Za-z]{32}"), ("autumn", r"am_sk_test_[0-9A-Za-z]{42}"),
     ("dub", r"dub_[0-9A-Za-z]{24}")],
)  # fmt: skip
def test_new_keys_have_their_apis_form(dialect: str, pattern: str) -> None:
    assert re.fullmatch(pattern, new_key(dialect, live=False))


def test_dub_keys_have_no_mode() -> None:
    with pytest.raises(MalformedKey, match="no test or live mode"):
        new_key("dub", live=True)


def test_no_key_is_made_for_a_dialect_rolodex_does_not_speak() -> None:
    with pytest.raises(ValueError, match="no dialect 'paddle'"):
        new_key("paddle", live=False)


@pytest.mark.parametrize(
    ("key", "dialect"),
    [("sk_test_abc123", "stripe"), ("rk_live_abc123", "stripe"),
     ("am_pk_test_abc123", "autumn"), ("dub_abc123", "dub")],
)  # fmt: skip
def test_a_key_is_recognised_by_its_prefix(key: str, dialect: str) -> None:
    assert dialect_of(key) == dialect


@pytest.mark.parametrize(
    ("key", "fragment"),
    [("sk_test_has-a-dash", "not a well-formed key"), ("pk_test_abc123", "not a Stripe"),
     ("am_sk_prod_abc123", "not a well-formed key"), ("dub_", "not a well-formed key"),
     ("token", "not a Stripe"), ("sk_test_abc123 ", "spaces around it"),
     ("\tdub_abc123", "spaces around it")],
)  # fmt: skip
def test_a_key_no_dialect_accepts_is_refused(key: str, fragment: str) -> None:
    with pytest.raises(MalformedKey, match=fragment):
        dialect_of(key)


def test_a_key_is_shown_masked() -> None:
    assert shown("sk_test_abcdefgh1234") == "sk_test_****1234"
    assert shown("am_sk_live_abcdefgh1234") == "am_sk_live_****1234"
    assert shown("dub_ab12") == "dub_****"
