"""Run the Alembic migrations over a connection the caller provides."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")

_CREATED_CONCURRENTLY = frozenset(
    {
        "23505",  # unique_violation: the catalog row of a table another migration created
        "42P07",  # duplicate_table
        "42710",  # duplicate_object: an index or constraint
    }
)
"""SQLSTATEs that mean another process applied the same migration first."""


def upgrade(connection: sa.Connection) -> None:
    """Apply every migration not yet applied, inside the caller's transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def lost_migration_race(fault: sa.exc.DBAPIError) -> bool:
    """Whether ``fault`` says a concurrent process created what this migration creates.

    The migration's transaction is rolled back then, so running it again is safe; it finds
    the schema already migrated.
    """
    return getattr(fault.orig, "sqlstate", None) in _CREATED_CONCURRENTLY
