"""The keys a locked server accepts, written once over a synchronous connection for both
adapters (as ``store.sql``), each function inside its caller's transaction."""

from __future__ import annotations

import sqlalchemy as sa

from rolodex.store import fastpath, lookups
from rolodex.store.base import ApiKey
from rolodex.store.tables import api_keys

_one = sa.select(api_keys.c.created_us).where(
    api_keys.c.scope == sa.bindparam("scope"), api_keys.c.digest == sa.bindparam("digest")
)
_every = sa.select(
    api_keys.c.scope, api_keys.c.digest, api_keys.c.shown, api_keys.c.created_us
).order_by(api_keys.c.created_us, api_keys.c.scope, api_keys.c.digest)
_drop = api_keys.delete().where(
    api_keys.c.scope == sa.bindparam("scope"), api_keys.c.digest == sa.bindparam("digest")
)


def add(conn: sa.Connection, key: ApiKey) -> bool:
    row = {
        "scope": key.dialect,
        "digest": key.digest,
        "shown": key.shown,
        "created_us": key.created_us,
    }
    table = lookups.insert_ignoring_conflicts(conn, api_keys)
    return bool(fastpath.run(conn, table, [row]).rowcount == 1)


def has(conn: sa.Connection, dialect: str, digest: str) -> bool:
    return fastpath.scalar(conn, _one, {"scope": dialect, "digest": digest}) is not None


def every(conn: sa.Connection) -> tuple[ApiKey, ...]:
    return tuple(ApiKey(*row) for row in fastpath.fetch_all(conn, _every, {}))


def drop(conn: sa.Connection, dialect: str, digest: str) -> bool:
    return bool(fastpath.run(conn, _drop, [{"scope": dialect, "digest": digest}]).rowcount == 1)
