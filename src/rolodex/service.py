"""The commands Rolodex carries out, one short function each, with no HTTP and no SQL.

Every function has the same shape: load what the command names, make one core call, persist
through the store port, return records. Dialects build the commands from their wire formats
and render what comes back.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rolodex.core import patch as patches
from rolodex.core.errors import AlreadyExists, IdempotencyMismatch, KeyInUse, NotFound
from rolodex.core.index import IndexSpec, UniqueField
from rolodex.core.patch import Merge
from rolodex.core.records import Document, Record, Tenant
from rolodex.store.base import (
    ApiKey,
    ListQuery,
    Page,
    Receipt,
    Remembered,
    SearchQuery,
    Store,
)

_GENERATION_ATTEMPTS = 8


IdFormat = Callable[[random.Random, int], str]
"""Draws a fresh identifier (or generated field value) from randomness and the time (µs)."""


def wall_clock_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True)
class Context:
    """What every command needs from outside the core: the store, a clock and randomness.

    Tests inject a fixed clock and a seeded ``random.Random`` to stay deterministic.
    """

    store: Store
    clock: Callable[[], int] = wall_clock_us
    rng: random.Random = field(default_factory=random.SystemRandom)
    running: set[tuple[str, str]] = field(default_factory=set)
    """The (tenant, idempotency key) of every request this process is running."""
    locked: bool = False
    """Whether only the keys the store holds are accepted (:func:`admitted`)."""
    admitted_until: dict[tuple[str, str], int] = field(default_factory=dict)
    """Until when (µs) each key found in the store is taken as held without asking again."""


@dataclass(frozen=True, slots=True)
class ById:
    id: str


@dataclass(frozen=True, slots=True)
class ByKey:
    key: UniqueField
    value: str


Ref = ById | ByKey
PatchPlan = Merge | Callable[[Record], Merge]
"""A patch, or a function that decides the patch from the record's current state."""
Check = Callable[[Document], None]


@dataclass(frozen=True, slots=True)
class CreateCustomer:
    tenant: Tenant
    fields: Document
    spec: IndexSpec
    new_id: IdFormat
    generated: Mapping[str, IdFormat] = field(default_factory=dict)
    """Fields drawn at random when absent from ``fields``; redrawn if already taken."""
    receipt: Receipt | None = None
    """The answer to remember with the new record (see :func:`receipt`)."""


@dataclass(frozen=True, slots=True)
class UpdateCustomer:
    tenant: Tenant
    ref: Ref
    patch: PatchPlan
    spec: IndexSpec
    receipt: Receipt | None = None
    """The answer to remember with the update (see :func:`receipt`)."""
    check: Check | None = None
    """Refuses the update, by raising, given the fields the patch leaves."""


@dataclass(frozen=True, slots=True)
class DeleteCustomer:
    tenant: Tenant
    ref: Ref
    spec: IndexSpec
    hard: bool


@dataclass(frozen=True, slots=True)
class Updated:
    record: Record
    previous: dict[str, Any]
    """Old values of the top-level fields the update changed (Stripe's previous_attributes)."""


async def create_customer(ctx: Context, command: CreateCustomer) -> Record:
    for _ in range(_GENERATION_ATTEMPTS):
        record = _draft(ctx, command)
        try:
            await ctx.store.insert(record, command.spec, receipt=command.receipt)
        except AlreadyExists as clash:
            if clash.kind != "id" and clash.kind not in _drawn(command):
                raise
            continue
        return record
    raise AlreadyExists("id", "exhausted attempts to draw a free identifier")


async def get_customer(ctx: Context, tenant: Tenant, ref: Ref) -> Record:
    if isinstance(ref, ById):  # the busiest read, without a coroutine more
        record = await ctx.store.get(tenant, ref.id)
    else:
        record = await ctx.store.find(tenant, ref.key, ref.value)
    if record is None:
        raise NotFound(_ref_text(ref))
    return record


