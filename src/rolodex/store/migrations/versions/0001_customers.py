"""Customers, their unique keys and their exact-match terms.

Listing orders by ``(created_us, id)``. SQLite compares text bytewise; PostgreSQL would use the
database's collation, under which ``en_US`` orders ``cus_a`` before ``cus_B``, so customers
created in the same microsecond would page differently. The "C" collation makes PostgreSQL
compare ids bytewise too (and faster); equality is unchanged everywhere.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


BYTEWISE_ID = sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("id", BYTEWISE_ID, primary_key=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index("ix_customers_order", "customers", ["tenant", "deleted", "created_us", "id"])
    op.create_table(
        "customer_keys",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(5000), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
    )
    op.create_table(
        "customer_terms",
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("field", sa.String(200), primary_key=True),
        sa.Column("value", sa.String(5000), primary_key=True),
        sa.Column("created_us", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", BYTEWISE_ID, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("customer_terms")
    op.drop_table("customer_keys")
    op.drop_table("customers")
