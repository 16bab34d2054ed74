"""The instruction-count comparison: the arithmetic of a request's cost, reading callgrind's
count, and the report's conclusion."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from benchmarks.ab import Build
from benchmarks.instructions import (
    CONCURRENCY,
    Counted,
    Run,
    collected,
    command,
    per_request,
    report,
    sent,
)

THIS, BASE = Build("this", Path("/this/src")), Build("base", Path("/base/src"))


def test_a_run_sends_a_whole_number_of_requests_per_task() -> None:
    assert CONCURRENCY == 32
    assert sent(3_000) == 2_976
    assert sent(32) == 32
    assert sent(5) == 32  # at least one per task


def test_a_request_costs_what_the_larger_runs_executed_beyond_the_smaller() -> None:
    counts = [
        Counted(Run(THIS, 32), 2_000_000_000),
        Counted(Run(THIS, 32), 2_100_000_000),  # one ran long: the median of two is between
        Counted(Run(THIS, 2_976), 4_060_800_000),
        Counted(Run(THIS, 2_976), 4_060_800_000),
    ]
    assert per_request(counts) == (4_060_800_000 - 2_050_000_000) / 2_944
    with pytest.raises(ValueError, match="two sizes"):
        per_request(counts[:2])


def test_the_count_is_read_from_what_callgrind_itself_prints() -> None:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "true"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert collected(done.stderr) > 0
    with pytest.raises(RuntimeError, match="0 counts"):
        collected("==1== Events    : Ir\n")


def test_each_run_is_the_in_process_driver_under_callgrind_on_a_copy_of_the_file() -> None:
    argv = command(Run(BASE, 2_976), Path("/work/base.db"), "update")
    assert argv[:2] == ["valgrind", "--tool=callgrind"]
    assert argv[argv.index("--template") + 1] == "/work/base.db"
    assert argv[argv.index("--requests") + 1] == "2976"
    assert argv[argv.index("--concurrency") + 1] == str(CONCURRENCY)
    assert argv[argv.index("--repeat") + 1] == "1"


def test_the_report_gives_each_run_and_this_builds_cost_over_the_bases() -> None:
    counts = [
        Counted(Run(THIS, 2_976), 1_000_000 + 2_944 * 690),
        Counted(Run(THIS, 32), 1_000_000),
        Counted(Run(THIS, 2_976), 1_000_000 + 2_944 * 710),
        Counted(Run(BASE, 32), 2_000_000),
        Counted(Run(BASE, 2_976), 2_000_000 + 2_944 * 800),
    ]
    text = report(counts, "instructions.py --base HEAD~1", "update")
    rows = [line for line in text.splitlines() if line.startswith(("| this", "| base"))]
    assert rows == [
        "| this | 32 | 1,000,000 |",
        "| this | 2,976 | 3,031,360 |",
        "| this | 2,976 | 3,090,240 |",
        "| base | 32 | 2,000,000 |",
        "| base | 2,976 | 4,355,200 |",
        "| this | 700 |",
        "| base | 800 |",
    ]
    assert "This build's instructions per request over the base's: **0.875**" in text
