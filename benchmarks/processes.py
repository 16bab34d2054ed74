"""Start and stop the servers under test: each one its own process group, always cleaned up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import pinned

ROOT = Path(__file__).resolve().parent.parent
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Launch:
    """How to start one server: its command (without pinning) and where it logs."""

    name: str
    command: list[str]
    port: int
    log: Path
    cwd: Path = ROOT
    source: Path | None = None
    """Where the ``rolodex`` package it runs lives, if not the one installed (``ab.py``)."""


@dataclass(frozen=True)
class Server:
    """A launched server, answering on ``port``."""

    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) its process has used so far, from Linux's ``/proc``:
        a server that is never idle uses as many seconds as pass."""
        after_name = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = int(after_name[11]), int(after_name[12])  # fields 14 and 15
        return (user + system) / os.sysconf("SC_CLK_TCK")


def rolodex_launch(
    database_url: str, port: int, workers: int, log: Path, source: Path | None = None
) -> Launch:
    command = [
        sys.executable, "-m", "rolodex", "serve",
        "--port", str(port),
        "--database", database_url,
        "--workers", str(workers),
        "--log-level", "warning",
    ]  # fmt: skip
    return Launch("rolodex", command, port, log, source=source)


def ceiling_launch(port: int, workers: int, log: Path, work_us: float = 0.0) -> Launch:
    command = [
        sys.executable, str(ROOT / "benchmarks" / "ceiling.py"),
        "--port", str(port),
        "--workers", str(workers),
        "--log-level", "warning",
        "--work-us", str(work_us),
    ]  # fmt: skip
    return Launch("ceiling", command, port, log)


@contextmanager
def running(launches: Sequence[Launch], cpus: str | None) -> Iterator[list[Server]]:
    """Every launch started (and answering HTTP) inside the block, stopped after it."""
    with ExitStack() as stack:
        processes = [stack.enter_context(_one(launch, cpus)) for launch in launches]
        # ``taskset`` (the pinning) execs the server, so the pid it started with is the server's.
        yield [Server(launch.port, p.pid) for launch, p in zip(launches, processes, strict=True)]


@contextmanager
def _one(launch: Launch, cpus: str | None) -> Iterator[subprocess.Popen[bytes]]:
    with launch.log.open("ab") as log:
        process = subprocess.Popen(
            pinned(launch.command, cpus),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=launch.cwd,
            env=child_env(launch.source),
            start_new_session=True,
        )
    try:
        _wait_until_answering(launch, process)
        yield process
    finally:
        _stop(process)


def child_env(source: Path | None) -> dict[str, str]:
    """The environment a benchmark's child runs in: this one without Rolodex's settings (the
    child takes its own from its command), importing ``source``'s package (``python_path``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env["PYTHONPATH"] = python_path(source, env.get("PYTHONPATH"))
    return env


def python_path(source: Path | None, inherited: str | None = None) -> str:
    """``PYTHONPATH`` for a child: ``source`` (ahead of the installed package), then the
    project root, whose ``benchmarks`` package the ceiling's workers and the fill import."""
    entries = [str(source) if source else None, str(ROOT), inherited]
    return os.pathsep.join(entry for entry in entries if entry)


def _wait_until_answering(launch: Launch, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{launch.name} exited early; see {launch.log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{launch.port}/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered, with an error status: it is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{launch.name} did not answer on port {launch.port}; see {launch.log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we created (uvicorn workers included), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
