"""The tables behind search, beside the core schema of ``store.tables``.

Each backend keeps one row for every text field of a live record that holds a string
(``IndexSpec.texts``), in its own way:

- PostgreSQL: ``customer_text`` holds the field's folded value and its words (see
  ``core.text``), indexed with ``pg_trgm``.
- SQLite: ``customer_fts`` is a full-text index over tokens computed in Python (``store.fts``),
  one document per field under an integer key ordered like ``(created_us, id)``, and
  ``customer_fts_rows`` maps each key back to its record and field. A condition checked on
  a record found otherwise reads the field from the record's document (``store.compile``).
"""

from __future__ import annotations

import sqlalchemy as sa

from rolodex.store.tables import ID_LENGTH, TENANT_LENGTH, metadata

customer_text = sa.Table(
    "customer_text",
    metadata,
    sa.Column("tenant", sa.String(TENANT_LENGTH), primary_key=True),
    sa.Column(
        "customer_id",
        sa.String(ID_LENGTH).with_variant(sa.String(ID_LENGTH, collation="C"), "postgresql"),
        primary_key=True,
    ),
    sa.Column("field", sa.String(200), primary_key=True),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("words", sa.Text, nullable=False),
    sa.Column("folded", sa.Text, nullable=False),
    sa.Index("ix_customer_text_order", "tenant", "field", "created_us", "customer_id"),
    sqlite_with_rowid=False,
)
"""PostgreSQL only (migration 0006 drops it from SQLite)."""

customer_fts_rows = sa.Table(
    "customer_fts_rows",
    metadata,
    sa.Column("key", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tenant", sa.String(TENANT_LENGTH), nullable=False),
    sa.Column("customer_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("field", sa.String(200), nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Index("ix_customer_fts_rows_field", "tenant", "customer_id", "field", unique=True),
    sa.Index("ix_customer_fts_rows_order", "tenant", "field", "created_us", "customer_id"),
)
"""SQLite: which record's field each full-text key holds; also, by its second index, the
records holding a field, newest first (as ``customer_text`` serves PostgreSQL)."""

customer_fts_queue = sa.Table(
    "customer_fts_queue",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("key", sa.Integer, nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
)
"""SQLite: changes to full-text documents, committed with the writes that made them and
applied to ``customer_fts`` later, many at once (``store.text_index``). ``before`` is the
document the key had and ``after`` the one it has now, each kept as its tenant, field and
value (``text_index.source``); ``NULL``: none."""

FTS_TABLE = "customer_fts"
customer_fts = sa.table(FTS_TABLE, sa.column("rowid", sa.BigInteger), sa.column(FTS_TABLE))
"""The SQLite FTS5 table: ``rowid`` is the key, ``tokens`` the document (contentless: FTS5
keeps only its index), and the column named like the table takes MATCH expressions."""
