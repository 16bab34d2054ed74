"""Rolodex's own cost per request, in process: the ASGI app driven without sockets or a server.

    python benchmarks/inprocess.py --customers 1000 100000 --op update --repeat 5

Fills a throw-away SQLite file with N customers (as ``run.py`` does), then for each run copies
it afresh and sends ``--requests`` requests through the application from ``--concurrency``
tasks at once, the same requests ``lua/drive.lua`` makes. It prints the wall-clock and CPU
microseconds per request of each run and their median. Without uvicorn and wrk in the way,
two builds of Rolodex compare within a few per cent where the HTTP benchmark drifts by tens;
what it leaves out (HTTP parsing, sockets) is the ceiling's share, the same for every build.
"""

from __future__ import annotations

import sys
from pathlib import Path

# As in run.py: the harness imports itself as the ``benchmarks`` package from the project root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from contextlib import closing  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import fill  # noqa: E402
from rolodex.http.app import create_app  # noqa: E402
from rolodex.http.asgi import settle_heap  # noqa: E402
from rolodex.settings import Settings  # noqa: E402
from rolodex.store import open_store  # noqa: E402

API_KEY = "sk_test_inprocessbenchmark0000001"
OPERATIONS = ("retrieve", "update", "list", "create")
_WARM_REQUESTS = 200


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--customers", type=int, nargs="+", default=[1000])
    add("--op", choices=OPERATIONS, default="update")
    add("--requests", type=int, default=20_000, help="requests per run")
    add("--concurrency", type=int, default=32, help="requests in flight at once")
    add("--repeat", type=int, default=3, help="runs per customer count")
    add(
        "--template",
        type=Path,
        help="a file already filled with this script's key (as instructions.py fills it): "
        "run on copies of it, instead of filling one per --customers count",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="rolodex-inprocess-"))
    try:
        for template, ids in _templates(args, workdir):
            runs = [
                asyncio.run(_run(template, workdir / "run.db", ids, args))
                for _ in range(max(1, args.repeat))
            ]
            count = len(ids)
            for wall, cpu in runs:
                print(f"n={count:,} {args.op}: wall {wall:.1f} µs/request, cpu {cpu:.1f}")
            walls, cpus = zip(*runs, strict=True)
            print(
                f"n={count:,} {args.op} median of {len(runs)}: wall "
                f"{statistics.median(walls):.1f} µs/request, cpu {statistics.median(cpus):.1f}"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _templates(args: argparse.Namespace, workdir: Path) -> Iterator[tuple[Path, list[str]]]:
    """Each filled file to run on, with the ids of its customers."""
    if args.template is not None:
        yield args.template, filled_ids(args.template)
        return
    for count in args.customers:
        template = workdir / f"n{count}.db"
        yield template, fill.fill(f"sqlite:///{template}", API_KEY, count).ids


def filled_ids(template: Path) -> list[str]:
    """The ids of the live customers in a filled file, oldest first."""
    with closing(sqlite3.connect(template)) as db:
        rows = db.execute("SELECT id FROM customers WHERE NOT deleted ORDER BY created_us, id")
        return [id for (id,) in rows]


async def _run(
    template: Path, database: Path, ids: list[str], args: argparse.Namespace
) -> tuple[float, float]:
    """One run on a fresh copy of ``template``: (wall, CPU) microseconds per request."""
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(template, database)
    store = open_store(f"sqlite:///{database}")
    app = create_app(Settings(), store, migrate=False)
    requests = _Requests(args.op, ids)
    try:
        for _ in range(_WARM_REQUESTS):
            await _send(app, requests.next())
        settle_heap()  # as ``rolodex serve`` does once started, so collections cost the same
        per_task = max(1, args.requests // args.concurrency)

        async def task() -> None:
            for _ in range(per_task):
                await _send(app, requests.next())

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(task() for _ in range(args.concurrency)))
        done = per_task * args.concurrency
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await store.close()
    return 1e6 * wall / done, 1e6 * cpu / done


class _Requests:
    """The requests ``lua/drive.lua`` makes: (method, path, form body)."""

    def __init__(self, op: str, ids: list[str]) -> None:
        self._op = op
        self._ids = ids
        self._random = random.Random(0)
        self._sent = 0

    def next(self) -> tuple[str, str, bytes]:
        self._sent += 1
        tag = str(self._sent)
        if self._op == "retrieve":
            return "GET", "/v1/customers/" + self._random.choice(self._ids), b""
        if self._op == "update":
            body = f"name=Renamed+{tag}&metadata%5Btier%5D=t{tag}"
            return "POST", "/v1/customers/" + self._random.choice(self._ids), body.encode()
        if self._op == "create":
            body = f"email=bench-{tag}%40example.com&name=Bench+{tag}&metadata%5Bplan%5D=pro"
            return "POST", "/v1/customers", body.encode()
        return "GET", "/v1/customers", b""


async def _send(app: Any, request: tuple[str, str, bytes]) -> None:
    method, path, body = request
    headers = [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {API_KEY}".encode())]
    if body:
        headers += [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the app never reads past the body; waiting is what a client does
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [200]:
        raise RuntimeError(f"{method} {path} answered {statuses}")


if __name__ == "__main__":
    sys.exit(main())
