"""The factory uvicorn calls in each worker process: settings from the environment."""

from __future__ import annotations

import ctypes
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


def build() -> ASGIApp:
    _stop_with_supervisor()
    settings = Settings.from_environment()
    # The parent process has already migrated before starting the workers.
    return create_app(settings, open_store(settings.database_url), migrate=False)


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
