"""Measure Rolodex: requests/s and p50/p99 per operation, next to a trivial-endpoint ceiling.

    python benchmarks/run.py --customers 1000 100000
    python benchmarks/run.py --database postgresql://postgres@127.0.0.1:5432/postgres \\
        --processes 1 2 --customers 100000
    python benchmarks/run.py --customers 1000 --vs-localstripe

Everything it starts (servers, databases, files) lives for the run only and listens on
127.0.0.1. The report (markdown) goes to stdout, progress to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ itself on the path; the harness imports itself
# (and the ceiling's workers import it) as the ``benchmarks`` package from the project root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from benchmarks import summary  # noqa: E402
from benchmarks.bench import Bench, Plan  # noqa: E402
from benchmarks.load import wrk_path  # noqa: E402


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--customers", type=int, nargs="+", default=[1000, 100_000], help="customer counts")
    add(
        "--database",
        action="append",
        help="sqlite (default) or a PostgreSQL server URL; "
        "throw-away databases are made on that server. Repeat to compare.",
    )
    add("--processes", type=int, nargs="+", default=[1], help="rolodex serve processes")
    add("--workers", type=int, default=1, help="uvicorn workers per process")
    add("--connections", type=int, nargs="+", default=[1, 32])
    add("--duration", type=float, default=8.0, help="seconds measured per cell")
    add("--warmup", type=float, default=2.0, help="seconds of warm-up per operation")
    add(
        "--repeat",
        type=int,
        default=1,
        help=(
            "measure every cell this many times, for noisy hosts: Rolodex's cells in pairs "
            "with a run of the ceiling right before, the pair of median share reported; "
            "others, the median run"
        ),
    )
    add("--vs-localstripe", action="store_true", help="also measure localstripe")
    add(
        "--localstripe-customers",
        type=int,
        default=1000,
        help="most customers to fill localstripe with (it slows with every write)",
    )
    add("--no-pin", action="store_true", help="do not pin server and load generator to CPUs")
    add("--driver", choices=("auto", "wrk", "python"), default="auto")
    add("--workdir", type=Path, help="where databases and logs go (default: a temp dir)")
    add("--json", type=Path, help="also write every measured cell here")
    return parser.parse_args(argv)  # fmt: skip


def plan_of(args: argparse.Namespace) -> Plan:
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if wrk_path() else "python"
    if driver == "wrk" and not wrk_path():
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --driver python")
    return Plan(
        customers=sorted(args.customers),
        databases=args.database or ["sqlite"],
        processes=args.processes,
        workers=args.workers,
        connections=sorted(args.connections),
        seconds=args.duration,
        warmup=args.warmup,
        repeats=max(1, args.repeat),
        versus=args.vs_localstripe,
        versus_customers=args.localstripe_customers,
        pin=not args.no_pin,
        driver=driver,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = plan_of(args)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rolodex-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    context = summary.Context.observe(plan, workdir, sys.argv)
    bench = Bench(plan, workdir)
    try:
        rows = bench.run()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(summary.render(context, rows, bench.fill_seconds, plan))
    if args.json:
        args.json.write_text(json.dumps([row.as_json() for row in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
