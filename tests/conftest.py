"""Shared fixtures: databases for every backend and real server processes over them.

Each test gets its own API key, and every key names its own account, so tests sharing one
server never see each other's customers.
"""

from __future__ import annotations

import importlib
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import compiled
from tests.support.postgres import fresh_database
from tests.support.server import Server

_ALNUM = string.ascii_letters + string.digits


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test compiled modules older than their source (``tests/support/compiled``)."""
    stale = compiled.stale()
    if stale:
        pytest.exit(
            f"edited since compiled: {', '.join(stale)}; run `pip install -e .` again (or "
            "install with ROLODEX_PURE_PYTHON=1 to compile nothing)",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    for module in SDK_CLASSES:
        importlib.import_module(module)


SDK_CLASSES = (
    "stripe._stripe_client",
    "stripe._customer",
    "stripe._list_object",
    "stripe._search_result_object",
)
"""The modules stripe-python imports lazily: its client's, the first time a test builds one
(``stripe.StripeClient``), and those of the classes it gives Rolodex's answers, the first time
an answer names one. Imported before any test: on CPython 3.11 an import that a garbage
collection interrupts, with a finalizer that imports too, can fail with a ``KeyError`` from
importlib's module locks (python/cpython#91351, fixed in 3.12). One did in the first customer
a test created through the SDK, and one in the first client a test built."""


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'rolodex.db'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped after the session.

    The database orders text by an ICU ``en-US`` collation where the server has one (as many
    production databases do), not bytewise, so that every suite proves behaviour does not
    depend on it. Without a reachable server the PostgreSQL tests skip, unless
    ROLODEX_REQUIRE_POSTGRES=1 (as in CI), where they fail.
    """
    with fresh_database(collation="en-US") as url:
        yield url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """Every backend the end-to-end suites run against."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend, for this test alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with fresh_database() as url:
        yield url


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
