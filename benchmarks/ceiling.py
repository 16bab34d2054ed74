"""The ceiling: one trivial endpoint on the server stack ``rolodex serve`` runs.

Starlette's router on uvicorn, started with the options ``rolodex serve`` uses
(``rolodex.cli.server_options``) and the same worker model, answering a small JSON document,
so the gap between this and a Rolodex operation is the cost of Rolodex's own work: auth,
decoding, the store and rendering.

Run as ``python benchmarks/ceiling.py --port 12112 [--workers N] [--log-level warning]``.

With ``--work-us N`` the endpoint first keeps the CPU busy for N microseconds: an endpoint
that does that much work of its own, and nothing else (``budget.py`` measures what share of
the ceiling that leaves).
"""

from __future__ import annotations

import argparse
import time

import orjson
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from rolodex.cli import server_options
from rolodex.http.asgi import settle_heap
from rolodex.settings import Settings

_BODY = orjson.dumps({"object": "ceiling", "ok": True})


async def _answer(_request: Request) -> Response:
    return Response(_BODY, 200, media_type="application/json")


def build(work_us: float = 0.0) -> ASGIApp:
    if not work_us:
        return Router(routes=[Route("/", _answer, methods=["GET"])])

    async def busy_answer(request: Request) -> Response:
        _keep_busy(work_us / 1e6)
        return await _answer(request)

    return Router(routes=[Route("/", busy_answer, methods=["GET"])])


def build_worker() -> ASGIApp:
    """The plain endpoint, for each worker process, set up as ``rolodex serve``'s are."""
    app = build()
    settle_heap()
    return app


def _keep_busy(seconds: float) -> None:
    """Spin, not sleep: the work stands for Rolodex's, which holds the CPU and the loop."""
    done = time.perf_counter() + seconds
    while time.perf_counter() < done:
        continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--work-us", type=float, default=0.0, help="busy microseconds per request")
    args = parser.parse_args()
    settings = Settings(host=args.host, port=args.port, log_level=args.log_level)
    if args.workers > 1:
        # Workers import the factory by name, as ``rolodex serve`` does with its own.
        uvicorn.run(
            "benchmarks.ceiling:build_worker",
            factory=True,
            workers=args.workers,
            **server_options(settings),
        )
        return
    app = build(args.work_us)
    settle_heap()  # as ``rolodex serve`` does
    uvicorn.run(app, **server_options(settings))


if __name__ == "__main__":
    main()
