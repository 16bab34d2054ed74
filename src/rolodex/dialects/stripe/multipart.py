"""Stripe's other body encoding: ``multipart/form-data``, read with Starlette's parser.

A module of its own, left interpreted, because Starlette's parser reads an async generator
and mypyc, which compiles the request pipeline (see ``setup.py``), cannot compile one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Scope

from rolodex.dialects.stripe.decode import MAX_PARAMETERS
from rolodex.dialects.stripe.errors import StripeError

_MALFORMED = "Invalid request: Invalid multipart data."
"""What a body the parser cannot read gets (Starlette's words for it)."""


class _Parser(MultiPartParser):
    """Starlette's parser, noting whether the body reached its closing boundary: cut off
    inside its last part, it is read without that part, where the request must be refused."""

    closed = False

    def on_end(self) -> None:
        self.closed = True


async def multipart_pairs(scope: Scope, body: bytes) -> list[tuple[str, str]]:
    """The fields of the ``multipart/form-data`` ``body`` of the request ``scope`` describes;
    no customer parameter takes a file."""

    async def chunks() -> AsyncGenerator[bytes]:
        yield body

    parser = _Parser(Headers(scope=scope), chunks(), max_files=0, max_fields=MAX_PARAMETERS)
    try:
        form = await parser.parse()
    except MultiPartException as fault:
        raise StripeError(f"Invalid request: {fault.message}") from fault
    if not parser.closed:
        raise StripeError(_MALFORMED)
    return [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
