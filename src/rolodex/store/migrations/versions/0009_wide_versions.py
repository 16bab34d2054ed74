"""Versions as 64-bit integers.

A record's version grows by one with each update, and PostgreSQL kept it in a 32-bit column:
the update after 2,147,483,647 failed there, and an import could bring a customer to it.
SQLite's integers are 64-bit whatever the column's declared type, so only PostgreSQL changes
(``bigint`` rewrites the table there, once).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "customers", "version", type_=sa.BigInteger, existing_type=sa.Integer, nullable=False
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "customers", "version", type_=sa.Integer, existing_type=sa.BigInteger, nullable=False
    )
