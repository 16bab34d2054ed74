"""Customer search latency at scale, on SQLite or PostgreSQL, through the store.

    python benchmarks/search.py --customers 1000000
    python benchmarks/search.py --customers 50000 --count --queries 20 \
        --database postgresql://postgres@127.0.0.1:5432/postgres

builds two data sets, 10,000 customers (the baseline) and ``--customers``, with realistic
names, emails and phone numbers and three metadata keys each (``plan``: three values, the
low-selectivity case; ``user_id``: unique; ``region``: twenty values), then times kinds of
Stripe search query with limit 10: single clauses, presence and null tests, and conjunctions
and disjunctions of them. Each timing covers what a request costs below HTTP: parsing the
query, planning, the SQL on the real store and decoding the records; with ``--count``, the
count of all matches too, as ``expand[]=total_count`` asks. The data is loaded with
``store.bulk`` inside one transaction, straight into the store's tables, after the store's
own migrations made them: SQLite files in a temporary folder, or throw-away databases on the
PostgreSQL server ``--database`` names, dropped afterwards. Needs the dev extra (``faker``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

# As in run.py: the harness imports itself as the ``benchmarks`` package from the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from faker.providers.internet.en_US import Provider as Internet
from faker.providers.person.en_US import Provider as Person

from benchmarks.databases import Databases, backend_of, databases, describe, migrate, sync_engine
from rolodex.core.records import Record, Tenant
from rolodex.dialects.stripe import translate
from rolodex.dialects.stripe.search import parse
from rolodex.store import bulk, open_store
from rolodex.store.base import SearchQuery, Store

BASELINE = 10_000
BATCH = 20_000
START_US = 1_577_836_800_000_000  # 2020-01-01
STEP_US = 60_000_000  # about one customer a minute
DAY_S = 86_400
TENANT = Tenant("stripe", "benchmark", "test")
PLAN_NAMES, PLAN_WEIGHTS = ("free", "pro", "enterprise"), (6, 9, 10)  # cumulative: 60/30/10 %
REGIONS = [f"{area}-{n}" for area in ("us", "eu", "ap", "sa", "af") for n in range(1, 5)]
COMPANIES = [
    f"{word.lower()}{tld}" for word in list(Person.last_names)[:200] for tld in (".com", ".io")
]


@dataclass(frozen=True)
class Customer:
    index: int
    name: str
    email: str
    phone: str
    user_id: str

    def record(self, rng: random.Random) -> Record:
        plan = rng.choices(PLAN_NAMES, cum_weights=PLAN_WEIGHTS)[0]
        return Record(
            tenant=TENANT,
            id=f"cus_{self.index:014d}",
            created_us=START_US + self.index * STEP_US + rng.randrange(STEP_US),
            fields={
                "email": self.email,
                "name": self.name,
                "phone": self.phone,
                "metadata": {"plan": plan, "user_id": self.user_id, "region": rng.choice(REGIONS)},
                "invoice_prefix": f"{self.index:08X}",
            },
        )


class People:
    """Names from US census frequencies (Faker's lists), emails in the usual shapes."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        firsts = {**Person.first_names_female, **Person.first_names_male}
        self.firsts, self.first_weights = list(firsts), list(accumulate(firsts.values()))
        lasts = Person.last_names
        self.lasts, self.last_weights = list(lasts), list(accumulate(lasts.values()))
        self.domains = list(Internet.free_email_domains) * 8 + COMPANIES

    def customer(self, index: int) -> Customer:
        rng = self.rng
        first = rng.choices(self.firsts, cum_weights=self.first_weights)[0]
        last = rng.choices(self.lasts, cum_weights=self.last_weights)[0]
        local = rng.choice(
            (
                f"{first}.{last}{rng.randrange(100)}",
                f"{first[0]}{last}{rng.randrange(1000)}",
                f"{first}_{last[:3]}{rng.randrange(10_000)}",
            )
        )
        email = f"{local.lower()}@{rng.choice(self.domains)}"
        digits = "".join(rng.choices(string.digits, k=10))
        phone = rng.choice(
            (
                f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                f"+1{digits}",
                f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
            )
        )
        user_id = "usr_" + "".join(rng.choices(string.ascii_letters + string.digits, k=12))
        return Customer(index, f"{first} {last}", email, phone, user_id)


@dataclass
class DataSet:
    size: int
    url: str
    samples: list[Customer]
    build_s: float
    bytes: int


def build(made: Databases, size: int, samples: int, seed: int) -> DataSet:
    url = made.new_url(f"search{size}")
    started = time.perf_counter()
    migrate(url)
    people, rng = People(seed), random.Random(seed + 1)
    wanted = set(random.Random(seed + 2).sample(range(size), min(samples, size)))
    kept: list[Customer] = []
    engine = sync_engine(url)
    with engine.begin() as conn:
        if made.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
        for first in range(0, size, BATCH):
            batch = [people.customer(i) for i in range(first, min(first + BATCH, size))]
            kept += [c for c in batch if c.index in wanted]
            bulk.insert_many(conn, [c.record(rng) for c in batch], translate.SPEC)
            _progress(f"  built {first + len(batch):,} of {size:,}")
    with engine.connect() as conn:
        stored = _bytes(conn, url)
    engine.dispose()
    _progress("")
    return DataSet(size, url, kept, time.perf_counter() - started, stored)


def _bytes(conn: sa.Connection, url: str) -> int:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size
    return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())


