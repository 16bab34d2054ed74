"""The schema as SQLAlchemy Core tables; migrations create exactly these.

``tenant`` leads every key so that distributed engines shard by tenant, and ids are generated
by the application, never by a server-side sequence.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

TENANT_LENGTH = 200
ID_LENGTH = 255
"""The longest tenant key and customer id the tables keep (``Tenant.key``, ``Record.id``)."""

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("tenant", sa.String(TENANT_LENGTH), primary_key=True),
    sa.Column(
        "id",
        sa.String(ID_LENGTH).with_variant(sa.String(ID_LENGTH, collation="C"), "postgresql"),
        primary_key=True,
    ),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("doc", sa.Text, nullable=False),
    sa.Index("ix_customers_order", "tenant", "deleted", "created_us", "id"),
)

customer_keys = sa.Table(
    "customer_keys",
    metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(5000), primary_key=True),
    sa.Column("tenant", sa.String(TENANT_LENGTH), nullable=False),
    sa.Column("customer_id", sa.String(ID_LENGTH), nullable=False),
    sqlite_with_rowid=False,
)

customer_terms = sa.Table(
    "customer_terms",
    metadata,
    sa.Column("tenant", sa.String(TENANT_LENGTH), primary_key=True),
    sa.Column("field", sa.String(200), primary_key=True),
    sa.Column("value", sa.String(5000), primary_key=True),
    sa.Column("created_us", sa.BigInteger, primary_key=True),
    sa.Column(
        "customer_id",
        sa.String(ID_LENGTH).with_variant(sa.String(ID_LENGTH, collation="C"), "postgresql"),
        primary_key=True,
    ),
    # The records holding a field, newest first: what a presence test walks and probes.
    sa.Index("ix_customer_terms_presence", "tenant", "field", "created_us", "customer_id"),
    sqlite_with_rowid=False,
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("tenant", sa.String(TENANT_LENGTH), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("endpoint", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("request_id", sa.String(255), nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Index("ix_responses_age", "tenant", "created_us"),
)
"""Responses remembered under a client's idempotency key, so a repeated request gets the
first one's answer instead of running again (``Store.remember``)."""

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("scope", sa.String(32), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("shown", sa.String(64), nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
)
"""The keys a locked server accepts (``rolodex keys``), by dialect (``scope``): each key's
SHA-256 (``digest``) and a masked form to list it by (``shown``), never the key itself."""
