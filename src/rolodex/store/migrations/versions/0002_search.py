"""Search: text rows, SQLite's full-text index, PostgreSQL's trigram indexes.

On PostgreSQL the trigram indexes need the ``pg_trgm`` extension (in the ``postgresql-contrib``
package; trusted, so a database owner may create it). Where it cannot be created, search works
the same without those indexes, walking the creation-order index instead.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# Search pages by (created_us, customer_id) of this table: ids compare bytewise, as in 0001.
_BYTEWISE_ID = sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customer_text",
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("customer_id", _BYTEWISE_ID, primary_key=True),
        sa.Column("field", sa.String(200), primary_key=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_customer_text_order", "customer_text", ["tenant", "field", "created_us", "customer_id"]
    )
    op.create_index(
        "ix_customer_terms_presence",
        "customer_terms",
        ["tenant", "field", "created_us", "customer_id"],
    )
    if op.get_bind().dialect.name == "sqlite":
        _full_text_index()
    else:
        _trigram_indexes()


def _full_text_index() -> None:
    op.create_table(
        "customer_fts_rows",
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_customer_fts_rows_record",
        "customer_fts_rows",
        ["tenant", "customer_id"],
        unique=True,
    )
    # Contentless: FTS5 keeps only its index; the tokens are made by ``rolodex.store.fts``.
    op.execute(
        "CREATE VIRTUAL TABLE customer_fts USING fts5(tokens, content='', columnsize=0, "
        "tokenize='unicode61 remove_diacritics 0')"
    )


def _trigram_indexes() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as refused:
        log.warning("pg_trgm is unavailable (%s); search will run without trigram indexes", refused)
        return
    for column in ("words", "folded"):
        bind.exec_driver_sql(
            f"CREATE INDEX ix_customer_text_{column}_trgm ON customer_text "
            f"USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE customer_fts")
        op.drop_table("customer_fts_rows")
    op.drop_index("ix_customer_terms_presence", "customer_terms")
    op.drop_table("customer_text")
