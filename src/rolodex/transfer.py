"""The file ``rolodex export`` writes and ``rolodex import`` reads, and the walks that do it.

    {"object": "customer", "tenant": {"dialect": "stripe", "mode": "test", "account": "..."},
     "id": "cus_...", "created_us": 1767225600000000, "version": 3, "deleted": false,
     "fields": {...}}
    {"object": "api_key", "dialect": "stripe", "digest": "<SHA-256 in hex>",
     "shown": "sk_test_...Ab12", "created_us": 1767225600000000}

A customer line holds all the store keeps of a record (its dialect's fields as stored, not as
any API renders them), so an import leaves the same records on any backend: ids, creation
times (and so list order), versions and deleted stubs. The store rebuilds the lookups, terms
and full-text index from them, as it does for any write; the fields themselves go through
their API's validators first (``as_stored``). A key line holds what a locked
server keeps of a key, its digest, never the key. Responses remembered under idempotency keys
are not exported: they are forgotten after a day anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol, TypeVar

import orjson

from rolodex import service
from rolodex.core.errors import AlreadyExists, InvalidField
from rolodex.core.index import IndexSpec
from rolodex.core.records import Document, Record, Tenant, first_difference
from rolodex.dialects import wire
from rolodex.dialects.autumn import auth as autumn_auth
from rolodex.dialects.autumn import translate as autumn
from rolodex.dialects.dub import auth as dub_auth
from rolodex.dialects.dub import translate as dub
from rolodex.dialects.stripe import auth as stripe_auth
from rolodex.dialects.stripe import translate as stripe
from rolodex.service import Context
from rolodex.store import tables
from rolodex.store.base import ApiKey

T = TypeVar("T")

SPECS: Mapping[str, IndexSpec] = {"stripe": stripe.SPEC, "autumn": autumn.SPEC, "dub": dub.SPEC}
"""What each dialect indexes, which an imported record's lookups are rebuilt by."""

MODES: Mapping[str, tuple[str, ...]] = {
    "stripe": stripe_auth.MODES,
    "autumn": autumn_auth.MODES,
    "dub": (dub_auth.MODE,),
}
"""The modes each dialect's keys name: a customer of any other could be reached by no key."""

STORED_FORMS: Mapping[str, Callable[[Document], Document]] = {
    "stripe": stripe.stored_form,
    "autumn": autumn.stored_form,
    "dub": dub.stored_form,
}
"""Each dialect's fields as a request of its API would have left them (see ``as_stored``)."""


class BadLine(ValueError):
    """A line that is not one ``rolodex export`` writes; the message says what is wrong."""


class Refused(Exception):
    """A line the import cannot take; the message names it and says why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line


@dataclass
class Tally:
    """What an export wrote or an import stored."""

    customers: int = 0
    keys: int = 0
    there: int = 0
    """Customers and keys an import found already there, and left as they were."""
    rewritten: int = 0
    """Customers an import stored with their fields as their API would have left them,
    which the file held otherwise (``as_stored``)."""


EXPORT_PAGE = 500
"""Records read per page of an export: large enough that a page's read dwarfs its overhead."""


async def every_record(ctx: Context) -> AsyncIterator[Record]:
    """Every record of every tenant, deleted ones included, page by page."""
    after: Record | None = None
    while page := await service.records_after(ctx, after, EXPORT_PAGE):
        for record in page:
            yield record
        after = page[-1]


async def export(ctx: Context, output: Lines) -> Tally:
    """Write every record (:func:`every_record`), then every key held, to ``output``."""
    written = Tally()
    async for record in every_record(ctx):
        output.write(customer_line(record))
        written.customers += 1
    for key in await service.held_keys(ctx):
        output.write(key_line(key))
        written.keys += 1
    return written


class Lines(Protocol):
    """Where an export's lines go."""

    def write(self, data: bytes, /) -> object: ...


CHUNK = 256
"""Lines read, checked and written at once: on SQLite their writes share one transaction."""


async def import_(ctx: Context, source: BinaryIO) -> Tally:
    """Store the records and keys of ``source``, a chunk of lines at a time; raises
    ``Refused`` at a line that is not one an export writes (before anything of its chunk is
    written) or a customer holding a unique key another one holds (once the rest of its
    chunk is written)."""
    stored = Tally()
    for chunk in _chunks(source):
        await _store(ctx, chunk, stored)
    return stored


@dataclass(frozen=True)
class _Customer:
    number: int
    record: Record
    rewritten: bool
    """Whether ``as_stored`` changed the record's fields."""


@dataclass(frozen=True)
class _Key:
    number: int
    key: ApiKey


