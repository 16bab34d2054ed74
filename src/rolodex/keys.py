"""The keys ``rolodex keys`` makes and recognises for a locked server, in each dialect's format.

A locked server (``rolodex serve --locked``) accepts only keys the store holds; each dialect
still reads a key as in open mode (its secret part names its account), so locking a server
keeps every account's records where they were.
"""

from __future__ import annotations

import secrets
import string

from rolodex.dialects.autumn.auth import credentials_of
from rolodex.dialects.autumn.errors import AutumnError
from rolodex.dialects.dub.auth import tenant_of as dub_tenant_of
from rolodex.dialects.dub.errors import DubError
from rolodex.dialects.stripe.auth import tenant_of as stripe_tenant_of
from rolodex.dialects.stripe.errors import StripeError

DIALECTS = ("stripe", "autumn", "dub")
_SECRET_LENGTHS = {"stripe": 32, "autumn": 42, "dub": 24}
"""The random part of each dialect's keys: Autumn's and Dub's as long as theirs, so a client
that checks a key's form takes it; Stripe's vary, and any length is well formed."""
_ALPHABET = string.ascii_letters + string.digits


class MalformedKey(ValueError):
    """Not a key any dialect accepts."""


def new_key(dialect: str, *, live: bool) -> str:
    """A fresh secret key of ``dialect``, in test mode unless ``live`` (Dub keys have none)."""
    if dialect not in _SECRET_LENGTHS:
        raise ValueError(f"no dialect {dialect!r}; the dialects are {', '.join(DIALECTS)}")
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTHS[dialect]))
    mode = "live" if live else "test"
    if dialect == "stripe":
        return f"sk_{mode}_{secret}"
    if dialect == "autumn":
        return f"am_sk_{mode}_{secret}"
    if live:
        raise MalformedKey("Dub keys have no test or live mode")
    return f"dub_{secret}"


def dialect_of(key: str) -> str:
    """The dialect whose server key ``key`` is, checked as that dialect checks it."""
    if key != key.strip():  # HTTP strips a header's value: no request could send the key
        raise MalformedKey(f"{shown(key.strip())} has spaces around it; no request carries them")
    bearer = "Bearer " + key
    try:
        if key.startswith(("sk_", "rk_")):
            stripe_tenant_of(bearer)
            return "stripe"
        if key.startswith("am_"):
            credentials_of(bearer)
            return "autumn"
        if key.startswith("dub_"):
            dub_tenant_of(bearer, {})
            return "dub"
    except (StripeError, AutumnError, DubError) as refused:
        raise MalformedKey(f"{shown(key)} is not a well-formed key") from refused
    raise MalformedKey(f"{shown(key)} is not a Stripe (sk_, rk_), Autumn (am_) or Dub (dub_) key")


def shown(key: str) -> str:
    """The key as a list shows it: its prefix and its last four characters."""
    prefix = key[: key.rfind("_") + 1]
    return prefix + "****" + key[-4:] if len(key) > len(prefix) + 4 else prefix + "****"
