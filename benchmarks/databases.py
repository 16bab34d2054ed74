"""Throw-away databases for the benchmark: one filled template per customer count, and a
fresh copy of it for every server configuration, so each run starts from exactly N customers.

SQLite copies are file copies in the work directory; PostgreSQL copies are
``CREATE DATABASE ... TEMPLATE`` on the server the given URL names. Everything made here is
removed when the block ends.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import LiteralString

import sqlalchemy as sa

from rolodex.store import open_store
from rolodex.store.postgres_settings import engine_settings


def migrate(url: str) -> None:
    """Bring the database at ``url`` to Rolodex's schema, as ``rolodex migrate`` does."""

    async def migrated() -> None:
        store = open_store(url)
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(migrated())


def sync_engine(url: str) -> sa.Engine:
    """A synchronous engine on ``url``, connecting to PostgreSQL as Rolodex's store does."""
    if backend_of(url) == "sqlite":
        return sa.create_engine(url)
    settings = engine_settings(url)
    return sa.create_engine(settings.url, connect_args=settings.connect_args)


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def describe(url: str) -> str:
    """The URL without any password, for printing."""
    scheme, sep, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.partition(':')[0]}:***@{location}"


def filesystem_of(path: Path, mounts: Path = Path("/proc/self/mounts")) -> str:
    """The type of the file system ``path`` is on, as the kernel mounted it (``ext4``, say).

    From the mount table, not ``stat -f``: that names a file system by its superblock's magic
    number, which ext2, ext3 and ext4 share (it prints ``ext2/ext3`` for all three).
    """
    try:
        table = mounts.read_text()
    except OSError:  # no /proc: not Linux
        done = subprocess.run(
            ["stat", "-f", "-c", "%T", str(path)], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() or "unknown"
    target = path.resolve()
    found, depth = "unknown", -1
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mounted_on = Path(_unescaped(fields[1]))
        holds = mounted_on == target or mounted_on in target.parents
        # The deepest mount point holding the path is its file system; of equal ones (mounted
        # over each other), the last mounted.
        if holds and len(mounted_on.parts) >= depth:
            found, depth = fields[2], len(mounted_on.parts)
    return found


def _unescaped(field: str) -> str:
    """A mount table field with its octal escapes (``\\040`` for a space) decoded."""
    return re.sub(r"\\([0-7]{3})", lambda code: chr(int(code.group(1), 8)), field)


class Databases:
    """Names and makes databases on one backend: SQLite files under ``workdir`` when ``server``
    is ``sqlite``, otherwise databases on the PostgreSQL server of that URL."""

    def __init__(self, server: str, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.backend = backend_of(server)
        self._made: list[str] = []

    def new_url(self, label: str) -> str:
        name = f"rolodex_bench_{label}_{uuid.uuid4().hex[:8]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        self._admin("CREATE DATABASE {}", name)
        self._made.append(name)
        return self._url_of(name)

    def copy(self, template_url: str, label: str) -> str:
        name = f"rolodex_bench_{label}_{uuid.uuid4().hex[:8]}"
        if self.backend == "sqlite":
            target = self.workdir / (name + ".db")
            # The backup API copies a consistent database whatever its write-ahead log holds.
            source = sqlite3.connect(template_url.removeprefix("sqlite:///"))
            with source, sqlite3.connect(target) as copy:
                source.backup(copy)
            source.close()
            copy.close()
            return f"sqlite:///{target}"
        template = template_url.rpartition("/")[2]
        self._admin("CREATE DATABASE {} TEMPLATE {}", name, template)
        self._made.append(name)
        return self._url_of(name)

    def drop(self, url: str) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            return
        name = url.rpartition("/")[2]
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
        self._made.remove(name)

    def drop_all(self) -> None:
        for name in list(self._made):
            self.drop(self._url_of(name))

    def _url_of(self, name: str) -> str:
        return f"{self.server.rpartition('/')[0]}/{name}"

    def _admin(self, statement: LiteralString, *names: str) -> None:
        import psycopg  # noqa: PLC0415 - only PostgreSQL runs need the driver
        from psycopg import sql  # noqa: PLC0415

        query = sql.SQL(statement).format(*(sql.Identifier(name) for name in names))
        with psycopg.connect(_plain(self.server), autocommit=True) as conn:
            conn.execute(query)


@contextmanager
def databases(server: str, workdir: Path) -> Iterator[Databases]:
    made = Databases(server, workdir)
    try:
        yield made
    finally:
        if made.backend == "postgresql":
            made.drop_all()


def _plain(url: str) -> str:
    """psycopg wants ``postgresql://``, not SQLAlchemy's ``postgresql+psycopg://``."""
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url
