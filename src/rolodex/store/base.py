"""The store port: the one contract every storage adapter keeps.

Every method is a coroutine so that adapters over a network (PostgreSQL) can yield while they
wait; the embedded SQLite adapter answers in microseconds and never yields. The contract suite
in ``tests/store/test_contract.py`` runs unchanged against every adapter.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.query import Attr, Condition
from rolodex.core.records import Record, Tenant

NO_INDEX = IndexSpec()

Change = Callable[[Record], Record]
"""A pure function from a record to its next state; it may raise to abort the write."""
Check = Callable[[Record], None]
"""A test of a live record inside the transaction that writes it; what it raises aborts the
write (a record addressed by a key another write may have moved, say)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in creation order: the record a page continues after (exclusive)."""

    created_us: int
    id: str

    @classmethod
    def of(cls, record: Record) -> Cursor:
        return cls(record.created_us, record.id)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Live (not deleted) records of one tenant, in creation order, one page at a time.

    ``newest_first`` orders by ``(created_us, id)`` descending; otherwise ascending. ``after``
    continues the chosen order past the given position; ``offset`` skips records after that.
    """

    tenant: Tenant
    where: Condition | None = None
    spec: IndexSpec = NO_INDEX
    """Which fields have exact-match terms, so ``where`` can be served from them."""
    limit: int = 10
    newest_first: bool = True
    after: Cursor | None = None
    offset: int = 0
    sort: Attr | None = None
    """Order by this document field first, records without it lowest (so first when ascending,
    last when newest first), then by ``(created_us, id)`` as above. ``after`` positions only in
    creation order, so a sorted list pages with ``offset``; asking for both is ``InvalidQuery``.
    """


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Live records of one tenant matching ``where``, newest first, one page at a time.

    Unlike a list, a search is served from the indexes the spec declares (terms, folded
    terms, text fields), so its cost per page stays flat however many records match.
    """

    tenant: Tenant
    where: Condition | None
    spec: IndexSpec = NO_INDEX
    limit: int = 10
    after: Cursor | None = None
    """Continue after this position of the order ``(created_us, id)`` descending."""


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record] = field(default_factory=list)
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class Remembered:
    """A response kept under a client's idempotency key, with what identifies its request."""

    tenant: Tenant
    key: str
    endpoint: str
    """The request's method and path, or whatever else the dialect requires a repeat to match."""
    fingerprint: str
    """A digest of the request's parameters, which a repeat must match."""
    status: int
    body: str
    request_id: str
    created_us: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to keep under an idempotency key, in the same transaction as the write it
    answers, so that the write and its answer are kept together or not at all.

    ``answer`` makes the response from the record as the write leaves it; ``since_us`` is as
    :meth:`Store.remember`'s.
    """

    answer: Callable[[Record], Remembered]
    since_us: int


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key a locked server accepts, as the store keeps it: never the key itself."""

    dialect: str
    digest: str
    """The key's SHA-256, in hex."""
    shown: str
    """The key masked, to tell keys apart in a list."""
    created_us: int


class AnsweredMeanwhile(Exception):
    """Another request kept an answer under the receipt's key first; the write was undone."""

    def __init__(self, kept: Remembered) -> None:
        super().__init__(kept.key)
        self.kept = kept


