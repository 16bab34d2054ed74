"""Compare two builds of Rolodex over HTTP, in interleaved runs on the same host.

    python benchmarks/ab.py --base HEAD~1 --ops retrieve update --customers 1000 --pairs 3

On a host whose speed drifts by tens of per cent within minutes, two ``run.py`` reports taken
one after the other cannot tell a change of a few per cent from the drift. This script puts
both builds side by side instead: the working tree ("this") and ``--base`` (a git revision,
checked out in a throw-away worktree and built as ``pip install`` builds it, its modules
compiled if its build compiles any, or ``--base-path``, any checkout, run as it is). Each
build fills its own SQLite file with its own code (so each has its own schema), and the two
servers and one ceiling run together on CPU 0, wrk on CPU 1. For every operation, each pair
of runs measures the ceiling, then both builds, the order swapped from one pair to the next,
so a drift favours neither. It prints every pair and, per operation, the median ratio of this
build's rate to the base's.

The fill runs the working tree's ``benchmarks/fill.py`` on the base's ``rolodex`` package, so
the base must be recent enough to share the fill's imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ itself on the path; the harness imports itself as
# the ``benchmarks`` package from the project root (as ``run.py`` does).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import zipfile  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402

from benchmarks import load  # noqa: E402
from benchmarks.bench import check_answers, read_ids  # noqa: E402
from benchmarks.fill import fill_with  # noqa: E402
from benchmarks.load import CLIENT_CPU, SERVER_CPU, Cell, Measured, run_wrk  # noqa: E402
from benchmarks.processes import (  # noqa: E402
    ROOT,
    ceiling_launch,
    free_port,
    rolodex_launch,
    running,
)


@dataclass(frozen=True)
class Build:
    label: str
    source: Path
    """The directory holding its ``rolodex`` package (a checkout's ``src``)."""


@dataclass(frozen=True)
class Pair:
    """One pair of runs of an operation: the ceiling, then both builds."""

    op: str
    number: int
    ceiling: Measured
    this: Measured
    base: Measured

    @property
    def ratio(self) -> float:
        return self.this.rps / self.base.rps if self.base.rps else 0.0


def order(number: int, builds: tuple[Build, Build]) -> tuple[Build, Build]:
    """The builds in the order pair ``number`` runs them: swapped every other pair."""
    return builds if number % 2 == 0 else (builds[1], builds[0])


def report(pairs: Sequence[Pair], command: str, base: str, connections: int) -> str:
    lines = [
        "# Rolodex A/B",
        "",
        f"Command: `{command}` (base: `{base}`)",
        "",
        f"{connections} connections; the servers on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU};"
        " each share is of the ceiling measured right before its pair; busy: the share of its"
        " run the build's server process spent on the CPU.",
        "",
        "| operation | pair | ceiling req/s | this req/s | this % | this busy | this p99 ms | "
        "base req/s | base % | base busy | base p99 ms | this / base |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        this, base = pair.this, pair.base
        lines.append(
            f"| {pair.op} | {pair.number + 1} | {pair.ceiling.rps:,.0f} | "
            f"{this.rps:,.0f} | {_share(this, pair.ceiling)} | {_busy(this)} | {this.p99_ms:.2f} | "
            f"{base.rps:,.0f} | {_share(base, pair.ceiling)} | {_busy(base)} | {base.p99_ms:.2f} | "
            f"{pair.ratio:.3f} |"
        )
    lines += [
        "",
        "| operation | median this / base | pairs this build won | median p99 ms, this / base |",
        "|---|---|---|---|",
    ]
    for op in dict.fromkeys(pair.op for pair in pairs):
        mine = [pair for pair in pairs if pair.op == op]
        ratios = [pair.ratio for pair in mine]
        won = sum(ratio > 1 for ratio in ratios)
        this_p99 = statistics.median(pair.this.p99_ms for pair in mine)
        base_p99 = statistics.median(pair.base.p99_ms for pair in mine)
        lines.append(
            f"| {op} | {statistics.median(ratios):.3f} | {won} of {len(ratios)} | "
            f"{this_p99:.2f} / {base_p99:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _busy(measured: Measured) -> str:
    return "-" if measured.server_busy is None else f"{100 * measured.server_busy:.0f}%"


def _share(measured: Measured, ceiling: Measured) -> str:
    return f"{100 * measured.rps / ceiling.rps:.1f}%" if ceiling.rps else "-"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", help="a git revision of this repository")
    base.add_argument("--base-path", type=Path, help="another checkout of Rolodex")
    add = parser.add_argument
    add("--ops", nargs="+", choices=load.OPERATIONS, default=["retrieve", "update"])
    add("--customers", type=int, default=1000)
    add("--pairs", type=int, default=3, help="pairs of runs per operation")
    add("--connections", type=int, default=32)
    add("--duration", type=float, default=4.0, help="seconds per run")
    add("--warmup", type=float, default=1.0, help="seconds of warm-up per build and operation")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not load.wrk_path():
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs two CPUs: one for the servers, one for wrk")
    workdir = Path(tempfile.mkdtemp(prefix="rolodex-ab-"))
    try:
        with base_source(args, workdir) as base:
            builds = (Build("this", ROOT / "src"), Build("base", base))
            pairs = _compare(args, builds, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    base = args.base or str(args.base_path)
    print(report(pairs, " ".join(sys.argv), base, args.connections))
    return 0


@contextmanager
def base_source(args: argparse.Namespace, workdir: Path) -> Iterator[Path]:
    """The directory holding the base's ``rolodex`` package: ``--base-path``'s ``src`` as it
    is, or ``--base`` built as ``pip install`` builds it (its wheel, with whatever modules its
    build compiles) and unpacked."""
    if args.base_path is not None:
        yield args.base_path.resolve() / "src"
        return
    tree = workdir / "base"
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(tree), args.base], check=True)
    try:
        wheels = workdir / "wheels"
        pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels)]
        subprocess.run([*pip, str(tree)], check=True)
        installed = workdir / "base-installed"
        with zipfile.ZipFile(next(wheels.glob("rolodex-*.whl"))) as wheel:
            wheel.extractall(installed)
        yield installed
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False)


