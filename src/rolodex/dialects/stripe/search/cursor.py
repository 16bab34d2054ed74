"""Search page cursors: opaque to clients, bound to the account and the query they continue.

A cursor is the position of the last record of a page plus a digest of who searched for
what, so a cursor replayed with another query or by another account is refused rather than
silently continuing a different search. It carries no secret: forging one only moves the
start of a page within one's own results.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import orjson

from rolodex.core.records import Tenant
from rolodex.dialects.stripe.errors import StripeError
from rolodex.store.base import Cursor

_VERSION = 1
_INT64 = 1 << 63


def encode(position: Cursor, tenant: Tenant, query: str) -> str:
    body = orjson.dumps([_VERSION, position.created_us, position.id, _digest(tenant, query)])
    return base64.urlsafe_b64encode(body).decode().rstrip("=")


def decode(page: str, tenant: Tenant, query: str) -> Cursor:
    """The position ``page`` continues from; a 400 for anything ``encode`` did not make for
    this account and query."""
    try:
        body = orjson.loads(base64.urlsafe_b64decode(page + "=" * (-len(page) % 4)))
    except (binascii.Error, ValueError):
        raise invalid_page(page) from None
    match body:
        case [int(version), int(created_us), str(id), str(digest)] if (
            version == _VERSION
            and type(created_us) is int  # not a bool, an int to Python but not to the SQL
            and -_INT64 <= created_us < _INT64
            and "\x00" not in id  # no record's id has one, and PostgreSQL cannot compare it
            and digest == _digest(tenant, query)
        ):
            return Cursor(created_us, id)
    raise invalid_page(page)


def invalid_page(page: str) -> StripeError:
    shown = page if len(page) <= 40 else page[:37] + "..."
    return StripeError(
        f"Invalid page: '{shown}' is not a next_page value returned by this search. Pass the "
        "next_page of the previous page, with the same query.",
        param="page",
    )


def _digest(tenant: Tenant, query: str) -> str:
    return hashlib.blake2b(
        f"{tenant.key}\0{query}".encode("utf-8", "surrogatepass"), digest_size=12
    ).hexdigest()
