"""Autumn's email-only customers stored before they held a key get one.

A customer Autumn's get-or-create makes without an id holds its lower-cased email as the unique
key ``email_only`` (``dialects.autumn.translate``), so that concurrent get-or-creates of one
email converge on one customer. Those stored by builds before the key hold none, and a race on
one of their emails could still add a second. Each now gets the key, as its fields name it; of
two sharing an email, the oldest, which a get-or-create finds first.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KIND = "email_only"
_customers = sa.table(
    "customers",
    sa.column("tenant", sa.String),
    sa.column("id", sa.String),
    sa.column("created_us", sa.BigInteger),
    sa.column("deleted", sa.Boolean),
    sa.column("doc", sa.Text),
)
_keys = sa.table(
    "customer_keys",
    sa.column("scope", sa.String),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("tenant", sa.String),
    sa.column("customer_id", sa.String),
)
_CHUNK = 1000


def upgrade() -> None:
    conn = op.get_bind()
    taken = conn.execute(sa.select(_keys.c.scope, _keys.c.value).where(_keys.c.kind == KIND))
    held = {(scope, value) for scope, value in taken}
    keys: list[dict[str, str]] = []
    docs: list[dict[str, str]] = []
    for tenant, id, fields in _email_only_customers(conn):
        email = fields["email_lower"]
        if (tenant, email) in held:
            continue
        held.add((tenant, email))
        # The key's scope is the tenant (``Scope.TENANT``), whose key the row's tenant is.
        keys.append({"scope": tenant, "kind": KIND, "value": email, "tenant": tenant, "i": id})
        docs.append({"t": tenant, "i": id, "doc": orjson.dumps({**fields, KIND: email}).decode()})
    if not keys:
        return
    add = _keys.insert().values(customer_id=sa.bindparam("i"))
    write = (
        _customers.update()
        .where(_customers.c.tenant == sa.bindparam("t"), _customers.c.id == sa.bindparam("i"))
        .values(doc=sa.bindparam("doc"))
    )
    for start in range(0, len(keys), _CHUNK):
        conn.execute(add, keys[start : start + _CHUNK])
        conn.execute(write, docs[start : start + _CHUNK])


def _email_only_customers(conn: sa.Connection) -> list[tuple[str, str, dict[str, Any]]]:
    """Each live Autumn customer with an email and neither an id nor the key, oldest first
    per account; read whole before any is written, as the scan and the writes share a table
    (a few at a time: an account may hold millions of customers)."""
    rows = conn.execute(
        sa.select(_customers.c.tenant, _customers.c.id, _customers.c.doc)
        .where(_customers.c.tenant.like("autumn:%"), sa.not_(_customers.c.deleted))
        .order_by(_customers.c.tenant, _customers.c.created_us, _customers.c.id)
        .execution_options(yield_per=_CHUNK)
    )
    found = []
    for tenant, id, doc in rows:
        fields = orjson.loads(doc)
        email = fields.get("email_lower")
        if fields.get("customer_id") is None and email and KIND not in fields:
            found.append((tenant, id, fields))
    return found


def downgrade() -> None:
    """Keeps the keys: the builds of revision 0009 hold such keys themselves."""
