"""Copy SQLite's write-ahead log back into the database file beside the commits, not in one.

Why: SQLite checkpoints inside the commit that finds the log long enough, and that commit
returns only once the pages it copied are on disk: an fsync of the database file, while the
writes of the next batch wait. At 100,000 customers that fsync took 34 ms on average, against
0.46 ms for a commit's own (`perf trace -e fdatasync` of the server over 6 s of updates at 32
connections: seven of them, 4% of the run). SQLite lets a checkpoint run on another connection
while writes go on, so the store turns its own off and runs one on a thread of its own once
the log holds ``pages`` frames not yet copied.

What that leaves to do here: SQLite starts the log afresh (writes it from its beginning again)
only when a write begins with every frame of it copied, which a checkpoint beside the writes
never manages alone, as they go on adding frames. So once a background checkpoint has ended,
the next commit copies the few frames added meanwhile itself (:meth:`Checkpointer.after_commit`),
and the write after it starts the log afresh.

How long the log is: SQLite keeps the count of its frames, and of those copied back, in the
header of the WAL-index (the ``-shm`` file beside the database), whose layout is documented
(https://www.sqlite.org/walformat.html, "The WAL-Index Header"). sqlite3 has no call that reads
them short of checkpointing, so they are read from a memory map of that file.
"""

from __future__ import annotations

import logging
import mmap
import sqlite3
import struct
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

_U32 = struct.Struct("=I")
"""The header's integers: 32 bits, in the byte order of the machine that wrote them."""
_LOGGED_AT = 16
"""``mxFrame`` of the header's first copy: the last valid frame of the log."""
_COPIED_AT = 96
"""``nBackfill``, after the header's two copies: the frames copied into the database."""
_HEADER_BYTES = 136

Connect = Callable[[], sqlite3.Connection]


class LogIndex:
    """The two counters of a database's WAL-index header that time a checkpoint.

    Read without SQLite's locks: a value read while a commit writes it may be that commit's
    or the one before's, which moves a checkpoint by a commit at most.
    """

    def __init__(self, database: Path) -> None:
        with open(f"{database}-shm", "rb") as file:
            self._map = mmap.mmap(file.fileno(), _HEADER_BYTES, access=mmap.ACCESS_READ)

    def frames(self) -> tuple[int, int]:
        """The frames in the log, and how many of them are copied into the database."""
        (logged,) = _U32.unpack_from(self._map, _LOGGED_AT)
        (copied,) = _U32.unpack_from(self._map, _COPIED_AT)
        return logged, copied

    def close(self) -> None:
        self._map.close()


class Checkpointer:
    """Checkpoints a database's log on a thread of its own, ``pages`` frames at a time.

    ``connect`` opens its own connection to the database, used on that thread only. The
    writer's connection must not checkpoint by itself (``PRAGMA wal_autocheckpoint``), but for
    a last resort: if the log's header cannot be read, :meth:`after_commit` gives the writer
    back SQLite's own checkpoints, every ``pages`` frames, and does nothing more.
    """

    def __init__(self, database: Path, pages: int, connect: Connect) -> None:
        self._database = database
        self._pages = pages
        self._connect = connect
        self._connection: sqlite3.Connection | None = None
        self._index: LogIndex | None = None
        self._given_up = False
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="rolodex-checkpoint")
        self._running: Future[None] | None = None

    def after_commit(self, writer: sqlite3.Connection) -> None:
        """Call on the writer's thread, right after each commit, outside a transaction."""
        index = self._log_index(writer)
        if index is None:
            return
        logged, copied = index.frames()
        running = self._running
        if running is not None:
            if not running.done():
                return
            self._running = None
            if logged > copied:  # what was logged while it ran: a few pages, at once
                _checkpoint(writer)
            return
        if logged - copied >= self._pages:
            self._running = self._thread.submit(self._checkpoint_beside)

    def settle(self) -> None:
        """Wait for a checkpoint under way to end."""
        if self._running is not None:
            self._running.result()

    def close(self) -> None:
        """Wait for a checkpoint under way, then let go of the database."""
        self._thread.shutdown(wait=True)
        if self._connection is not None:
            self._connection.close()
        if self._index is not None:
            self._index.close()

    def _checkpoint_beside(self) -> None:
        if self._connection is None:
            self._connection = self._connect()
        _checkpoint(self._connection)

    def _log_index(self, writer: sqlite3.Connection) -> LogIndex | None:
        if self._index is None and not self._given_up:
            try:
                self._index = LogIndex(self._database)
            except (OSError, ValueError) as fault:
                self._given_up = True
                log.warning("the log's header cannot be read (%s); SQLite checkpoints", fault)
                writer.execute(f"PRAGMA wal_autocheckpoint={self._pages}")
        return self._index


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Copy what the log holds into the database as far as no reader stands in the way; a
    checkpoint that fails is logged and left for the next, as no write depends on it."""
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as fault:
        log.warning("a checkpoint of the log failed: %s", fault)
