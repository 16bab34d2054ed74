"""Records: the one shape every customer of every dialect is stored in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Document = Mapping[str, Any]
"""A record's fields as plain JSON-compatible data; each dialect owns its field set."""


@dataclass(frozen=True, slots=True)
class Tenant:
    """Who owns a record: the dialect, the account (or workspace, or organisation) and the mode.

    Records of different tenants never see each other, so a test key and a live key of the
    same account, or two accounts, are separate worlds.
    """

    dialect: str
    account: str
    mode: str

    @property
    def key(self) -> str:
        return f"{self.dialect}:{self.mode}:{self.account}"

    @classmethod
    def of_key(cls, key: str) -> Tenant:
        """The tenant whose ``key`` this is (an account may hold colons; the rest do not)."""
        dialect, mode, account = key.split(":", 2)
        return cls(dialect, account, mode)


@dataclass(frozen=True, slots=True)
class Record:
    """One stored customer.

    ``created_us`` is microseconds since the epoch, fine enough that ordering by
    ``(created_us, id)`` is creation order even within one second.
    """

    tenant: Tenant
    id: str
    created_us: int
    fields: Document = field(default_factory=dict)
    version: int = 1
    deleted: bool = False

    # Built directly rather than with ``dataclasses.replace``, which costs several times more
    # on every write.
    def with_fields(self, fields: Document) -> Record:
        return Record(self.tenant, self.id, self.created_us, fields, self.version + 1, self.deleted)

    def as_deleted(self) -> Record:
        return Record(self.tenant, self.id, self.created_us, self.fields, self.version + 1, True)


def first_difference(document: Document, other: Document) -> str | None:
    """The first field, by name, that the two documents hold differently, types included (``1``
    is neither ``1.0`` nor ``True``); ``None`` if none. An empty map counts as no field: an
    update may leave one where a create would store nothing."""
    names = sorted(document.keys() | other.keys())
    differing = (name for name in names if not _same(_held(document, name), _held(other, name)))
    return next(differing, None)


def _held(document: Document, name: str) -> Any:
    value = document.get(name)
    return None if value == {} else value


def _same(value: Any, other: Any) -> bool:
    if type(value) is not type(other):
        return False
    if isinstance(value, dict):
        return value.keys() == other.keys() and all(_same(value[k], other[k]) for k in value)
    if isinstance(value, list):
        return len(value) == len(other) and all(map(_same, value, other))
    return bool(value == other)
