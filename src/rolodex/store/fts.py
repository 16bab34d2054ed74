"""SQLite's full-text index for search: tokens made in Python, keys ordered by creation.

Hand-written because no SQLite tokenizer does what search needs: FTS5's own tokenizers split
words by their own Unicode tables (not ``core.text``'s) and know nothing of tenants. So each
text field of a record has a document of its own, a list of plain ASCII tokens built here:
one per word and one per trigram of the field's value, each prefixed by a tag of its tenant
and its field::

    <tenant tag><field hex>z w <word hex>      a word
    <tenant tag><field hex>z t <trigram hex>   three consecutive characters

A words query is then a phrase of word tokens and a substring query a phrase of trigram
tokens, matched exactly by FTS5 (``unicode61`` leaves such tokens as they are), and every
token's posting list holds one tenant's records of one field only.

One document per field, not per record, because FTS5 forgets a document only when given
every token it was indexed with: a new name then rewrites the name's tokens alone, not the
email's and phone's beside them.

Keys: a document's rowid is ``bucket(created_us) << KEY_BITS | n << FIELD_BITS | slot``,
where the bucket is the creation millisecond, ``n`` counts the records of that millisecond
and ``slot`` tells the record's text fields apart. Key order is therefore creation order up
to ties inside one millisecond, which the query resolves (see ``store.plan``), and FTS5 walks
a posting list in key order, so ``ORDER BY rowid DESC LIMIT`` stops after one page whatever
the number of matches.

The tokens are a stored format: FTS5 deletes a document only when given the tokens it was
indexed with, recomputed here from the record. Changing this module's output therefore needs a
migration that rebuilds ``customer_fts``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping

from rolodex.core import text

KEY_BITS = 20
"""The bits of a key below its creation millisecond: the record's and the field's."""
FIELD_BITS = 3
FIELDS_PER_RECORD = 1 << FIELD_BITS
RECORD_BITS = KEY_BITS - FIELD_BITS
"""Room for 131,072 records created in one millisecond."""
_MAX_BUCKET = (1 << (63 - KEY_BITS)) - 2
"""The last bucket but one, so that :func:`key_above` the last stays a 64-bit integer, which
is all SQLite binds (the bucket of a date some 278,000 years away)."""


def bucket(created_us: int) -> int:
    """The creation millisecond, clamped into the key space (monotonic in ``created_us``)."""
    return min(max(created_us // 1000, 0), _MAX_BUCKET)


def first_key(created_us: int) -> int:
    """The smallest key a record created at ``created_us`` can have."""
    return bucket(created_us) << KEY_BITS


def key_above(created_us: int) -> int:
    """A key greater than that of every record created at or before ``created_us``."""
    return (bucket(created_us) + 1) << KEY_BITS


def record_base(key: int) -> int:
    """The key of the record's first slot: what its text fields' keys share."""
    return key >> FIELD_BITS << FIELD_BITS


def base_after(created_us: int, newest: int | None) -> int:
    """The first key of a record created at ``created_us``, after the newest key its
    millisecond holds (``None``: it holds none)."""
    base = first_key(created_us) if newest is None else record_base(newest) + FIELDS_PER_RECORD
    if base >> KEY_BITS != bucket(created_us):
        raise OverflowError(
            f"more than {1 << RECORD_BITS} searchable records created in one millisecond"
        )
    return base


def field_key(base: int, slot: int) -> int:
    """The key of a record's text field in ``slot``, the record's keys starting at ``base``."""
    if slot >= FIELDS_PER_RECORD:
        raise OverflowError(f"more than {FIELDS_PER_RECORD} text fields in one record")
    return base + slot


def field_document(tenant: str, field: str, value: str) -> str:
    """The tokens of one text field of a record, the same for the same value every time."""
    return _field_tokens(_prefix(tenant, field), value)


def record_document(tenant: str, texts: Mapping[str, str]) -> str:
    """The tokens of all of a record's text fields in one document, as migration 0005 and
    those before it kept them (one document per record), for migrating back to them."""
    runs = (_field_tokens(_prefix(tenant, field), texts[field]) for field in sorted(texts))
    return " ".join(run for run in runs if run)


_CACHED_LENGTH = 256


def _field_tokens(prefix: str, value: str) -> str:
    """One field's tokens; short values' are cached, as a value indexed is often removed
    again soon (a record renamed twice, say) and its tokens are needed for that."""
    if len(value) <= _CACHED_LENGTH:
        return _cached_field_tokens(prefix, value)
    return _tokens(prefix, value)


@functools.lru_cache(maxsize=2048)
def _cached_field_tokens(prefix: str, value: str) -> str:
    return _tokens(prefix, value)


def _tokens(prefix: str, value: str) -> str:
    folded = text.fold(value)
    if folded.isascii():
        # An ASCII word's hex is its bytes': encoding it costs less than a lookup in
        # ``_hex``'s cache. Other text keeps ``_hex`` (``surrogatepass``: lone surrogates).
        hex_words = [word.encode().hex() for word in text.folded_words(folded)]
    else:
        hex_words = [_hex(word) for word in text.folded_words(folded)]
    words = _tagged(prefix + "w", hex_words)
    grams = _tagged(prefix + "t", _hex_trigrams(folded))
    return f"{words} {grams}" if words and grams else words or grams


def _tagged(tag: str, values: list[str]) -> str:
    """``values`` each behind ``tag``, space-separated; joined whole, as a document is long."""
    return tag + (" " + tag).join(values) if values else ""


def words_phrase(tenant: str, field: str, query: str) -> str | None:
    """The MATCH expression for ``Op.WORDS``; ``None`` when the query has no words."""
    prefix = _prefix(tenant, field)
    return _phrase([prefix + "w" + _hex(word) for word in text.words(query)])


def substring_phrase(tenant: str, field: str, query: str) -> str | None:
    """The MATCH expression for ``Op.CONTAINS``; ``None`` below three characters."""
    prefix = _prefix(tenant, field)
    return _phrase([prefix + "t" + gram for gram in _hex_trigrams(text.fold(query))])


def _phrase(tokens: list[str]) -> str | None:
    return '"' + " ".join(tokens) + '"' if tokens else None


@functools.lru_cache(maxsize=1024)
def _prefix(tenant: str, field: str) -> str:
    tag = hashlib.blake2b(tenant.encode(), digest_size=5).hexdigest()
    return tag + _hex(field) + "z"


def _hex_trigrams(folded: str) -> list[str]:
    """``_hex`` of each trigram; for ASCII text, slices of the whole value's hex (faster)."""
    if not folded.isascii():
        return [_hex(gram) for gram in text.trigrams(folded)]
    whole = folded.encode().hex()
    return [whole[i : i + 6] for i in range(0, len(whole) - 4, 2)]


@functools.lru_cache(maxsize=1 << 16)
def _hex(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").hex()
