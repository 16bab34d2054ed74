"""The harness end to end at a tiny size: every operation answers, none with an error.

Figures are not asserted (no timing in tests): only that each cell ran and succeeded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.fill import fill
from benchmarks.inprocess import API_KEY, filled_ids

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_measures_every_operation_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "cells.json"
    command = [
        sys.executable, str(ROOT / "benchmarks" / "run.py"),
        "--customers", "20", "--connections", "2", "--duration", "1", "--warmup", "0",
        "--repeat", "2",
        "--workdir", str(tmp_path / "work"), "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    cells = json.loads(out.read_text())
    ran = {(cell["server"], cell["op"]) for cell in cells}
    assert ran == {
        ("ceiling", "ceiling"),
        ("rolodex", "retrieve"),
        ("rolodex", "update"),
        ("rolodex", "list"),
        ("rolodex", "create"),
    }
    # The ceiling is measured again right before each operation.
    order = [cell["op"] for cell in cells]
    runs = [op for at, op in enumerate(order) if at == 0 or order[at - 1] != op]
    operations = ("retrieve", "update", "list", "create")
    assert runs == [step for op in operations for step in ("ceiling", op)]
    for cell in cells:
        assert cell["measured"]["requests"] > 0, cell
        assert cell["measured"]["errors"] == 0, cell
    assert "the median of 2 runs of 1 s each" in done.stdout
    assert "## Results" in done.stdout
    assert "## Targets" in done.stdout


def test_the_in_process_driver_reports_every_run_and_their_median() -> None:
    command = [
        sys.executable, str(ROOT / "benchmarks" / "inprocess.py"),
        "--customers", "20", "--op", "update", "--requests", "64", "--concurrency", "8",
        "--repeat", "2",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len([line for line in lines if line.startswith("n=20 update: wall")]) == 2
    assert lines[-1].startswith("n=20 update median of 2: wall")


def test_the_in_process_driver_runs_on_a_file_filled_beforehand(tmp_path: Path) -> None:
    """As ``instructions.py`` runs it: the customers to update are the file's own."""
    template = tmp_path / "filled.db"
    filled = fill(f"sqlite:///{template}", API_KEY, 20)
    assert filled_ids(template) == filled.ids
    command = [
        sys.executable, str(ROOT / "benchmarks" / "inprocess.py"),
        "--template", str(template), "--op", "update", "--requests", "64",
        "--concurrency", "8", "--repeat", "1",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("n=20 update median of 1: wall")
    assert filled_ids(template) == filled.ids  # each run updates a copy, never the file
