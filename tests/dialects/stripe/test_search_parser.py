"""Stripe's customer search language to the core query AST, and every way it can be wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rolodex.core.errors import InvalidQuery
from rolodex.core.query import (
    AllOf,
    AnyOf,
    Attr,
    Compare,
    Condition,
    Created,
    Entry,
    IsNull,
    Not,
    Op,
)
from rolodex.dialects.stripe.search import parse

S = 1_000_000


def _second(s: int) -> AllOf:
    return AllOf((Compare(Created(), Op.GE, s * S), Compare(Created(), Op.LT, (s + 1) * S)))


VALID: list[tuple[str, Condition]] = [
    ('email:"amy@rocketrides.io"', Compare(Attr("email"), Op.WORDS, "amy@rocketrides.io")),
    ("name:'Jane Doe'", Compare(Attr("name"), Op.WORDS, "Jane Doe")),
    ('phone:"+19999999999"', Compare(Attr("phone"), Op.WORDS, "+19999999999")),
    ("phone:5550100", Compare(Attr("phone"), Op.WORDS, "5550100")),
    ('email~"amy"', Compare(Attr("email"), Op.CONTAINS, "amy")),
    ('metadata["key"]:"value"', Compare(Entry("metadata", "key"), Op.TOKEN, "value")),
    (
        "metadata['donation-id']:'asdf-jkl'",
        Compare(Entry("metadata", "donation-id"), Op.TOKEN, "asdf-jkl"),
    ),
    ("-metadata['donation-id']:null", Not(IsNull(Entry("metadata", "donation-id")))),
    ("email:null", IsNull(Attr("email"))),
    ("email:NULL", IsNull(Attr("email"))),
    ('email:"null"', Compare(Attr("email"), Op.WORDS, "null")),
    ('-email:"amy@rocketrides.io"', Not(Compare(Attr("email"), Op.WORDS, "amy@rocketrides.io"))),
    ("created>1620310503", Compare(Created(), Op.GE, 1620310504 * S)),
    ("created>=1620310503", Compare(Created(), Op.GE, 1620310503 * S)),
    ("created<1620310503", Compare(Created(), Op.LT, 1620310503 * S)),
    ("created<=1620310503", Compare(Created(), Op.LT, 1620310504 * S)),
    ('created>="1620310503"', Compare(Created(), Op.GE, 1620310503 * S)),
    ("created:1620310503", _second(1620310503)),
    ("created=1620310503", _second(1620310503)),
    ("created:null", IsNull(Created())),
    ("created>" + "9" * 4301, Compare(Created(), Op.GE, 4_000_000_000_001 * S)),
    ("created<-" + "9" * 4301, Compare(Created(), Op.LT, -4_000_000_000_000 * S)),
    (
        r'name:"the story called \"The Sky and the Sea.\""',
        Compare(Attr("name"), Op.WORDS, 'the story called "The Sky and the Sea."'),
    ),
    (r"name:'O\'Brien'", Compare(Attr("name"), Op.WORDS, "O'Brien")),
    (r'name:"back\\slash"', Compare(Attr("name"), Op.WORDS, "back\\slash")),
    (
        "name:'Jane Doe' AND metadata['foo']:'bar'",
        AllOf(
            (
                Compare(Attr("name"), Op.WORDS, "Jane Doe"),
                Compare(Entry("metadata", "foo"), Op.TOKEN, "bar"),
            )
        ),
    ),
    (
        'email:"a@b.co" metadata["k"]:"v"',
        AllOf(
            (
                Compare(Attr("email"), Op.WORDS, "a@b.co"),
                Compare(Entry("metadata", "k"), Op.TOKEN, "v"),
            )
        ),
    ),
    (
        'email:"a@b.co" or -name~"bob" OR phone:null',
        AnyOf(
            (
                Compare(Attr("email"), Op.WORDS, "a@b.co"),
                Not(Compare(Attr("name"), Op.CONTAINS, "bob")),
                IsNull(Attr("phone")),
            )
        ),
    ),
    (
        "  created>0   and   created<10  ",
        AllOf((Compare(Created(), Op.GE, 1 * S), Compare(Created(), Op.LT, 10 * S))),
    ),
    ("created>-5", Compare(Created(), Op.GE, -4 * S)),
]


@pytest.mark.parametrize(("query", "expected"), VALID, ids=[q for q, _ in VALID])
def test_valid_queries_parse_to_the_core_ast(query: str, expected: Condition) -> None:
    assert parse(query) == expected


UNPARSABLE = "We were unable to parse your search query."
UNSUPPORTED = "Field `{}` is an unsupported search field for resource `customers`."

INVALID: list[tuple[str, str, int]] = [
    ("asdf", UNPARSABLE + " The query ends after character 4, where an operator", 4),
    ("", UNPARSABLE, 0),
    ("   ", UNPARSABLE, 0),
    ("email:amy", UNPARSABLE + " Unexpected `amy` at character 7", 6),
    ("email:", UNPARSABLE + " The query ends after character 6, where a value", 6),
    ('email:"unterminated', UNPARSABLE + ' Unexpected `"` at character 7', 6),
    ('email:"a" AND', UNPARSABLE + " The query ends after character 13, where a clause", 13),
    ('(email:"a")', UNPARSABLE + " Unexpected `(` at character 1", 0),
    ("metadata['k'", UNPARSABLE + " The query ends after character 12, where `]`", 12),
    ('foo:"bar"', UNSUPPORTED.format("foo"), 0),
    ('email:"a" address.city:"Paris"', UNSUPPORTED.format("address.city"), 10),
    ("metadata:'x'", UNPARSABLE + " Metadata is searched by key", 0),
    ("name['k']:'x'", UNPARSABLE + " Metadata is searched by key", 0),
    ('email>"a"', "The `>` operator cannot be used with field `email`, a string field", 0),
    ('created~"123"', "The `~` operator cannot be used with field `created`, a numeric field", 0),
    ("metadata['k']~'abc'", "The `~` operator cannot be used with field `metadata`, a token", 0),
    ("metadata['k']>5", "The `>` operator cannot be used with field `metadata`", 0),
    ('name="x"', "The `=` operator cannot be used with field `name`", 0),
    ('name~"ab"', "Substring search (`~`) needs at least 3 characters, but `ab` has 2.", 0),
    ("name~null", "`null` can only follow the `:` operator, as in name:null.", 0),
    ("created>null", "`null` can only follow the `:` operator", 0),
    ('created>"soon"', "Field `created` is numeric, but `soon` is not a whole number.", 0),
    ("created>1.5", "Field `created` is numeric, but `1.5` is not a whole number.", 0),
    (
        'email:"a" AND name:"b" OR phone:"c"',
        UNPARSABLE + " AND and OR cannot be combined in one query",
        23,
    ),
    ('email:"a" OR name:"b" phone:"c"', UNPARSABLE + " AND and OR cannot be combined", 22),
    (" ".join(["created>1"] * 11), UNPARSABLE + " A query can combine at most 10 clauses", 100),
]


@pytest.mark.parametrize(("query", "message", "position"), INVALID, ids=[q for q, _, _ in INVALID])
def test_invalid_queries_say_what_and_where(query: str, message: str, position: int) -> None:
    with pytest.raises(InvalidQuery) as refused:
        parse(query)
    assert refused.value.message.startswith(message), refused.value.message
    assert refused.value.position == position


def test_ten_clauses_are_allowed() -> None:
    assert len(parse(" ".join(["created>1"] * 10)).clauses) == 10  # type: ignore[union-attr]


_QUERYISH = st.text(
    alphabet=st.sampled_from(list("emailnamphoncrtd:~<>=-_.[]'\"\\ ANDORnul0123456789\n\t\u00e9")),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), _QUERYISH))
def test_any_text_parses_or_raises_only_invalid_query(query: str) -> None:
    try:
        parse(query)
    except InvalidQuery as refused:
        assert refused.message
        assert refused.position is None or 0 <= refused.position <= len(query)


_FIELDS = st.sampled_from(["email", "name", "phone"])
_WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=3, max_size=12)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), _FIELDS, st.sampled_from([":", "~"]), _WORDS),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from([" ", " AND ", " and ", " OR "]),
)
def test_generated_queries_mean_what_they_say(
    clauses: list[tuple[bool, str, str, str]], joint: str
) -> None:
    text = joint.join(
        ("-" if negated else "") + field + operator + _quoted(value)
        for negated, field, operator, value in clauses
    )
    expected: list[Condition] = []
    for negated, field, operator, value in clauses:
        op = Op.WORDS if operator == ":" else Op.CONTAINS
        compared: Condition = Compare(Attr(field), op, value)
        expected.append(Not(compared) if negated else compared)
    if len(expected) == 1:
        assert parse(text) == expected[0]
    elif joint == " OR ":
        assert parse(text) == AnyOf(tuple(expected))
    else:
        assert parse(text) == AllOf(tuple(expected))
