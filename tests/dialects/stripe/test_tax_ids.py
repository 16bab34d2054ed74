"""Tax IDs: stable ids and countries derived from the type."""

from __future__ import annotations

import pytest

from rolodex.dialects.stripe.tax_ids import TAX_ID_TYPES, country_of, tax_id_of


def test_ids_are_stable_and_distinct_per_position() -> None:
    first = tax_id_of("cus_1", 0)
    assert first == tax_id_of("cus_1", 0)
    assert first != tax_id_of("cus_1", 1) != tax_id_of("cus_2", 1)
    assert first.startswith("txi_") and len(first) == 28 and first[4:].isalnum()


@pytest.mark.parametrize(
    ("kind", "value", "country"),
    [("us_ein", "12-3456789", "US"), ("gb_vat", "GB123456789", "GB"),
     ("eu_vat", "DE123456789", "DE"), ("eu_vat", "EL123456789", "GR"), ("eu_vat", "123", None)],
)  # fmt: skip
def test_country_of(kind: str, value: str, country: str | None) -> None:
    assert country_of(kind, value) == country


def test_types_include_the_pinned_sdks_additions() -> None:
    assert {"eu_vat", "us_ein", "fr_siren", "tt_vat"} <= set(TAX_ID_TYPES)
