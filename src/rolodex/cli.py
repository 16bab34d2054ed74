"""The ``rolodex`` command: serve, migrate."""

from __future__ import annotations

import asyncio
import os
import sys

import click
import sqlalchemy as sa
import uvicorn

from rolodex.core.errors import Unavailable
from rolodex.http.app import create_app
from rolodex.settings import DEFAULT_DATABASE_URL, DEFAULT_HOST, DEFAULT_PORT, Settings
from rolodex.store import UnsupportedDatabaseError, open_store
from rolodex.store.base import Store

_database = click.option(
    "--database",
    "database_url",
    envvar="ROLODEX_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help="sqlite:///path, sqlite:///:memory: or postgresql://user@host:5432/db",
)


@click.group()
def main() -> None:
    """Rolodex: customer records speaking the Stripe, Autumn and Dub APIs."""


@main.command()
@click.option("--host", envvar="ROLODEX_HOST", default=DEFAULT_HOST, show_default=True)
@click.option("--port", envvar="ROLODEX_PORT", default=DEFAULT_PORT, show_default=True, type=int)
@click.option(
    "--workers", envvar="ROLODEX_WORKERS", default=1, show_default=True, type=click.IntRange(min=1)
)
@click.option("--log-level", envvar="ROLODEX_LOG_LEVEL", default="info", show_default=True)
@_database
def serve(host: str, port: int, workers: int, log_level: str, database_url: str) -> None:
    """Serve every dialect over HTTP until SIGINT or SIGTERM."""
    settings = Settings(database_url, host, port, workers, log_level)
    if workers > 1 and _in_memory(database_url):
        raise click.ClickException(
            "an in-memory SQLite database lives inside one process; "
            "give --workers a database file or PostgreSQL"
        )
    _migrate(settings.database_url)
    click.echo(f"Rolodex listening on http://{host}:{port} with database {_shown(database_url)}")
    if workers > 1:
        os.environ.update(settings.as_environment())
        uvicorn.run(
            "rolodex.http.asgi:build",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
        )
        return
    app = create_app(settings, _open(settings.database_url), migrate=False)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


@main.command()
@_database
def migrate(database_url: str) -> None:
    """Apply every schema migration not yet applied."""
    _migrate(database_url)
    click.echo(f"Database {_shown(database_url)} is up to date.")


def _migrate(url: str) -> None:
    """Migrate, or stop with one line saying why the database could not be reached."""
    try:
        asyncio.run(_migrate_and_close(_open(url)))
    except Unavailable as down:
        raise click.ClickException(
            f"cannot reach the database {_shown(url)}: {down.reason}"
        ) from down


async def _migrate_and_close(store: Store) -> None:
    try:
        await store.migrate()
    finally:
        await store.close()


def _in_memory(url: str) -> bool:
    return url.startswith("sqlite:") and (url.endswith(":memory:") or url.rstrip("/") == "sqlite:")


def _shown(url: str) -> str:
    """The URL without its password, fit for logs."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _open(url: str) -> Store:
    try:
        return open_store(url)
    except UnsupportedDatabaseError as error:
        raise click.ClickException(str(error)) from error
    except ImportError as missing:
        raise click.ClickException(
            f"PostgreSQL support needs its driver ({missing.name or missing} is missing): "
            "pip install 'rolodex[postgres]'"
        ) from missing


if __name__ == "__main__":
    sys.exit(main())
