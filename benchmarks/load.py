"""Drive load at a server for a bounded time and read back throughput and latency.

``wrk`` is the load generator: written in C, one thread of it produces tens of thousands of
requests per second, so on a two-core machine it leaves the server most of the CPU. Its Lua
script (``lua/drive.lua``) varies the customer id per request and prints its figures as JSON.
Without ``wrk`` the harness falls back to a Python client (``pyload``) and says it is
client-bound.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("lua") / "drive.lua"
OPERATIONS = ("retrieve", "update", "list", "create")
"""Measured in this order: create last, so it does not change the count the others see."""

_RESULT_PREFIX = "BENCH_RESULT "

SERVER_CPU, CLIENT_CPU = "0", "1"
"""Where a pinned run puts the server and wrk on a two-core machine (``taskset`` lists)."""
IDS_SAMPLE = 20_000
"""How many filled ids wrk picks from: enough to spread requests over the whole table."""


@dataclass(frozen=True)
class Cell:
    """One measurement: an operation at a number of open connections against some ports."""

    op: str
    connections: int
    ports: tuple[int, ...]
    api_key: str
    ids_file: Path | None = None


@dataclass(frozen=True)
class Measured:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_busy: float | None = None
    """The share of the run the server's process spent on a CPU, where it was measured: below
    1, it waited (for the disk, say) with requests to answer."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    """wrk prints its version with its usage text, on stderr, and exits non-zero."""
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).splitlines()[0].split(" Copyright")[0].strip()


def wrk_command(cell: Cell, seconds: float, cpus: str | None) -> list[str]:
    threads = max(1, min(cell.connections, len(cell.ports)))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{cell.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout", "10s",
        "-s", str(LUA_SCRIPT),
        f"http://127.0.0.1:{cell.ports[0]}/",
    ]  # fmt: skip
    return pinned(command, cpus)


def run_wrk(cell: Cell, seconds: float, cpus: str | None = None) -> Measured:
    env = {
        **os.environ,
        "BENCH_OP": cell.op,
        "BENCH_KEY": cell.api_key,
        "BENCH_PORTS": ",".join(str(port) for port in cell.ports),
        "BENCH_IDS": str(cell.ids_file or ""),
    }
    done = subprocess.run(
        wrk_command(cell, seconds, cpus),
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def parse_wrk(stdout: str) -> Measured:
    """The figures ``drive.lua`` prints in ``done()``: microseconds in, seconds and ms out."""
    for line in stdout.splitlines():
        if line.startswith(_RESULT_PREFIX):
            raw = json.loads(line.removeprefix(_RESULT_PREFIX))
            return Measured(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                errors=sum(raw["errors"].values()),
            )
    raise RuntimeError(f"wrk printed no result line:\n{stdout}")


def lua_table(ids: Sequence[str]) -> str:
    """A Lua chunk returning ``ids`` as an array; ids are JSON strings, which Lua also reads."""
    return "return {\n" + ",\n".join(json.dumps(each) for each in ids) + "\n}\n"


def write_ids(ids: Sequence[str], path: Path, sample: int = IDS_SAMPLE) -> Path:
    """A random, repeatable sample of ``ids``, written as the Lua table wrk picks from."""
    chosen = random.Random(0).sample(list(ids), min(len(ids), sample))
    path.write_text(lua_table(chosen))
    return path


def pinned(command: list[str], cpus: str | None) -> list[str]:
    """``command`` restricted to the given CPUs (``taskset`` list syntax), if any."""
    return ["taskset", "-c", cpus, *command] if cpus else command
