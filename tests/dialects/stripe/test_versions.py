"""The Stripe-Version header: well-formed versions pass, others get Stripe's refusal."""

from __future__ import annotations

import datetime

import pytest

from rolodex.dialects.stripe import versions
from rolodex.dialects.stripe.errors import StripeError


def test_no_header_means_the_pinned_version() -> None:
    assert versions.parse(None).text == "2026-10-28.endive"


@pytest.mark.parametrize("text", ["2024-06-20", "2025-03-31.basil", "2020-08-27;link_beta=v1"])
def test_well_formed_versions_are_accepted(text: str) -> None:
    assert versions.parse(text).text == text


@pytest.mark.parametrize("text", ["2019-2-19", "2019-02-30", "latest", "", "2025-03-31.Basil"])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(StripeError) as refused:
        versions.parse(text)
    assert refused.value.status == 400
    assert refused.value.message == f"Invalid Stripe API version: {text}"


def test_versions_compare_by_release_date() -> None:
    assert versions.parse("2025-02-24.acacia").before(versions.BASIL)
    assert not versions.parse("2025-03-31.basil").before(versions.BASIL)
    assert versions.parse("2025-03-31.basil").released == datetime.date(2025, 3, 31)
