"""The report's preamble (how and where it was measured) and the assembled markdown."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import fill, report, versus
from benchmarks.bench import Plan
from benchmarks.databases import backend_of, describe, filesystem_of
from benchmarks.load import LUA_SCRIPT, wrk_version
from benchmarks.processes import ROOT

QUIET_LOAD = 0.5
"""Above this one-minute load average before the run, the figures are flagged as noisy."""


@dataclass(frozen=True)
class Context:
    command: str
    cpu: str
    cores: int
    load: float
    commit: str
    driver: str
    filesystem: str

    @classmethod
    def observe(cls, plan: Plan, workdir: Path, argv: Sequence[str]) -> Context:
        driver = wrk_version() if plan.driver == "wrk" else "Python asyncio + httpx"
        return cls(
            command="python " + shlex.join(["benchmarks/run.py", *argv[1:]]),
            cpu=_cpu_model(),
            cores=os.cpu_count() or 1,
            load=os.getloadavg()[0],
            commit=_commit(),
            driver=driver,
            filesystem=filesystem_of(workdir),
        )


def render(
    context: Context,
    rows: Sequence[report.Row],
    fill_seconds: Mapping[tuple[str, int], float],
    plan: Plan,
) -> str:
    parts = ["# Rolodex benchmark", "", *preamble(context, plan, fill_seconds), ""]
    parts += ["## Results", "", report.results_table(rows), ""]
    setups = {(r.database, r.processes) for r in rows if r.server == "rolodex"}
    if len(setups) > 1:
        largest = max(plan.customers)
        parts += [f"## Side by side at {largest:,} customers", ""]
        parts += [report.side_by_side(rows, largest), ""]
    found = report.verdicts(rows, max(plan.connections))
    if found:
        parts += ["## Targets", "", report.verdict_table(found), ""]
    return "\n".join(parts)


def preamble(
    context: Context, plan: Plan, fill_seconds: Mapping[tuple[str, int], float]
) -> list[str]:
    noisy = (
        f" **Not quiet: figures are noisy** (load above {QUIET_LOAD} before the run)."
        if context.load > QUIET_LOAD
        else ""
    )
    lines = [
        f"Command: `{context.command}` (commit {context.commit})",
        "",
        f"- Machine: {context.cores} cores, {context.cpu}; "
        f"load average {context.load:.2f} at start.{noisy}",
        f"- Load generator: {_driver_line(context, plan)}",
        f"- Pinning: {_pinning_line(plan)}",
        f"- Cells: {', '.join(map(str, plan.connections))} connections, after "
        f"{plan.warmup:g} s of warm-up per operation; {_runs(plan)}; 127.0.0.1 only.",
        "- Servers: `rolodex serve --log-level warning` "
        f"(processes: {', '.join(map(str, plan.processes))}; {plan.workers} worker(s) each; "
        "load split evenly across processes); ceiling: `benchmarks/ceiling.py`, one trivial "
        "Starlette endpoint on uvicorn started the same way, beside them, and measured again "
        "right before each operation.",
        "- Operations: retrieve (random filled id), update (name and one metadata key of a "
        "random filled id), list (first page, 10), create (email, name, one metadata key).",
    ]
    lines += [f"- Database: {_database_line(server, context)}" for server in plan.databases]
    lines.append(f"- Fill: {fill.METHOD}; took {_fill_times(fill_seconds)}.")
    if plan.versus:
        lines.append(
            f"- {versus.PACKAGE}: its own virtual environment under {versus.cache_dir()}; "
            f"filled over HTTP with at most {plan.versus_customers:,} customers; keeps data "
            "in memory and rewrites a pickle file (no fsync) after each write."
        )
    return lines


def _driver_line(context: Context, plan: Plan) -> str:
    if plan.driver == "wrk":
        return f"{context.driver} with `{LUA_SCRIPT.relative_to(ROOT)}`, one thread per process"
    return (
        f"{context.driver} (wrk missing or --driver python). **Client-bound**: a Python "
        "client needs about as much CPU per request as the server, so these figures "
        "understate Rolodex."
    )


def _pinning_line(plan: Plan) -> str:
    if not plan.pin:
        return "none (--no-pin)."
    return (
        "single-process runs put the server on CPU 0 and the load generator on CPU 1 "
        "(taskset); runs with more processes or workers are not pinned. "
        "Database servers (PostgreSQL) are never pinned."
    )


def _database_line(server: str, context: Context) -> str:
    if backend_of(server) == "sqlite":
        return (
            f"SQLite files on {context.filesystem} in a temporary directory; WAL, "
            "synchronous=FULL (every commit is fsynced)."
        )
    return f"PostgreSQL at `{describe(server)}`, a throw-away database per run."


def _runs(plan: Plan) -> str:
    if plan.repeats == 1:
        return f"{plan.seconds:g} s each, each Rolodex run right after a run of the ceiling"
    return (
        f"the median of {plan.repeats} runs of {plan.seconds:g} s each; each Rolodex run "
        "right after a run of the ceiling, and of those pairs the one with the median share "
        "reported"
    )


def _fill_times(fill_seconds: Mapping[tuple[str, int], float]) -> str:
    return (
        ", ".join(
            f"{backend} {count:,}: {seconds:.1f} s"
            for (backend, count), seconds in fill_seconds.items()
        )
        or "nothing"
    )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return "unknown CPU"


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"
