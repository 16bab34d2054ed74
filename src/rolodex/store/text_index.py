"""Keep the search tables in step with a record's text fields, inside the caller's transaction.

Each text field holding a string has a row: in ``customer_text`` on PostgreSQL; on SQLite a
full-text document of its own (``store.fts``) and its key in ``customer_fts_rows``. Only the
fields a write changes are touched. A record that is deleted, softly or not, leaves them, so
search never sees it.

Full-text documents change through a queue, applied to the index many changes at a time; see
:class:`HeldDocuments` for why, and for when the queue is applied.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from rolodex.core import text
from rolodex.core.index import IndexSpec, text_values
from rolodex.core.records import Record
from rolodex.store import fastpath, fts
from rolodex.store.search_tables import (
    FTS_TABLE,
    customer_fts_queue,
    customer_fts_rows,
    customer_text,
)
from rolodex.store.tables import customers

log = logging.getLogger(__name__)

# FTS5 takes commands as inserts into a column named like the table itself.
_DELETE_DOC = sa.text(
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', :key, :doc)"
)
_INSERT_DOC = sa.text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:key, :doc)")

# Built once, with bind parameters, for the fast path (``store.fastpath``).
_drop_text = customer_text.delete().where(
    customer_text.c.tenant == sa.bindparam("t"),
    customer_text.c.customer_id == sa.bindparam("i"),
    customer_text.c.field == sa.bindparam("f"),
)
_keys_of_record = sa.select(customer_fts_rows.c.field, customer_fts_rows.c.key).where(
    customer_fts_rows.c.tenant == sa.bindparam("t"),
    customer_fts_rows.c.customer_id == sa.bindparam("i"),
)
_last_key_between = sa.select(sa.func.max(customer_fts_rows.c.key)).where(
    customer_fts_rows.c.key.between(sa.bindparam("first"), sa.bindparam("last"))
)
_add_key = customer_fts_rows.insert()
_drop_key = customer_fts_rows.delete().where(customer_fts_rows.c.key == sa.bindparam("key"))


KEYS_OF_RECORD = (
    sa.select(sa.func.json_group_object(customer_fts_rows.c.field, customer_fts_rows.c.key))
    .where(
        customer_fts_rows.c.tenant == customers.c.tenant,
        customer_fts_rows.c.customer_id == customers.c.id,
    )
    .scalar_subquery()
)
"""SQLite: a ``customers`` row's full-text keys as a JSON object by field, for a caller that
reads the row anyway to pass to :func:`sync` (one statement fewer per write)."""


def sync(
    conn: sa.Connection,
    old: Record | None,
    new: Record | None,
    spec: IndexSpec,
    *,
    keys: Mapping[str, int] | None = None,
) -> None:
    """Move the index from ``old``'s text (``None``: nothing) to ``new``'s (``None``: gone).

    ``keys``: the record's full-text keys by field (SQLite), when the caller knows them; they
    are read here otherwise.
    """
    if not spec.texts:
        return
    record = new or old
    assert record is not None, "sync needs at least one state of the record"
    before = _live_texts(old, spec)
    after = _live_texts(new, spec)
    if before == after:
        return
    if conn.dialect.name == "sqlite":
        _write_documents(conn, record, before, after, keys)
    else:
        _write_rows(conn, record, before, after)


def _live_texts(record: Record | None, spec: IndexSpec) -> dict[str, str]:
    if record is None or record.deleted:
        return {}
    return text_values(spec, record.fields)


def _write_rows(
    conn: sa.Connection, record: Record, before: Mapping[str, str], after: Mapping[str, str]
) -> None:
    """PostgreSQL: rewrite the ``customer_text`` rows of the fields that changed."""
    t, i = record.tenant.key, record.id
    gone = [{"t": t, "i": i, "f": field} for field in before if field not in after]
    if gone:
        fastpath.run(conn, _drop_text, gone)
    fresh = [
        text_row(record, field, value)
        for field, value in after.items()
        if before.get(field) != value
    ]
    if fresh:
        fastpath.run(conn, _put_text, fresh)


_put_text_row = postgresql.insert(customer_text)
_put_text = _put_text_row.on_conflict_do_update(
    index_elements=[customer_text.c.tenant, customer_text.c.customer_id, customer_text.c.field],
    set_={"words": _put_text_row.excluded.words, "folded": _put_text_row.excluded.folded},
)
"""Insert a field's row, or rewrite the one it has: one statement instead of two. A record's
``created_us`` never changes, so a rewrite leaves it (and the index holding it) as it is."""


def text_row(record: Record, field: str, value: str) -> dict[str, Any]:
    return {
        "tenant": record.tenant.key,
        "customer_id": record.id,
        "field": field,
        "created_us": record.created_us,
        "words": text.spaced(text.words(value)),
        "folded": text.fold(value),
    }


def _write_documents(
    conn: sa.Connection,
    record: Record,
    before: Mapping[str, str],
    after: Mapping[str, str],
    known_keys: Mapping[str, int] | None,
) -> None:
    """Queue the documents of the fields that changed (held for the group commit, if one
    holds them)."""
    fields = before.keys() | after.keys()
    changed = sorted(field for field in fields if before.get(field) != after.get(field))
    tenant = record.tenant.key
    if known_keys is None:
        keys = dict(fastpath.fetch_all(conn, _keys_of_record, {"t": tenant, "i": record.id}))
    else:
        keys = dict(known_keys)
    changes: list[DocumentChange] = []
    for field in changed:
        key = keys.get(field)
        old = source(tenant, field, before[field]) if key is not None and field in before else None
        new = source(tenant, field, after[field]) if field in after else None
        if key is None:
            if new is None:
                continue
            key = keys[field] = _new_key(conn, record, field, list(keys.values()))
        elif new is None:
            fastpath.run(conn, _drop_key, [{"key": key}])
            del keys[field]
        changes.append((key, old, new))
    held: HeldDocuments | None = conn.info.get(_HELD)
    if held is None:
        queue_changes(conn, changes)
        return
    for change in changes:
        held.add(*change)


def _new_key(conn: sa.Connection, record: Record, field: str, taken: list[int]) -> int:
    """A free slot beside the record's other fields (``taken``), or, for its first, the first
    slot of the next record of its creation millisecond."""
    if taken:
        base = fts.record_base(taken[0])
        used = {key - base for key in taken}
        key = fts.field_key(base, next(s for s in itertools.count() if s not in used))
    else:
        key = fts.base_after(record.created_us, newest_key(conn, record.created_us))
    row = {
        "key": key,
        "tenant": record.tenant.key,
        "customer_id": record.id,
        "field": field,
        "created_us": record.created_us,
    }
    fastpath.run(conn, _add_key, [row])
    return key


def newest_key(conn: sa.Connection, created_us: int) -> int | None:
    """The newest key of the records created in ``created_us``'s millisecond (``None``:
    there are none)."""
    first, above = fts.first_key(created_us), fts.key_above(created_us)
    newest: int | None = fastpath.scalar(
        conn, _last_key_between, {"first": first, "last": above - 1}
    )
    return newest


QUEUE_LENGTH = 4096
"""Queued document changes at which the queue is applied: by the write that queues the last
of them or, in a group commit, just before the batch's commit (``HeldDocuments.long``).

