"""Dub workspace API keys to tenants, with Dub's authentication errors.

A ``dub_`` key is bound to exactly one workspace. In open mode any well-formed key is
accepted (on a locked server, only those ``rolodex keys`` holds) and names its own workspace
(hashed, so no key is ever stored).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping

from rolodex.core.records import Tenant
from rolodex.dialects.dub.errors import DubError

MISCONFIGURED = (
    "Misconfigured authorization header. Did you forget to add 'Bearer '? "
    "Learn more: https://d.to/auth"
)
MISSING = "Missing Authorization header."
INVALID_KEY = "Unauthorized: Invalid API key."
NO_WORKSPACE = (
    "Workspace ID not found. Did you forget to include a `workspaceId` query parameter? "
    "It looks like you might be using personal API keys, we also recommend refactoring to "
    "workspace API keys: https://d.to/keys"
)

_WORKSPACE_KEY = re.compile(r"dub_[0-9A-Za-z]{1,128}")

MODE = "live"
"""Dub's keys name no mode: every workspace is live."""


def tenant_of(authorization: str | None, query: Mapping[str, str]) -> Tenant:
    """The workspace a request's ``Authorization`` header names, checked in Dub's order."""
    if not authorization:
        raise DubError("unauthorized", MISSING)
    if "Bearer " not in authorization:
        raise DubError("bad_request", MISCONFIGURED)
    key = authorization.replace("Bearer ", "", 1)
    if not key.startswith("dub_"):
        # Personal tokens need a workspaceId; Rolodex holds none, so with one they are unknown.
        if not query.get("workspaceId"):
            raise DubError("not_found", NO_WORKSPACE)
        raise DubError("unauthorized", INVALID_KEY)
    return _workspace_of(key)


def key_of(authorization: str) -> str:
    """The key of an ``Authorization`` header that :func:`tenant_of` accepted."""
    return authorization.replace("Bearer ", "", 1)


def unknown_key() -> DubError:
    """Dub's answer to a key it does not know (on a locked server, one that ``rolodex keys``
    does not hold)."""
    return DubError("unauthorized", INVALID_KEY)


@functools.lru_cache(maxsize=4096)
def _workspace_of(key: str) -> Tenant:
    """Cached: a client sends the same key with every request. Only well-formed keys (at most
    132 characters) are kept; a rejected one raises, which the cache does not keep."""
    if _WORKSPACE_KEY.fullmatch(key) is None:
        raise DubError("unauthorized", INVALID_KEY)
    workspace = hashlib.sha256(key.encode()).hexdigest()[:24]
    return Tenant("dub", workspace, MODE)
