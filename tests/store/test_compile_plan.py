"""Which index drives a search, and that query values reach the database only as parameters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from rolodex.core.index import FOLDED, IndexSpec
from rolodex.core.query import AllOf, AnyOf, Attr, Compare, Created, Entry, IsNull, Not, Op
from rolodex.core.records import Record, Tenant
from rolodex.store import bulk, search, sqlite
from rolodex.store.base import SearchQuery
from rolodex.store.compile import Index
from rolodex.store.migrate import upgrade
from rolodex.store.plan import Arm, Driver, Scan, Terms, Texts, Window, plan, window
from rolodex.store.postgres import async_url
from tests.store import reference

SPEC = IndexSpec(
    terms=("email",), maps=("metadata",), folded=("metadata",), texts=("email", "name", "phone")
)
INDEX = Index.of(SPEC)
PLAN = Entry("metadata", "plan")
EMAIL_WORDS = Compare(Attr("email"), Op.WORDS, "jane@example.com")


def _no_estimates(driver: Driver, cap: int) -> int:
    raise AssertionError(f"a single candidate needs no estimate, got {driver!r}")


def test_an_exact_term_walks_its_term_rows() -> None:
    assert plan(Compare(PLAN, Op.EQ, "Pro"), INDEX, _no_estimates) == [
        Arm(Terms("metadata.plan", "Pro"))
    ]


def test_a_case_insensitive_term_walks_folded_and_unfolded_rows() -> None:
    assert plan(Compare(PLAN, Op.TOKEN, "Pro"), INDEX, _no_estimates) == [
        Arm(Terms("metadata.plan", "pro")),
        Arm(Terms(FOLDED + "metadata.plan", "pro")),
    ]


def test_text_conditions_walk_the_text_index() -> None:
    contains = Compare(Attr("name"), Op.CONTAINS, "Ane")
    assert plan(contains, INDEX, _no_estimates) == [Arm(Texts("name", Op.CONTAINS, "Ane"))]
    assert plan(Not(IsNull(Attr("phone"))), INDEX, _no_estimates) == [Arm(Texts("phone"))]
    assert plan(Not(IsNull(PLAN)), INDEX, _no_estimates) == [Arm(Terms("metadata.plan"))]


def test_what_no_index_serves_is_checked_on_every_record() -> None:
    short = Compare(Attr("name"), Op.CONTAINS, "an")
    for condition in (short, Not(EMAIL_WORDS), IsNull(Attr("email")), Compare(Created(), Op.GE, 5)):
        assert plan(condition, INDEX, _no_estimates) == [Arm(Scan(), (condition,))]
    assert plan(None, INDEX, _no_estimates) == [Arm(Scan())]


def test_a_query_without_words_needs_no_arm() -> None:
    assert plan(Compare(Attr("name"), Op.WORDS, "!!"), INDEX, _no_estimates) == []


def test_a_conjunction_is_driven_by_its_rarest_index() -> None:
    common = Compare(PLAN, Op.EQ, "free")
    sizes = {Terms("metadata.plan", "free"): 1000, Texts("email", Op.WORDS, EMAIL_WORDS.value): 1}
    both = AllOf((common, EMAIL_WORDS, Compare(Created(), Op.LT, 9)))
    assert plan(both, INDEX, lambda driver, cap: min(sizes[driver], cap)) == [
        Arm(Texts("email", Op.WORDS, EMAIL_WORDS.value), (common, Compare(Created(), Op.LT, 9)))
    ]


def test_conjuncts_tied_at_the_cap_are_counted_further() -> None:
    """Each counted up to 1,000 first; those still tied there, up to 10,000, and so on."""
    phones, vip = Not(IsNull(Attr("phone"))), Not(IsNull(Entry("metadata", "vip")))
    sizes = {Texts("phone"): 44_728, Terms("metadata.vip"): 1_244, Texts("email"): 50_000}
    asked: list[tuple[Driver, int]] = []

    def estimate(driver: Driver, cap: int) -> int:
        asked.append((driver, cap))
        return min(sizes[driver], cap)

    emails = Not(IsNull(Attr("email")))
    assert plan(AllOf((phones, emails, vip)), INDEX, estimate) == [
        Arm(Terms("metadata.vip"), (phones, emails))
    ]
    assert [cap for _, cap in asked] == [1_000] * 3 + [10_000] * 3

    asked.clear()
    rare = Compare(PLAN, Op.EQ, "rare")
    sizes[Terms("metadata.plan", "rare")] = 3
    chosen = plan(AllOf((phones, rare)), INDEX, estimate)
    assert chosen == [Arm(Terms("metadata.plan", "rare"), (phones,))]
    assert [cap for _, cap in asked] == [1_000, 1_000]  # settled below the cap


def test_conjuncts_as_common_as_the_last_cap_keep_their_order() -> None:
    phones, emails = Not(IsNull(Attr("phone"))), Not(IsNull(Attr("email")))
    assert plan(AllOf((phones, emails)), INDEX, lambda driver, cap: cap) == [
        Arm(Texts("phone"), (emails,))
    ]


def test_a_disjunction_takes_one_arm_per_indexed_clause_or_scans() -> None:
    either = AnyOf((Compare(PLAN, Op.EQ, "a"), EMAIL_WORDS))
    assert plan(either, INDEX, _no_estimates) == [
        Arm(Terms("metadata.plan", "a")),
        Arm(Texts("email", Op.WORDS, EMAIL_WORDS.value)),
    ]
    with_negation = AnyOf((EMAIL_WORDS, Not(EMAIL_WORDS)))
    assert plan(with_negation, INDEX, _no_estimates) == [Arm(Scan(), (with_negation,))]


def test_created_comparisons_bound_the_walk() -> None:
    bounded = AllOf((Compare(Created(), Op.GT, 10), Compare(Created(), Op.LE, 20), EMAIL_WORDS))
    assert window(bounded) == Window(11, 21)
    assert window(AnyOf((Compare(Created(), Op.GT, 10),))) == Window()


HOSTILE = ["'; DROP TABLE customers; --", 'x" OR 1=1 --', "%_\\[*]", "na\u00efve\u2019s"]


@pytest.fixture
def connection(database_url: str) -> Iterator[sa.Connection]:
    if database_url.startswith("sqlite"):
        engine = sqlite.create_engine(database_url)
    else:
        engine = sa.create_engine(async_url(database_url))
    with engine.begin() as conn:
        upgrade(conn)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_query_values_travel_only_as_parameters(connection: sa.Connection, hostile: str) -> None:
    tenant = Tenant("stripe", uuid.uuid4().hex, "test")
    fields = {"name": hostile, "email": hostile, "metadata": {"k": hostile}}
    record = Record(tenant, "cus_1", 1, fields)
    statements: list[str] = []
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with connection.begin():
        bulk.insert_many(connection, [record], SPEC)
    conditions = [
        Compare(Attr("name"), Op.WORDS, hostile),
        Compare(Attr("email"), Op.CONTAINS, hostile),
        Compare(Entry("metadata", "k"), Op.TOKEN, hostile),
        AllOf(
            (
                Compare(Entry("metadata", "k"), Op.EQ, hostile),
                Not(Compare(Attr("phone"), Op.CONTAINS, hostile)),
            )
        ),
    ]
    for condition in conditions:
        query = SearchQuery(tenant, condition, SPEC)
        assert [r.id for r in search.search_page(connection, query).records] == ["cus_1"]
        assert search.search_count(connection, query) == 1
        assert reference.search(condition, [record]) == ["cus_1"]
    assert statements
    assert not [s for s in statements if hostile in s or hostile.lower() in s]
