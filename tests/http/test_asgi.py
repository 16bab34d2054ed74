"""What each server process does before it serves: the garbage collector's settings, as
``rolodex serve`` and its workers leave them. Each check runs in a process of its own, as the
settings are the whole process's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rolodex.http.asgi import YOUNG_OBJECTS_PER_COLLECTION

_REPORT = "import gc, json; print(json.dumps([gc.get_freeze_count(), gc.get_threshold()]))"


def _gc_state_after(code: str, env: dict[str, str] | None = None) -> tuple[int, list[int]]:
    """Run ``code`` in a fresh interpreter; its garbage collector's frozen objects and
    thresholds then."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{_REPORT}"],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=120,
        check=True,
    )
    frozen, thresholds = json.loads(done.stdout.strip().splitlines()[-1])
    return frozen, thresholds


def test_a_fresh_interpreter_freezes_nothing() -> None:
    """The baseline the checks below stand on: Python's own settings."""
    frozen, thresholds = _gc_state_after("import rolodex.http.asgi")
    assert frozen == 0
    assert thresholds == [700, 10, 10]


def test_settling_freezes_what_start_up_made_and_collects_young_objects_less_often() -> None:
    frozen, thresholds = _gc_state_after("from rolodex.http.asgi import settle_heap; settle_heap()")
    assert frozen > 10_000  # the modules' objects: Starlette, SQLAlchemy, uvicorn, Rolodex
    assert thresholds == [YOUNG_OBJECTS_PER_COLLECTION, 10, 10]


def test_each_worker_is_settled_once_its_application_is_built(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'worker.db'}"
    frozen, thresholds = _gc_state_after(
        "from rolodex.http.asgi import build; app = build()",
        env={"ROLODEX_DATABASE_URL": database},
    )
    assert frozen > 10_000
    assert thresholds[0] == YOUNG_OBJECTS_PER_COLLECTION


def test_rolodex_serve_settles_before_it_serves(tmp_path: Path) -> None:
    """uvicorn's server returns at once, as if it had served: the settings are read where it
    would have served."""
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    code = (
        "import sys, uvicorn\n"
        "uvicorn.Server.run = lambda self, *args, **kwargs: setattr(self, 'started', True)\n"
        "from rolodex.cli import main\n"
        f"sys.argv = ['rolodex', 'serve', '--port', '0', '--database', {database!r}]\n"
        "main(standalone_mode=False)\n"
    )
    frozen, thresholds = _gc_state_after(code)
    assert frozen > 10_000
    assert thresholds[0] == YOUNG_OBJECTS_PER_COLLECTION
