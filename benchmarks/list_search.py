"""Time Autumn's and Dub's list ``search``: a page and its count, through the store.

    python benchmarks/list_search.py --customers 50000
    python benchmarks/list_search.py --customers 50000 \\
        --database postgresql://postgres@127.0.0.1:5432/postgres

Each query runs twice: as served (from the text index) and with the dialect's text fields
taken out of its spec, which reads every customer's document, as builds before migration 0012
did. Databases are throw-away: a SQLite file in a temporary directory, or a database made on
the PostgreSQL server named.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import dataclasses  # noqa: E402
import itertools  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from benchmarks.databases import databases, migrate, sync_engine  # noqa: E402
from rolodex.core.index import IndexSpec  # noqa: E402
from rolodex.core.query import AllOf, Condition  # noqa: E402
from rolodex.core.records import Record, Tenant  # noqa: E402
from rolodex.dialects.autumn import listing  # noqa: E402
from rolodex.dialects.autumn import translate as autumn  # noqa: E402
from rolodex.dialects.dub import translate as dub  # noqa: E402
from rolodex.dialects.dub.params import ListParams  # noqa: E402
from rolodex.store import bulk, open_store  # noqa: E402
from rolodex.store.base import ListQuery  # noqa: E402

FIRST = [
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "ana",
    "luis",
    "wei",
    "yuki",
]
LAST = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
]
DUB = Tenant("dub", "ws_bench", "test")
AUTUMN = Tenant("autumn", "org_bench", "sandbox")
BATCH = 2000


def customers(count: int, seed: int) -> Iterator[tuple[Record, Record]]:
    """A Dub and an Autumn customer of the same name and email, ``count`` times."""
    rng = random.Random(seed)
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name, email = f"{first.title()} {last.title()}", f"{first}.{last}{i}@example{i % 50}.com"
        created = 1_700_000_000_000_000 + i * 1000
        yield (
            Record(DUB, f"cus_d{i:08d}", created, {"name": name, "email": email}),
            Record(
                AUTUMN,
                f"cus_a{i:08d}",
                created,
                {"customer_id": f"user-{i}", "name": name, "email": email, "email_lower": email},
            ),
        )


def fill(url: str, count: int, seed: int) -> None:
    migrate(url)
    engine = sync_engine(url)
    made = customers(count, seed)
    while batch := list(itertools.islice(made, BATCH)):
        with engine.begin() as conn:
            bulk.insert_many(conn, [d for d, _ in batch], dub.SPEC)
            bulk.insert_many(conn, [a for _, a in batch], autumn.SPEC)
    engine.dispose()


QUERIES: dict[str, tuple[Tenant, IndexSpec, Condition | None]] = {
    "dub search=james smith": (
        DUB, dub.SPEC, AllOf(dub.list_conditions(ListParams(search="james smith")) or ()),
    ),
    "dub search=jennifer": (
        DUB, dub.SPEC, AllOf(dub.list_conditions(ListParams(search="jennifer")) or ()),
    ),
    "autumn search=martinez": (
        AUTUMN, autumn.SPEC, listing.filter_of({"search": "martinez"}).where,
    ),
    "autumn search=user-4242": (
        AUTUMN, autumn.SPEC, listing.filter_of({"search": "user-4242"}).where,
    ),
    "autumn search=zz": (AUTUMN, autumn.SPEC, listing.filter_of({"search": "zz"}).where),
}  # fmt: skip


async def measure(url: str, runs: int) -> None:
    store = open_store(url)
    try:
        for label, (tenant, spec, where) in QUERIES.items():
            for how, used in (("documents", dataclasses.replace(spec, texts=())), ("index", spec)):
                query = ListQuery(tenant, where=where, spec=used)
                times, total = [], 0
                for _ in range(runs):
                    started = time.perf_counter()
                    await store.list(query)
                    total = await store.count(query)
                    times.append((time.perf_counter() - started) * 1000)
                print(
                    f"| {label} | {how} | {statistics.median(times):.1f} | "
                    f"{min(times):.1f} | {total:,} |",
                    flush=True,
                )
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=50_000, help="of each dialect")
    parser.add_argument("--database", default="sqlite", help="sqlite or a PostgreSQL server URL")
    parser.add_argument("--runs", type=int, default=5, help="timings per query and way")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, databases(args.database, Path(workdir)) as made:
        url = made.new_url(f"listsearch{args.customers}")
        started = time.perf_counter()
        fill(url, args.customers, args.seed)
        print(f"{args.customers:,} Dub and {args.customers:,} Autumn customers on "
              f"{made.backend}, filled in {time.perf_counter() - started:.1f} s\n")  # fmt: skip
        print("| query | read from | median ms (page + count) | fastest ms | matches |")
        print("|---|---|---|---|---|")
        asyncio.run(measure(url, args.runs))


if __name__ == "__main__":
    main()
