"""What a dialect's ``stored_form`` says of a document it refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rolodex.core.errors import InvalidField
from rolodex.core.records import Document


def refusal(stored_form: Callable[[Document], Document], fields: Document) -> InvalidField:
    """The refusal ``stored_form`` raises for ``fields`` (the test fails if it takes them)."""
    with pytest.raises(InvalidField) as refused:
        stored_form(fields)
    return refused.value


def assert_refused(
    stored_form: Callable[[Document], Document], fields: Document, param: str | None, message: str
) -> None:
    """``stored_form`` refuses ``fields`` naming ``param``, its message starting ``message``."""
    refused = refusal(stored_form, fields)
    assert (refused.param, refused.message[: len(message)]) == (param, message)
