"""Run the statements on every request's path straight on sqlite3's cursor.

Why this exists: on SQLite, SQLAlchemy's execution layer (parameter and result processing,
row objects, the compiled-statement cache lookup) costs several times what SQLite takes to
answer a primary-key lookup or to write one index row. So on SQLite the statements passed
here are compiled once and their SQL handed to the driver's cursor, inside the caller's
transaction. They must therefore be built once (at import, or by a cached factory), since
the compiled SQL is cached by the statement's identity, and bind only strings, integers,
booleans and ``None``, which the driver takes as they are.

PostgreSQL keeps SQLAlchemy's execution: a round trip dwarfs its cost, and its execution
layer translates driver faults into the errors the adapter reports as ``Unavailable``.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

Params = dict[str, Any]


def run(conn: sa.Connection, statement: sa.ClauseElement, rows: list[Params]) -> Any:
    """Run ``statement`` once per row; returns a cursor-like result (``rowcount``, fetches)."""
    if conn.dialect.name != "sqlite":
        executable = cast(sa.Executable, statement)
        return conn.execute(
            executable.execution_options(preserve_rowcount=True),
            rows[0] if len(rows) == 1 else rows,
        )
    sql, names = compiled(conn.dialect, statement)
    cursor = conn.connection.cursor()
    if len(rows) == 1:
        cursor.execute(sql, _bound(rows[0], names))
    else:
        many: list[Any] = [_bound(row, names) for row in rows]
        cursor.executemany(sql, many)
    return cursor


def first(conn: sa.Connection, statement: sa.ClauseElement, params: Params) -> Any:
    """The first row (``None`` if none), with the cursor closed at once so no read stays open."""
    cursor = run(conn, statement, [params])
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def scalar(conn: sa.Connection, statement: sa.ClauseElement, params: Params) -> Any:
    """The first column of the first row, or ``None`` when there is no row."""
    row = first(conn, statement, params)
    return None if row is None else row[0]


def fetch_all(conn: sa.Connection, statement: sa.ClauseElement, params: Params) -> list[Any]:
    """Every row, by position (a SQLAlchemy row or a driver tuple)."""
    cursor = run(conn, statement, [params])
    try:
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def _bound(row: Params, names: tuple[str, ...] | None) -> Params | tuple[Any, ...]:
    return row if names is None else tuple([row[name] for name in names])


_COMPILED: dict[tuple[str, str, int], tuple[sa.ClauseElement, str, tuple[str, ...] | None]] = {}


def compiled(
    dialect: sa.Dialect, statement: sa.ClauseElement
) -> tuple[str, tuple[str, ...] | None]:
    """The statement's SQL for this dialect and, for positional drivers, its parameter order.

    Keyed by identity; each entry holds its statement so that no identity is ever reused.
    """
    key = (dialect.name, dialect.paramstyle, id(statement))
    entry = _COMPILED.get(key)
    if entry is None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        entry = _COMPILED[key] = (statement, compiled.string, order)
    return entry[1], entry[2]
