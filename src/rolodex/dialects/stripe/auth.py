"""Stripe API keys to tenants, with Stripe's 401s.

The key arrives as ``Authorization: Bearer <key>`` (what the SDKs send) or HTTP Basic with the
key as user name (``curl -u sk_test_...:``); Stripe also takes ``Basic <key>`` unencoded.
In open mode any well-formed secret or restricted key is accepted (on a locked server, only
those ``rolodex keys`` holds; any other gets Stripe's answer to an unknown key); its secret
part names its own account (hashed, so no key is ever stored), and its mode prefix decides
test or live, so the same secret with ``sk_test_`` and ``sk_live_`` names two separate worlds.

A ``Stripe-Account: acct_...`` header acts on that connected account of the key's platform,
as Stripe Connect does: its customers are its own, apart from the platform's and from every
other connected account's. In open mode every key may act on any connected account; a header
that cannot name an account gets Stripe's 403 ``account_invalid`` (its wording is on record
only in part: the first sentence is Stripe's, the second Rolodex's).

The messages are Stripe's, as seen in its responses; a rejected key is quoted masked: the
mode prefix, one ``*`` per hidden character, and the last four characters.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re

from rolodex.core.records import Tenant
from rolodex.dialects.stripe.errors import StripeError

MODES = ("test", "live")
"""The modes a secret key names, each its own world of customers."""
_ANY_MODE = "|".join(MODES)
_WELL_FORMED = re.compile(rf"(?:sk|rk)_({_ANY_MODE})_([0-9A-Za-z]{{1,247}})")
_CONNECTED_ACCOUNT = re.compile(r"acct_[0-9A-Za-z]{1,100}")
_PUBLISHABLE = re.compile(rf"pk_(?:{_ANY_MODE})_\S*")
_MODE_PREFIX = re.compile(rf"[a-z]{{2}}_(?:{_ANY_MODE})_")
_SHOWN_TAIL = 4
_HELP = "See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). " + _HELP
)
PUBLISHABLE_KEY = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. "
    "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
)


def key_of(authorization: str | None) -> str:
    """The key a request's ``Authorization`` header carries (Stripe's 401 for a scheme other
    than Bearer and Basic)."""
    return _key_of((authorization or "").strip())


def unknown_key(key: str) -> StripeError:
    """Stripe's answer to a well-formed key it does not know (a locked server's refusal)."""
    return _rejected(key)


def tenant_of(authorization: str | None, connected_account: str | None = None) -> Tenant:
    """The tenant a request acts for: the key's account, or the connected account it names."""
    key = _key_of((authorization or "").strip())
    platform = _tenant_of_key(key)
    if connected_account is None:
        return platform
    return _connected(platform, connected_account.strip(), key)


@functools.lru_cache(maxsize=4096)
def _connected(platform: Tenant, account: str, key: str) -> Tenant:
    if _CONNECTED_ACCOUNT.fullmatch(account) is None:
        raise StripeError(
            f"The provided key '{masked(key)}' does not have access to account '{account}' "
            "(or that account does not exist). Rolodex names connected accounts acct_ and "
            "up to 100 letters and digits.",
            status=403,
            code="account_invalid",
        )
    return Tenant(platform.dialect, f"{platform.account}/{account}", platform.mode)


@functools.lru_cache(maxsize=4096)
def _tenant_of_key(key: str) -> Tenant:
    """Cached: a client sends the same key with every request, and matching and hashing it
    cost a twentieth of a short request. Only well-formed keys (at most 255 characters) are
    kept; a rejected one raises, which the cache does not keep."""
    matched = _WELL_FORMED.fullmatch(key)
    if matched is None:
        raise _rejected(key)
    mode, secret = matched.groups()
    account = hashlib.sha256(secret.encode()).hexdigest()[:24]
    return Tenant("stripe", account, mode)


def masked(key: str) -> str:
    prefix = match.group() if (match := _MODE_PREFIX.match(key)) else ""
    hidden = max(len(key) - len(prefix) - _SHOWN_TAIL, 0)
    return prefix + "*" * hidden + key[len(prefix) + hidden :]


def _rejected(key: str) -> StripeError:
    if not key:
        return StripeError(NO_KEY, status=401)
    if _PUBLISHABLE.fullmatch(key):
        return StripeError(PUBLISHABLE_KEY, status=401, code="secret_key_required")
    message = f"Invalid API Key provided: {masked(key)}"
    if any(character.isspace() for character in key):
        message += (
            ". This key contains at least one space. Please delete the spaces and try again. "
            "If you have any questions, we can help at https://support.stripe.com/."
        )
    return StripeError(message, status=401)


def _key_of(authorization: str) -> str:
    if not authorization:
        return ""
    scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        return _basic_user(credentials)
    raise StripeError(
        "You did not provide an API key, though you did set your Authorization header to "
        f'"{authorization}". Using Bearer auth, your Authorization header should look something '
        "like 'Authorization: Bearer YOUR_SECRET_KEY'. " + _HELP,
        status=401,
    )


def _basic_user(credentials: str) -> str:
    """``Basic base64(key:)`` as curl sends it; a credential that is not base64 is the key."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return credentials
    return decoded.partition(":")[0]
