"""The fallback load generator: Python asyncio with httpx, used only when wrk is missing.

A Python client spends about as much CPU per request as the server does, and shares the same
two cores, so its figures are client-bound: they understate the server. The harness says so
beside every figure it produces.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from collections.abc import Sequence

import httpx

from benchmarks.load import Cell, Measured


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already-sorted values (``fraction`` in 0..1)."""
    if not sorted_values:
        return 0.0
    rank = min(max(1, math.ceil(fraction * len(sorted_values))), len(sorted_values))
    return sorted_values[rank - 1]


def run_python(cell: Cell, seconds: float, ids: Sequence[str]) -> Measured:
    return asyncio.run(_drive(cell, seconds, ids))


async def _drive(cell: Cell, seconds: float, ids: Sequence[str]) -> Measured:
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds
    counter = itertools.count()
    limits = httpx.Limits(max_connections=cell.connections)
    headers = {"Authorization": f"Bearer {cell.api_key}"}
    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=10) as client:

        async def worker(port: int) -> None:
            base = f"http://127.0.0.1:{port}"
            while time.perf_counter() < deadline:
                method, path, body = request_for(cell.op, ids, next(counter))
                sent = time.perf_counter()
                response = await client.request(method, base + path, data=body)
                latencies.append(time.perf_counter() - sent)
                errors[0] += response.status_code >= 400

        ports = itertools.cycle(cell.ports)
        await asyncio.gather(*(worker(next(ports)) for _ in range(cell.connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return Measured(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        errors=errors[0],
    )


def request_for(op: str, ids: Sequence[str], n: int) -> tuple[str, str, dict[str, str] | None]:
    """The same requests ``lua/drive.lua`` sends, as (method, path, form body)."""
    if op == "retrieve":
        return "GET", f"/v1/customers/{random.choice(ids)}", None
    if op == "update":
        body = {"name": f"Renamed {n}", "metadata[tier]": f"t{n}"}
        return "POST", f"/v1/customers/{random.choice(ids)}", body
    if op == "create":
        body = {"email": f"bench-{n}@example.com", "name": f"Bench {n}", "metadata[plan]": "pro"}
        return "POST", "/v1/customers", body
    if op == "list":
        return "GET", "/v1/customers", None
    return "GET", "/", None
