"""Alembic environment: always handed a live connection by :func:`rolodex.store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from rolodex.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
