"""The ``rolodex`` command: serve, migrate, keys, export, import."""

from __future__ import annotations

import asyncio
import copy
import io
import logging
import os
import re
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

import click
import sqlalchemy as sa
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from rolodex import service, transfer
from rolodex.core.errors import Unavailable
from rolodex.http.app import create_app
from rolodex.http.asgi import SUPERVISOR_PID, settle_heap
from rolodex.http.protocol import GatheringProtocol
from rolodex.keys import DIALECTS, MalformedKey, dialect_of, new_key, shown
from rolodex.service import Context
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


T = TypeVar("T")
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
@click.option(
    "--locked",
    envvar="ROLODEX_LOCKED",
    is_flag=True,
    help="Accept only the keys `rolodex keys` holds, not every well-formed one (ROLODEX_LOCKED).",
)
@_database
def serve(
    *, host: str, port: int, workers: int, log_level: str, locked: bool, database_url: str
) -> None:
    """Serve every dialect over HTTP until SIGINT or SIGTERM."""
    settings = Settings(database_url, host, port, workers, log_level.lower(), locked)
    memory = in_memory(database_url)
    if locked and memory:
        raise click.ClickException(
            "a locked server accepts the keys `rolodex keys` holds, which cannot reach an "
            "in-memory database; give --locked a database file or PostgreSQL"
        )
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
    listeners = _listen(host, port)
    _announce(_shown_hosts(host, listeners), listeners[0].getsockname()[1], database_url, locked)
    if workers > 1:
        os.environ.update(settings.as_environment())
        os.environ[SUPERVISOR_PID] = str(os.getpid())
        config = uvicorn.Config(
            "rolodex.http.asgi:build", factory=True, workers=workers, **server_options(settings)
        )
        Multiprocess(config, sockets=listeners).run()
        return
    app = create_app(settings, _open(settings.database_url), migrate=memory)
    settle_heap()
    server = uvicorn.Server(uvicorn.Config(app, **server_options(settings)))
    server.run(sockets=listeners)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _listen(host: str, port: int) -> list[socket.socket]:
    """The server's listening sockets, one per address ``host`` names (as uvicorn would bind
    them), bound before the address is announced: so that the announcement names the port
    that ``--port 0`` drew, and an address that cannot be had is one line of error instead of
    a line claiming it. (uvicorn binds only once it serves.)"""
    listeners: list[socket.socket] = []
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, proto, _, address in dict.fromkeys(found):  # once each, as asyncio
            listener = socket.socket(family, kind, proto)
            listeners.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:  # as asyncio does, so that "::" and "0.0.0.0" both bind
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind((address[0], port, *address[2:]))
            port = listener.getsockname()[1]  # every address on the port the first one drew
            # Listening now, so that a client that reads the announcement and connects at
            # once waits in the backlog (as long as uvicorn's own) while the server starts,
            # instead of being refused.
            listener.listen(2048)
            listener.set_inheritable(True)
    except OSError as error:
        for listener in listeners:
            listener.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return listeners


def _shown_hosts(host: str, listeners: list[socket.socket]) -> list[str]:
    """The host as given or, for an empty one (every interface), each address it bound."""
    if host:
        return [host]
    return list(dict.fromkeys(listener.getsockname()[0] for listener in listeners))


def _announce(hosts: list[str], port: int, database_url: str, locked: bool) -> None:
    addresses = " and ".join(
        f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}" for host in hosts
    )
    mode = ", locked: only the keys `rolodex keys` holds are accepted" if locked else ""
    click.echo(f"Rolodex listening on {addresses} with database {_shown(database_url)}{mode}")


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves Rolodex; the benchmark's ceiling endpoint is served the same way.

    uvicorn's access log formats and writes a line per request, which halves the throughput
    of a small endpoint, so it is written only at ``--log-level debug``. While other requests
    are in flight, a turn's writes go out together at its end (``http.protocol``).
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "log_config": log_config(settings.log_level),
        "access_log": settings.log_level == "debug",
        "http": GatheringProtocol,
    }


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with Rolodex's own loggers at ``level`` too and written as uvicorn
    writes its lines (uvicorn sets the level of its loggers alone; each worker process applies
    this itself)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["rolodex"] = {
        "handlers": ["default"],
        "level": uvicorn.config.LOG_LEVELS[level],
        "propagate": False,
    }
    # The multipart parser warns of each malformed body it reads, a line any client could
    # write to the log at will; the client already has Stripe's error for it.
    config["loggers"]["python_multipart"] = {
        "level": "DEBUG" if level in ("debug", "trace") else "ERROR"
    }
    return config


@main.command()
@_database
def migrate(database_url: str) -> None:
    """Apply every schema migration not yet applied."""
    _migrate(database_url)
    click.echo(f"Database {_shown(database_url)} is up to date.")


@main.group()
def keys() -> None:
    """The keys a server started with --locked accepts (any well-formed key is, without it).

    The store keeps each key's SHA-256, never the key: a key is shown once, when made."""


@keys.command("create")
@click.argument("dialect", type=click.Choice(DIALECTS))
@click.option("--live", is_flag=True, help="A live-mode key (Stripe, Autumn); test by default.")
@_database
def create_key(dialect: str, live: bool, database_url: str) -> None:
    """Make a new key of DIALECT, hold it, and print it."""
    try:
        key = new_key(dialect, live=live)
    except MalformedKey as refused:
        raise click.UsageError(str(refused)) from refused
    _on_store(database_url, lambda ctx: service.hold_key(ctx, dialect, key, shown(key)))
    click.echo(key)


