"""Autumn's and Dub's searched fields join the text index.

A list's ``search`` (Autumn: a substring of the id, name or email; Dub: words of the email and
the name) read every customer of the account from its JSON document, some 230-350 ms at
50,000 customers. The dialects now declare those fields as text fields (``IndexSpec.texts``),
so every write keeps them in the index Stripe's search uses, and a list with a search looks
them up there. This migration indexes the customers stored before: on PostgreSQL their
``customer_text`` rows, on SQLite their full-text documents (``store.fts``).

The fields are named here as they were at this revision, not read from the dialects, so the
migration does the same whatever later builds declare.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from rolodex.core.index import IndexSpec
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, text_index
from rolodex.store.search_tables import customer_text
from rolodex.store.sql import record_of
from rolodex.store.tables import customers

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TEXTS = {"autumn": ("customer_id", "name", "email"), "dub": ("email", "name")}
"""Each dialect's text fields at this revision."""
_CHUNK = 1000


def upgrade() -> None:
    conn = op.get_bind()
    for dialect, texts in TEXTS.items():
        spec = IndexSpec(texts=texts)
        for records in _live_records(conn, dialect):
            bulk.index_texts(conn, records, spec)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        for dialect in TEXTS:
            conn.execute(customer_text.delete().where(customer_text.c.tenant.like(f"{dialect}:%")))
        return
    # A document is removed by giving the index its tokens, made from the record's fields:
    # with the queue applied first, the index holds exactly those.
    text_index.apply_queue(conn)
    for dialect, texts in TEXTS.items():
        spec = IndexSpec(texts=texts)
        for records in _live_records(conn, dialect):
            for record in records:
                text_index.sync(conn, record, None, spec)
    text_index.apply_queue(conn)


def _live_records(conn: sa.Connection, dialect: str) -> Iterator[list[Record]]:
    """The dialect's live customers, a chunk at a time, in key order (an account may hold
    millions)."""
    key = sa.tuple_(customers.c.tenant, customers.c.id)
    query = (
        sa.select(customers)
        .where(customers.c.tenant.like(f"{dialect}:%"), customers.c.deleted == sa.false())
        .order_by(customers.c.tenant, customers.c.id)
        .limit(_CHUNK)
    )
    after: tuple[str, str] | None = None
    while True:
        chunk = query if after is None else query.where(key > sa.tuple_(*after))
        rows = conn.execute(chunk).all()
        if not rows:
            return
        yield [record_of(Tenant.of_key(row.tenant), row) for row in rows]
        after = (rows[-1].tenant, rows[-1].id)