def _fragment(email: str, rng: random.Random) -> str:
    length = rng.randint(4, 7)
    start = rng.randrange(len(email) - length + 1)
    return email[start : start + length].replace("'", "")


def _day(customer: Customer, rng: random.Random) -> str:
    start = (START_US + customer.index * STEP_US) // 1_000_000 - rng.randrange(DAY_S)
    return f"created>={start} created<{start + DAY_S}"


Kind = Callable[[Customer, random.Random], str]

KINDS: dict[str, Kind] = {
    "email exact match": lambda c, _: f'email:"{c.email}"',
    "metadata equality, 1 in 3": lambda c, _: "metadata['plan']:'pro'",
    "metadata equality, unique": lambda c, _: f"metadata['user_id']:'{c.user_id}'",
    "name word match": lambda c, _: f"name:'{c.name}'",
    "~ substring of an email": lambda c, rng: f"email~'{_fragment(c.email, rng)}'",
    "created range of one day": _day,
    "metadata key present": lambda c, _: "-metadata['plan']:null",
    "null test, no match": lambda c, _: "phone:null",
    "metadata and created range": lambda c, rng: f"metadata['plan']:'free' {_day(c, rng)}",
    "metadata and substring": lambda c, rng: (
        f"metadata['plan']:'pro' email~'{_fragment(c.email, rng)}'"
    ),
    "word and substring": lambda c, rng: (
        f"name:'{c.name.split()[0]}' email~'{_fragment(c.email, rng)}'"
    ),
    "word or null test": lambda c, _: f"name:'{c.name}' OR phone:null",
    "two presences, 1 in 20": lambda c, _: "-phone:null -email:null metadata['region']:'us-1'",
}


@dataclass
class Timing:
    p50_ms: float
    p99_ms: float
    mean_hits: float


def measure(data: DataSet, queries: int, seed: int, *, count: bool) -> dict[str, Timing]:
    return asyncio.run(_measure(data, queries, seed, count=count))


async def _measure(data: DataSet, queries: int, seed: int, *, count: bool) -> dict[str, Timing]:
    store = open_store(data.url)
    rng = random.Random(seed)
    results = {}
    try:
        for kind, make in KINDS.items():
            texts = [make(rng.choice(data.samples), rng) for _ in range(queries)]
            for text in texts[:20]:  # warm the page cache
                await _search(store, text, count=count)
            timings, hits = [], []
            for text in texts:
                started = time.perf_counter()
                found = await _search(store, text, count=count)
                timings.append((time.perf_counter() - started) * 1000)
                hits.append(found)
            p50, p99 = _percentile(timings, 50), _percentile(timings, 99)
            results[kind] = Timing(p50, p99, statistics.fmean(hits))
    finally:
        await store.close()
    return results


async def _search(store: Store, text: str, *, count: bool) -> int:
    """Records on the first page; with ``count``, the count of every match is taken too."""
    query = SearchQuery(TENANT, parse(text), translate.SPEC, limit=10)
    page = await store.search(query)
    if count:
        await store.search_count(query)
    return len(page.records)


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def report(
    sets: list[DataSet], timings: list[dict[str, Timing]], queries: int, *, count: bool
) -> Iterator[str]:
    backend = backend_of(sets[0].url)
    what = "page and count" if count else "page"
    yield (
        f"Customer search on {backend} through the store (parse + plan + SQL + decode, no HTTP), "
        f"limit 10, {what}, {queries} queries per kind"
    )
    for data in sets:
        yield (
            f"  {data.size:>9,} customers: built in {data.build_s:,.1f} s, "
            f"database {data.bytes / 1e6:,.0f} MB"
        )
    header = f"{'query':<28}" + "".join(f" | {d.size:>9,}: p50 ms  p99 ms  hits" for d in sets)
    if len(sets) > 1:
        header += " | p50 ratio"
    yield header
    yield "-" * len(header)
    for kind in KINDS:
        row = f"{kind:<28}"
        for t in (timing[kind] for timing in timings):
            row += f" | {'':>9}  {t.p50_ms:>6.3f}  {t.p99_ms:>6.3f}  {t.mean_hits:>4.1f}"
        if len(sets) > 1:
            row += f" | {timings[-1][kind].p50_ms / timings[0][kind].p50_ms:>8.2f}x"
        yield row


def _progress(line: str) -> None:
    sys.stderr.write(f"\r{line:<60}")
    sys.stderr.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (files in --dir), or a PostgreSQL server URL whose server gets throw-away "
        "databases",
    )
    parser.add_argument("--count", action="store_true", help="also count every match")
    parser.add_argument("--dir", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files afterwards")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="rolodex-search-"))
    directory.mkdir(parents=True, exist_ok=True)
    _progress(f"building on {describe(args.database)}")
    try:
        with databases(args.database, directory) as made:
            sizes = sorted({min(BASELINE, args.customers), args.customers})
            sets = [build(made, size, args.queries, args.seed) for size in sizes]
            timings = [measure(d, args.queries, args.seed, count=args.count) for d in sets]
        print("\n".join(report(sets, timings, args.queries, count=args.count)))
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
