"""Shared fixtures: databases for every backend and real server processes over them.

Each test gets its own API key, and every key names its own account, so tests sharing one
server never see each other's customers.
"""

from __future__ import annotations

import os
import secrets
import string
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server

_ALNUM = string.ascii_letters + string.digits


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'rolodex.db'}"


POSTGRES_ADMIN_URL = os.environ.get(
    "ROLODEX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("ROLODEX_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped after the session.

    Without a reachable server the PostgreSQL tests skip, unless ROLODEX_REQUIRE_POSTGRES=1
    (as in CI), where they fail.
    """
    psycopg = pytest.importorskip("psycopg")
    name = f"rolodex_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as unreachable:
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL}: {unreachable}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """Every backend the end-to-end suites run against."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = Path(tmp_path_factory.mktemp("server")) / "server.log"
    running = Server(database_url, log).start()
    yield running
    running.stop()


def random_key(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


@pytest.fixture
def stripe_key() -> str:
    return random_key("sk_test_")
