"""SQLite: the queue of full-text document changes not yet applied to ``customer_fts``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL searches ``customer_text`` with pg_trgm and has no full-text table
    op.create_table(
        "customer_fts_queue",
        # INTEGER PRIMARY KEY: SQLite's rowid, so an appended change lands on the last page.
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("key", sa.Integer, nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("customer_fts_queue")
