"""Migration 0011 gives SQLite's ``customer_terms`` back the index that 0005 lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rolodex.store.postgres_settings import engine_settings
from tests.support.migrations import migrate
from tests.support.postgres import fresh_database

INDEX = "ix_customer_terms_presence"


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres() -> Iterator[sa.Engine]:
    with fresh_database() as url:
        settings = engine_settings(url)
        engine = sa.create_engine(settings.url, connect_args=settings.connect_args)
        yield engine
        engine.dispose()


def _indexed_columns(engine: sa.Engine) -> list[str] | None:
    """The columns of the index, in order; ``None`` if there is none."""
    for index in sa.inspect(engine).get_indexes("customer_terms"):
        if index["name"] == INDEX:
            return [str(column) for column in index["column_names"]]
    return None


def test_sqlite_gets_the_index_back_and_gives_it_up_on_the_way_down(sqlite: sa.Engine) -> None:
    migrate(sqlite, "0004")
    assert _indexed_columns(sqlite) == ["tenant", "field", "created_us", "customer_id"]
    migrate(sqlite, "0010")
    assert _indexed_columns(sqlite) is None  # the rebuild of 0005 dropped it

    migrate(sqlite, "head")
    assert _indexed_columns(sqlite) == ["tenant", "field", "created_us", "customer_id"]

    migrate(sqlite, "0010", down=True)
    assert _indexed_columns(sqlite) is None


@pytest.mark.postgres
def test_postgresql_keeps_the_index_it_never_lost(postgres: sa.Engine) -> None:
    migrate(postgres, "0010")
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
    migrate(postgres, "head")
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
    migrate(postgres, "0010", down=True)
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