@keys.command("add")
@click.argument("key")
@_database
def add_key(key: str, database_url: str) -> None:
    """Hold KEY, one made elsewhere (a test suite's, say)."""
    dialect = _dialect_of(key)
    held = _on_store(database_url, lambda ctx: service.hold_key(ctx, dialect, key, shown(key)))
    click.echo(f"{'Holding' if held else 'Already holding'} {dialect} key {shown(key)}.")


@keys.command("list")
@_database
def list_keys(database_url: str) -> None:
    """Every key held: its dialect, the key masked, and when it was added (UTC)."""
    for key in _on_store(database_url, service.held_keys):
        added = datetime.fromtimestamp(key.created_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{key.dialect}\t{key.shown}\t{added}")


@keys.command("revoke")
@click.argument("key")
@_database
def revoke_key(key: str, database_url: str) -> None:
    """Stop accepting KEY (a running server refuses it within a second)."""
    dialect = _dialect_of(key)
    if not _on_store(database_url, lambda ctx: service.drop_key(ctx, dialect, key)):
        raise click.ClickException(f"no {dialect} key {shown(key)} is held")
    click.echo(f"Revoked {dialect} key {shown(key)}.")


@main.command("export")
@click.option(
    "--output",
    "-o",
    type=click.File("wb"),
    default="-",
    help="The file to write (default: standard output).",
)
@_database
def export(output: BinaryIO, database_url: str) -> None:
    """Write every customer of every account, deleted ones included, and every key held,
    as JSON Lines that `rolodex import` reads (into SQLite or PostgreSQL alike)."""
    _refuse_missing_file(database_url)
    unbuffered = _Unbuffered(output)
    written = _on_store(
        database_url, lambda ctx: transfer.export(ctx, unbuffered), "an in-memory database is empty"
    )
    unbuffered.flush()
    click.echo(
        f"Exported {_counted(written.customers, 'customer')} and "
        f"{_counted(written.keys, 'key')} from {_shown(database_url)}.",
        err=True,
    )


class _Unbuffered:
    """The export's output, held in blocks and written past the file's own buffer: a block the
    disk or a pipe refuses then stops the command with one line of its own (not the database's),
    and leaves nothing for the file's close to fail on again."""

    def __init__(self, output: BinaryIO) -> None:
        self._output = output
        self._held = bytearray()

    def write(self, data: bytes) -> None:
        self._held += data
        if len(self._held) >= _EXPORT_BLOCK:
            self.flush()

    def flush(self) -> None:
        block, self._held = self._held, bytearray()
        try:
            _write_past_buffer(self._output, block)
        except OSError as refused:
            raise click.ClickException(f"cannot write the export: {refused.strerror}") from None


_EXPORT_BLOCK = 1 << 16


def _write_past_buffer(output: BinaryIO, block: bytes | bytearray) -> None:
    try:
        descriptor = output.fileno()
    except (AttributeError, io.UnsupportedOperation):  # in memory: it has no buffer to skip
        output.write(block)
        return
    view = memoryview(block)
    while view:
        view = view[os.write(descriptor, view) :]


@main.command("import")
@click.argument("source", type=click.File("rb"))
@_database
def import_(source: BinaryIO, database_url: str) -> None:
    """Read SOURCE, a file `rolodex export` wrote (- for standard input), into the database.

    A customer whose account already has one with its id is left as it is, so an import
    that stopped part way can be run again. Lines are checked, then written, a chunk at a
    time; the import stops at the first line it cannot take, saying which and why. A
    customer's fields are stored as a request of its API sending them would have left them."""

    async def run(ctx: Context) -> transfer.Tally:
        try:
            return await transfer.import_(ctx, source)
        except transfer.Refused as refused:
            raise click.ClickException(str(refused)) from refused

    memory = "an import into an in-memory database would vanish at once"
    written = _on_store(database_url, run, memory)
    there = f"; {written.there:,} already there, left as they were" if written.there else ""
    reshaped = (
        f"; the fields of {_counted(written.rewritten, 'customer')} rewritten as their API "
        "keeps them"
        if written.rewritten
        else ""
    )
    click.echo(
        f"Imported {_counted(written.customers, 'customer')} and "
        f"{_counted(written.keys, 'key')} into {_shown(database_url)}{there}{reshaped}."
    )


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _refuse_missing_file(url: str) -> None:
    """Stop if ``url`` names a SQLite file that does not exist: opening it would make an
    empty one, and a mistyped path would export nothing without a word."""
    if not url.startswith("sqlite:") or in_memory(url):
        return
    path = sa.make_url(url).database
    if path and not os.path.exists(path):
        raise click.ClickException(f"no database at {path}")


def _dialect_of(key: str) -> str:
    try:
        return dialect_of(key)
    except MalformedKey as refused:
        raise click.UsageError(str(refused)) from refused


def _on_store(
    url: str,
    command: Callable[[Context], Awaitable[T]],
    in_memory_refusal: str = "keys held in an in-memory database would vanish at once",
) -> T:
    """Run ``command`` on the migrated database at ``url``; stop with one line if it cannot
    be used (``in_memory_refusal``, if it is an in-memory one: another process's, never)."""
    if in_memory(url):
        raise click.UsageError(in_memory_refusal)
    store = _open(url)

    async def run() -> T:
        try:
            await store.migrate()
            return await command(Context(store=store))
        finally:
            await store.close()

    return _unless_unusable(url, run)


def _migrate(url: str) -> None:
    """Migrate, or stop with one line saying why the database could not be reached."""
    store = _open(url)
    _unless_unusable(url, lambda: _migrate_and_close(store))


def _unless_unusable(url: str, run: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``run`` to its end, or stop with one line saying why the database could not be
    used."""
    try:
        with _store_warnings_left_to_this_message():
            return asyncio.run(run())
    except click.ClickException:
        raise  # the command's own one line
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
