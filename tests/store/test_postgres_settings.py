"""Reading PostgreSQL engine settings out of a database URL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rolodex.store import UnsupportedDatabaseError
from rolodex.store.postgres_settings import engine_settings


def test_defaults_bound_every_wait() -> None:
    settings = engine_settings("postgres://app:pw@db:5433/crm")
    assert settings.url.render_as_string(hide_password=False) == (
        "postgresql+psycopg://app:pw@db:5433/crm"
    )
    arguments = settings.engine_arguments()
    assert (arguments["pool_size"], arguments["max_overflow"], arguments["pool_timeout"]) == (
        10,
        10,
        10.0,
    )
    assert arguments["pool_pre_ping"] is True
    assert arguments["connect_args"]["connect_timeout"] == "5"
    options = arguments["connect_args"]["options"]
    assert "-c statement_timeout=30000" in options
    assert "-c idle_in_transaction_session_timeout=60000" in options
    assert "-c jit=off" in options
    assert settings.operation_timeout_s == 40


def test_the_url_overrides_defaults_and_passes_the_rest_to_libpq() -> None:
    settings = engine_settings(
        "postgresql://db/crm?pool_size=3&pool_timeout=0.5&operation_timeout=7"
        "&statement_timeout=900&connect_timeout=2&sslmode=require"
    )
    arguments = settings.engine_arguments()
    assert (arguments["pool_size"], arguments["pool_timeout"]) == (3, 0.5)
    assert settings.operation_timeout_s == 7
    assert arguments["connect_args"]["connect_timeout"] == "2"
    assert arguments["connect_args"]["sslmode"] == "require"
    assert "-c statement_timeout=900" in arguments["connect_args"]["options"]
    assert settings.url.query == {}


def test_the_callers_own_options_win() -> None:
    settings = engine_settings("postgresql://db/crm?options=-c%20statement_timeout%3D5")
    options = settings.engine_arguments()["connect_args"]["options"]
    assert options.count("statement_timeout") == 1
    assert options.startswith("-c statement_timeout=5")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("postgresql://db/crm?pool_size=lots", "pool_size"),
        ("postgresql://db/crm?pool_timeout=-1", "pool_timeout"),
        ("postgresql://db/crm?sslmode=a&sslmode=b", "sslmode"),
        ("mysql://db/crm", "not a PostgreSQL URL"),
    ],
)
def test_malformed_settings_are_refused(url: str, complaint: str) -> None:
    with pytest.raises(UnsupportedDatabaseError, match=complaint):
        engine_settings(url)


@pytest.mark.postgres
def test_the_server_applies_the_session_settings(postgres_url: str) -> None:
    settings = engine_settings(postgres_url)
    engine = sa.create_engine(settings.url, connect_args=settings.connect_args)
    try:
        with engine.connect() as conn:
            shown = {
                name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
                for name in ("jit", "statement_timeout")
            }
    finally:
        engine.dispose()
    assert shown == {"jit": "off", "statement_timeout": "30s"}
