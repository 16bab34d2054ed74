"""Three-state patches and the diff each one makes.

A patch is a ``Merge``: a mapping from field name to either a value, ``None`` (remove the
field, which every renderer shows as its default) or another ``Merge`` (patch the map held
there key by key, as Stripe's and Autumn's metadata are patched). Entries that are ``UNSET``
are dropped when the patch is built, so callers can pass request fields straight through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rolodex.core.records import Document
from rolodex.core.unset import UNSET


@dataclass(frozen=True, slots=True)
class Merge:
    """Patch a map key by key; build it with :func:`merge` so ``UNSET`` entries vanish."""

    entries: Mapping[str, Any]


def merge(entries: Mapping[str, Any]) -> Merge:
    return Merge({key: value for key, value in entries.items() if value is not UNSET})


@dataclass(frozen=True, slots=True)
class Applied:
    """A patched document and the previous values of the top-level fields it changed."""

    fields: dict[str, Any]
    previous: dict[str, Any]

    @property
    def changed(self) -> bool:
        return bool(self.previous)


def apply(fields: Document, patch: Merge) -> Applied:
    """Apply ``patch`` to ``fields``; ``previous`` holds each changed field's old value."""
    result = _merged(fields, patch)
    previous = {
        name: fields.get(name) for name in patch.entries if fields.get(name) != result.get(name)
    }
    return Applied(result, previous)


def _merged(current: Mapping[str, Any], patch: Merge) -> dict[str, Any]:
    result = dict(current)
    for name, change in patch.entries.items():
        if change is None:
            result.pop(name, None)
        elif isinstance(change, Merge):
            inner = current.get(name)
            merged = _merged(inner if isinstance(inner, Mapping) else {}, change)
            result[name] = merged
        else:
            result[name] = change
    return result
