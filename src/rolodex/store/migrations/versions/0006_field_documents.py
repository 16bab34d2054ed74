"""SQLite: one full-text document per text field instead of per record; ``customer_text`` goes.

FTS5 forgets a document only when given every token it was indexed with, so with one
document per record a new name rewrote the tokens of the email and phone beside it too. Each
field now has a document and a key of its own (``store.fts``), and ``customer_fts_rows``
names the field each key holds. ``customer_text`` served SQLite only to check words and
substrings on records found otherwise, which the record's document answers as well
(``store.compile``), and to find the records holding a text field, which the key table's
new order index answers. Together, an update of a name at 1,000 customers cost about a
sixth less in process (134 -> 110 µs, ``benchmarks/inprocess.py --op update``; see the
README).

Every document is rebuilt from the records, so the queue of changes not yet applied is
emptied: the rebuilt index holds them.

PostgreSQL keeps ``customer_text``, which its trigram indexes search; there the migration
changes nothing.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from rolodex.core import text
from rolodex.store import fts

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 10_000
_INSERT_DOCUMENT = "INSERT INTO customer_fts(rowid, tokens) VALUES (?, ?)"
_VALUE = "json_extract(c.doc, '$.\"' || t.field || '\"')"
"""A field's value, read from the record's JSON document by the field's name."""

Field = tuple[str, str, str, int, str]
"""A record's text field: its tenant, customer id, field name, creation time and value."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    _rebuilt_key_table(per_field=True)
    texts = _fields(
        f"SELECT t.tenant, t.customer_id, t.field, t.created_us, {_VALUE} "
        "FROM customer_text t JOIN customers c ON c.tenant = t.tenant AND c.id = t.customer_id "
        "ORDER BY t.created_us, t.customer_id, t.tenant, t.field"
    )
    bind.exec_driver_sql("INSERT INTO customer_fts(customer_fts) VALUES ('delete-all')")
    for batch in _batches(_keyed_per_field(texts)):
        bind.exec_driver_sql(
            "INSERT INTO customer_fts_rows_rebuilt (key, tenant, customer_id, field, created_us) "
            "VALUES (?, ?, ?, ?, ?)",
            [(key, tenant, id, field, created) for key, (tenant, id, field, created, _) in batch],
        )
        documents = [(key, fts.field_document(f[0], f[2], f[4])) for key, f in batch]
        bind.exec_driver_sql(_INSERT_DOCUMENT, documents)
    bind.exec_driver_sql("DELETE FROM customer_fts_queue")
    op.drop_table("customer_fts_rows")
    op.rename_table("customer_fts_rows_rebuilt", "customer_fts_rows")
    op.create_index(
        "ix_customer_fts_rows_field",
        "customer_fts_rows",
        ["tenant", "customer_id", "field"],
        unique=True,
    )
    op.create_index(
        "ix_customer_fts_rows_order",
        "customer_fts_rows",
        ["tenant", "field", "created_us", "customer_id"],
    )
    op.drop_table("customer_text")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    op.create_table(
        "customer_text",
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("customer_id", sa.String(255), primary_key=True),
        sa.Column("field", sa.String(200), primary_key=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    _rebuilt_key_table(per_field=False)
    texts = _fields(
        f"SELECT t.tenant, t.customer_id, t.field, t.created_us, {_VALUE}, t.key "
        "FROM customer_fts_rows t JOIN customers c ON c.tenant = t.tenant AND c.id = t.customer_id "
        "ORDER BY t.key"
    )
    bind.exec_driver_sql("INSERT INTO customer_fts(customer_fts) VALUES ('delete-all')")
    grouped = itertools.groupby(texts, key=lambda row: fts.record_base(row[5]))
    for batch in _batches((base, list(fields)) for base, fields in grouped):
        bind.exec_driver_sql(
            "INSERT INTO customer_text (tenant, customer_id, field, created_us, words, folded) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (tenant, id, field, created, text.spaced(text.words(value)), text.fold(value))
                for _, fields in batch
                for tenant, id, field, created, value, _ in fields
            ],
        )
        bind.exec_driver_sql(
            "INSERT INTO customer_fts_rows_rebuilt (key, tenant, customer_id, created_us) "
            "VALUES (?, ?, ?, ?)",
            [(base, f[0][0], f[0][1], f[0][3]) for base, f in batch],
        )
        documents = [
            (base, fts.record_document(f[0][0], {row[2]: row[4] for row in f})) for base, f in batch
        ]
        bind.exec_driver_sql(_INSERT_DOCUMENT, documents)
    bind.exec_driver_sql("DELETE FROM customer_fts_queue")
    op.create_index(
        "ix_customer_text_order", "customer_text", ["tenant", "field", "created_us", "customer_id"]
    )
    op.drop_table("customer_fts_rows")
    op.rename_table("customer_fts_rows_rebuilt", "customer_fts_rows")
    op.create_index(
        "ix_customer_fts_rows_record", "customer_fts_rows", ["tenant", "customer_id"], unique=True
    )


def _rebuilt_key_table(*, per_field: bool) -> None:
    """``customer_fts_rows`` as it is made anew, to take its name once filled: a key per
    field (with the field's name) or per record."""
    field = [sa.Column("field", sa.String(200), nullable=False)] if per_field else []
    op.create_table(
        "customer_fts_rows_rebuilt",
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
        *field,
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )


def _fields(query: str) -> Iterator[Any]:
    """Every row of ``query`` whose value (its fifth column) is a string, read a batch at a
    time (the tables it reads are not the ones written meanwhile)."""
    for rows in op.get_bind().exec_driver_sql(query).partitions(_BATCH):
        yield from (tuple(row) for row in rows if isinstance(row[4], str))


def _keyed_per_field(texts: Iterable[Field]) -> Iterator[tuple[int, Field]]:
    """Each field under its key: the record's slots taken in order of the field's name, the
    records of a millisecond numbered in creation order."""
    numbered: dict[int, int] = {}
    for _, fields in itertools.groupby(texts, key=lambda row: (row[0], row[1])):
        record = list(fields)
        bucket = fts.bucket(record[0][3])
        n = numbered[bucket] = numbered.get(bucket, -1) + 1
        if n >> fts.RECORD_BITS or len(record) >> fts.FIELD_BITS:
            raise OverflowError("more records in one millisecond, or text fields in one "
                                "record, than full-text keys have room for")  # fmt: skip
        base = fts.first_key(record[0][3]) + (n << fts.FIELD_BITS)
        for slot, field in enumerate(record):
            yield base + slot, field


def _batches(items: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, _BATCH)):
        yield batch
