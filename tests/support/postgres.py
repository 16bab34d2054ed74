"""Throw-away PostgreSQL databases, and a private PostgreSQL server tests may stop and start.

The shared server (``ROLODEX_TEST_POSTGRES_URL``) serves every test run on the machine at
once, so tests never stop it; a test about database faults starts its own server instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest
import sqlalchemy as sa

from rolodex.store.postgres_settings import engine_settings
from tests.support.server import free_port

ADMIN_URL = os.environ.get(
    "ROLODEX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRED = os.environ.get("ROLODEX_REQUIRE_POSTGRES") == "1"
"""Set in CI: a missing PostgreSQL fails the PostgreSQL tests instead of skipping them."""


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it where PostgreSQL is required."""
    if REQUIRED:
        pytest.fail(f"PostgreSQL is required (ROLODEX_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(reason)


def _psycopg() -> ModuleType:
    try:
        import psycopg  # noqa: PLC0415 - optional driver
    except ImportError:
        unavailable("psycopg is not installed: pip install -e '.[dev]'")
    return psycopg


def url_of(admin_url: str, database: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{database}"


@contextlib.contextmanager
def fresh_database(admin_url: str = ADMIN_URL, *, collation: str | None = None) -> Iterator[str]:
    """A new empty database, dropped afterwards; skips (or fails) without a server.

    ``collation`` names an ICU locale (say ``en-US``) for the new database, so tests see what
    a server whose databases do not order text bytewise does; servers without ICU (or before
    PostgreSQL 15) get their default instead.
    """
    psycopg = _psycopg()
    name = f"rolodex_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as unreachable:
        reason = str(unreachable).strip().splitlines()[0]
        unavailable(f"no PostgreSQL server at {admin_url}: {reason}")
    with admin:
        _create(admin, psycopg, name, collation)
    try:
        yield url_of(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def engine_on(url: str) -> Iterator[sa.Engine]:
    """A synchronous engine on ``url``, connecting as Rolodex's store does; disposed after."""
    settings = engine_settings(url)
    engine = sa.create_engine(settings.url, connect_args=settings.connect_args)
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_engine() -> Iterator[sa.Engine]:
    """:func:`engine_on` a :func:`fresh_database`."""
    with fresh_database() as url, engine_on(url) as engine:
        yield engine


def _create(admin: Any, psycopg: ModuleType, name: str, collation: str | None) -> None:
    if collation is not None:
        try:
            admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE template0 '
                f"LOCALE_PROVIDER icu ICU_LOCALE '{collation}'"
            )
            return
        except psycopg.Error:
            pass
    admin.execute(f'CREATE DATABASE "{name}"')


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A PostgreSQL server of its own in a temporary directory, on a free port.

    PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user.
    """

    def __init__(self, binaries: Path, directory: Path) -> None:
        self.binaries = binaries
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self._user = _unprivileged_user()

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> PrivatePostgres:
        self._as_owner("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                       "-E", "UTF8", "--no-sync")  # fmt: skip
        return self

    def start(self) -> None:
        settings = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._as_owner("pg_ctl", "-D", str(self.data), "-o", settings,
                       "-l", str(self.directory / "server.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._as_owner("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The server and its backends stopped dead (SIGSTOP): connected, but never answering."""
        processes = self._processes()
        for pid in processes:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in processes:
                os.kill(pid, signal.SIGCONT)

    def _processes(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [
            int(stat.parent.name)
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _parent_of(stat) == postmaster
        ]
        return [postmaster, *children]

    def is_running(self) -> bool:
        status = self._as_owner("pg_ctl", "-D", str(self.data), "status", check=False)
        return status.returncode == 0

    def _as_owner(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / program), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}")
        return result


def _parent_of(stat: Path) -> int | None:
    try:
        # The command name, in parentheses, may hold spaces; the parent pid follows it.
        return int(stat.read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _unprivileged_user() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private server, removed afterwards; skips (or fails) without the binaries."""
    binaries = _binaries()
    if binaries is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="rolodex-pg-"))
    user = _unprivileged_user()
    if user is not None:
        try:
            owner = pwd.getpwnam(user)
        except KeyError:
            unavailable("running as root, and there is no 'postgres' user to run PostgreSQL as")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(binaries, directory).init()
    server.start()
    try:
        yield server
    finally:
        if server.is_running():
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)
