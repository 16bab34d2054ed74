"""What a dialect asks the store to index and keep unique for its records.

A store cannot know which fields of a document matter; the dialect declares them once in an
:class:`IndexSpec` and every write passes it along, so the store keeps its side tables (unique
keys, exact-match terms) in step with the document inside the same transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rolodex.core import text
from rolodex.core.records import Document, Record, Tenant


class Scope(enum.Enum):
    TENANT = "tenant"
    """Unique within one account and mode."""
    DIALECT = "dialect"
    """Unique across every account of the dialect."""


@dataclass(frozen=True, slots=True)
class UniqueField:
    name: str
    scope: Scope = Scope.TENANT


@dataclass(frozen=True, slots=True)
class IndexSpec:
    unique: tuple[UniqueField, ...] = ()
    terms: tuple[str, ...] = ()
    """Top-level string fields served by exact-match lookups."""
    maps: tuple[str, ...] = ()
    """Map fields (metadata) whose string entries are served by exact-match lookups."""
    folded: tuple[str, ...] = ()
    """Term fields and maps whose lookups may also ignore case (``Op.TOKEN``)."""
    texts: tuple[str, ...] = ()
    """Top-level string fields served by word and substring matching (see ``core.text``)."""
    keep_keys_on_delete: bool = False
    """Whether a deleted record's unique keys stay taken (Stripe's invoice prefixes do)."""


@dataclass(frozen=True, slots=True, order=True)
class KeyRow:
    scope: str
    kind: str
    value: str


def scope_key(scope: Scope, tenant: Tenant) -> str:
    return tenant.key if scope is Scope.TENANT else tenant.dialect


def held_keys(spec: IndexSpec, record: Record) -> frozenset[KeyRow]:
    """The unique keys ``record`` holds: a deleted one's only if the spec keeps them."""
    if record.deleted and not spec.keep_keys_on_delete:
        return frozenset()
    return unique_keys(spec, record.tenant, record.fields)


def unique_keys(spec: IndexSpec, tenant: Tenant, fields: Document) -> frozenset[KeyRow]:
    return frozenset(
        KeyRow(scope_key(unique.scope, tenant), unique.name, value)
        for unique in spec.unique
        if isinstance(value := fields.get(unique.name), str)
    )


FOLDED = "~"
"""Prefix of the term field holding a value's folded form, as ``"~metadata.plan"``."""


def terms(spec: IndexSpec, fields: Document) -> frozenset[tuple[str, str]]:
    """The (field, value) pairs to index; a map entry's field is ``"<map>.<key>"``.

    For the fields in ``spec.folded``, a value that is not already lower case also gets a
    ``FOLDED`` pair holding its lower-case form, so a case-insensitive lookup lands in one of
    two exact places: ``"<field>"`` for values stored folded, ``"~<field>"`` for the rest.
    """
    return frozenset(
        pair
        for name in spec.terms + spec.maps
        for pair in field_terms(spec, name, fields.get(name)).items()
    )


def field_terms(spec: IndexSpec, name: str, value: Any) -> dict[str, str]:
    """The terms of one field of ``spec.terms`` or ``spec.maps`` holding ``value``, by term
    field (see :func:`terms`): a write that changes one field recomputes its terms alone."""
    if name in spec.maps:
        exact = {f"{name}.{key}": v for key, v in _mapping(value).items() if isinstance(v, str)}
    else:
        exact = {name: value} if isinstance(value, str) else {}
    if name not in spec.folded:
        return exact
    folded = {FOLDED + field: f for field, v in exact.items() if (f := text.fold(v)) != v}
    return exact | folded


def text_values(spec: IndexSpec, fields: Document) -> dict[str, str]:
    """The text fields of a document that hold a string, by name."""
    return {name: v for name in spec.texts if isinstance(v := fields.get(name), str)}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
