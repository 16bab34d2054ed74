"""Stripe's scalar parameter validators: strings, emails, integers, booleans and enums.

A parameter schema is a tree of small frozen validators (the containers are in
:mod:`~rolodex.dialects.stripe.shapes`). Each turns the decoded wire value into plain data or
raises :class:`StripeError` with Stripe's own wording; an empty string becomes ``None``
(Stripe's "unset") where the parameter may be emptied, and ``parameter_invalid_empty`` where
it may not. Hand-written because Stripe's coercions (strings to integers and booleans, ``""``
as unset) and its exact messages are not what a general validation library produces.

Messages seen in real Stripe responses: ``Invalid string: {...}`` for a hash sent where a
string belongs, ``Invalid string: <first 4>...<last 4>; must be at most N characters``,
``Invalid integer: 55.00`` (code ``parameter_invalid_integer``), ``Invalid boolean: True``
(no code), ``Invalid email address: x@com`` (code ``email_invalid``) and, for integers out of
range, ``This value must be greater than or equal to 1.``. Where Stripe's code for a message
is unknown, none is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from rolodex.dialects.stripe.errors import StripeError

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_INTEGER = re.compile(r"-?[0-9]{1,19}")
_EMAIL = re.compile(r"[^@\s\uff20]+@[^@\s\uff20]+\.[^@\s\uff20.]+")
_SHOWN_ENDS = 4


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


def cleared(clearable: bool, name: str) -> None:
    """An empty string unsets a clearable parameter and is refused for any other."""
    if not clearable:
        raise empty_not_allowed(name)


def shown(value: Any) -> str:
    """A wire value as Stripe quotes it in messages: strings bare, hashes and arrays as JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def invalid_string(value: Any, name: str) -> StripeError:
    return StripeError(f"Invalid string: {shown(value)}", param=name)


@dataclass(frozen=True)
class Text:
    max: int = 5000
    clearable: bool = True

    def parse(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            raise invalid_string(value, name)
        if value == "":
            cleared(self.clearable, name)
            return None
        if len(value) > self.max:
            abridged = f"{value[:_SHOWN_ENDS]}...{value[-_SHOWN_ENDS:]}"
            raise StripeError(
                f"Invalid string: {abridged}; must be at most {self.max} characters", param=name
            )
        return value


@dataclass(frozen=True)
class Email:
    """At most 512 characters, one ``@``, a dot in the domain; no spaces, no full-width at."""

    max: int = 512

    def parse(self, value: Any, name: str) -> str | None:
        text = Text(self.max).parse(value, name)
        if text is not None and not _EMAIL.fullmatch(text):
            raise StripeError(f"Invalid email address: {text}", code="email_invalid", param=name)
        return text


@dataclass(frozen=True)
class Integer:
    """A signed 64-bit integer in decimal, optionally bounded."""

    clearable: bool = False
    min: int | None = None
    max: int | None = None

    def parse(self, value: Any, name: str) -> int | None:
        if value == "":
            cleared(self.clearable, name)
            return None
        number = _integer(value)
        if number is None:
            raise StripeError(
                f"Invalid integer: {shown(value)}", code="parameter_invalid_integer", param=name
            )
        self.check_bounds(number, name)
        return number

    def check_bounds(self, number: int, name: str) -> None:
        if self.min is not None and number < self.min:
            raise _out_of_range(f"greater than or equal to {self.min}", name)
        if self.max is not None and number > self.max:
            raise _out_of_range(f"less than or equal to {self.max}", name)


def _integer(value: Any) -> int | None:
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if INT64_MIN <= number <= INT64_MAX else None


def _out_of_range(bound: str, name: str) -> StripeError:
    return StripeError(f"This value must be {bound}.", code="parameter_invalid_integer", param=name)


@dataclass(frozen=True)
class Boolean:
    """``true`` or ``false`` in any case: stripe-python sent ``True`` before 12.0.1."""

    def parse(self, value: Any, name: str) -> bool:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value == "":
            raise empty_not_allowed(name)
        raise StripeError(f"Invalid boolean: {shown(value)}", param=name)


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings.

    Stripe's wording for a value outside the set is not on record; Rolodex answers
    ``Invalid <name>: must be one of a, b, or c``, the form Stripe uses for its other
    "must be" messages.
    """

    values: tuple[str, ...]
    clearable: bool = False

    def parse(self, value: Any, name: str) -> str | None:
        if value == "":
            cleared(self.clearable, name)
            return None
        if not isinstance(value, str):
            raise invalid_string(value, name)
        if value not in self.values:
            leaf = name.rsplit("[", 1)[-1].rstrip("]")
            raise StripeError(f"Invalid {leaf}: must be one of {self.options()}", param=name)
        return value

    def options(self) -> str:
        if len(self.values) <= 2:
            return " or ".join(self.values)
        return ", ".join(self.values[:-1]) + f", or {self.values[-1]}"
