"""Migration 0009 widens PostgreSQL's versions to 64 bits, keeping every row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.migrations import migrate

pytestmark = pytest.mark.postgres

LAST_32_BIT = 2**31 - 1


def _versions(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT version FROM customers")).scalars())


def _insert(engine: sa.Engine, version: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO customers (tenant, id, created_us, version, deleted, doc) "
                "VALUES ('stripe/test/a', 'cus_1', 1, :version, false, '{}')"
            ),
            {"version": version},
        )


def _bump(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET version = version + 1"))


def test_a_version_at_the_32_bit_bound_can_grow_once_migrated(postgres: sa.Engine) -> None:
    migrate(postgres, "0008")
    _insert(postgres, LAST_32_BIT)
    with pytest.raises(sa.exc.DataError, match="out of range"):
        _bump(postgres)

    migrate(postgres, "head")
    _bump(postgres)
    assert _versions(postgres) == [LAST_32_BIT + 1]


def test_the_downgrade_keeps_versions_that_fit_32_bits(postgres: sa.Engine) -> None:
    migrate(postgres, "head")
    _insert(postgres, 7)
    migrate(postgres, "0008", down=True)
    assert _versions(postgres) == [7]
