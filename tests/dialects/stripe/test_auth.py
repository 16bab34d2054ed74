"""API keys to tenants, with Stripe's 401 messages and masking."""

from __future__ import annotations

import base64

import pytest

from rolodex.dialects.stripe.auth import NO_KEY, PUBLISHABLE_KEY, masked, tenant_of
from rolodex.dialects.stripe.errors import StripeError


def refusal(header: str | None) -> StripeError:
    with pytest.raises(StripeError) as refused:
        tenant_of(header)
    assert refused.value.status == 401
    return refused.value


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk_test_your_stripe_secret_key_here", "sk_test_***********************here"),
        ("sk_test_" + "x" * 20 + "alls", "sk_test_" + "*" * 20 + "alls"),
        ("rk_live_abcdef", "rk_live_**cdef"),
        ("nil", "nil"),
        ("garbage-key", "*******-key"),
    ],
)
def test_masking_keeps_prefix_and_last_four(key: str, shown: str) -> None:
    assert masked(key) == shown


def test_bearer_and_basic_name_the_same_tenant() -> None:
    key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
    basic = base64.b64encode(f"{key}:".encode()).decode()
    assert tenant_of(f"Bearer {key}") == tenant_of(f"Basic {basic}") == tenant_of(f"Basic {key}")


def test_each_secret_names_its_own_account() -> None:
    assert tenant_of("Bearer sk_test_aaa").account != tenant_of("Bearer sk_test_aab").account


def test_test_and_live_keys_of_one_secret_are_separate_tenants() -> None:
    test, live = tenant_of("Bearer sk_test_same"), tenant_of("Bearer sk_live_same")
    assert test.account == live.account
    assert (test.mode, live.mode) == ("test", "live")
    assert test != live


def test_restricted_keys_are_accepted() -> None:
    assert tenant_of("Bearer rk_test_abc").mode == "test"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   "])
def test_no_key(header: str | None) -> None:
    error = refusal(header)
    assert error.message == NO_KEY
    assert error.code is None


def test_unknown_scheme_quotes_the_header() -> None:
    assert refusal("null").message.startswith(
        'You did not provide an API key, though you did set your Authorization header to "null".'
    )


def test_malformed_key_is_invalid_and_masked() -> None:
    error = refusal("Bearer sk_test_not-a-valid-key!")
    assert error.message == "Invalid API Key provided: sk_test_" + "*" * 12 + "key!"
    assert error.code is None


def test_key_with_a_space_says_so() -> None:
    assert refusal("Bearer sk_test_ab cd").message == (
        "Invalid API Key provided: sk_test_*b cd. This key contains at least one space. Please "
        "delete the spaces and try again. If you have any questions, we can help at "
        "https://support.stripe.com/."
    )


def test_publishable_key_is_refused_with_its_code() -> None:
    error = refusal("Bearer pk_test_abc")
    assert (error.message, error.code) == (PUBLISHABLE_KEY, "secret_key_required")


KEY = "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"


def test_a_connected_account_is_a_tenant_of_its_own() -> None:
    platform = tenant_of(KEY)
    connected = tenant_of(KEY, "acct_1Nv0FGQ9RKHgCVdK")
    assert connected != platform
    assert connected.mode == platform.mode
    assert connected != tenant_of(KEY, "acct_1Nv0FGQ9RKHgCVdL")
    assert connected == tenant_of(KEY, " acct_1Nv0FGQ9RKHgCVdK ")
    other_platform = tenant_of("Bearer sk_test_another", "acct_1Nv0FGQ9RKHgCVdK")
    assert other_platform != connected  # a connected account belongs to its platform


@pytest.mark.parametrize("account", ["", "cus_123", "acct_", "acct_a-b", "acct_" + "x" * 101])
def test_a_header_that_names_no_account_is_refused(account: str) -> None:
    with pytest.raises(StripeError) as refused:
        tenant_of(KEY, account)
    assert (refused.value.status, refused.value.code) == (403, "account_invalid")
    assert refused.value.message.startswith(
        "The provided key 'sk_test_********************p7dc' does not have access to account "
        f"'{account}' (or that account does not exist)."
    )


def test_the_key_is_checked_before_the_account() -> None:
    with pytest.raises(StripeError) as refused:
        tenant_of("Bearer nonsense", "not-an-account")
    assert refused.value.status == 401
