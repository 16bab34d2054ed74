"""A remembered response's endpoint as text of any length.

A path holds a customer id of up to 5,000 characters, so the method and path together may be
longer than the 5,000 characters ``responses.endpoint`` held: PostgreSQL refused such a row,
and the request failed. SQLite never enforced the length, so only PostgreSQL changes (turning
``varchar`` into ``text`` rewrites no rows there).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "responses", "endpoint", type_=sa.Text, existing_type=sa.String(5000), nullable=False
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "responses", "endpoint", type_=sa.String(5000), existing_type=sa.Text, nullable=False
    )
