"""The tests of single migrations each work on a database of their own: a SQLite file, or a
fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.postgres import fresh_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    made = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    yield made
    made.dispose()


@pytest.fixture
def postgres() -> Iterator[sa.Engine]:
    with fresh_engine() as made:
        yield made
