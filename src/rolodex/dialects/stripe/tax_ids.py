"""Tax IDs given at creation (``tax_id_data``), kept on the customer and shown on expansion.

Stripe makes each a ``tax_id`` object listed under ``expand[]=tax_ids``. Rolodex keeps the
type and value and derives the rest: the id from the customer id and position (stable, so the
same tax ID shows the same id on every read), the country from the type (or, for the EU
types, the value's prefix), and the verification status Stripe documents: EU, UK and
Australian business numbers start ``pending``, every other type is ``unavailable``.

Values are checked for their shape as Stripe checks them on creation (``tax_id_invalid``,
``Invalid value for eu_vat.``). Stripe does not publish its patterns, and a stand-in that
refused a number Stripe takes would break the tests it serves, so the check is loose enough
for every example in Stripe's list of tax ID types: EU and UK VAT numbers must start with
their country's prefix, and every value must hold a digit and nothing but letters, digits and
the separators those examples use.
"""

from __future__ import annotations

import hashlib
import re
import string
from typing import Any

from rolodex.core.records import Record

_TYPES = """
    ad_nrt ae_trn al_tin am_tin ao_tin ar_cuit au_abn au_acn au_arn au_wpn aw_tin az_tin ba_tin
    bb_tin bd_bin bf_ifu bg_uic bh_vat bj_ifu bo_tin br_cnpj br_cpf bs_tin bw_vat by_tin ca_bn
    ca_gst_hst ca_pst_bc ca_pst_mb ca_pst_sk ca_qst cd_nif ch_uid ch_vat ci_vat cl_tin cm_niu
    cn_tin co_nit cr_tin cv_nif cz_dic de_stn do_rcn ec_ruc eg_tin es_cif et_tin eu_oss_vat
    eu_vat fo_vat fr_siren fr_siret fr_spi gb_vat ge_vat gh_tin gi_tin gn_nif hk_br hr_oib
    hu_tin ic_nif id_npwp il_vat in_gst is_kt is_vat it_cf jp_cn jp_rn jp_trn ke_pin kg_tin
    kh_tin kr_brn kz_bin la_tin li_uid li_vat lk_vat ma_vat md_cf md_vat me_pib mk_vat mr_nif
    mu_vat mx_rfc my_frp my_itn my_sst mz_nuit ng_tin no_vat no_voec np_pan nz_bn nz_gst om_vat
    pe_ruc ph_tin pl_nip pt_nif py_ruc ro_tin rs_pib ru_inn ru_kpp sa_vat sg_gst sg_uen si_tin
    sm_coe sn_ninea sr_fin sv_nit th_vat tj_tin tr_tin tt_bir tt_vat tw_vat tz_vat ua_vat ug_tin
    us_ein uy_ruc uz_tin uz_vat ve_rif vn_tin za_vat zm_tin zw_tin
"""
TAX_ID_TYPES = tuple(_TYPES.split())
"""Every type the published schema and stripe-python 16.1.0 (API 2026-10-28.endive) list."""

_VERIFIED = frozenset({"au_abn", "eu_vat", "gb_vat"})
_ALPHANUMERIC = string.digits + string.ascii_letters
_GREECE_VAT_PREFIX = "EL"

_SEPARATORS = re.compile(r"[ .\-/]")
_SHAPE = re.compile(r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*")
_EU_VAT = re.compile(
    r"(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)"
    r"[0-9A-Z+*]{2,13}",
    re.IGNORECASE,
)
"""A member state's prefix (``EL`` for Greece, ``XI`` for Northern Ireland; ``GB`` as
Stripe's older lists gave it) and the number."""
_GB_VAT = re.compile(r"GB([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})", re.IGNORECASE)


def well_formed(kind: str, value: str) -> bool:
    """Whether ``value`` has the shape of a tax ID of type ``kind`` (see the module's note)."""
    bare = _SEPARATORS.sub("", value)
    if not _SHAPE.fullmatch(bare):
        return False
    if kind == "eu_vat":
        return _EU_VAT.fullmatch(bare) is not None
    if kind == "gb_vat":
        return _GB_VAT.fullmatch(bare) is not None
    return True


def tax_id_list(record: Record) -> dict[str, Any]:
    entries = record.fields.get("tax_ids", [])
    return {
        "object": "list",
        "data": [_tax_id(record, i, entry) for i, entry in enumerate(entries)],
        "has_more": False,
        "url": f"/v1/customers/{record.id}/tax_ids",
    }


def _tax_id(record: Record, position: int, entry: dict[str, str]) -> dict[str, Any]:
    kind, value = entry["type"], entry["value"]
    return {
        "id": tax_id_of(record.id, position),
        "object": "tax_id",
        "country": country_of(kind, value),
        "created": record.created_us // 1_000_000,
        "customer": record.id,
        "livemode": record.tenant.mode == "live",
        "type": kind,
        "value": value,
        "verification": {
            "status": "pending" if kind in _VERIFIED else "unavailable",
            "verified_address": None,
            "verified_name": None,
        },
    }


def tax_id_of(customer_id: str, position: int) -> str:
    digest = int.from_bytes(hashlib.blake2b(f"{customer_id}/{position}".encode()).digest())
    characters = []
    for _ in range(24):
        digest, index = divmod(digest, len(_ALPHANUMERIC))
        characters.append(_ALPHANUMERIC[index])
    return "txi_" + "".join(characters)


def country_of(kind: str, value: str) -> str | None:
    region = kind.split("_", 1)[0].upper()
    if region != "EU":
        return region
    prefix = value[:2].upper()
    if not prefix.isalpha():
        return None
    return "GR" if prefix == _GREECE_VAT_PREFIX else prefix
