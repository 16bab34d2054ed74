"""Autumn's API versions as data: one row per version, saying what that version changes.

A request names its version in ``x-api-version`` as SemVer (``2.3.0``, also ``2``/``2.3``),
CalVer (``2026-05-13``, optionally suffixed ``.clover``), a legacy float (``1.2``) or ``beta``.
No header (or an empty one) means the newest version. Everything that differs between versions
(which sections a customer carries, how a list pages) is read from the row, never branched on
by version name.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from rolodex.core import digits
from rolodex.dialects.autumn.errors import AutumnError


class Paging(enum.Enum):
    OFFSET = "offset"
    """``{list, total, total_count, total_filtered_count, limit, offset, has_more}``."""
    CURSOR = "cursor"
    """``{list, next_cursor}``."""


class Section(enum.Enum):
    """How one key of the customer object is filled for a customer with no plans."""

    EMPTY_LIST = "empty_list"
    EMPTY_MAP = "empty_map"
    CONFIG = "config"
    PROCESSORS = "processors"
    """The linked processors, or the key left out when there are none."""


_LATEST = (
    ("billing_controls", Section.EMPTY_MAP),
    ("subscriptions", Section.EMPTY_LIST),
    ("purchases", Section.EMPTY_LIST),
    ("licenses", Section.EMPTY_LIST),
    ("balances", Section.EMPTY_MAP),
    ("flags", Section.EMPTY_MAP),
    ("config", Section.CONFIG),
    ("processors", Section.PROCESSORS),
)
_V2_0 = (
    ("billing_controls", Section.EMPTY_MAP),
    ("subscriptions", Section.EMPTY_LIST),
    ("scheduled_subscriptions", Section.EMPTY_LIST),
    ("licenses", Section.EMPTY_LIST),
    ("balances", Section.EMPTY_MAP),
    ("flags", Section.EMPTY_MAP),
    ("config", Section.CONFIG),
    ("processors", Section.PROCESSORS),
)
_FEATURES_AS_MAP = (("products", Section.EMPTY_LIST), ("features", Section.EMPTY_MAP))
_FEATURES_AS_LIST = (("products", Section.EMPTY_LIST), ("features", Section.EMPTY_LIST))
_WITH_INVOICES = (("invoices", Section.EMPTY_LIST),)


@dataclass(frozen=True, slots=True)
class Version:
    name: str
    calver: str | None
    legacy_floats: tuple[float, ...]
    sections: tuple[tuple[str, Section], ...]
    """The keys after ``send_email_receipts``, in order, and how each is filled."""
    paging: Paging


VERSIONS = (
    Version("0.1.0", "2025-02-01", (0.1,), _FEATURES_AS_LIST + _WITH_INVOICES, Paging.OFFSET),
    Version("0.2.0", "2025-04-01", (0.2, 1.0), _FEATURES_AS_LIST + _WITH_INVOICES, Paging.OFFSET),
    Version("1.1.0", "2025-04-17", (1.1,), _FEATURES_AS_LIST, Paging.OFFSET),
    Version("1.2.0", "2025-05-05", (1.2,), _FEATURES_AS_MAP, Paging.OFFSET),
    Version("beta", "2025-06-01", (1.4,), _FEATURES_AS_MAP, Paging.OFFSET),
    Version("2.0.0", "2026-03-16", (), _V2_0, Paging.OFFSET),
    Version("2.1.0", "2026-03-17", (), _LATEST, Paging.OFFSET),
    Version("2.2.0", "2026-03-18", (), _LATEST, Paging.OFFSET),
    Version("2.3.0", "2026-05-13", (), _LATEST, Paging.CURSOR),
    Version("2.4.0", "2026-09-04", (), _LATEST, Paging.CURSOR),
    Version("2.5.0", None, (), _LATEST, Paging.CURSOR),
)
LATEST = VERSIONS[-1]

_BY_NAME = {version.name: version for version in VERSIONS}
_BY_CALVER = {version.calver: version for version in VERSIONS if version.calver}
_BY_FLOAT = {number: version for version in VERSIONS for number in version.legacy_floats}
_CALVER = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.clover)?")
_DOTTED = re.compile(r"\d+(?:\.\d+)*")
_LEADING_FLOAT = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FIRST_LATEST_SHAPE = (2, 1, 0)
_BEYOND_EVERY_RELEASE = 1 << 31
"""Where a release's numbers are clamped: past every release, as far as ordering goes."""
_RELEASES_OF_LATEST_SHAPE = {
    number: version
    for version in VERSIONS
    if _DOTTED.fullmatch(version.name)
    and (number := tuple(map(int, version.name.split(".")))) >= _FIRST_LATEST_SHAPE
}


def version_of(header: str | None) -> Version:
    """The version a request asks for; Autumn's 400 when it names none Autumn knows."""
    if not header:
        return LATEST
    found = _parsed(header)
    if found is None:
        raise AutumnError(f'"{header}" is not a valid API version', "invalid_api_version")
    return found


def _parsed(text: str) -> Version | None:
    if calver := _CALVER.fullmatch(text):
        return _BY_CALVER.get(calver.group(1))
    if _DOTTED.fullmatch(text):
        parts = [*text.split("."), "0", "0"][:3]
        if (exact := _BY_NAME.get(".".join(parts))) is not None:
            return exact
        if (release := _unlisted_release(parts)) is not None:
            return release
    if (named := _BY_NAME.get(text)) is not None:
        return named
    # A legacy float is read as JavaScript's parseFloat reads it: the number the text starts with.
    leading = _LEADING_FLOAT.match(text)
    return None if leading is None else _BY_FLOAT.get(float(leading.group()))


def _unlisted_release(parts: list[str]) -> Version | None:
    """A 2.x release from 2.1 on that the table does not name, as the newest one it names at
    or below it: Autumn's SDKs send releases newer than its server knew (autumn-sdk sent 2.5.0
    before the server had it), and every release since 2.1 keeps the latest customer shape."""
    number = tuple(digits.clamped(part, _BEYOND_EVERY_RELEASE) for part in parts)
    if number[0] != _FIRST_LATEST_SHAPE[0] or number < _FIRST_LATEST_SHAPE:
        return None
    return _RELEASES_OF_LATEST_SHAPE[max(n for n in _RELEASES_OF_LATEST_SHAPE if n <= number)]
