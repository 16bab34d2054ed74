"""A SQLite store whose commits wait on their thread, as on a disk slow to fsync."""

from __future__ import annotations

import threading

from pytest import MonkeyPatch

from rolodex.store.sqlite import SQLiteStore


def slow_disk(store: SQLiteStore, monkeypatch: MonkeyPatch) -> threading.Event:
    """Hold each of ``store``'s commits on its thread until the returned event is set."""
    release = threading.Event()
    commit = store._commit

    def held(apply_queue: bool = False) -> Exception | None:
        release.wait(timeout=10)
        return commit(apply_queue)

    monkeypatch.setattr(store, "_commit", held)
    return release
