"""Storage: the port (``base``) and its adapters, picked from a database URL."""

from __future__ import annotations

from rolodex.store.base import Store


class UnsupportedDatabaseError(ValueError):
    """The URL names no database Rolodex can use, or its driver is not installed."""


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
