"""Checkpoints beside the commits: the log is copied back on a thread of its own, commits
never wait for it, and the log still starts afresh, so it stays as short as SQLite keeps it."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolodex.store.checkpoint import Checkpointer, LogIndex

PAGES = 40
ROW = "x" * 3000  # most of a 4 KiB page: about a log frame a row


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "log.db"
    writer = _connect(path)
    writer.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT)")
    writer.close()
    yield path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    return connection


def _commit_rows(writer: sqlite3.Connection, first: int, count: int) -> None:
    writer.execute("BEGIN IMMEDIATE")
    writer.executemany("INSERT INTO t VALUES (?, ?)", [(first + n, ROW) for n in range(count)])
    writer.execute("COMMIT")


class _Held:
    """Connections for a checkpointer whose first checkpoint waits until the test lets it go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = threading.Event()
        self.go = threading.Event()

    def connect(self) -> sqlite3.Connection:
        self.started.set()
        assert self.go.wait(10), "the test never let the checkpoint go"
        return _connect(self.path)


def test_the_header_counts_the_frames_logged_and_copied(database: Path) -> None:
    writer = _connect(database)
    _commit_rows(writer, 0, 10)
    index = LogIndex(database)
    logged, copied = index.frames()
    assert logged >= 10
    assert copied == 0
    writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
    assert index.frames() == (logged, logged)
    index.close()
    writer.close()


def test_a_short_log_is_left_as_it_is(database: Path) -> None:
    writer = _connect(database)
    held = _Held(database)
    checkpoints = Checkpointer(database, PAGES, held.connect)
    _commit_rows(writer, 0, PAGES // 2)
    checkpoints.after_commit(writer)
    assert not held.started.wait(0.2)
    checkpoints.close()
    writer.close()


def test_a_long_log_is_checkpointed_beside_the_commits_which_do_not_wait(
    database: Path,
) -> None:
    writer = _connect(database)
    held = _Held(database)
    checkpoints = Checkpointer(database, PAGES, held.connect)
    _commit_rows(writer, 0, PAGES)
    checkpoints.after_commit(writer)
    assert held.started.wait(10)  # a checkpoint is under way, held

    for n in range(5):  # commits go on meanwhile, and start no second checkpoint
        _commit_rows(writer, PAGES + n * 10, 10)
        checkpoints.after_commit(writer)
    index = LogIndex(database)
    logged, copied = index.frames()
    assert (logged >= PAGES + 50, copied) == (True, 0)

    held.go.set()
    checkpoints.settle()
    assert index.frames()[1] >= PAGES
    checkpoints.close()
    index.close()
    writer.close()


def test_what_is_logged_beside_a_checkpoint_is_copied_next_so_the_log_starts_afresh(
    database: Path,
) -> None:
    """A checkpoint beside the commits never copies the whole log alone: here a reader keeps
    the last commit's frames from it, as a commit landing while it runs would. The next
    commit copies them, and the write after it starts the log from its beginning again."""
    writer, reader = _connect(database), _connect(database)
    index = LogIndex(database)
    checkpoints = Checkpointer(database, PAGES, lambda: _connect(database))
    for round_ in range(3):
        first = round_ * 1000
        _commit_rows(writer, first, PAGES)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM t").fetchone()  # holds this snapshot
        _commit_rows(writer, first + PAGES, 5)
        checkpoints.after_commit(writer)
        checkpoints.settle()
        logged, copied = index.frames()
        assert 0 < copied < logged
        reader.execute("COMMIT")

        _commit_rows(writer, first + PAGES + 5, 1)
        checkpoints.after_commit(writer)
        logged, copied = index.frames()
        assert logged == copied

        _commit_rows(writer, first + PAGES + 6, 1)
        assert index.frames()[0] < 5  # begun afresh
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (3 * (PAGES + 7),)
    assert writer.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    checkpoints.close()
    index.close()
    reader.close()
    writer.close()


def test_the_log_stays_short_however_long_the_writes_go_on(database: Path) -> None:
    writer = _connect(database)
    checkpoints = Checkpointer(database, PAGES, lambda: _connect(database))
    index = LogIndex(database)
    longest = 0
    for n in range(100):
        _commit_rows(writer, n * 10, 10)
        checkpoints.after_commit(writer)
        longest = max(longest, index.frames()[0])
    checkpoints.close()
    assert PAGES <= longest < 3 * PAGES
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (1000,)
    index.close()
    writer.close()


def test_without_a_readable_header_the_writer_checkpoints_as_sqlite_does(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = sqlite3.connect(tmp_path / "rollback.db", isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (n INTEGER)")  # a rollback journal: no -shm at all
    checkpoints = Checkpointer(tmp_path / "rollback.db", PAGES, lambda: writer)
    with caplog.at_level(logging.WARNING, logger="rolodex.store.checkpoint"):
        checkpoints.after_commit(writer)
        checkpoints.after_commit(writer)
    assert writer.execute("PRAGMA wal_autocheckpoint").fetchone() == (PAGES,)
    assert sum("header cannot be read" in r.getMessage() for r in caplog.records) == 1
    checkpoints.close()
    writer.close()