_Line = _Customer | _Key


def _chunks(source: BinaryIO) -> Iterator[list[_Line]]:
    """The source's records (``as_stored``) and keys with their line numbers, ``CHUNK`` at a
    time; blank lines skipped."""
    chunk: list[_Line] = []
    for number, text in enumerate(source, start=1):
        if not text.strip():
            continue
        try:
            chunk.append(_read(number, text))
        except BadLine as bad:
            raise Refused(number, str(bad)) from bad
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read(number: int, text: bytes) -> _Line:
    item = parse_line(text)
    if isinstance(item, ApiKey):
        return _Key(number, item)
    stored = as_stored(item)
    return _Customer(number, stored, rewritten=stored is not item)


def as_stored(record: Record) -> Record:
    """``record`` with its fields as a request of its API would have left them: itself when
    they are so already (an export of this build imports byte for byte), else a copy holding
    that form (a file an older build wrote, or a hand edited, is stored as the API would have
    kept it, and served so); raises ``BadLine`` naming a field the API refuses.

    A deleted record's kept fields are held to the same rules: they keep its unique keys
    taken."""
    if record.deleted and not record.fields:
        return record
    dialect = record.tenant.dialect
    try:
        fields = STORED_FORMS[dialect](record.fields)
    except InvalidField as refused:
        where = f"fields.{refused.param}" if refused.param else "fields"
        problem = f'"{where}": no {dialect} customer can hold this: {refused.message}'
        raise BadLine(problem) from None
    if first_difference(record.fields, fields) is None:
        return record
    return Record(
        record.tenant, record.id, record.created_us, fields, record.version, record.deleted
    )


async def _store(ctx: Context, chunk: list[_Line], stored: Tally) -> None:
    """Write one chunk: each dialect's customers in one transaction if all are new, else
    one by one (all at once: one group commit, on SQLite); then its keys. A customer whose
    unique key another holds is left out, and the rest of the chunk written before ``Refused``
    names the first such line."""
    by_dialect: dict[str, list[_Customer]] = {}
    for line in chunk:
        if isinstance(line, _Customer):
            by_dialect.setdefault(line.record.tenant.dialect, []).append(line)
    clashes: list[Refused] = []
    for dialect, customers in by_dialect.items():
        records = [customer.record for customer in customers]
        if await service.restore_new_records(ctx, records, SPECS[dialect]):
            stored.customers += len(records)
            stored.rewritten += sum(customer.rewritten for customer in customers)
        else:
            clashes += await _store_each(ctx, customers, SPECS[dialect], stored)
    for line in chunk:
        if isinstance(line, _Key):
            kept = await service.restore_key(ctx, line.key)
            stored.keys += kept
            stored.there += not kept
    if clashes:
        raise min(clashes, key=lambda clash: clash.line)


async def _store_each(
    ctx: Context, customers: list[_Customer], spec: IndexSpec, stored: Tally
) -> list[Refused]:
    """Store each customer not already there; one ``Refused`` for each that holds a unique
    key another customer holds (the others are stored all the same)."""
    outcomes = await asyncio.gather(
        *(service.restore_record(ctx, customer.record, spec) for customer in customers),
        return_exceptions=True,
    )
    clashes: list[Refused] = []
    for customer, outcome in zip(customers, outcomes, strict=True):
        if isinstance(outcome, AlreadyExists):
            holder = f"customer {customer.record.id}'s {outcome.kind} {outcome.value!r}"
            clashes.append(Refused(customer.number, f"{holder} is held by another customer"))
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        stored.customers += outcome
        stored.rewritten += outcome and customer.rewritten
        stored.there += not outcome
    return clashes


def customer_line(record: Record) -> bytes:
    tenant = record.tenant
    return _line(
        {
            "object": "customer",
            "tenant": {"dialect": tenant.dialect, "mode": tenant.mode, "account": tenant.account},
            "id": record.id,
            "created_us": record.created_us,
            "version": record.version,
            "deleted": record.deleted,
            "fields": record.fields,
        }
    )


def key_line(key: ApiKey) -> bytes:
    return _line(
        {
            "object": "api_key",
            "dialect": key.dialect,
            "digest": key.digest,
            "shown": key.shown,
            "created_us": key.created_us,
        }
    )


def _line(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value) + b"\n"


