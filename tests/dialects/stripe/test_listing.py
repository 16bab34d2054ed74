"""List filters to query conditions, in record units."""

from __future__ import annotations

from rolodex.core.query import AllOf, Attr, Compare, Created, Op
from rolodex.dialects.stripe.listing import created_bounds, filter_of


def test_exact_created_covers_its_whole_second() -> None:
    assert filter_of({"created": 5}) == AllOf(
        (Compare(Created(), Op.GE, 5_000_000), Compare(Created(), Op.LT, 6_000_000))
    )


def test_created_bounds_in_microseconds() -> None:
    assert created_bounds({"gt": 5, "gte": 5, "lt": 9, "lte": 9}) == [
        Compare(Created(), Op.GE, 6_000_000),
        Compare(Created(), Op.GE, 5_000_000),
        Compare(Created(), Op.LT, 9_000_000),
        Compare(Created(), Op.LT, 10_000_000),
    ]


def test_extreme_bounds_are_clamped_to_storable_integers() -> None:
    [clause] = created_bounds({"gt": 2**63 - 1})
    assert isinstance(clause.value, int) and clause.value < 2**63


def test_email_is_exact() -> None:
    assert filter_of({"email": "a@b.co"}) == AllOf((Compare(Attr("email"), Op.EQ, "a@b.co"),))
    assert filter_of({}) is None
