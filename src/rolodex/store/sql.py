"""The store's operations written once, over a synchronous SQLAlchemy connection.

Both adapters run these: SQLite calls them directly (they finish in microseconds), PostgreSQL
through ``AsyncConnection.run_sync`` so the event loop keeps serving while the database works.
Each function expects to run inside one transaction that its caller opens and commits.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from rolodex.core.errors import AlreadyExists, InvalidQuery, NotFound
from rolodex.core.index import (
    IndexSpec,
    UniqueField,
    held_keys,
    scope_key,
    terms,
    unique_keys,
)
from rolodex.core.records import Record, Tenant
from rolodex.store import fastpath, lookups, text_index
from rolodex.store.base import (
    AnsweredMeanwhile,
    Change,
    Check,
    ListQuery,
    Page,
    Receipt,
    Remembered,
)
from rolodex.store.compile import compile_condition, document_value
from rolodex.store.tables import customer_keys, customers, responses

_by_id = sa.select(customers).where(
    customers.c.tenant == sa.bindparam("tenant"), customers.c.id == sa.bindparam("id")
)
_by_id_for_update = _by_id.with_for_update()
_rowid: sa.ColumnClause[int] = sa.literal_column("customers.rowid", sa.Integer)
_by_id_with_text_keys = sa.select(customers, _rowid, text_index.KEYS_OF_RECORD).where(
    customers.c.tenant == sa.bindparam("tenant"), customers.c.id == sa.bindparam("id")
)
"""SQLite: the record, its rowid and its full-text keys in one statement (``text_index.sync``)."""
_holder = sa.select(customer_keys.c.customer_id).where(
    customer_keys.c.scope == sa.bindparam("scope"),
    customer_keys.c.kind == sa.bindparam("kind"),
    customer_keys.c.value == sa.bindparam("value"),
)
_write_doc = (
    customers.update()
    .where(customers.c.tenant == sa.bindparam("t"), customers.c.id == sa.bindparam("i"))
    .values(doc=sa.bindparam("doc"), version=sa.bindparam("version"))
)
_write_doc_at = (
    customers.update()
    .where(_rowid == sa.bindparam("rowid"))
    .values(doc=sa.bindparam("doc"), version=sa.bindparam("version"))
)
"""SQLite: :data:`_write_doc` at the rowid the record was just read with, in the same
transaction. Why: by (tenant, id) SQLite walks the primary key's index to the rowid, then the
table; by rowid, the table alone. At 100,000 customers an update executed 1.6% fewer
instructions (``benchmarks/instructions.py``: 698,596 -> 687,227), and the walk it spares
touches pages the count does not weigh."""
_hard_delete = customers.delete().where(
    customers.c.tenant == sa.bindparam("t"), customers.c.id == sa.bindparam("i")
)
_soft_delete = (
    customers.update()
    .where(customers.c.tenant == sa.bindparam("t"), customers.c.id == sa.bindparam("i"))
    .values(deleted=sa.true(), version=sa.bindparam("version"))
)


def insert(
    conn: sa.Connection, record: Record, spec: IndexSpec, *, receipt: Receipt | None = None
) -> None:
    inserted = fastpath.run(
        conn, lookups.insert_ignoring_conflicts(conn, customers), [customer_row(record)]
    )
    if inserted.rowcount == 0:
        raise AlreadyExists("id", record.id)
    lookups.add_keys(conn, record, held_keys(spec, record))
    if not record.deleted:
        lookups.add_terms(conn, record, terms(spec, record.fields))
        text_index.sync(conn, None, record, spec, keys={})  # a new record has no text keys
    if receipt is not None:
        keep_receipt(conn, receipt, record)


def get(conn: sa.Connection, tenant: Tenant, id: str) -> Record | None:
    row = fastpath.first(conn, _by_id, {"tenant": tenant.key, "id": id})
    return None if row is None else record_of(tenant, row)


def by_id_sql(dialect: sa.Dialect) -> str:
    """The SQL of :func:`get`'s lookup, taking the tenant key and the id by position."""
    sql, names = fastpath.compiled(dialect, _by_id)
    assert names == ("tenant", "id"), "a positional driver takes the tenant key, then the id"
    return sql


