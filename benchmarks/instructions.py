"""Compare two builds of Rolodex by the instructions one request costs, counted by valgrind.

    python benchmarks/instructions.py --base HEAD~1 --customers 100000 --op update

Why: on a host whose speed drifts by tens of per cent within minutes, neither ``run.py`` nor
``ab.py`` can tell a change of a few per cent from the drift, and ``inprocess.py``'s CPU time
drifts as well. ``valgrind --tool=callgrind`` counts the instructions a process executes,
whatever else the host is doing, so a change of one per cent shows as one per cent.

How: each build fills its own file with its own code (as ``ab.py`` does: ``--base`` is built
as ``pip install`` builds it), then runs ``inprocess.py`` on copies of that file under
callgrind, ``--repeat`` times with ``--baseline`` requests and as often with ``--requests``.
The median count of the larger runs less that of the smaller, over the requests between them,
is what one request costs, start-up and warm-up left out. The runs go two at a time
(callgrind's counts do not depend on what runs beside them). The fill leaves the full-text
queue empty, and a run of the default 4,000 requests (with ``inprocess.py``'s 200 warm-up
writes) applies it once, when it reaches ``text_index.QUEUE_LENGTH`` (4,096) changes: about
the share of that cost per update that a server pays under a steady stream of updates.

What it cannot see: the time a system call spends in the kernel, and cache misses. A change
that saves those (fewer pages written, a shallower B-tree walk) saves more time than its count
shows, and one that adds them costs more. And batches of writes form as the threads happen to
be scheduled, and the store's timers fire on valgrind's slowed clock, so two runs of one build
differ a little, and now and then one runs long: the report shows every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

# As in run.py: the harness imports itself as the ``benchmarks`` package from the project root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from benchmarks.ab import Build, base_source  # noqa: E402
from benchmarks.fill import fill_with  # noqa: E402
from benchmarks.inprocess import API_KEY, OPERATIONS  # noqa: E402
from benchmarks.processes import ROOT, child_env  # noqa: E402

CONCURRENCY = 32
"""Requests in flight at once in each run, as in ``inprocess.py``."""


@dataclass(frozen=True)
class Run:
    """One run of ``inprocess.py`` under callgrind."""

    build: Build
    requests: int
    """As ``inprocess.py`` sends them: a whole number per task, so a multiple of
    ``CONCURRENCY``."""


@dataclass(frozen=True)
class Counted:
    run: Run
    instructions: int


def sent(requests: int) -> int:
    """How many requests ``inprocess.py`` sends when asked for ``requests``."""
    return max(1, requests // CONCURRENCY) * CONCURRENCY


def per_request(counts: Sequence[Counted]) -> float:
    """The instructions one request costs, from one build's runs of two sizes: what the median
    larger run executed beyond the median smaller one, over the requests between them.

    Medians, because a run now and then executes more than its like (the store's timers, as
    its wait for a quiet moment to apply the full-text queue, fire on valgrind's slowed clock).
    """
    sizes = sorted({c.run.requests for c in counts})
    if len(sizes) != 2:
        raise ValueError(f"runs of two sizes are needed, not {len(sizes)}")
    small, large = (
        statistics.median(c.instructions for c in counts if c.run.requests == size)
        for size in sizes
    )
    return (large - small) / (sizes[1] - sizes[0])


_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)\s*$", re.MULTILINE)


def collected(stderr: str) -> int:
    """The instructions callgrind reports having counted, from its summary on stderr."""
    found = _COLLECTED.findall(stderr)
    if len(found) != 1:
        raise RuntimeError(f"callgrind reported {len(found)} counts, not one:\n{stderr[-2000:]}")
    return int(found[0])


def command(run: Run, template: Path, op: str) -> list[str]:
    """``inprocess.py`` on a copy of ``template``, under callgrind (its profile discarded: only
    the count it prints is read)."""
    return [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={os.devnull}",
        sys.executable, str(ROOT / "benchmarks" / "inprocess.py"),
        "--template", str(template),
        "--op", op,
        "--requests", str(run.requests),
        "--concurrency", str(CONCURRENCY),
        "--repeat", "1",
    ]  # fmt: skip


def count(run: Run, template: Path, op: str) -> Counted:
    done = subprocess.run(
        command(run, template, op),
        env=child_env(run.build.source),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{run.build.label}'s run failed:\n{done.stderr[-2000:]}")
    return Counted(run, collected(done.stderr))


def report(counts: Sequence[Counted], command_line: str, op: str) -> str:
    """Each run's count, each build's instructions per request, and this build's against the
    base's."""
    lines = [
        "# Rolodex instructions per request",
        "",
        f"Command: `{command_line}`",
        "",
        f"`inprocess.py --op {op}` under `valgrind --tool=callgrind`, {CONCURRENCY} requests "
        "in flight. Per request: (median count of the larger runs - median count of the "
        "smaller) / (requests between them).",
        "",
        "| build | requests | instructions |",
        "|---|---|---|",
    ]
    lines += [
        f"| {c.run.build.label} | {c.run.requests:,} | {c.instructions:,} |"
        for c in sorted(counts, key=lambda c: (c.run.build.label != "this", c.run.requests))
    ]
    lines += ["", "| build | instructions per request |", "|---|---|"]
    figures: dict[str, float] = {}
    for label in dict.fromkeys(c.run.build.label for c in counts):
        figures[label] = per_request([c for c in counts if c.run.build.label == label])
        lines.append(f"| {label} | {figures[label]:,.0f} |")
    if {"this", "base"} <= figures.keys():
        ratio = figures["this"] / figures["base"]
        lines += ["", f"This build's instructions per request over the base's: **{ratio:.3f}**"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="a git revision of this repository")
    which.add_argument("--base-path", type=Path, help="another checkout of Rolodex")
    add("--op", choices=OPERATIONS, default="update")
    add("--customers", type=int, default=100_000)
    add("--requests", type=int, default=4_000, help="requests of each measured run")
    add("--baseline", type=int, default=CONCURRENCY, help="requests of each baseline run")
    add("--repeat", type=int, default=2, help="runs of each size per build")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian's package valgrind)")
    if sent(args.requests) <= sent(args.baseline):
        parser.error("--requests must be at least one task's worth above --baseline")
    workdir = Path(tempfile.mkdtemp(prefix="rolodex-instructions-"))
    try:
        with base_source(args, workdir) as base:
            builds = (Build("this", ROOT / "src"), Build("base", base))
            runs = [
                Run(build, sent(requests))
                for build in builds
                for requests in (args.baseline, args.requests)
                for _ in range(max(1, args.repeat))
            ]
            templates = {build.label: _filled(build, args.customers, workdir) for build in builds}
            with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
                counts = list(
                    pool.map(lambda run: count(run, templates[run.build.label], args.op), runs)
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(counts, " ".join(sys.argv), args.op))
    return 0


def _filled(build: Build, customers: int, workdir: Path) -> Path:
    """The build's own file, filled with its own code under ``inprocess.py``'s key."""
    print(f"filling {customers:,} customers with {build.label}'s code ...", file=sys.stderr)
    template = workdir / f"{build.label}.db"
    fill_with(build.source, f"sqlite:///{template}", API_KEY, customers)
    return template


if __name__ == "__main__":
    sys.exit(main())
