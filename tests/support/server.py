"""A real ``rolodex serve`` process on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

_START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """Starts, stops and restarts one server process over one database."""

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        workers: int = 1,
        options: Sequence[str] = (),
    ) -> None:
        """``options``: more of ``rolodex serve``'s flags (``--locked``, say)."""
        self.database_url = database_url
        self.log_path = log_path
        self.workers = workers
        self.options = tuple(options)
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        command = [
            sys.executable, "-m", "rolodex", "serve",
            "--port", str(self.port),
            "--database", self.database_url,
            "--workers", str(self.workers),
            "--log-level", "warning",
            *self.options,
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        self._wait_until_listening()
        return self

    def stop(self) -> int:
        process, self._process = self._process, None
        if process is None:
            return 0
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def kill(self) -> None:
        """Kill the server outright (``kill -9``), as a test runner's hard timeout would."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    def answers(self) -> bool:
        """Whether anything accepts connections on the server's port."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"rolodex serve exited early:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(
            f"rolodex serve did not listen within {_START_TIMEOUT_S}s:\n{self.log()}"
        )