def find(conn: sa.Connection, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
    scope = scope_key(key.scope, tenant)
    holder = fastpath.scalar(conn, _holder, {"scope": scope, "kind": key.name, "value": value})
    record = None if holder is None else get(conn, tenant, holder)
    # Outside a transaction the two reads may see two states, a write committed between them
    # (a rename): the record found must still hold the key.
    if record is None or record.deleted or record.fields.get(key.name) != value:
        return None
    return record


def update(
    conn: sa.Connection,
    tenant: Tenant,
    id: str,
    change: Change,
    spec: IndexSpec,
    *,
    receipt: Receipt | None = None,
) -> tuple[Record, Record]:
    params = {"tenant": tenant.key, "id": id}
    keys: dict[str, int] | None = None
    rowid: int | None = None
    if conn.dialect.name == "sqlite":
        row = fastpath.first(conn, _by_id_with_text_keys, params)
        if row is not None:
            row, rowid, keys = row[:-2], row[-2], orjson.loads(row[-1])
    else:
        row = fastpath.first(conn, _by_id_for_update, params)
    old = None if row is None else record_of(tenant, row)
    if old is None or old.deleted:
        raise NotFound(id)
    new = change(old)
    if new.fields == old.fields:
        new = old
    else:
        written = {"doc": _dumps(new.fields), "version": new.version}
        if rowid is None:
            fastpath.run(conn, _write_doc, [{"t": tenant.key, "i": id, **written}])
        else:
            fastpath.run(conn, _write_doc_at, [{"rowid": rowid, **written}])
        lookups.sync(conn, old, new, spec)
        text_index.sync(conn, old, new, spec, keys=keys)
    if receipt is not None:
        keep_receipt(conn, receipt, new)
    return old, new


def keep_receipt(conn: sa.Connection, receipt: Receipt, record: Record) -> None:
    """Remember the receipt's answer to the write that left ``record``, in its transaction;
    raises ``AnsweredMeanwhile`` if another answer holds the key (the caller's transaction,
    rolled back, then undoes the write)."""
    response = receipt.answer(record)
    kept = remember(conn, response, since_us=receipt.since_us)
    if kept is not response:
        raise AnsweredMeanwhile(kept)


def delete(
    conn: sa.Connection,
    tenant: Tenant,
    id: str,
    spec: IndexSpec,
    *,
    hard: bool,
    check: Check | None = None,
) -> Record:
    row = fastpath.first(conn, _by_id_for_update, {"tenant": tenant.key, "id": id})
    old = None if row is None else record_of(tenant, row)
    if old is None or old.deleted:
        raise NotFound(id)
    if check is not None:
        check(old)
    gone = old.with_fields({})
    lookups.drop_terms(conn, old, terms(spec, old.fields))
    text_index.sync(conn, old, None, spec)
    if hard or not spec.keep_keys_on_delete:
        lookups.drop_keys(conn, unique_keys(spec, tenant, old.fields))
    if hard:
        fastpath.run(conn, _hard_delete, [{"t": tenant.key, "i": id}])
    else:
        fastpath.run(conn, _soft_delete, [{"t": tenant.key, "i": id, "version": gone.version}])
    return old


_by_key = (customers.c.tenant, customers.c.id)
# SQLite's compiler adds an OFFSET to every LIMIT, bound like any other parameter (0 here).
_every_first = (
    sa.select(customers)
    .order_by(*_by_key)
    .limit(sa.bindparam("limit"))
    .offset(sa.bindparam("offset"))
)
_every_after = _every_first.where(
    sa.tuple_(*_by_key) > sa.tuple_(sa.bindparam("t"), sa.bindparam("i"))
)


def every_record(conn: sa.Connection, after: Record | None, limit: int) -> list[Record]:
    """See ``Store.every_record``: a keyset walk over the primary key ``(tenant, id)``."""
    if after is None:
        rows = fastpath.fetch_all(conn, _every_first, {"limit": limit, "offset": 0})
    else:
        params = {"t": after.tenant.key, "i": after.id, "limit": limit, "offset": 0}
        rows = fastpath.fetch_all(conn, _every_after, params)
    tenants = {key: Tenant.of_key(key) for key in {row[0] for row in rows}}
    return [record_of(tenants[row[0]], row) for row in rows]


def list_page(conn: sa.Connection, query: ListQuery) -> Page:
    if query.where is None and query.sort is None:
        return _plain_page(conn, query)
    order_key = sa.tuple_(customers.c.created_us, customers.c.id)
    stmt = sa.select(customers).where(*_live(conn, query))
    if query.after is not None:
        position = sa.tuple_(sa.literal(query.after.created_us), sa.literal(query.after.id))
        stmt = stmt.where(order_key < position if query.newest_first else order_key > position)
    direction = sa.desc if query.newest_first else sa.asc
    stmt = stmt.order_by(*_sorted_first(conn, query))
    stmt = stmt.order_by(direction(customers.c.created_us), direction(customers.c.id))
    rows = conn.execute(stmt.offset(query.offset).limit(query.limit + 1)).all()
    records = [record_of(query.tenant, row) for row in rows[: query.limit]]
    return Page(records, has_more=len(rows) > query.limit)


def _plain_page(conn: sa.Connection, query: ListQuery) -> Page:
    """A page of every live record: the list request without filters, served by a statement
    built once per order (building one costs more than SQLite takes to run it)."""
    params = {"tenant": query.tenant.key, "limit": query.limit + 1, "offset": query.offset}
    if query.after is not None:
        params.update(after_created=query.after.created_us, after_id=query.after.id)
    statement = _plain_page_statement(query.newest_first, continued=query.after is not None)
    rows = fastpath.fetch_all(conn, statement, params)
    records = [record_of(query.tenant, row) for row in rows[: query.limit]]
    return Page(records, has_more=len(rows) > query.limit)


@functools.cache
def _plain_page_statement(newest_first: bool, *, continued: bool) -> sa.Select[Any]:
    """What ``list_page`` builds for a query without ``where`` or ``sort``, with parameters."""
    live = (customers.c.tenant == sa.bindparam("tenant"), customers.c.deleted == sa.false())
    statement = sa.select(customers).where(*live)
    if continued:
        order_key = sa.tuple_(customers.c.created_us, customers.c.id)
        position = sa.tuple_(
            sa.bindparam("after_created", type_=sa.BigInteger),
            sa.bindparam("after_id", type_=sa.String),
        )
        statement = statement.where(order_key < position if newest_first else order_key > position)
    direction = sa.desc if newest_first else sa.asc
    statement = statement.order_by(direction(customers.c.created_us), direction(customers.c.id))
    limit, offset = (
        sa.bindparam("limit", type_=sa.Integer),
        sa.bindparam("offset", type_=sa.Integer),
    )
    return statement.limit(limit).offset(offset)


def _sorted_first(conn: sa.Connection, query: ListQuery) -> list[sa.UnaryExpression[Any]]:
    if query.sort is None:
        return []
    if query.after is not None:
        raise InvalidQuery("a sorted list pages by offset, not after a cursor")
    value = document_value(query.sort, conn.dialect.name)
    if query.newest_first:
        return [sa.nulls_last(sa.desc(value))]
    return [sa.nulls_first(sa.asc(value))]


def count(conn: sa.Connection, query: ListQuery) -> int:
    stmt = sa.select(sa.func.count()).select_from(customers).where(*_live(conn, query))
    return int(conn.execute(stmt).scalar_one())


def _live(conn: sa.Connection, query: ListQuery) -> list[sa.ColumnElement[bool]]:
    tenant = query.tenant.key
    clauses = [customers.c.tenant == tenant, customers.c.deleted == sa.false()]
    if query.where is not None:
        clauses.append(
            compile_condition(query.where, tenant, dialect=conn.dialect.name, spec=query.spec)
        )
    return clauses


def customer_row(record: Record) -> dict[str, Any]:
    """The ``customers`` row that stores ``record``."""
    return {
        "tenant": record.tenant.key,
        "id": record.id,
        "created_us": record.created_us,
        "version": record.version,
        "deleted": record.deleted,
        "doc": _dumps(record.fields),
    }


def record_of(tenant: Tenant, row: Sequence[Any]) -> Record:
    """A record from a ``customers`` row, by position (a SQLAlchemy row or a driver tuple)."""
    _tenant, id, created_us, version, deleted, doc = row
    return Record(
        tenant=tenant,
        id=id,
        created_us=created_us,
        fields=orjson.loads(doc),
        version=version,
        deleted=bool(deleted),  # SQLite hands booleans back as 0 and 1
    )


def _dumps(fields: Any) -> str:
    return orjson.dumps(fields).decode()


_recall = sa.select(responses).where(
    responses.c.tenant == sa.bindparam("tenant"), responses.c.key == sa.bindparam("key")
)
_forget_older = responses.delete().where(
    responses.c.tenant == sa.bindparam("tenant"), responses.c.created_us < sa.bindparam("since")
)


def recall(conn: sa.Connection, tenant: Tenant, key: str, *, since_us: int) -> Remembered | None:
    row = fastpath.first(conn, _recall, {"tenant": tenant.key, "key": key})
    if row is None:
        return None
    _tenant, key, endpoint, fingerprint, status, body, request_id, created_us = row
    if created_us < since_us:
        return None
    return Remembered(tenant, key, endpoint, fingerprint, status, body, request_id, created_us)


def remember(conn: sa.Connection, response: Remembered, *, since_us: int) -> Remembered:
    fastpath.run(conn, _forget_older, [{"tenant": response.tenant.key, "since": since_us}])
    row = {
        "tenant": response.tenant.key,
        "key": response.key,
        "endpoint": response.endpoint,
        "fingerprint": response.fingerprint,
        "status": response.status,
        "body": response.body,
        "request_id": response.request_id,
        "created_us": response.created_us,
    }
    table = lookups.insert_ignoring_conflicts(conn, responses)
    if fastpath.run(conn, table, [row]).rowcount == 1:
        return response
    kept = recall(conn, response.tenant, response.key, since_us=since_us)
    assert kept is not None, "a response holding the key was dropped while it was held"
    return kept