Long, because the longer the queue, the less each change costs: FTS5 writes fewer segments
per document, and changes to one key between two applications coalesce into one. Against
512 (``benchmarks/ab.py --ops update``, three interleaved pairs each), updates over HTTP
answered 1.06 times as many requests at 1,000 customers and at 100,000. What it costs is a
pause in the writes whose batch applies the queue, or the search that finds it long: about
100 milliseconds at 100,000 customers. The store applies it on its commit's thread, so reads
go on meanwhile, and, when it stops writing for a moment, applies its queue then
(``SQLiteStore``), so a search after a burst of writes seldom waits."""

_queue = customer_fts_queue.insert().values(
    key=sa.bindparam("k"), before=sa.bindparam("b"), after=sa.bindparam("a")
)
_queue_end = sa.select(sa.func.max(customer_fts_queue.c.seq))
_queue_start = sa.select(sa.func.min(customer_fts_queue.c.seq))
_queued = sa.select(
    customer_fts_queue.c.key, customer_fts_queue.c.before, customer_fts_queue.c.after
).order_by(customer_fts_queue.c.seq)
_empty_queue = customer_fts_queue.delete()

DocumentChange = tuple[int, str | None, str | None]
"""A key's document before and after a write, each as :func:`source` (``None``: none)."""
Net = dict[int, tuple[str | None, str | None]]
"""Each changed key's document before its first change and after its last."""


def queued(conn: sa.Connection) -> bool:
    """Whether some document change waits to be applied to the full-text index."""
    return fastpath.scalar(conn, _queue_start, {}) is not None


def apply_queue(conn: sa.Connection) -> int:
    """Apply every queued document change to the full-text index; returns how many there were.

    Runs inside a write transaction, which keeps other writers from queueing more meanwhile.
    """
    changes: list[DocumentChange] = fastpath.fetch_all(conn, _queued, {})
    if changes:
        _write_net(conn, _net(changes))
        fastpath.run(conn, _empty_queue, [{}])
    return len(changes)


def source(tenant: str, field: str, value: str) -> str:
    """What the queue keeps of a document: its tenant, field and value, about a tenth of
    its tokens' size, as JSON (so that the same document is always the same string)."""
    return orjson.dumps([tenant, field, value]).decode()


def _document(source: str) -> str:
    tenant, field, value = orjson.loads(source)
    return fts.field_document(tenant, field, value)


