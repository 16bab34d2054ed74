"""SQLite: the unique-key and term tables kept without rowids, one B-tree each instead of two.

Every column of ``customer_terms`` is in its primary key, and ``customer_keys`` holds two short
columns beside its own, so with a rowid SQLite kept each row twice: in the table under its
rowid, and again in the primary key's index, and each write changed both. Without a rowid the
primary key's B-tree holds the row. An update whose metadata term moves therefore rewrites one
random page of the term table instead of two: at 100,000 customers about a tenth of the
update's cost in process (``benchmarks/inprocess.py --customers 100000 --op update``, two
interleaved pairs of runs: 283 and 291 µs per update before, 257 and 265 after).

PostgreSQL tables have no rowid; there the migration changes nothing.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _customer_keys() -> list[sa.Column[object]]:
    return [
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(5000), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
    ]


def _customer_terms() -> list[sa.Column[object]]:
    return [
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("field", sa.String(200), primary_key=True),
        sa.Column("value", sa.String(5000), primary_key=True),
        sa.Column("created_us", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.String(255), primary_key=True),
    ]


_TABLES = {"customer_keys": _customer_keys, "customer_terms": _customer_terms}


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)


def _rebuild(*, with_rowid: bool) -> None:
    """Each table copied into a new one of the other kind, which then takes its name."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns in _TABLES.items():
        made = columns()
        op.create_table(f"{name}_rebuilt", *made, sqlite_with_rowid=with_rowid)
        listed = ", ".join(column.name for column in made)
        op.execute(f"INSERT INTO {name}_rebuilt ({listed}) SELECT {listed} FROM {name}")
        op.drop_table(name)
        op.rename_table(f"{name}_rebuilt", name)