class Store(abc.ABC):
    @abc.abstractmethod
    async def migrate(self) -> None:
        """Bring the schema up to the newest migration; safe to call when it already is."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    @abc.abstractmethod
    async def insert(
        self, record: Record, spec: IndexSpec, *, receipt: Receipt | None = None
    ) -> None:
        """Store a new record with its unique keys and terms, atomically.

        Raises ``AlreadyExists(kind, value)`` if one of its unique keys is taken, or
        ``AlreadyExists("id", id)`` if the tenant already has a record with that id; nothing is
        written then. With a ``receipt``, its answer is remembered in the same transaction;
        if another answer already holds the key, raises ``AnsweredMeanwhile`` and writes
        nothing.
        """

    @abc.abstractmethod
    async def insert_new(self, records: Sequence[Record], spec: IndexSpec) -> bool:
        """Store records that are all new, in one transaction, each as :meth:`insert` stores
        it: for loading many at once (an import), at a fraction of an insert's cost each.

        ``False``, with nothing written, if any id or unique key is taken already, or held
        by two of them.
        """

    @abc.abstractmethod
    async def get(self, tenant: Tenant, id: str) -> Record | None:
        """The record with that id, deleted ones included; ``None`` if there is none."""

    @abc.abstractmethod
    async def find(self, tenant: Tenant, key: UniqueField, value: str) -> Record | None:
        """The record holding the unique key ``key`` = ``value`` in this tenant's scope."""

    @abc.abstractmethod
    async def update(
        self,
        tenant: Tenant,
        id: str,
        change: Change,
        spec: IndexSpec,
        *,
        receipt: Receipt | None = None,
    ) -> tuple[Record, Record]:
        """Read, change and write one live record in a single transaction; return (old, new).

        Concurrent updates of one record are serialised, so none is lost. Raises
        ``NotFound(id)`` if the record is missing or deleted, ``AlreadyExists`` if the change
        takes a unique key held by another record, and whatever ``change`` raises; in every
        such case nothing is written. A change that returns the record unchanged writes
        nothing but the receipt's answer. A ``receipt`` is kept as :meth:`insert` keeps it.
        """

    @abc.abstractmethod
    async def delete(
        self, tenant: Tenant, id: str, spec: IndexSpec, *, hard: bool, check: Check | None = None
    ) -> Record:
        """Delete one live record and return it as it was.

        A soft delete keeps the record (marked deleted, retrievable by ``get``) and, if the
        spec says so, its unique keys; a hard delete removes every trace. Raises
        ``NotFound(id)`` if the record is missing or already deleted, and whatever ``check``
        raises, given the record in the delete's transaction; in either case nothing is written.
        """

    @abc.abstractmethod
    async def every_record(self, *, after: Record | None, limit: int) -> list[Record]:
        """Up to ``limit`` records of every tenant, deleted ones included, in the order of
        (tenant key, id), continuing after ``after``: a walk over the whole store (an export).
        Each page is read at once; a record written between two pages is read as it is then.
        """

    @abc.abstractmethod
    async def list(self, query: ListQuery) -> Page:
        """One page of live records; ``has_more`` says whether the order goes on."""

    @abc.abstractmethod
    async def count(self, query: ListQuery) -> int:
        """How many live records match the query's tenant and ``where`` (paging ignored)."""

    @abc.abstractmethod
    async def search(self, query: SearchQuery) -> Page:
        """One page of live matches, newest first; ``has_more`` says whether more follow.

        Words and substrings mean what ``core.text`` says; every condition the spec indexes
        is served from its index, so a page costs about the same however many records match.
        Raises ``InvalidQuery`` for a condition the store cannot evaluate.
        """

    @abc.abstractmethod
    async def search_count(self, query: SearchQuery) -> int:
        """How many live records match ``query.where`` (paging ignored)."""

    @abc.abstractmethod
    async def recall(self, tenant: Tenant, key: str, *, since_us: int) -> Remembered | None:
        """The response remembered under ``key``, if it was remembered at ``since_us`` or later."""

    @abc.abstractmethod
    async def remember(self, response: Remembered, *, since_us: int) -> Remembered:
        """Keep ``response`` unless a response remembered at ``since_us`` or later holds its
        key; return the one kept. Responses of the tenant older than ``since_us`` are dropped.
        """

    @abc.abstractmethod
    async def add_api_key(self, key: ApiKey) -> bool:
        """Keep ``key``; ``False`` if a key of its dialect with its digest is kept already."""

    @abc.abstractmethod
    async def has_api_key(self, dialect: str, digest: str) -> bool:
        """Whether a key of ``dialect`` with ``digest`` is kept."""

    @abc.abstractmethod
    async def api_keys(self) -> tuple[ApiKey, ...]:
        """Every kept key, oldest first."""

    @abc.abstractmethod
    async def drop_api_key(self, dialect: str, digest: str) -> bool:
        """Forget a kept key; ``False`` if none was kept."""