def queue_changes(
    conn: sa.Connection, changes: Sequence[DocumentChange], *, apply_when_long: bool = True
) -> int:
    """Queue each key's net change of ``changes`` (made in this order); once the queue is long
    enough, apply it, unless the caller will (``apply_when_long=False``). Returns how many
    changes were queued."""
    rows = [{"k": key, "b": b, "a": a} for key, (b, a) in sorted(_net(changes).items())]
    if not rows:
        return 0
    fastpath.run(conn, _queue, rows)
    if apply_when_long and queue_is_long(conn):
        apply_or_keep(conn)
    return len(rows)


def queue_is_long(conn: sa.Connection) -> bool:
    """Whether the queue holds ``QUEUE_LENGTH`` changes: time to apply it."""
    # The queue starts again at 1 once emptied, so its last number is its length.
    return bool(fastpath.scalar(conn, _queue_end, {}) >= QUEUE_LENGTH)


def apply_or_keep(conn: sa.Connection) -> None:
    """Apply the queue; if that fails, keep it, undo the attempt, and let the write stand.

    The full-text index is derived from the records, so a fault in it must not refuse writes:
    the next write that queues a change tries again, and a search, which must apply the
    queue before it reads, reports the fault instead of answering from a stale index.
    """
    conn.exec_driver_sql("SAVEPOINT apply_queue")
    try:
        apply_queue(conn)
    except (sqlite3.Error, sa.exc.DBAPIError):
        log.exception("the full-text queue could not be applied; it is kept for later")
        conn.exec_driver_sql("ROLLBACK TO apply_queue")
    conn.exec_driver_sql("RELEASE apply_queue")


def _net(changes: Iterable[DocumentChange]) -> Net:
    """Each key's net change: the document it had before the first change, and after the last;
    keys left as they were are dropped."""
    before: dict[int, str | None] = {}
    after: dict[int, str | None] = {}
    for key, old, new in changes:
        before.setdefault(key, old)
        after[key] = new
    return {key: (before[key], after[key]) for key in before if before[key] != after[key]}


def _write_net(conn: sa.Connection, net: Net) -> None:
    """Deletions, then insertions, each in key order: FTS5 starts a new segment whenever a
    write goes back to a lower key, so the changes make two segments, not one per key (more
    only if they overflow its buffer of pending terms)."""
    keys = sorted(net)
    for statement, side in ((_DELETE_DOC, 0), (_INSERT_DOC, 1)):
        sources = [(key, net[key][side]) for key in keys]
        rows = [{"key": key, "doc": _document(source)} for key, source in sources if source]
        if rows:
            fastpath.run(conn, statement, rows)


_HELD = "rolodex.held_documents"


class HeldDocuments:
    """The document changes of a group commit, queued together once its writes are done.

    Why a queue: FTS5 writes a segment of its index for every transaction that changes it,
    and merges segments as they pile up, so its cost per document falls steeply with the
    number of documents written at once (about 51 µs each in batches of 16, 22 µs in
    batches of 256, at 100,000 customers). A write therefore queues its change
    (``customer_fts_queue``, in the write's own transaction, so it is as durable as the
    write), and the queue is applied to ``customer_fts`` once it holds ``QUEUE_LENGTH``
    changes, or before anything reads the full-text index (``SQLiteStore``), which
    therefore always sees every write committed before it.

    Why held until the batch's end: each write of a group commit succeeds or fails on its own,
    so a write that fails drops its changes (:meth:`drop_since`), and the batch queues one net
    change per key.
    """

    def __init__(self) -> None:
        self._changes: list[DocumentChange] = []
        self.queued = 0
        """How many changes :meth:`write` queued."""
        self.long = False
        """Whether the queue is long enough to apply (``QUEUE_LENGTH``) since :meth:`write`:
        the store applies it just before the batch's commit, on the commit's thread."""

    def add(self, key: int, before: str | None, after: str | None) -> None:
        self._changes.append((key, before, after))

    def mark(self) -> int:
        """A point to come back to with :meth:`drop_since` if the write that follows fails."""
        return len(self._changes)

    def drop_since(self, mark: int) -> None:
        del self._changes[mark:]

    def write(self, conn: sa.Connection) -> None:
        """Queue each key's net change; the queue is left for the store to apply (``long``)."""
        self.queued = queue_changes(conn, self._changes, apply_when_long=False)
        self.long = self.queued > 0 and queue_is_long(conn)
        self._changes.clear()


@contextmanager
def held_documents(conn: sa.Connection) -> Iterator[HeldDocuments]:
    """Hold the document changes made on ``conn`` inside the block; queue them as it ends.

    A block that raises queues none of them: its transaction is being rolled back.
    """
    held = HeldDocuments()
    conn.info[_HELD] = held
    try:
        yield held
    finally:
        del conn.info[_HELD]
    held.write(conn)
