"""Stripe parameter validators: types, limits, and which parameters may be emptied.

A parameter schema is a tree of small frozen validators. Each turns the decoded wire value
into plain data or raises :class:`StripeError` with Stripe's own wording; an empty string
becomes ``None`` (Stripe's "unset") where the parameter may be emptied, and
``parameter_invalid_empty`` where it may not. Hand-written because Stripe's coercions (strings
to integers and booleans, ``""`` as unset, ``a[0]`` as arrays) and its exact messages are not
what a general validation library produces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from rolodex.dialects.stripe.decode import Indexed
from rolodex.dialects.stripe.errors import StripeError

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500

_INTEGER = re.compile(r"-?\d+")
_EMAIL = re.compile(r"[^@\s\uff20]+@[^@\s\uff20]+\.[^@\s\uff20.]+")


class Param(Protocol):
    def parse(self, value: Any, name: str) -> Any: ...


def empty_not_allowed(name: str) -> StripeError:
    return StripeError(
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' "
        "from your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=name,
    )


def _cleared(clearable: bool, name: str) -> None:
    """An empty string unsets a clearable parameter and is refused for any other."""
    if not clearable:
        raise empty_not_allowed(name)


def _invalid_string(value: Any, name: str) -> StripeError:
    shown = orjson.dumps(value).decode() if not isinstance(value, str) else value
    return StripeError(f"Invalid string: {shown}", param=name)


@dataclass(frozen=True)
class Text:
    max: int = 5000
    clearable: bool = True

    def parse(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            raise _invalid_string(value, name)
        if value == "":
            _cleared(self.clearable, name)
            return None
        if len(value) > self.max:
            shown = f"{value[:10]}...{value[-10:]}"
            raise StripeError(
                f"Invalid string: {shown}; must be at most {self.max} characters", param=name
            )
        return value


@dataclass(frozen=True)
class Email:
    max: int = 512

    def parse(self, value: Any, name: str) -> str | None:
        text = Text(self.max).parse(value, name)
        if text is not None and not _EMAIL.fullmatch(text):
            raise StripeError(f"Invalid email address: {text}", code="email_invalid", param=name)
        return text


@dataclass(frozen=True)
class Integer:
    clearable: bool = False

    def parse(self, value: Any, name: str) -> int | None:
        if value == "":
            _cleared(self.clearable, name)
            return None
        if not isinstance(value, str) or not _INTEGER.fullmatch(value):
            shown = value if isinstance(value, str) else orjson.dumps(value).decode()
            raise StripeError(
                f"Invalid integer: {shown}", code="parameter_invalid_integer", param=name
            )
        return int(value)


@dataclass(frozen=True)
class Boolean:
    def parse(self, value: Any, name: str) -> bool:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value == "":
            raise empty_not_allowed(name)
        raise StripeError(f"Invalid boolean: {value}", code="parameter_invalid_boolean", param=name)


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]
    clearable: bool = False

    def parse(self, value: Any, name: str) -> str | None:
        if value == "":
            _cleared(self.clearable, name)
            return None
        if value not in self.values:
            options = ", ".join(self.values[:-1]) + f", or {self.values[-1]}"
            raise StripeError(
                f"Invalid {name.rsplit('[', 1)[-1].rstrip(']')}: must be one of {options}",
                param=name,
            )
        return str(value)


@dataclass(frozen=True)
class Hash:
    fields: Mapping[str, Param]
    required: tuple[str, ...] = ()
    clearable: bool = True

    def parse(self, value: Any, name: str) -> dict[str, Any] | None:
        if value == "":
            _cleared(self.clearable, name)
            return None
        if not isinstance(value, dict):
            raise StripeError(f"Invalid object: {name} must be a hash", param=name)
        return parse_fields(self.fields, value, prefix=name, required=self.required)


@dataclass(frozen=True)
class Array:
    item: Param
    max_items: int | None = None
    clearable: bool = True

    def parse(self, value: Any, name: str) -> list[Any] | None:
        if value == "":
            _cleared(self.clearable, name)
            return None
        items = _as_list(value, name)
        if self.max_items is not None and len(items) > self.max_items:
            raise StripeError(
                f"Invalid array: {name} must have at most {self.max_items} elements",
                param=name,
            )
        return [self.item.parse(item, f"{name}[{i}]") for i, item in enumerate(items)]


@dataclass(frozen=True)
class Metadata:
    """String to string, merged key by key; ``""`` clears one key, or all of them."""

    def parse(self, value: Any, name: str) -> dict[str, str | None] | None:
        if value == "":
            return None
        if not isinstance(value, dict):
            raise StripeError(
                "Invalid metadata: metadata must be a hash of keys and values", param=name
            )
        for key, entry in value.items():
            _check_metadata_entry(key, entry, name)
        if len(value) > METADATA_MAX_KEYS:
            raise StripeError(
                f"Metadata can have up to {METADATA_MAX_KEYS} keys, but you've set {len(value)}",
                param=name,
            )
        return {key: entry or None for key, entry in value.items()}


def _check_metadata_entry(key: str, entry: Any, name: str) -> None:
    if not isinstance(entry, str):
        raise _invalid_string(entry, f"{name}[{key}]")
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


def _as_list(value: Any, name: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Indexed) and all(key.isdigit() for key in value):
        return [value[key] for key in sorted(value, key=int)]
    raise StripeError(f"Invalid array: {name} must be an array", param=name)


@dataclass(frozen=True)
class Operation:
    """The parameters one endpoint accepts."""

    fields: Mapping[str, Param] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def parse(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return parse_fields(self.fields, data, prefix="", required=self.required)


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
