"""Index specs: the unique keys and exact-match terms a document yields."""

from __future__ import annotations

from rolodex.core.index import IndexSpec, KeyRow, Scope, UniqueField, scope_key, terms, unique_keys
from rolodex.core.records import Record, Tenant

TENANT = Tenant("stripe", "acct", "test")
SPEC = IndexSpec(
    unique=(UniqueField("invoice_prefix"), UniqueField("external_id", Scope.DIALECT)),
    terms=("email",),
    maps=("metadata",),
)


def test_unique_keys_are_scoped_to_tenant_or_dialect() -> None:
    keys = unique_keys(SPEC, TENANT, {"invoice_prefix": "ABC", "external_id": "x"})
    assert keys == {
        KeyRow("stripe:test:acct", "invoice_prefix", "ABC"),
        KeyRow("stripe", "external_id", "x"),
    }


def test_only_string_values_make_keys() -> None:
    assert unique_keys(SPEC, TENANT, {"invoice_prefix": None, "external_id": 5}) == frozenset()


def test_terms_cover_fields_and_map_entries() -> None:
    fields = {"email": "a@b.co", "name": "J", "metadata": {"plan": "pro", "n": 3}}
    assert terms(SPEC, fields) == {("email", "a@b.co"), ("metadata.plan", "pro")}


def test_scope_keys_differ_between_test_and_live() -> None:
    live = Tenant("stripe", "acct", "live")
    assert scope_key(Scope.TENANT, TENANT) != scope_key(Scope.TENANT, live)
    assert scope_key(Scope.DIALECT, TENANT) == scope_key(Scope.DIALECT, live) == "stripe"


def test_records_bump_their_version_on_change_and_delete() -> None:
    record = Record(TENANT, "cus_1", 0, {"a": 1})
    changed = record.with_fields({"a": 2})
    assert (changed.version, changed.fields) == (2, {"a": 2})
    assert record.as_deleted().deleted and record.as_deleted().version == 2
