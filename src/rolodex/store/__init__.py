"""Storage: the port (``base``) and its adapters, picked from a database URL."""

from __future__ import annotations

import sqlalchemy as sa

from rolodex.store.base import Store


class UnsupportedDatabaseError(ValueError):
    """The URL names no database Rolodex can use, or its driver is not installed."""


def in_memory(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database: one that lives inside one
    connection of one process, so neither a second process nor a second connection sees it."""
    if not url.startswith("sqlite:"):
        return False
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or parsed.query.get("mode") == "memory"


def open_store(url: str) -> Store:
    """The adapter for ``url``; the PostgreSQL driver is imported only when asked for."""
    if url.startswith("sqlite:"):
        from rolodex.store.sqlite import SQLiteStore  # noqa: PLC0415 - load only what is used

        return SQLiteStore(url)
    if url.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        from rolodex.store.postgres import PostgresStore  # noqa: PLC0415 - optional driver

        return PostgresStore(url)
    raise UnsupportedDatabaseError(
        f"unsupported database URL {url!r}: use sqlite:///path or postgresql://..."
    )