async def update_customer(ctx: Context, command: UpdateCustomer) -> Updated:
    record_id = await _live_id(ctx, command.tenant, command.ref)
    previous: dict[str, Any] = {}

    def change(record: Record) -> Record:
        _still_holds(command.ref, record)
        plan = command.patch
        applied = patches.apply(record.fields, plan if isinstance(plan, Merge) else plan(record))
        if command.check is not None:
            command.check(applied.fields)
        previous.update(applied.previous)
        return record.with_fields(applied.fields) if applied.changed else record

    _, new = await ctx.store.update(
        command.tenant, record_id, change, command.spec, receipt=command.receipt
    )
    return Updated(new, previous)


async def delete_customer(ctx: Context, command: DeleteCustomer) -> Record:
    record_id = await _live_id(ctx, command.tenant, command.ref)
    return await ctx.store.delete(
        command.tenant,
        record_id,
        command.spec,
        hard=command.hard,
        check=lambda record: _still_holds(command.ref, record),
    )


async def list_customers(ctx: Context, query: ListQuery) -> Page:
    return await ctx.store.list(query)


async def count_customers(ctx: Context, query: ListQuery) -> int:
    return await ctx.store.count(query)


async def search_customers(ctx: Context, query: SearchQuery) -> Page:
    return await ctx.store.search(query)


async def count_search_matches(ctx: Context, query: SearchQuery) -> int:
    return await ctx.store.search_count(query)


def _draft(ctx: Context, command: CreateCustomer) -> Record:
    now = ctx.clock()
    drawn = {
        name: draw(ctx.rng, now)
        for name, draw in command.generated.items()
        if name not in command.fields
    }
    return Record(
        tenant=command.tenant,
        id=command.new_id(ctx.rng, now),
        created_us=now,
        fields={**command.fields, **drawn},
    )


def _drawn(command: CreateCustomer) -> set[str]:
    return {name for name in command.generated if name not in command.fields}


async def _live_id(ctx: Context, tenant: Tenant, ref: Ref) -> str:
    if isinstance(ref, ById):
        return ref.id
    record = await ctx.store.find(tenant, ref.key, ref.value)
    if record is None:
        raise NotFound(ref.value)
    return record.id


def _still_holds(ref: Ref, record: Record) -> None:
    """A write addressed by a unique key finds its record still holding it, in the write's own
    transaction: the key was looked up before, and a write committed meanwhile (a rename) may
    have moved it; the record is then missing under that key, as a later request would find."""
    if isinstance(ref, ByKey) and record.fields.get(ref.key.name) != ref.value:
        raise NotFound(ref.value)


def _ref_text(ref: Ref) -> str:
    return ref.id if isinstance(ref, ById) else ref.value


REMEMBERED_FOR_US = 24 * 60 * 60 * 1_000_000
"""How long a response stays remembered under its idempotency key: after a day the key is new."""


@dataclass(frozen=True, slots=True)
class Repeatable:
    """A request that a client may send again under the same idempotency key."""

    tenant: Tenant
    key: str
    endpoint: str
    fingerprint: str


@contextmanager
def running_once(ctx: Context, request: Repeatable) -> Iterator[None]:
    """Hold ``request``'s key while it runs; raises ``KeyInUse`` if it is already held.

    Held in this process only: a repeat sent to another process while the first runs is not
    refused, and whichever finishes first is the response remembered.
    """
    held = (request.tenant.key, request.key)
    if held in ctx.running:
        raise KeyInUse(request.key)
    ctx.running.add(held)
    try:
        yield
    finally:
        ctx.running.discard(held)


async def recall_response(ctx: Context, request: Repeatable) -> Remembered | None:
    """The response remembered under the request's key, if any; raises
    ``IdempotencyMismatch`` if the key was used for another endpoint or other parameters."""
    since = ctx.clock() - REMEMBERED_FOR_US
    remembered = await ctx.store.recall(request.tenant, request.key, since_us=since)
    return None if remembered is None else answer_to(request, remembered)