def parse_line(line: bytes) -> Record | ApiKey:
    """The record or key a line holds; raises ``BadLine`` for anything else."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as fault:
        raise BadLine(f"not JSON ({fault})") from fault
    if not isinstance(value, dict):
        raise BadLine("not a JSON object")
    kind = value.get("object")
    if kind == "customer":
        return _record(value)
    if kind == "api_key":
        return _key(value)
    raise BadLine(f'"object" is {kind!r}, neither "customer" nor "api_key"')


def _record(value: dict[str, Any]) -> Record:
    _only(value, {"object", "tenant", "id", "created_us", "version", "deleted", "fields"})
    tenant_value = _field(value, "tenant", dict)
    _only(tenant_value, {"dialect", "mode", "account"}, "tenant.")
    tenant = Tenant(
        dialect=_dialect(tenant_value, "tenant."),
        account=_text(tenant_value, "account", "tenant."),
        mode=_text(tenant_value, "mode", "tenant.", separator_free=True),
    )
    if tenant.mode not in MODES[tenant.dialect]:
        modes = " or ".join(MODES[tenant.dialect])
        raise BadLine(f'"tenant.mode" is {tenant.mode!r}; {tenant.dialect} customers are {modes}')
    if len(tenant.key) > tables.TENANT_LENGTH:
        raise BadLine(
            f'"tenant" is longer than the {tables.TENANT_LENGTH} characters a store keeps'
        )
    fields = _field(value, "fields", dict)
    if (where := wire.nul_path(fields, "fields")) is not None:  # a key may hold it, shown escaped
        shown = where.replace("\x00", "\\u0000")
        raise BadLine(f'"{shown}" holds the character U+0000, which PostgreSQL cannot keep')
    return Record(
        tenant=tenant,
        id=_text(value, "id", longest=tables.ID_LENGTH),
        created_us=_count(value, "created_us", least=0, below=_YEAR_10000_US),
        fields=fields,
        version=_count(value, "version", least=1, below=_VERSIONS),
        deleted=_field(value, "deleted", bool),
    )


def _key(value: dict[str, Any]) -> ApiKey:
    _only(value, {"object", "dialect", "digest", "shown", "created_us"})
    digest = _text(value, "digest")
    if len(digest) != 64 or digest.strip("0123456789abcdef"):
        raise BadLine('"digest" is not a SHA-256 in lower-case hex')
    return ApiKey(
        dialect=_dialect(value),
        digest=digest,
        shown=_text(value, "shown"),
        created_us=_count(value, "created_us", least=0, below=_YEAR_10000_US),
    )


def _only(value: dict[str, Any], names: set[str], prefix: str = "") -> None:
    missing = sorted(names - value.keys())
    unknown = sorted(value.keys() - names)
    if missing:
        raise BadLine(f'"{prefix}{missing[0]}" is missing')
    if unknown:
        raise BadLine(f'"{prefix}{unknown[0]}" is not a field of this line')


def _field(value: dict[str, Any], name: str, kind: type[T], prefix: str = "") -> T:
    found = value[name]
    if not isinstance(found, kind):
        raise BadLine(f'"{prefix}{name}" is not {_KINDS[kind]}')
    return found


_KINDS: dict[type, str] = {dict: "an object", bool: "true or false", str: "a string"}


def _text(
    value: dict[str, Any],
    name: str,
    prefix: str = "",
    *,
    separator_free: bool = False,
    longest: int | None = None,
) -> str:
    found = _field(value, name, str, prefix)
    if not found:
        raise BadLine(f'"{prefix}{name}" is empty')
    if separator_free and ":" in found:
        raise BadLine(f'"{prefix}{name}" holds a colon')
    if "\x00" in found:
        raise BadLine(f'"{prefix}{name}" holds the character U+0000, which PostgreSQL cannot keep')
    if longest is not None and len(found) > longest:
        raise BadLine(f'"{prefix}{name}" is longer than the {longest} characters a store keeps')
    return found


_YEAR_10000_US = 253_402_300_800_000_000
"""Microseconds from 1970 to the year 10000: every dialect writes a time as a date, and no date
of Python's (nor of ISO 8601's four-digit years) is later."""
_VERSIONS = 1 << 53
"""Above every version an import takes: each update adds one, and from 2^53 no count of updates
reaches the 64-bit column's bound; a JSON reader that holds numbers as doubles reads each
exactly."""


def _count(value: dict[str, Any], name: str, *, least: int, below: int) -> int:
    found = value[name]
    # bool is an int in Python, and never what a count means.
    if not isinstance(found, int) or isinstance(found, bool) or not least <= found < below:
        raise BadLine(f'"{name}" is not a whole number from {least} to {below - 1}')
    return found


def _dialect(value: dict[str, Any], prefix: str = "") -> str:
    dialect = value["dialect"]
    if dialect not in SPECS:
        raise BadLine(f'"{prefix}dialect" is {dialect!r}; the dialects are {", ".join(SPECS)}')
    return str(dialect)
