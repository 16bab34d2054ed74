"""How much work of its own an endpoint may do and still reach a share of the ceiling.

    python benchmarks/budget.py --work-us 0 10 20 30 40 60 80 100 120

Serves the ceiling's trivial endpoint (``ceiling.py``) as it is, and again made to keep the
CPU busy for each ``--work-us`` before it answers, and drives each at 32 connections as
``run.py`` drives Rolodex (server pinned to CPU 0, wrk to CPU 1). It prints requests/s and
the share of the plain endpoint's rate, measured right before each.

Why: the share falls faster than the work alone explains. A server that keeps its client
waiting makes the kernel wake the client for each response, which a server as fast as the
client never pays for; on this machine that cost an endpoint busy for 60 µs about 13 µs more
system time per request than the plain one. So a target share of the ceiling is a budget of
microseconds of work, and this measures it: whatever Rolodex does per request
(authentication, decoding, SQLite, rendering) must fit in the budget of its target.
"""

from __future__ import annotations

import sys
from pathlib import Path

# As in run.py: the harness imports itself as the ``benchmarks`` package from the project root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from benchmarks.load import CLIENT_CPU, SERVER_CPU, Cell, run_wrk, wrk_path  # noqa: E402
from benchmarks.processes import ceiling_launch, free_port, running  # noqa: E402

CONNECTIONS = 32


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--work-us", type=float, nargs="+", default=[0, 10, 20, 30, 40, 60, 80, 100, 120])
    add("--duration", type=float, default=4, help="seconds measured per cell")
    add("--repeat", type=int, default=3, help="runs per work figure; the median is shown")
    args = parser.parse_args(argv)
    if wrk_path() is None:
        print("budget.py needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="rolodex-budget-"))
    try:
        print("| work µs/request | req/s | % of ceiling |")
        print("|---|---|---|")
        for work_us in args.work_us:
            runs = [_share(work_us, args.duration, workdir) for _ in range(max(1, args.repeat))]
            rate = statistics.median(rps for rps, _ in runs)
            share = statistics.median(share for _, share in runs)
            print(f"| {work_us:g} | {rate:,.0f} | {100 * share:.0f}% |", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _share(work_us: float, seconds: float, workdir: Path) -> tuple[float, float]:
    """Requests/s of the endpoint doing ``work_us``, and its share of the plain endpoint's."""
    plain, busy = free_port(), free_port()
    launches = [
        ceiling_launch(plain, 1, workdir / "plain.log"),
        ceiling_launch(busy, 1, workdir / "busy.log", work_us=work_us),
    ]
    with running(launches, SERVER_CPU):
        ceiling = _rate(plain, seconds)
        rate = _rate(busy, seconds)
    return rate, rate / ceiling


def _rate(port: int, seconds: float) -> float:
    cell = Cell(op="ceiling", connections=CONNECTIONS, ports=(port,), api_key="")
    run_wrk(cell, 1, CLIENT_CPU)  # warm-up
    return run_wrk(cell, seconds, CLIENT_CPU).rps


if __name__ == "__main__":
    sys.exit(main())
