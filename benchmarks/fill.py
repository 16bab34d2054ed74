"""Fill a fresh database with N Stripe customers, in-process, without going through HTTP.

Creating 100,000 customers over HTTP would take longer than the benchmark itself, so the
records are built exactly as the Stripe create endpoint builds them (its parameter schema,
field translation, id and invoice-prefix formats) and written with the store's own insert
(``rolodex.store.sql.insert``), many records per transaction.
"""

from __future__ import annotations

import argparse
import itertools
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import migrate, sync_engine
from benchmarks.processes import ROOT, child_env
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import params, translate
from rolodex.dialects.stripe.auth import tenant_of
from rolodex.service import IdFormat
from rolodex.store import sql, text_index

BATCH = 1000
METHOD = "in-process through rolodex.store.sql.insert, 1,000 customers per transaction"
_PLANS = ("free", "pro", "team", "enterprise")


@dataclass(frozen=True)
class Filled:
    ids: list[str]
    seconds: float


def fill(database_url: str, api_key: str, count: int, *, seed: int = 0) -> Filled:
    """Migrate ``database_url`` and add ``count`` customers owned by ``api_key``'s tenant."""
    started = time.perf_counter()
    migrate(database_url)
    tenant = tenant_of(f"Bearer {api_key}")
    records = _records(tenant, count, random.Random(seed))
    engine = sync_engine(database_url)
    ids: list[str] = []
    try:
        while batch := list(itertools.islice(records, BATCH)):
            with engine.begin() as conn:
                for record in batch:
                    sql.insert(conn, record, translate.SPEC)
            ids.extend(record.id for record in batch)
        if engine.dialect.name == "sqlite":
            # The inserts leave the last few thousand documents queued (``QUEUE_LENGTH``);
            # applied now, every run starts with an empty queue, so each run's writes pay for
            # their own documents alone.
            with engine.begin() as conn:
                text_index.apply_queue(conn)
    finally:
        engine.dispose()
    return Filled(ids, time.perf_counter() - started)


def _records(tenant: Tenant, count: int, rng: random.Random) -> Iterator[Record]:
    """Customers created 10 µs apart, ending now, with ids and prefixes unique by construction."""
    now_us = time.time_ns() // 1000
    seen_ids: set[str] = set()
    seen_prefixes: set[str] = set()
    for n in range(count):
        created_us = now_us - (count - n) * 10
        given = params.CREATE.parse(customer_params(n))
        fields = dict(translate.new_fields(given))
        fields["invoice_prefix"] = _fresh(translate.new_invoice_prefix, rng, seen_prefixes)
        record_id = _fresh(translate.new_customer_id, rng, seen_ids)
        yield Record(tenant=tenant, id=record_id, created_us=created_us, fields=fields)


def customer_params(n: int) -> dict[str, object]:
    """What a typical create request carries: email, name, description and two metadata keys."""
    return {
        "email": f"customer{n}@example.com",
        "name": f"Customer {n}",
        "description": f"Filled by the benchmark (#{n})",
        "metadata": {"plan": _PLANS[n % len(_PLANS)], "account": str(n)},
    }


def _fresh(draw: IdFormat, rng: random.Random, seen: set[str]) -> str:
    while True:
        value = draw(rng, 0)
        if value not in seen:
            seen.add(value)
            return value


def fill_with(source: Path, database_url: str, api_key: str, count: int) -> list[str]:
    """:func:`fill` run by the ``rolodex`` package at ``source`` (a checkout's ``src``) in a
    child process, ahead of the installed one; the ids it made."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.fill", database_url, api_key, str(count)],
        env=child_env(source),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.fill URL API_KEY COUNT``: fill, and print the ids, one per line.

    :func:`fill_with` runs it, so that ``benchmarks/ab.py`` has each build's file migrated and
    filled by that build's own code."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("url")
    parser.add_argument("api_key")
    parser.add_argument("count", type=int)
    args = parser.parse_args(argv)
    filled = fill(args.url, args.api_key, args.count)
    sys.stdout.write("".join(f"{each}\n" for each in filled.ids))


if __name__ == "__main__":
    main()
