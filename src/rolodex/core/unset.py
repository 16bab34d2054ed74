"""The "unset" sentinel.

A field in a patch has three states, and Python's ``None`` can only name one of them:

- ``UNSET``: the caller did not mention the field, so it is left alone;
- ``None``: the caller asked for the field to be cleared;
- any other value: the caller asked for the field to hold that value.

Each dialect maps its own wire rule onto these three states (Stripe's empty string clears,
Autumn's and Dub's JSON ``null`` clears, an absent key is ``UNSET``), so the core only ever
sees this one model.
"""

from __future__ import annotations

import enum
from typing import Final, Literal


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]
"""The type of ``UNSET``: a three-state field is typed ``str | None | Unset``."""
