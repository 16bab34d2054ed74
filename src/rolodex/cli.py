"""The ``rolodex`` command: serve, migrate."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import sqlalchemy as sa
import uvicorn

from rolodex.core.errors import Unavailable
from rolodex.http.app import create_app
from rolodex.http.asgi import SUPERVISOR_PID, settle_heap
from rolodex.settings import DEFAULT_DATABASE_URL, DEFAULT_HOST, DEFAULT_PORT, Settings
from rolodex.store import UnsupportedDatabaseError, in_memory, open_store
from rolodex.store.base import Store

_database = click.option(
    "--database",
    "database_url",
    envvar="ROLODEX_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help="sqlite:///path, sqlite:///:memory: or postgresql://user@host:5432/db",
)


_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


@click.group()
@click.version_option(package_name="rolodex", prog_name="rolodex")
def main() -> None:
    """Rolodex: customer records speaking the Stripe, Autumn and Dub APIs."""


@main.command()
@click.option(
    "--host",
    envvar="ROLODEX_HOST",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on (ROLODEX_HOST).",
)
@click.option(
    "--port",
    envvar="ROLODEX_PORT",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on, 0 for any free one (ROLODEX_PORT).",
)
@click.option(
    "--workers",
    envvar="ROLODEX_WORKERS",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes sharing the port and the database (ROLODEX_WORKERS).",
)
@click.option(
    "--log-level",
    envvar="ROLODEX_LOG_LEVEL",
    default="info",
    show_default=True,
    type=click.Choice(_LOG_LEVELS, case_sensitive=False),
    help="debug also logs every request (ROLODEX_LOG_LEVEL).",
)
@_database
def serve(host: str, port: int, workers: int, log_level: str, database_url: str) -> None:
    """Serve every dialect over HTTP until SIGINT or SIGTERM."""
    settings = Settings(database_url, host, port, workers, log_level.lower())
    memory = in_memory(database_url)
    if workers > 1 and memory:
        raise click.ClickException(
            "an in-memory SQLite database lives inside one process; "
            "give --workers a database file or PostgreSQL"
        )
    if not memory:
        # Here, so that a database that cannot be used stops the command with one line. An
        # in-memory one is the serving store's own: the app migrates it, since a store opened
        # and closed here would take its tables with it.
        _migrate(settings.database_url)
    _announce(host, port, database_url)
    if workers > 1:
        os.environ.update(settings.as_environment())
        os.environ[SUPERVISOR_PID] = str(os.getpid())
        uvicorn.run(
            "rolodex.http.asgi:build", factory=True, workers=workers, **server_options(settings)
        )
        return
    app = create_app(settings, _open(settings.database_url), migrate=memory)
    settle_heap()
    uvicorn.run(app, **server_options(settings))


def _announce(host: str, port: int, database_url: str) -> None:
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(
        f"Rolodex listening on http://{shown_host}:{port} with database {_shown(database_url)}"
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves Rolodex; the benchmark's ceiling endpoint is served the same way.

    uvicorn's access log formats and writes a line per request, which halves the throughput
    of a small endpoint, so it is written only at ``--log-level debug``.
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": settings.log_level == "debug",
    }


@main.command()
@_database
def migrate(database_url: str) -> None:
    """Apply every schema migration not yet applied."""
    _migrate(database_url)
    click.echo(f"Database {_shown(database_url)} is up to date.")


def _migrate(url: str) -> None:
    """Migrate, or stop with one line saying why the database could not be reached."""
    store = _open(url)
    try:
        with _store_warnings_left_to_this_message():
            asyncio.run(_migrate_and_close(store))
    except Unavailable as down:
        raise click.ClickException(
            f"cannot reach the database {_shown(url)}: {down.reason}"
        ) from down
    except Exception as fault:
        raise click.ClickException(
            f"cannot use the database {_shown(url)}: {_first_line(fault)}"
        ) from fault


@contextmanager
def _store_warnings_left_to_this_message() -> Iterator[None]:
    """The store logs an unavailable database for the server's operator; a command says it
    in its one line of error instead, so it would say it twice."""
    store_log = logging.getLogger("rolodex.store")
    level = store_log.level
    store_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        store_log.setLevel(level)


def _first_line(fault: Exception) -> str:
    cause = getattr(fault, "orig", None) or fault
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


async def _migrate_and_close(store: Store) -> None:
    try:
        await store.migrate()
    finally:
        await store.close()


def _shown(url: str) -> str:
    """The URL without its password, fit for logs (a SQLite URL has none, and is shown as
    given rather than with its path percent-encoded)."""
    if url.startswith("sqlite:"):
        return url
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):  # unparsed, so its credentials are hidden whole
        return re.sub(r"//[^/@]*@", "//***@", url)


def _open(url: str) -> Store:
    try:
        return open_store(url)
    except UnsupportedDatabaseError as error:
        raise click.ClickException(str(error)) from error
    except (sa.exc.SQLAlchemyError, ValueError) as malformed:
        raise click.ClickException(
            f"cannot use the database {_shown(url)}: {_first_line(malformed)}"
        ) from malformed
    except ImportError as missing:
        raise click.ClickException(
            f"PostgreSQL support needs its driver ({missing.name or missing} is missing): "
            "pip install 'rolodex[postgres]'"
        ) from missing


if __name__ == "__main__":
    sys.exit(main())