def _compare(args: argparse.Namespace, builds: tuple[Build, Build], workdir: Path) -> list[Pair]:
    api_key = f"sk_test_ab{uuid.uuid4().hex}"
    ids = {build.label: _filled(build, args.customers, api_key, workdir) for build in builds}
    launches = [
        rolodex_launch(
            f"sqlite:///{workdir / build.label}.db",
            free_port(),
            1,
            workdir / f"{build.label}.log",
            source=build.source,
        )
        for build in builds
    ]
    launches.append(ceiling_launch(free_port(), 1, workdir / "ceiling.log"))
    pairs: list[Pair] = []
    with running(launches, SERVER_CPU) as started:
        labels = [build.label for build in builds] + ["ceiling"]
        server = dict(zip(labels, started, strict=True))

        def cell(label: str, op: str, connections: int) -> Cell:
            return Cell(op, connections, (server[label].port,), api_key, ids.get(label))

        def busy_run(label: str, op: str) -> Measured:
            """A run of ``label``'s server, with the share of it that server was busy."""
            cpu, start = server[label].cpu_seconds(), time.monotonic()
            measured = run_wrk(cell(label, op, args.connections), args.duration, CLIENT_CPU)
            busy = (server[label].cpu_seconds() - cpu) / (time.monotonic() - start)
            return replace(measured, server_busy=busy)

        for op in args.ops:
            for build in builds:
                check_answers(cell(build.label, op, 1), read_ids(ids[build.label]))
                run_wrk(cell(build.label, op, args.connections), args.warmup, CLIENT_CPU)
            for number in range(args.pairs):
                ceiling = run_wrk(
                    cell("ceiling", "ceiling", args.connections), args.duration, CLIENT_CPU
                )
                measured = {
                    build.label: busy_run(build.label, op) for build in order(number, builds)
                }
                pair = Pair(op, number, ceiling, measured["this"], measured["base"])
                print(f"  {op} pair {number + 1}: this/base {pair.ratio:.3f}", file=sys.stderr)
                pairs.append(pair)
    return pairs


def _filled(build: Build, count: int, api_key: str, workdir: Path) -> Path:
    """Fill the build's own file with its own code; the ids file wrk picks from."""
    print(f"filling {count:,} customers with {build.label}'s code ...", file=sys.stderr)
    filled = fill_with(build.source, f"sqlite:///{workdir / build.label}.db", api_key, count)
    return load.write_ids(filled, workdir / f"ids-{build.label}.lua")


if __name__ == "__main__":
    sys.exit(main())
