"""Tax IDs: stable ids and countries derived from the type."""

from __future__ import annotations

import pytest

from rolodex.dialects.stripe.tax_ids import TAX_ID_TYPES, country_of, tax_id_of, well_formed


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


# Examples from Stripe's list of tax ID types: whatever else the check refuses, these pass.
_STRIPE_EXAMPLES = [
    ("ad_nrt", "A-123456-Z"), ("ar_cuit", "12-3456789-01"), ("au_abn", "12345678912"),
    ("bh_vat", "123456789012345"), ("br_cnpj", "01.234.456/5432-10"), ("br_cpf", "123.456.789-87"),
    ("bs_tin", "123.456.789"), ("ca_gst_hst", "123456789RT0002"), ("ca_pst_bc", "PST-1234-5678"),
    ("ca_qst", "1234567890TQ1234"), ("ch_vat", "CHE-123.456.789 MWST"), ("cl_tin", "12.345.678-K"),
    ("es_cif", "A12345678"), ("gb_vat", "GB123456789"), ("us_ein", "12-3456789"),
    ("eu_vat", "ATU12345678"), ("eu_vat", "BE0123456789"), ("eu_vat", "CY12345678Z"),
    ("eu_vat", "DE123456789"), ("eu_vat", "EL123456789"), ("eu_vat", "ESA1234567Z"),
    ("eu_vat", "FRAB123456789"), ("eu_vat", "HU12345678912"), ("eu_vat", "IE1234567AB"),
    ("eu_vat", "LT123456789123"), ("eu_vat", "NL123456789B12"), ("eu_vat", "GB123456789"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "value"), _STRIPE_EXAMPLES)
def test_stripes_own_examples_are_well_formed(kind: str, value: str) -> None:
    assert well_formed(kind, value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("eu_vat", "x"), ("eu_vat", "garbage!!"), ("eu_vat", "DE1"), ("eu_vat", "US123456789"),
     ("gb_vat", "GB12"), ("gb_vat", "123456789"), ("us_ein", "garbage!!"), ("us_ein", "abc"),
     ("au_abn", "")],
)  # fmt: skip
def test_values_of_no_tax_ids_shape_are_not(kind: str, value: str) -> None:
    assert not well_formed(kind, value)
