"""PostgreSQL engine settings, read from the database URL's query string.

Settings travel inside the URL so that one string (``--database`` or ``ROLODEX_DATABASE_URL``)
configures every process and every ``--workers`` child alike. Rolodex takes its pool settings
out of the query string and passes the rest to libpq, filling in defaults that bound every
wait: a database that is down, restarting or unreachable makes a request fail within seconds
instead of hanging it.

=============================  ========  =================================================
parameter                      default   bounds
=============================  ========  =================================================
``pool_size``                  10        connections each process keeps open
``max_overflow``               10        extra connections opened under load, then closed
``pool_timeout``               10        seconds a request waits for a free connection
``pool_recycle``               1800      seconds before a connection is replaced
``connect_timeout``            5         seconds to open a connection
``statement_timeout``          30000     milliseconds one statement may run (or wait on a lock)
``idle_in_transaction_``       60000     milliseconds a transaction may sit idle holding locks
``session_timeout``
``jit``                        off       whether PostgreSQL compiles costly queries to machine
                                         code (it took longer than it saved)
``operation_timeout``          40        seconds Rolodex waits for one store operation as a
                                         whole, pool wait included, when the server itself
                                         stops answering (frozen, or a network that drops
                                         packets), before it gives up on the connection
=============================  ========  =================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from rolodex.store import UnsupportedDatabaseError

POOL_DEFAULTS: dict[str, str] = {
    "pool_size": "10",
    "max_overflow": "10",
    "pool_timeout": "10",
    "pool_recycle": "1800",
}
OPERATION_TIMEOUT_DEFAULT = "40"
CONNECT_DEFAULTS: dict[str, str] = {
    "connect_timeout": "5",
    "application_name": "rolodex",
    # Notice a peer that vanished without closing the connection (a crashed host).
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
SESSION_DEFAULTS: dict[str, str] = {
    "statement_timeout": "30000",
    "idle_in_transaction_session_timeout": "60000",
    # Compiling a query costs more than any of Rolodex's queries saves by it: PostgreSQL
    # compiles those whose estimated cost passes a bound, and at 50,000 customers a search
    # count of 50 ms spent another 212 ms compiling (309 ms in all, 100 ms without).
    "jit": "off",
}
_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")


class InvalidDatabaseURL(UnsupportedDatabaseError):
    """The URL is not a PostgreSQL URL, or one of its settings is malformed."""


@dataclass(frozen=True)
class EngineSettings:
    url: sa.URL
    """The psycopg URL, stripped of the settings below."""
    operation_timeout_s: float = float(OPERATION_TIMEOUT_DEFAULT)
    pool: dict[str, float] = field(default_factory=dict)
    connect_args: dict[str, str] = field(default_factory=dict)

    def engine_arguments(self) -> dict[str, Any]:
        pool: dict[str, Any] = {
            name: int(value) if name != "pool_timeout" else value
            for name, value in self.pool.items()
        }
        return {**pool, "pool_pre_ping": True, "connect_args": self.connect_args}


def engine_settings(url: str) -> EngineSettings:
    """Split ``url`` into the driver URL, pool settings and connection arguments."""
    parsed = _parse(url)
    query = dict(parsed.query)
    pool = {
        name: _number(name, query.pop(name, default)) for name, default in POOL_DEFAULTS.items()
    }
    deadline = _number(
        "operation_timeout", query.pop("operation_timeout", OPERATION_TIMEOUT_DEFAULT)
    )
    if deadline == 0:  # every operation would fail at once
        raise InvalidDatabaseURL("operation_timeout in the database URL must be more than 0")
    session = {name: query.pop(name, default) for name, default in SESSION_DEFAULTS.items()}
    connect = {**CONNECT_DEFAULTS, **{name: _single(name, v) for name, v in query.items()}}
    connect["options"] = _options(connect.get("options", ""), session)
    driver_url = parsed.set(drivername="postgresql+psycopg", query={})
    return EngineSettings(driver_url, deadline, pool, connect)


def _parse(url: str) -> sa.URL:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as malformed:
        raise InvalidDatabaseURL(f"malformed database URL: {malformed}") from malformed
    if parsed.drivername not in _SCHEMES:
        raise InvalidDatabaseURL(f"not a PostgreSQL URL: {parsed.drivername}://...")
    return parsed


def _number(name: str, value: str | tuple[str, ...]) -> float:
    text = _single(name, value)
    try:
        number = float(text)
    except ValueError:
        raise InvalidDatabaseURL(f"{name} in the database URL must be a number") from None
    if not math.isfinite(number):
        raise InvalidDatabaseURL(f"{name} in the database URL must be a finite number")
    if number < 0:
        raise InvalidDatabaseURL(f"{name} in the database URL must not be negative")
    return number


def _single(name: str, value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        raise InvalidDatabaseURL(f"{name} appears more than once in the database URL")
    return value


def _options(given: str, session: dict[str, str | tuple[str, ...]]) -> str:
    """libpq's ``options``: the caller's own ``-c`` settings win over Rolodex's defaults."""
    ours = [
        f"-c {name}={_single(name, value)}"
        for name, value in session.items()
        if f"{name}=" not in given
    ]
    return " ".join([given, *ours]).strip()
