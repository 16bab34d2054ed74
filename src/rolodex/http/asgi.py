"""What each server process does before it serves: the factory uvicorn calls in each worker
process (settings from the environment), and the garbage collector's settings."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys

from starlette.types import ASGIApp

from rolodex.http.app import create_app
from rolodex.settings import Settings
from rolodex.store import open_store

SUPERVISOR_PID = "ROLODEX_SUPERVISOR_PID"
"""The variable naming the ``rolodex serve`` process that starts the workers."""

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

YOUNG_OBJECTS_PER_COLLECTION = 10_000
"""How many more container objects made than freed start a collection of the youngest
generation (Python's default is 700)."""


def build() -> ASGIApp:
    _stop_with_supervisor()
    settings = Settings.from_environment()
    # The parent process has already migrated before starting the workers.
    app = create_app(settings, open_store(settings.database_url), migrate=False)
    settle_heap()
    return app


def settle_heap() -> None:
    """Put what start-up made out of the cyclic garbage collector's reach, and let young
    objects pile up longer before it looks at them.

    Why: each of its passes walks the objects it tracks, and most of a server's are the
    modules' and the application's, made at start-up and alive until exit; an update leaves
    some cyclic garbage, so collections kept coming. Sampled with ``perf record -e cpu-clock``
    during updates at 32 connections (1,000 customers), collections took 5.4% of the server's
    CPU; 2.0% with the start-up objects frozen (``gc.freeze``), none measurable with the
    youngest generation also collected every 10,000 objects instead of 700. The resident
    memory stayed at 77 MB. Retrieves make no cyclic garbage: no collections showed either way.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *gc.get_threshold()[1:])


def _stop_with_supervisor() -> None:
    """Have Linux send this worker SIGTERM (a graceful stop) once the process that started it
    is gone.

    Why: uvicorn's supervisor stops its workers when it is stopped by a signal it can catch,
    but one killed outright (``kill -9``, a test runner's hard timeout) would leave them
    serving its port, with nothing left to stop them. The request is one system call,
    ``prctl``, which ctypes reaches without another dependency; other systems keep uvicorn's
    behaviour.
    """
    supervisor = os.environ.get(SUPERVISOR_PID)
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return
    if os.getppid() != int(supervisor):  # gone before the request took hold
        os.kill(os.getpid(), signal.SIGTERM)
