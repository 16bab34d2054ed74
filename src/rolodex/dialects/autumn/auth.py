"""Autumn API keys to tenants, with Autumn's 401s.

In open mode any well-formed key is accepted (on a locked server, only those ``rolodex keys``
holds): its secret part names its own organisation (hashed, so no key is ever stored) and its
mode part decides the environment, so a sandbox key and a live key never see each other's
customers. A publishable key (``am_pk_...``) with the same secret part names the same
organisation; Autumn lets it read one customer and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from rolodex.core.records import Tenant
from rolodex.dialects.autumn.errors import AutumnError

_WELL_FORMED = re.compile(r"am_(sk|pk)_(test|live)_([0-9A-Za-z]{1,200})")
_KNOWN_PREFIXES = ("am_sk", "am_pk")
_VISIBLE = 15
_ENVIRONMENTS = {"test": "sandbox", "live": "live"}
MODES = tuple(_ENVIRONMENTS.values())
"""The environments a key names, each its own world of customers."""


@dataclass(frozen=True, slots=True)
class Credentials:
    tenant: Tenant
    publishable: bool

    @property
    def env(self) -> str:
        return self.tenant.mode


def credentials_of(authorization: str | None) -> Credentials:
    """The tenant a ``Bearer`` key names; raises Autumn's 401 for every other header."""
    header = authorization or ""
    if not header.startswith("Bearer "):
        raise AutumnError(
            "Secret key not found in Authorization header", "no_secret_key", status=401
        )
    token = header.removeprefix("Bearer ").strip()
    if not token.startswith(_KNOWN_PREFIXES):
        raise AutumnError("Invalid authorization token prefix", "invalid_request", status=401)
    return _credentials_of_token(token)


@functools.lru_cache(maxsize=4096)
def _credentials_of_token(token: str) -> Credentials:
    """Cached: a client sends the same key with every request. Only well-formed keys (at most
    211 characters) are kept; a rejected one raises, which the cache does not keep."""
    matched = _WELL_FORMED.fullmatch(token)
    if matched is None:
        raise unknown_key(token)
    kind, mode, secret = matched.groups()
    organisation = hashlib.sha256(secret.encode()).hexdigest()[:24]
    return Credentials(Tenant("autumn", organisation, _ENVIRONMENTS[mode]), kind == "pk")


def token_of(authorization: str | None) -> str:
    """The key of an ``Authorization`` header that :func:`credentials_of` accepted."""
    return (authorization or "").removeprefix("Bearer ").strip()


def unknown_key(token: str) -> AutumnError:
    """Autumn's answer to a key it does not know: a malformed one, or, on a locked server,
    one that ``rolodex keys`` does not hold."""
    return AutumnError(f"Invalid secret key: {masked(token)}", "invalid_secret_key", status=401)


def masked(token: str) -> str:
    """Autumn's masking: the first fifteen characters, then one ``*`` per hidden character."""
    return token[:_VISIBLE] + "*" * max(len(token) - _VISIBLE, 0)


def not_public(path: str) -> AutumnError:
    return AutumnError(
        f"Endpoint {path} not accessible via publishable key. "
        "Please try with a secret key instead.",
        "endpoint_not_public",
        status=401,
    )
