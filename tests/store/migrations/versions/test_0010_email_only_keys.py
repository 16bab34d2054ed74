"""Migration 0010 gives Autumn's email-only customers stored without a key their key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from tests.support.migrations import migrate
from tests.support.postgres import fresh_engine

ACCOUNT = "autumn:sandbox:org_1"
EMAIL = "ann@example.com"
OTHER_ACCOUNT = "autumn:live:org_1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_engine() as engine:
        yield engine


def _customer(
    tenant: str, id: str, created_us: int, deleted: bool = False, **fields: object
) -> dict[str, object]:
    doc = {"name": None, **fields}
    return {"t": tenant, "i": id, "c": created_us, "d": deleted, "doc": orjson.dumps(doc).decode()}


def _email_only(email: str) -> dict[str, object]:
    return {"email": email.upper(), "email_lower": email, "metadata": {}}


BEFORE = [
    _customer(ACCOUNT, "cus_newer", 2, **_email_only(EMAIL)),
    _customer(ACCOUNT, "cus_oldest", 1, **_email_only(EMAIL)),
    _customer(OTHER_ACCOUNT, "cus_elsewhere", 3, **_email_only(EMAIL)),
    _customer(ACCOUNT, "cus_gone", 0, deleted=True, **_email_only("gone@example.com")),
    _customer(ACCOUNT, "cus_with_id", 4, customer_id="u1", **_email_only("id@example.com")),
    _customer(ACCOUNT, "cus_no_email", 5, metadata={}),
    _customer(ACCOUNT, "cus_keyed", 6, email_only="k@example.com", **_email_only("k@example.com")),
    _customer(
        "stripe:test:acct_1", "cus_stripe", 7, email="s@example.com", email_lower="s@example.com"
    ),
]


def _docs(engine: sa.Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, doc FROM customers"))
        return {id: orjson.loads(doc) for id, doc in rows}


def _keys(engine: sa.Engine) -> set[tuple[str, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT scope, kind, value, tenant, customer_id FROM customer_keys")
        )
        return {tuple(row) for row in rows}


def test_the_oldest_email_only_customer_of_each_email_takes_its_key(any_engine: sa.Engine) -> None:
    migrate(any_engine, "0009")
    with any_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO customers (tenant, id, created_us, version, deleted, doc) "
                "VALUES (:t, :i, :c, 1, :d, :doc)"
            ),
            BEFORE,
        )
        conn.execute(
            sa.text("INSERT INTO customer_keys VALUES (:s, 'email_only', :v, :s, 'cus_keyed')"),
            {"s": ACCOUNT, "v": "k@example.com"},
        )
    before = _docs(any_engine)

    migrate(any_engine, "head")
    assert _keys(any_engine) == {
        (ACCOUNT, "email_only", "k@example.com", ACCOUNT, "cus_keyed"),
        (ACCOUNT, "email_only", EMAIL, ACCOUNT, "cus_oldest"),
        (OTHER_ACCOUNT, "email_only", EMAIL, OTHER_ACCOUNT, "cus_elsewhere"),
    }
    after = _docs(any_engine)
    for id in ("cus_oldest", "cus_elsewhere"):
        assert after[id] == {**before[id], "email_only": EMAIL}
    unchanged = set(before) - {"cus_oldest", "cus_elsewhere"}
    assert {id: after[id] for id in unchanged} == {id: before[id] for id in unchanged}

    migrate(any_engine, "0009", down=True)
    assert len(_keys(any_engine)) == 3
