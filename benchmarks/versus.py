"""The comparison server for ``--vs-localstripe``: installed only into the benchmark's own
virtual environment under a cache directory, never into the project's.

It keeps every object in memory and rewrites one pickle file (at a fixed path,
``/tmp/localstripe.pickle``) after each write, so filling it costs more with every customer;
the harness fills it over HTTP with at most ``--localstripe-customers`` customers and says so.
An existing pickle file at that path is moved aside for the run and put back after.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.fill import customer_params
from benchmarks.processes import Launch

PACKAGE = "localstripe"
PICKLE = Path("/tmp/localstripe.pickle")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rolodex-bench"


def ensure_installed(log: Path) -> Path:
    """The executable, installing the package into ``<cache>/localstripe-venv`` if needed."""
    venv = cache_dir() / "localstripe-venv"
    executable = venv / "bin" / PACKAGE
    if executable.exists():
        return executable
    print(f"installing {PACKAGE} into {venv} (once)", file=sys.stderr)
    with log.open("ab") as out:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdout=out)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", PACKAGE],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return executable


def launch(executable: Path, port: int, log: Path, workdir: Path) -> Launch:
    command = [str(executable), "--port", str(port), "--from-scratch"]
    return Launch(PACKAGE, command, port, log, cwd=workdir)


@contextmanager
def pickle_set_aside(workdir: Path) -> Iterator[None]:
    """Keep whatever pickle file was there before the run, and leave none of ours behind."""
    kept = workdir / "localstripe.pickle.before"
    had_one = PICKLE.exists()
    if had_one:
        PICKLE.replace(kept)
    try:
        yield
    finally:
        PICKLE.unlink(missing_ok=True)
        if had_one:
            kept.replace(PICKLE)


def fill_over_http(port: int, api_key: str, count: int) -> tuple[list[str], float]:
    """Create ``count`` customers one request at a time; returns their ids and the seconds."""
    started = time.perf_counter()
    ids: list[str] = []
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", auth=(api_key, ""), timeout=60
    ) as client:
        for n in range(count):
            response = client.post("/v1/customers", data=_form(customer_params(n)))
            response.raise_for_status()
            ids.append(response.json()["id"])
    return ids, time.perf_counter() - started


def _form(params: dict[str, object]) -> dict[str, str]:
    """The nested parameters in Stripe's bracket form encoding (one level is all they use)."""
    form: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, dict):
            form.update({f"{name}[{key}]": str(entry) for key, entry in value.items()})
        else:
            form[name] = str(value)
    return form
