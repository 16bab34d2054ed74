"""Versioned migrations: applied once, safe to race, and within what distributed engines accept."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from rolodex.store import open_store
from rolodex.store.migrate import MIGRATIONS, upgrade

pytestmark = pytest.mark.postgres

SOURCE = Path(__file__).resolve().parents[2] / "src" / "rolodex"


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_a_migration_racing_another_waits_and_then_finds_it_done(
    fresh_postgres_url: str, fresh_postgres: sa.Engine
) -> None:
    failures: list[BaseException] = []
    racer = threading.Thread(
        target=_migrate_collecting_failures, args=(fresh_postgres_url, failures)
    )
    with fresh_postgres.connect() as first:
        first.begin()
        upgrade(first)
        racer.start()
        _wait_until_blocked(fresh_postgres)
        first.commit()
    racer.join()
    assert failures == []
    with fresh_postgres.connect() as check:
        assert check.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [
            (head_revision(),)
        ]


def test_the_schema_shards_by_tenant_and_draws_no_ids_from_the_server(
    fresh_postgres_url: str, fresh_postgres: sa.Engine
) -> None:
    asyncio.run(_migrate(fresh_postgres_url))
    with fresh_postgres.connect() as conn:
        sequences = conn.execute(sa.text("SELECT sequence_name FROM information_schema.sequences"))
        assert sequences.all() == []
        generated = conn.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' "
                "AND (column_default LIKE 'nextval%' OR is_identity = 'YES')"
            )
        )
        assert generated.all() == []
        assert set(_leading_key_columns(conn).values()) <= {"tenant", "scope"}
        collation = conn.execute(
            sa.text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'customers' AND column_name = 'id'"
            )
        )
        assert collation.scalar_one() == "C"


def test_the_source_takes_no_advisory_locks() -> None:
    users = [path for path in SOURCE.rglob("*.py") if "_advisory_" in path.read_text().lower()]
    assert users == []


def _leading_key_columns(conn: sa.Connection) -> dict[str, str]:
    """The first primary-key column of each of Rolodex's tables."""
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, a.attname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
            "WHERE i.indisprimary AND n.nspname = 'public' AND c.relname <> 'alembic_version'"
        )
    ).all()
    assert rows, "no tables migrated"
    return {table: column for table, column in rows}


def _migrate_collecting_failures(url: str, failures: list[BaseException]) -> None:
    try:
        asyncio.run(_migrate(url))
    except BaseException as failure:
        failures.append(failure)


async def _migrate(url: str) -> None:
    store = open_store(url)
    try:
        await store.migrate()
    finally:
        await store.close()


def _wait_until_blocked(admin: sa.Engine, timeout_s: float = 30.0) -> None:
    """Until some session waits on a lock: the racing migration, stuck behind the first."""
    deadline = time.monotonic() + timeout_s
    with admin.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                return
            watcher.rollback()
            time.sleep(0.05)
    raise AssertionError("the racing migration never waited for the first one")
