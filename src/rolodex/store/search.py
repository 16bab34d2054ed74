"""Run a search plan (``store.plan``) as SQL, over a synchronous connection.

Both adapters run these functions, like those of ``store.sql``. Each arm is one statement
that walks its index newest first and stops after a page; several arms are joined by UNION
(which also drops a record two arms found) and the newest page of the union is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from rolodex.core.errors import InvalidQuery
from rolodex.core.records import Record
from rolodex.store import fts
from rolodex.store.base import Page, SearchQuery
from rolodex.store.compile import (
    Clause,
    Index,
    compile_condition,
    full_text_match,
    matched_key_rows,
    text_match,
    text_rows,
)
from rolodex.store.plan import Arm, Driver, Scan, Terms, Texts, Window, plan, window
from rolodex.store.search_tables import customer_fts, customer_fts_rows
from rolodex.store.tables import customer_terms, customers


def search_page(conn: sa.Connection, query: SearchQuery) -> Page:
    scope = _Scope.of(conn, query)
    arms = _plan(conn, scope, query)
    if not arms:
        return Page()
    size = query.limit + 1
    selects = [scope.arm_rows(arm, size) for arm in arms]
    if len(selects) == 1:
        statement = selects[0]
    else:
        union = sa.union(*(sa.select(s.subquery()) for s in selects)).subquery()
        statement = sa.select(union).order_by(union.c.created_us.desc(), union.c.id.desc())
        statement = statement.limit(size)
    rows = conn.execute(statement).all()
    records = [_record(query, row) for row in rows[: query.limit]]
    return Page(records, has_more=len(rows) > query.limit)


def search_count(conn: sa.Connection, query: SearchQuery) -> int:
    scope = _Scope.of(conn, query)
    arms = _plan(conn, scope, query)
    if not arms:
        return 0
    matches = sa.union(*(scope.arm_ids(arm) for arm in arms)).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())


def _plan(conn: sa.Connection, scope: _Scope, query: SearchQuery) -> list[Arm]:
    def estimate(driver: Driver, cap: int) -> int:
        counted = scope.driver_entries(driver).limit(cap).subquery()
        return int(conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one())

    return plan(query.where, scope.index, estimate)


@dataclass(frozen=True)
class _Scope:
    """Everything an arm's statement depends on besides the arm itself."""

    query: SearchQuery
    dialect: str
    index: Index
    window: Window

    @classmethod
    def of(cls, conn: sa.Connection, query: SearchQuery) -> _Scope:
        return cls(query, conn.dialect.name, Index.of(query.spec), window(query.where))

    @property
    def tenant(self) -> str:
        return self.query.tenant.key

    def arm_rows(self, arm: Arm, size: int) -> sa.Select[Any]:
        """The arm's newest ``size`` matching records, whole."""
        if isinstance(arm.driver, Texts) and arm.driver.op and self.dialect == "sqlite":
            return self._full_text_rows(arm, arm.driver, size)
        source, filters, (created, ident) = self._source(arm.driver)
        statement = sa.select(customers).select_from(source).where(*filters, *self._checks(arm))
        statement = statement.where(*self._bounds(created, ident))
        return statement.order_by(created.desc(), ident.desc()).limit(size)

    def arm_ids(self, arm: Arm) -> sa.Select[Any]:
        """Every record the arm matches, by id, in no order."""
        if isinstance(arm.driver, Texts) and arm.driver.op and self.dialect == "sqlite":
            # The matching keys first, once: joined as the page joins them, SQLite walked the
            # account's key rows and asked the full-text index about each one, a second a
            # count at 10,000 customers, and more for each word of the query.
            matched = _fts_match(self.tenant, arm.driver)
            source = _joined(customer_fts_rows, self.dialect)
            filters = list(matched_key_rows(customer_fts_rows, self.tenant, matched))
        else:
            source, filters, (created, _) = self._source(arm.driver)
            # The created range on the driver's own rows too, as a page has it: given it on the
            # records alone, SQLite walked the records in the range and, for each, every entry
            # of the driver's term (a count took 74 s at 50,000 customers; now 13 ms).
            filters += self._window(created)
        return sa.select(customers.c.id).select_from(source).where(*filters, *self._checks(arm))

    def driver_entries(self, driver: Driver) -> sa.Select[Any]:
        """The index entries ``driver`` walks, without looking at the records."""
        if isinstance(driver, Texts) and driver.op and self.dialect == "sqlite":
            match = _fts_match(self.tenant, driver)
            return sa.select(customer_fts.c.rowid).where(match, *self._key_bounds())
        source, filters, (created, _) = self._source(driver, joined=False)
        return sa.select(sa.literal(1)).select_from(source).where(*filters, *self._window(created))

    def _source(
        self, driver: Driver, *, joined: bool = True
    ) -> tuple[sa.FromClause, list[Clause], tuple[sa.ColumnElement[Any], ...]]:
        """Where a driver's entries live, which of them it wants, and their order columns."""
        if isinstance(driver, Scan):
            return customers, [customers.c.tenant == self.tenant], _order_of(customers)
        table = customer_terms if isinstance(driver, Terms) else text_rows(self.dialect)
        filters = [table.c.tenant == self.tenant, table.c.field == driver.field]
        if isinstance(driver, Terms) and driver.value is not None:
            filters.append(customer_terms.c.value == driver.value)
        if isinstance(driver, Texts) and driver.op is not None:
            filters.append(_text_condition(driver, self.dialect))
        source = _joined(table, self.dialect) if joined else table
        return source, filters, (table.c.created_us, table.c.customer_id)

    def _checks(self, arm: Arm) -> list[Clause]:
        """The record is live and meets the conditions the driver does not."""
        checks: list[Clause] = [customers.c.deleted == sa.false()]
        if arm.rest:
            for condition in arm.rest:
                checks.append(
                    compile_condition(
                        condition,
                        self.tenant,
                        dialect=self.dialect,
                        spec=self.query.spec,
                        per_row=True,
                    )
                )
        return checks

    def _window(self, created: sa.ColumnElement[int]) -> list[Clause]:
        bounds: list[Clause] = []
        if self.window.low is not None:
            bounds.append(created >= self.window.low)
        if self.window.high is not None:
            bounds.append(created < self.window.high)
        return bounds

    def _bounds(self, created: sa.ColumnElement[int], ident: sa.ColumnElement[str]) -> list[Clause]:
        """The created window, and the page cursor, on the driver's order columns."""
        bounds = self._window(created)
        if (after := self.query.after) is not None:
            position = sa.tuple_(sa.literal(after.created_us), sa.literal(after.id))
            bounds.append(sa.tuple_(created, ident) < position)
        return bounds

    def _key_bounds(self) -> list[Clause]:
        """The window and the cursor as bounds on full-text keys (see ``store.fts``)."""
        key = customer_fts.c.rowid
        bounds: list[Clause] = []
        if self.window.low is not None:
            bounds.append(key >= fts.first_key(self.window.low))
        if self.window.high is not None:
            bounds.append(key < fts.key_above(self.window.high - 1))
        if self.query.after is not None:
            bounds.append(key < fts.key_above(self.query.after.created_us))
        return bounds

    def _full_text_source(self, driver: Texts) -> tuple[sa.FromClause, list[Clause]]:
        rows = customer_fts_rows
        source = customer_fts.join(rows, rows.c.key == customer_fts.c.rowid)
        source = source.join(
            customers,
            sa.and_(customers.c.tenant == rows.c.tenant, customers.c.id == rows.c.customer_id),
        )
        filters = [_fts_match(self.tenant, driver), rows.c.tenant == self.tenant]
        return source, filters

    def _full_text_rows(self, arm: Arm, driver: Texts, size: int) -> sa.Select[Any]:
        """Two steps, because keys order records by creation millisecond only.

        The first page in key order ends in some millisecond; every record of that
        millisecond, and of the newer ones, is then ordered exactly by ``(created_us, id)``.
        """
        source, filters = self._full_text_source(driver)
        filters += [*self._checks(arm), *self._key_bounds()]
        filters += self._bounds(customers.c.created_us, customers.c.id)
        key = customer_fts.c.rowid
        first = sa.select(key.label("key")).select_from(source).where(*filters)
        first_page = first.order_by(key.desc()).limit(size).subquery()
        oldest = sa.select(sa.func.min(first_page.c.key)).scalar_subquery()
        from_its_bucket = key >= oldest.op(">>")(fts.KEY_BITS).op("<<")(fts.KEY_BITS)
        statement = sa.select(customers).select_from(source).where(*filters, from_its_bucket)
        # Ordered by the key table's copy of the order so that SQLite keeps walking the
        # full-text index first; ordered by ``customers`` it would rather walk every record.
        rows = customer_fts_rows.c
        return statement.order_by(rows.created_us.desc(), rows.customer_id.desc()).limit(size)


