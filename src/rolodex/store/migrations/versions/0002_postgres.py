"""Customer ids order bytewise on PostgreSQL, as they do on SQLite.

Listing orders by ``(created_us, id)``. SQLite compares text bytewise; PostgreSQL uses the
database's collation, under which ``en_US`` orders ``cus_a`` before ``cus_B``, so two
customers created in the same microsecond would page in a different order. The "C" collation
makes PostgreSQL compare ids bytewise (and faster); equality is unchanged everywhere.

Revision ID: 0002_postgres
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_postgres"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_id_type(sa.String(255, collation="C"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_id_type(sa.String(255))


def _set_id_type(type_: sa.String) -> None:
    op.alter_column(
        "customers", "id", type_=type_, existing_type=sa.String(255), existing_nullable=False
    )