def answer_to(request: Repeatable, remembered: Remembered) -> Remembered:
    """``remembered``, if it answers ``request``; raises ``IdempotencyMismatch`` if its key
    was used for another endpoint or other parameters."""
    if (remembered.endpoint, remembered.fingerprint) != (request.endpoint, request.fingerprint):
        raise IdempotencyMismatch(request.key, remembered.endpoint, request.endpoint)
    return remembered


async def remember_response(
    ctx: Context, request: Repeatable, status: int, body: str, request_id: str
) -> Remembered:
    now = ctx.clock()
    response = Remembered(
        request.tenant,
        request.key,
        request.endpoint,
        request.fingerprint,
        status,
        body,
        request_id,
        created_us=now,
    )
    return await ctx.store.remember(response, since_us=now - REMEMBERED_FOR_US)


def receipt(
    ctx: Context, request: Repeatable, request_id: str, body_of: Callable[[Record], str]
) -> Receipt:
    """The answer to ``request`` to remember with its write: ``body_of`` the record the write
    leaves, with status 200. A write that carries it is answered once, by whichever process
    commits first (``AnsweredMeanwhile`` tells the others)."""
    now = ctx.clock()

    def answer(record: Record) -> Remembered:
        body = body_of(record)
        return Remembered(
            request.tenant,
            request.key,
            request.endpoint,
            request.fingerprint,
            200,
            body,
            request_id,
            created_us=now,
        )

    return Receipt(answer, since_us=now - REMEMBERED_FOR_US)


ADMISSION_US = 1_000_000
"""How long a key found in the store is accepted without looking again: a locked server
asks the store once a second per key, not once a request, and a revoked key is refused
within a second."""


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def admitted(ctx: Context, dialect: str, key: str) -> bool:
    """Whether a well-formed ``key`` of ``dialect`` may be used: any, unless the server is
    locked; then only one the store holds (``rolodex keys``)."""
    if not ctx.locked:
        return True
    held = (dialect, key_digest(key))
    now = ctx.clock()
    if ctx.admitted_until.get(held, 0) > now:
        return True
    if not await ctx.store.has_api_key(*held):
        ctx.admitted_until.pop(held, None)
        return False
    ctx.admitted_until[held] = now + ADMISSION_US
    return True


async def hold_key(ctx: Context, dialect: str, key: str, shown: str) -> bool:
    """Keep ``key`` for a locked server; ``False`` if it is kept already."""
    return await ctx.store.add_api_key(ApiKey(dialect, key_digest(key), shown, ctx.clock()))


async def held_keys(ctx: Context) -> tuple[ApiKey, ...]:
    return await ctx.store.api_keys()


async def drop_key(ctx: Context, dialect: str, key: str) -> bool:
    """Forget ``key``; ``False`` if it was not kept."""
    return await ctx.store.drop_api_key(dialect, key_digest(key))


async def records_after(ctx: Context, after: Record | None, limit: int) -> list[Record]:
    """Up to ``limit`` records of every tenant, deleted ones included, after ``after`` in the
    store's walk (``None``: from its start): one page of an export."""
    return await ctx.store.every_record(after=after, limit=limit)


async def restore_record(ctx: Context, record: Record, spec: IndexSpec) -> bool:
    """Store ``record`` as it was exported, with its id, time, version and deleted mark;
    ``False`` if its tenant already has a record with that id (left as it is). Raises
    ``AlreadyExists`` if one of its unique keys is held by another record."""
    try:
        await ctx.store.insert(record, spec)
    except AlreadyExists as clash:
        if clash.kind != "id":
            raise
        return False
    return True


async def restore_new_records(ctx: Context, records: Sequence[Record], spec: IndexSpec) -> bool:
    """Store many exported records at once, as :func:`restore_record` stores each, if all
    are new; ``False``, storing none, if any id or unique key is taken (or held twice)."""
    return await ctx.store.insert_new(records, spec)


async def restore_key(ctx: Context, key: ApiKey) -> bool:
    """Keep an exported key (its digest, never the key); ``False`` if it is kept already."""
    return await ctx.store.add_api_key(key)
