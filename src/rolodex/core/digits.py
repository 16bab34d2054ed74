"""Numbers written in requests, read within Python's limits.

Python refuses to convert more than 4,300 decimal digits to an ``int`` (a guard against
conversions that take quadratic time), and an ``int`` past the largest double to a ``float``;
a request can carry either. Past a bound, a number is past it whatever its digits say; past the
largest double, a JavaScript server reads it as ``Infinity``.
"""

from __future__ import annotations

import math


def clamped(text: str, bound: int) -> int:
    """The whole number ``text`` writes (decimal digits after an optional sign), clamped to
    ``-bound``...``bound``; only a number no longer than ``bound`` is converted."""
    negative = text.startswith("-")
    digits = (text[1:] if text[:1] in ("-", "+") else text).lstrip("0")
    magnitude = bound if len(digits) > len(str(bound)) else min(int(digits or "0"), bound)
    return -magnitude if negative else magnitude


def double(number: int) -> float:
    """``number`` as a JavaScript number holds it: ``Infinity`` past the largest double."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf
