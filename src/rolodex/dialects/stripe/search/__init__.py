"""Stripe's search query language for customers: grammar, meaning and page cursors."""

from __future__ import annotations

from rolodex.core.query import Condition
from rolodex.dialects.stripe.search.meaning import condition_of
from rolodex.dialects.stripe.search.syntax import read


def parse(query: str) -> Condition:
    """The core condition of a customer search query; raises ``InvalidQuery`` (and nothing
    else) for any text that is not one, saying where and why."""
    return condition_of(read(query))
