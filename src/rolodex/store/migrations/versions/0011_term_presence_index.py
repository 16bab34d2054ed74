"""SQLite: ``customer_terms`` gets back its index by field and creation order.

Migration 0002 made ``ix_customer_terms_presence`` (tenant, field, created_us, customer_id),
which serves a presence test (``metadata['k']:null`` and its negation): the records holding a
field, newest first, and one probe per record checked for it. On SQLite, migration 0005
rebuilt the table without rowids and the index went with the old table. Without it, each
probe walked every entry of the field: at 50,000 customers with the key, a page of
``-metadata["plan"]:null`` took 154 s and ``metadata["plan"]:null`` 68 s; with it, 2 and 31 ms.

PostgreSQL kept the index; there the migration changes nothing.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "ix_customer_terms_presence"
COLUMNS = ["tenant", "field", "created_us", "customer_id"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(NAME, "customer_terms", COLUMNS, if_not_exists=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(NAME, "customer_terms")
