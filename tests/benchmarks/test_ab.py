"""The A/B comparison: which build runs first in each pair, what the report concludes, and
that a launched child imports the build it was given rather than the installed one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.ab import Build, Pair, order, report
from benchmarks.load import Measured
from benchmarks.processes import ROOT, python_path

THIS, BASE = Build("this", Path("/this/src")), Build("base", Path("/base/src"))


def _rate(rps: float, busy: float | None = None, p99_ms: float = 2.0) -> Measured:
    return Measured(
        requests=round(rps * 4), seconds=4.0, p50_ms=1.0, p99_ms=p99_ms, errors=0, server_busy=busy
    )


def test_the_builds_take_turns_going_first() -> None:
    firsts = [order(number, (THIS, BASE))[0] for number in range(4)]
    assert firsts == [THIS, BASE, THIS, BASE]
    assert set(order(1, (THIS, BASE))) == {THIS, BASE}


def test_the_report_gives_each_pair_and_the_median_ratio_per_operation() -> None:
    ceiling = _rate(40_000)
    pairs = [
        Pair("retrieve", 0, ceiling, this=_rate(20_000, 0.98), base=_rate(16_000, 0.9, 3.5)),
        Pair("retrieve", 1, ceiling, this=_rate(18_000, p99_ms=1.5), base=_rate(20_000)),
        Pair("retrieve", 2, ceiling, this=_rate(21_000), base=_rate(20_000, p99_ms=4.0)),
        Pair("update", 0, ceiling, this=_rate(4_000), base=_rate(4_000)),
    ]
    text = report(pairs, "ab.py --base HEAD~1", "HEAD~1", 32)
    assert (
        "| retrieve | 1 | 40,000 | 20,000 | 50.0% | 98% | 2.00 | 16,000 | 40.0% | 90% | 3.50 "
        "| 1.250 |" in text
    )
    assert (
        "| retrieve | 2 | 40,000 | 18,000 | 45.0% | - | 1.50 | 20,000 | 50.0% | - | 2.00 "
        "| 0.900 |" in text
    )
    assert "| retrieve | 1.050 | 2 of 3 | 2.00 / 3.50 |" in text  # ratios 1.25, 0.9, 1.05
    assert "| update | 1.000 | 0 of 1 | 2.00 / 2.00 |" in text


def test_a_child_imports_the_build_it_is_given(tmp_path: Path) -> None:
    """Ahead of the installed package, which would otherwise be measured twice."""
    package = tmp_path / "src" / "rolodex"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONPATH": python_path(tmp_path / "src")}
    done = subprocess.run(
        [sys.executable, "-c", "import rolodex, benchmarks; print(rolodex.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == package / "__init__.py"


def test_the_path_puts_the_build_first_then_the_project_then_what_was_there() -> None:
    assert python_path(Path("/b/src"), "/x").split(os.pathsep) == ["/b/src", str(ROOT), "/x"]
    assert python_path(None).split(os.pathsep) == [str(ROOT)]
