"""Stripe API keys to tenants, with Stripe's 401s.

In open mode any well-formed secret or restricted key is accepted; its secret part names its
own account (hashed, so no key is ever stored), and its mode prefix decides test or live.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from rolodex.core.records import Tenant
from rolodex.dialects.stripe.errors import StripeError

_WELL_FORMED = re.compile(r"(?:sk|rk)_(test|live)_([0-9A-Za-z]{1,247})")
_MODE_PREFIX = re.compile(r"[a-z]{2}_(?:test|live)_")

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def tenant_of(authorization: str | None) -> Tenant:
    key = _key_of(authorization or "")
    if not key:
        raise StripeError(NO_KEY, status=401)
    matched = _WELL_FORMED.fullmatch(key)
    if matched is None:
        raise StripeError(f"Invalid API Key provided: {masked(key)}", status=401)
    mode, secret = matched.groups()
    account = hashlib.sha256(secret.encode()).hexdigest()[:24]
    return Tenant("stripe", account, "live" if mode == "live" else "test")


def masked(key: str) -> str:
    """Stripe's masking: the mode prefix, one ``*`` per hidden character, the last four."""
    prefix = match.group() if (match := _MODE_PREFIX.match(key)) else ""
    hidden = max(len(key) - len(prefix) - 4, 0)
    return prefix + "*" * hidden + key[len(prefix) + hidden :]


def _key_of(authorization: str) -> str:
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        return _basic_user(credentials)
    return ""


def _basic_user(credentials: str) -> str:
    """``Basic base64(key:)`` as curl sends it; Stripe also takes the bare key."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return credentials
    return decoded.partition(":")[0]
