"""Migration 0011 gives SQLite's ``customer_terms`` back the index that 0005 lost."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.migrations import migrate

INDEX = "ix_customer_terms_presence"


def _indexed_columns(engine: sa.Engine) -> list[str] | None:
    """The columns of the index, in order; ``None`` if there is none."""
    for index in sa.inspect(engine).get_indexes("customer_terms"):
        if index["name"] == INDEX:
            return [str(column) for column in index["column_names"]]
    return None


def test_sqlite_gets_the_index_back_and_gives_it_up_on_the_way_down(engine: sa.Engine) -> None:
    migrate(engine, "0004")
    assert _indexed_columns(engine) == ["tenant", "field", "created_us", "customer_id"]
    migrate(engine, "0010")
    assert _indexed_columns(engine) is None  # the rebuild of 0005 dropped it

    migrate(engine, "head")
    assert _indexed_columns(engine) == ["tenant", "field", "created_us", "customer_id"]

    migrate(engine, "0010", down=True)
    assert _indexed_columns(engine) is None


@pytest.mark.postgres
def test_postgresql_keeps_the_index_it_never_lost(postgres: sa.Engine) -> None:
    migrate(postgres, "0010")
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
    migrate(postgres, "head")
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
    migrate(postgres, "0010", down=True)
    assert _indexed_columns(postgres) == ["tenant", "field", "created_us", "customer_id"]
