"""Stripe API versions: the ``Stripe-Version`` header, checked and compared by release date.

Stripe names a version by its release date, since 2024 followed by a release name
(``2025-03-31.basil``), and rejects a malformed one with ``Invalid Stripe API version: <v>``.
Rolodex accepts any well-formed version (it cannot know every release Stripe has made) and
answers in the newest shape, except where a parameter was added or removed at a known release.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from rolodex.dialects.stripe.errors import StripeError

DEFAULT = "2026-10-28.endive"
"""The version stripe-python 16.1.0 pins; used when a request names none."""

_WELL_FORMED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.[a-z]+)?(?:;\s*[a-z_]+=[a-z0-9_]+)*")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    released: datetime.date
    text: str

    def before(self, release: str) -> bool:
        return self.released < datetime.date.fromisoformat(release)


_LONGEST_CACHED = 64


def parse(header: str | None) -> Version:
    """The version a request asks for; a malformed one is refused as Stripe refuses it."""
    text = DEFAULT if header is None else header.strip()
    return _cached_version(text) if len(text) <= _LONGEST_CACHED else _version(text)


@functools.lru_cache(maxsize=64)
def _cached_version(text: str) -> Version:
    """Cached: clients send one version with every request (an SDK pins its own)."""
    return _version(text)


def _version(text: str) -> Version:
    matched = _WELL_FORMED.fullmatch(text)
    try:
        released = datetime.date.fromisoformat(matched.group(1)) if matched else None
    except ValueError:
        released = None
    if released is None:
        raise StripeError(f"Invalid Stripe API version: {text}")
    return Version(released, text)


SEARCH_RELEASE = "2020-08-27"
"""The first release that serves search; Stripe refuses it on an older version."""

BASIL = "2025-03-31"
"""``coupon`` and ``promotion_code`` left customer create and update at this release."""