def _order_of(table: sa.Table) -> tuple[sa.ColumnElement[Any], ...]:
    return (table.c.created_us, table.c.id)


def _joined(table: sa.Table, dialect: str) -> sa.FromClause:
    """A side table's rows joined to their records.

    On PostgreSQL on the whole of the record's key as the side tables hold it, creation time
    included: joined on the id alone, its planner found a term's entry from a record by the
    term's value alone and filtered the value's entries by id, and at 50,000 customers a page
    of ``metadata["plan"]:"pro" email~"com"`` ran into the statement timeout (now 0.16 s).
    SQLite keeps the join on the id: given the creation time too, its planner, which has no
    statistics, took to walking every record of the account and sorting them.
    """
    on = [customers.c.tenant == table.c.tenant, customers.c.id == table.c.customer_id]
    if dialect != "sqlite":
        on.append(customers.c.created_us == table.c.created_us)
    return table.join(customers, sa.and_(*on))


def _text_condition(driver: Texts, dialect: str) -> Clause:
    assert driver.op is not None
    matched = text_match(driver.op, driver.value, dialect)
    if matched is None:
        raise InvalidQuery(f"nothing can match {driver!r}")
    return matched


def _fts_match(tenant: str, driver: Texts) -> Clause:
    assert driver.op is not None
    matched = full_text_match(tenant, driver.field, driver.op, driver.value)
    if matched is None:
        raise InvalidQuery(f"nothing can match {driver!r}")
    return matched


def _record(query: SearchQuery, row: sa.Row[Any]) -> Record:
    return Record(
        tenant=query.tenant,
        id=row.id,
        created_us=row.created_us,
        fields=orjson.loads(row.doc),
        version=row.version,
        deleted=row.deleted,
    )
