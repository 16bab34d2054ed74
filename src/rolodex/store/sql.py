"""The store's operations written once, over a synchronous SQLAlchemy connection.

Both adapters run these: SQLite calls them directly (they finish in microseconds), PostgreSQL
through ``AsyncConnection.run_sync`` so the event loop keeps serving while the database works.
Each function expects to run inside one transaction that its caller opens and commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from rolodex.core.errors import AlreadyExists, InvalidQuery, NotFound
from rolodex.core.index import IndexSpec, KeyRow, UniqueField, scope_key, terms, unique_keys
from rolodex.core.records import Record, Tenant
from rolodex.store import text_index
from rolodex.store.base import Change, ListQuery, Page
from rolodex.store.compile import compile_condition, document_value
from rolodex.store.tables import customer_keys, customer_terms, customers

_by_id = sa.select(customers).where(
    customers.c.tenant == sa.bindparam("tenant"), customers.c.id == sa.bindparam("id")
)
_by_id_for_update = _by_id.with_for_update()
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


def insert(conn: sa.Connection, record: Record, spec: IndexSpec) -> None:
    inserted = conn.execute(_insert_ignoring_conflicts(conn, customers), _row(record))
    if inserted.rowcount == 0:
        raise AlreadyExists("id", record.id)
    _add_keys(conn, record, unique_keys(spec, record.tenant, record.fields))
    _add_terms(conn, record, terms(spec, record.fields))
    text_index.sync(conn, None, record, spec)


def get(conn: sa.Connection, tenant: Tenant, id: str) -> Record | None:
    row = conn.execute(_by_id, {"tenant": tenant.key, "id": id}).first()
    return None if row is None else _record(tenant, row)


def find(conn: sa.Connection, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
    scope = scope_key(key.scope, tenant)
    holder = conn.execute(_holder, {"scope": scope, "kind": key.name, "value": value}).scalar()
    record = None if holder is None else get(conn, tenant, holder)
    return record if record is not None and not record.deleted else None


def update(
    conn: sa.Connection, tenant: Tenant, id: str, change: Change, spec: IndexSpec
) -> tuple[Record, Record]:
    row = conn.execute(_by_id_for_update, {"tenant": tenant.key, "id": id}).first()
    if row is None or row.deleted:
        raise NotFound(id)
    old = _record(tenant, row)
    new = change(old)
    if new.fields == old.fields:
        return old, old
    conn.execute(
        _write_doc, {"t": tenant.key, "i": id, "doc": _dumps(new.fields), "version": new.version}
    )
    _sync_index(conn, old, new, spec)
    text_index.sync(conn, old, new, spec)
    return old, new


def delete(conn: sa.Connection, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool) -> Record:
    row = conn.execute(_by_id_for_update, {"tenant": tenant.key, "id": id}).first()
    if row is None or row.deleted:
        raise NotFound(id)
    old = _record(tenant, row)
    gone = old.with_fields({})
    _drop_terms(conn, old, terms(spec, old.fields))
    text_index.sync(conn, old, None, spec)
    if hard or not spec.keep_keys_on_delete:
        _drop_keys(conn, unique_keys(spec, tenant, old.fields))
    where = (customers.c.tenant == tenant.key, customers.c.id == id)
    if hard:
        conn.execute(customers.delete().where(*where))
    else:
        conn.execute(customers.update().where(*where).values(deleted=True, version=gone.version))
    return old


def list_page(conn: sa.Connection, query: ListQuery) -> Page:
    order_key = sa.tuple_(customers.c.created_us, customers.c.id)
    stmt = sa.select(customers).where(*_live(conn, query))
    if query.after is not None:
        position = sa.tuple_(sa.literal(query.after.created_us), sa.literal(query.after.id))
        stmt = stmt.where(order_key < position if query.newest_first else order_key > position)
    direction = sa.desc if query.newest_first else sa.asc
    stmt = stmt.order_by(*_sorted_first(conn, query))
    stmt = stmt.order_by(direction(customers.c.created_us), direction(customers.c.id))
    rows = conn.execute(stmt.offset(query.offset).limit(query.limit + 1)).all()
    records = [_record(query.tenant, row) for row in rows[: query.limit]]
    return Page(records, has_more=len(rows) > query.limit)


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
        indexed = frozenset(query.spec.terms) | _map_prefixes(query.spec)
        clauses.append(
            compile_condition(query.where, tenant, dialect=conn.dialect.name, indexed=indexed)
        )
    return clauses


def _map_prefixes(spec: IndexSpec) -> frozenset[str]:
    return frozenset(spec.maps)


def _sync_index(conn: sa.Connection, old: Record, new: Record, spec: IndexSpec) -> None:
    old_keys = unique_keys(spec, old.tenant, old.fields)
    new_keys = unique_keys(spec, new.tenant, new.fields)
    _drop_keys(conn, old_keys - new_keys)
    _add_keys(conn, new, new_keys - old_keys)
    old_terms, new_terms = terms(spec, old.fields), terms(spec, new.fields)
    _drop_terms(conn, old, old_terms - new_terms)
    _add_terms(conn, new, new_terms - old_terms)


def _add_keys(conn: sa.Connection, record: Record, keys: Iterable[KeyRow]) -> None:
    for key in sorted(keys):
        row = {
            "scope": key.scope,
            "kind": key.kind,
            "value": key.value,
            "tenant": record.tenant.key,
            "customer_id": record.id,
        }
        if conn.execute(_insert_ignoring_conflicts(conn, customer_keys), row).rowcount == 0:
            raise AlreadyExists(key.kind, key.value)


def _drop_keys(conn: sa.Connection, keys: Iterable[KeyRow]) -> None:
    for key in keys:
        conn.execute(
            customer_keys.delete().where(
                customer_keys.c.scope == key.scope,
                customer_keys.c.kind == key.kind,
                customer_keys.c.value == key.value,
            )
        )


def _add_terms(conn: sa.Connection, record: Record, pairs: Iterable[tuple[str, str]]) -> None:
    rows = [
        {
            "tenant": record.tenant.key,
            "field": name,
            "value": value,
            "created_us": record.created_us,
            "customer_id": record.id,
        }
        for name, value in pairs
    ]
    if rows:
        conn.execute(customer_terms.insert(), rows)


def _drop_terms(conn: sa.Connection, record: Record, pairs: Iterable[tuple[str, str]]) -> None:
    for name, value in pairs:
        conn.execute(
            customer_terms.delete().where(
                customer_terms.c.tenant == record.tenant.key,
                customer_terms.c.field == name,
                customer_terms.c.value == value,
                customer_terms.c.created_us == record.created_us,
                customer_terms.c.customer_id == record.id,
            )
        )


def _insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table) -> sa.Insert:
    """An insert whose ``rowcount`` says whether it wrote (1) or met a conflict (0).

    SQLAlchemy reports an INSERT's row count only when asked to preserve it; without that,
    psycopg's results read -1 and a conflict would pass for a write.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement: sa.Insert = (
        dialect.insert(table).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    )
    return statement


def _row(record: Record) -> dict[str, Any]:
    return {
        "tenant": record.tenant.key,
        "id": record.id,
        "created_us": record.created_us,
        "version": record.version,
        "deleted": record.deleted,
        "doc": _dumps(record.fields),
    }


def _record(tenant: Tenant, row: sa.Row[Any]) -> Record:
    return Record(
        tenant=tenant,
        id=row.id,
        created_us=row.created_us,
        fields=orjson.loads(row.doc),
        version=row.version,
        deleted=row.deleted,
    )


def _dumps(fields: Any) -> str:
    return orjson.dumps(fields).decode()
