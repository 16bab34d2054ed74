"""What word and substring matching mean, defined once for every store and every test.

A text field is matched case-insensitively: both the field and the query are *folded*
(``str.lower``) first. A field's *words* are the maximal runs of word characters (Unicode
letters, digits and ``_``) of its folded value, so ``"Jane.Doe@Example.com"`` has the words
``jane``, ``doe``, ``example`` and ``com``.

- ``Op.WORDS`` holds when the query's words occur in the field's words consecutively and in
  order: ``"jane doe"`` matches "Jane Doe Smith" but not "Doe, Jane". A query without words
  matches nothing.
- ``Op.CONTAINS`` holds when the folded query is a substring of the folded field.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


_CAPITAL_SIGMA = "\u03a3"


def fold(value: str) -> str:
    """``str.lower`` of each character: one folding for stored and queried text alike.

    Why not ``str.lower`` of the whole: CPython lowers a word-final capital sigma to the final
    form (U+03C2), but the same call compiled by mypyc lowers every one to U+03C3, as
    PostgreSQL's ``lower()`` does. Folded text is stored (index terms, full-text tokens), so
    the compiled and the interpreted builds must fold alike; the compiled build's folding is
    kept, so that no stored text changes. Only that letter's folding looks at its neighbours,
    so the whole string is lowered at once when it holds none.
    """
    if _CAPITAL_SIGMA in value:
        return "".join([character.lower() for character in value])
    return value.lower()


def words(value: str) -> tuple[str, ...]:
    return folded_words(fold(value))


def folded_words(folded: str) -> tuple[str, ...]:
    """:func:`words` of a value already folded."""
    return tuple(_WORD.findall(folded))


def spaced(terms: tuple[str, ...]) -> str:
    """Words joined and wrapped in single spaces: phrase matching becomes substring matching.

    ``" jane doe smith "`` contains ``" jane doe "`` exactly when the words follow one another.
    """
    return " " + " ".join(terms) + " "


def trigrams(folded: str) -> tuple[str, ...]:
    """Every run of three characters, in order; a query of at least three characters is a
    substring exactly when its trigrams occur consecutively among the field's."""
    return tuple(folded[i : i + 3] for i in range(len(folded) - 2))


def has_words(field: str, query: str) -> bool:
    """The reference meaning of ``Op.WORDS``."""
    wanted = words(query)
    return bool(wanted) and spaced(wanted) in spaced(words(field))


def has_substring(field: str, query: str) -> bool:
    """The reference meaning of ``Op.CONTAINS``."""
    return fold(query) in fold(field)
