"""Stripe's container parameters: hashes, arrays, metadata, and whole operations.

Real Stripe answers ``Invalid object`` when a string arrives where a hash belongs (seen for
``shipping[address]``) and ``Invalid array`` when a string arrives where an array belongs
(seen for ``expand``); unknown keys are ``Received unknown parameter: address[foo]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rolodex.dialects.stripe.decode import Indexed
from rolodex.dialects.stripe.errors import StripeError
from rolodex.dialects.stripe.fields import Param, cleared, invalid_string

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500


def invalid_object(name: str) -> StripeError:
    return StripeError("Invalid object", param=name)


@dataclass(frozen=True)
class Hash:
    fields: Mapping[str, Param]
    required: tuple[str, ...] = ()
    clearable: bool = True

    def parse(self, value: Any, name: str) -> dict[str, Any] | None:
        if value == "":
            cleared(self.clearable, name)
            return None
        if not isinstance(value, dict):
            raise invalid_object(name)
        return parse_fields(self.fields, value, prefix=name, required=self.required)


@dataclass(frozen=True)
class Array:
    """A list sent as ``a[]=x`` or ``a[0]=x`` (ordered by index); elements cannot be unset."""

    item: Param
    max_items: int | None = None
    clearable: bool = True

    def parse(self, value: Any, name: str) -> list[Any] | None:
        if value == "":
            cleared(self.clearable, name)
            return None
        items = _as_list(value, name)
        if self.max_items is not None and len(items) > self.max_items:
            raise StripeError(
                f"Invalid array: {name} must have at most {self.max_items} elements", param=name
            )
        return [self.item.parse(item, f"{name}[{i}]") for i, item in enumerate(items)]


def _as_list(value: Any, name: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Indexed) and (indices := value.as_indices()) is not None:
        return [value[key] for key in indices]
    raise StripeError("Invalid array", param=name)


@dataclass(frozen=True)
class Metadata:
    """String to string, patched key by key; ``""`` removes one key, or all of them.

    A removed key comes back as ``None`` so the caller can turn it into a deletion.
    """

    def parse(self, value: Any, name: str) -> dict[str, str | None] | None:
        if value == "":
            return None
        if not isinstance(value, dict):
            raise invalid_object(name)
        for key, entry in value.items():
            check_metadata_entry(key, entry, name)
        # Only the keys set count: a request may remove every key and set new ones. An update
        # is checked again against the keys the customer is left with.
        check_metadata_size(sum(1 for entry in value.values() if entry), name)
        return {key: entry or None for key, entry in value.items()}


def check_metadata_size(count: int, name: str = "metadata") -> None:
    if count > METADATA_MAX_KEYS:
        raise StripeError(
            f"Metadata can have up to {METADATA_MAX_KEYS} keys, but you've set {count}",
            param=name,
        )


def check_metadata_entry(key: str, entry: Any, name: str) -> None:
    if not isinstance(entry, str):
        raise invalid_string(entry, f"{name}[{key}]")
    if len(key) > METADATA_KEY_MAX:
        raise StripeError(
            f"Metadata keys can have up to {METADATA_KEY_MAX} characters, but you passed in a "
            f"key that is {len(key)} characters. Invalid key: {key}",
            param=f"{name}[{key}]",
        )
    if len(entry) > METADATA_VALUE_MAX:
        raise StripeError(
            f"Metadata values can have up to {METADATA_VALUE_MAX} characters, but you passed in "
            f"a value that is {len(entry)} characters. Invalid value: {entry}",
            param=f"{name}[{key}]",
        )


@dataclass(frozen=True)
class Operation:
    """The parameters one endpoint accepts."""

    fields: Mapping[str, Param] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def parse(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if not data and not self.required:  # as most retrieves and lists: nothing to check
            return {}
        return parse_fields(self.fields, data, prefix="", required=self.required)

    def extended(self, extra: Mapping[str, Param]) -> Operation:
        return Operation({**self.fields, **extra}, self.required)


def parse_fields(
    schema: Mapping[str, Param], data: Mapping[str, Any], *, prefix: str, required: tuple[str, ...]
) -> dict[str, Any]:
    def qualified(key: str) -> str:
        return f"{prefix}[{key}]" if prefix else key

    unknown = [qualified(key) for key in data if key not in schema]
    if unknown:
        noun = "parameter" if len(unknown) == 1 else "parameters"
        raise StripeError(
            f"Received unknown {noun}: {', '.join(unknown)}",
            code="parameter_unknown",
            param=unknown[0],
        )
    for key in required:
        if key not in data:
            raise StripeError(
                f"Missing required param: {qualified(key)}.",
                code="parameter_missing",
                param=qualified(key),
            )
    return {key: schema[key].parse(value, qualified(key)) for key, value in data.items()}
