"""The benchmark run: ceilings, then every database, customer count and process count."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import fill, versus
from benchmarks.databases import Databases, databases
from benchmarks.load import (
    CLIENT_CPU,
    IDS_SAMPLE,
    OPERATIONS,
    SERVER_CPU,
    Cell,
    Measured,
    run_wrk,
    write_ids,
)
from benchmarks.processes import (
    Launch,
    ceiling_launch,
    free_port,
    rolodex_launch,
    running,
)
from benchmarks.pyload import request_for, run_python
from benchmarks.report import Row, median_pair


@dataclass(frozen=True)
class Plan:
    customers: list[int]
    databases: list[str]
    """Servers to run on: ``sqlite`` (files in the work directory) or PostgreSQL URLs."""
    processes: list[int]
    workers: int
    connections: list[int]
    seconds: float
    warmup: float
    versus: bool
    versus_customers: int
    pin: bool
    driver: str
    """``wrk`` or ``python``."""
    ids_sample: int = IDS_SAMPLE
    repeats: int = 1
    """Runs per cell: of Rolodex's, each after a run of the ceiling, the pair with the median
    share is reported; of others, the run with the median throughput."""


@dataclass(frozen=True)
class Setup:
    """What is being measured: which server, on what, with how many customers, where."""

    server: str
    database: str
    processes: int
    customers: int
    ports: tuple[int, ...]
    ids_file: Path | None = None


class Bench:
    def __init__(self, plan: Plan, workdir: Path) -> None:
        self.plan = plan
        self.workdir = workdir
        self.api_key = f"sk_test_bench{uuid.uuid4().hex}"
        self.rows: list[Row] = []
        self.fill_seconds: dict[tuple[str, int], float] = {}

    def run(self) -> list[Row]:
        for server in self.plan.databases:
            with databases(server, self.workdir) as made:
                for count in self.plan.customers:
                    self._rolodex(made, count)
        if self.plan.versus:
            capped = {min(count, self.plan.versus_customers) for count in self.plan.customers}
            for count in sorted(capped):
                self._versus(count)
        return self.rows

    def server_cpus(self, processes: int) -> str | None:
        """One process (and one worker) is pinned to CPU 0, the load generator to CPU 1."""
        return SERVER_CPU if self._pinned(processes) else None

    def client_cpus(self, processes: int) -> str | None:
        return CLIENT_CPU if self._pinned(processes) else None

    def _pinned(self, processes: int) -> bool:
        return self.plan.pin and processes * self.plan.workers == 1 and (os.cpu_count() or 1) > 1

    def _ceilings(self, processes: int) -> list[Launch]:
        return [
            ceiling_launch(free_port(), self.plan.workers, self._log("ceiling"))
            for _ in range(processes)
        ]

    def _rolodex(self, made: Databases, count: int) -> None:
        template = made.new_url(f"n{count}")
        _say(f"filling {count:,} customers into {made.backend} ...")
        filled = fill.fill(template, self.api_key, count)
        self.fill_seconds[(made.backend, count)] = filled.seconds
        _say(f"filled in {filled.seconds:.1f} s")
        ids_file = self._ids_file(filled.ids, f"{made.backend}-{count}")
        for processes in self.plan.processes:
            url = made.copy(template, f"n{count}_p{processes}")
            launches = [
                rolodex_launch(url, free_port(), self.plan.workers, self._log("rolodex"))
                for _ in range(processes)
            ]
            launches += self._ceilings(processes)
            with running(launches, self.server_cpus(processes)) as servers:
                ports = [server.port for server in servers]
                served, ceiling = tuple(ports[:processes]), tuple(ports[processes:])
                setup = Setup("rolodex", made.backend, processes, count, served, ids_file)
                for op in OPERATIONS:
                    self._against_ceiling(Setup("ceiling", "-", processes, 0, ceiling), setup, op)
            made.drop(url)
        made.drop(template)

    def _versus(self, count: int) -> None:
        log = self._log(versus.PACKAGE)
        executable = versus.ensure_installed(log)
        launch: Launch = versus.launch(executable, free_port(), log, self.workdir)
        with (
            versus.pickle_set_aside(self.workdir),
            running([launch], self.server_cpus(1)) as servers,
        ):
            port = servers[0].port
            _say(f"filling {count:,} customers into {versus.PACKAGE} over HTTP ...")
            ids, seconds = versus.fill_over_http(port, self.api_key, count)
            self.fill_seconds[(versus.PACKAGE, count)] = seconds
            ids_file = self._ids_file(ids, f"{versus.PACKAGE}-{count}")
            self._measure(Setup(versus.PACKAGE, "memory", 1, count, (port,), ids_file))

    def _measure(self, setup: Setup, ops: Sequence[str] = OPERATIONS) -> None:
        for op in ops:
            self._prepare(setup, op)
            for connections in self.plan.connections:
                cell = self._cell(setup, op, connections)
                self._record(setup, op, connections, self._drive(cell, self.plan.seconds))

    def _against_ceiling(self, ceiling: Setup, setup: Setup, op: str) -> None:
        """Each run of ``op`` right after a run of the ceiling on the same CPUs (its server
        idles meanwhile), and of ``plan.repeats`` such pairs the one whose share is the median
        reported: on a host whose speed drifts by tens of per cent from minute to minute, the
        share of two runs made seconds apart moves far less than either rate."""
        self._prepare(ceiling, "ceiling")
        self._prepare(setup, op)
        for connections in self.plan.connections:
            top, measured = median_pair(
                [
                    (
                        self._drive_once(self._cell(ceiling, "ceiling", connections)),
                        self._drive_once(self._cell(setup, op, connections)),
                    )
                    for _ in range(self.plan.repeats)
                ]
            )
            self._record(ceiling, "ceiling", connections, top)
            self._record(setup, op, connections, measured)

    def _prepare(self, setup: Setup, op: str) -> None:
        """One request must succeed before load is driven; then the warm-up, if asked."""
        check_answers(self._cell(setup, op, 1), read_ids(setup.ids_file))
        if self.plan.warmup > 0:
            warm = self._cell(setup, op, max(self.plan.connections))
            self._drive(warm, self.plan.warmup, repeat=False)

    def _record(self, setup: Setup, op: str, connections: int, measured: Measured) -> None:
        row = Row(
            setup.server,
            setup.database,
            setup.processes,
            setup.customers,
            op,
            connections,
            measured,
        )
        self.rows.append(row)
        _say(_progress(row))

    def _cell(self, setup: Setup, op: str, connections: int) -> Cell:
        return Cell(op, connections, setup.ports, self.api_key, setup.ids_file)

    def _drive(self, cell: Cell, seconds: float, *, repeat: bool = True) -> Measured:
        """One run, or the run of median throughput among ``plan.repeats`` back-to-back runs:
        on a host whose speed drifts, one slow run then moves no figure."""
        runs = [self._drive_once(cell, seconds) for _ in range(self.plan.repeats if repeat else 1)]
        return sorted(runs, key=lambda run: run.rps)[len(runs) // 2]

    def _drive_once(self, cell: Cell, seconds: float | None = None) -> Measured:
        """One run of ``seconds`` (the plan's duration by default)."""
        seconds = self.plan.seconds if seconds is None else seconds
        if self.plan.driver == "wrk":
            # One port per process.
            return run_wrk(cell, seconds, self.client_cpus(len(cell.ports)))
        return run_python(cell, seconds, read_ids(cell.ids_file))

    def _ids_file(self, ids: Sequence[str], label: str) -> Path:
        """A random sample of the filled ids, for requests to pick from."""
        return write_ids(ids, self.workdir / f"ids-{label}.lua", self.plan.ids_sample)

    def _log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"


def read_ids(ids_file: Path | None) -> list[str]:
    """The ids back from the Lua table (one JSON string per line after the first)."""
    if ids_file is None:
        return []
    lines = ids_file.read_text().splitlines()[1:-1]
    return [line.rstrip(",").strip('"') for line in lines]


def check_answers(cell: Cell, ids: Sequence[str]) -> None:
    """One request of the cell's kind must succeed before any load is driven."""
    method, path, body = request_for(cell.op, ids, 0)
    data = None if body is None else urllib.parse.urlencode(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{cell.ports[0]}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {cell.api_key}"},
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as failure:
        detail = failure.read().decode(errors="replace")
        raise RuntimeError(f"{method} {path} answered {failure.code}: {detail}") from failure


def _progress(row: Row) -> str:
    m = row.measured
    return (
        f"  {row.server} {row.database} procs={row.processes} n={row.customers:,} "
        f"{row.op} c={row.connections}: {m.rps:,.0f} req/s, p50 {m.p50_ms:.2f} ms, "
        f"p99 {m.p99_ms:.2f} ms, errors {m.errors}"
    )


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
