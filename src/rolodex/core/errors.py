"""Errors as data.

The tree below carries no HTTP status and no wire text of any API; each dialect renders these
in its own envelope at its edge::

    RolodexError
    ├── NotFound(id)                    the record a request names does not exist
    ├── AlreadyExists(kind, value)      a unique key (an external id, a prefix) is taken
    ├── InvalidField(param, code, ...)  one request parameter is unacceptable
    ├── InvalidQuery(message, position) a search query does not parse or cannot be served
    ├── IdempotencyMismatch(key, ...)   an idempotency key is reused for another request
    ├── KeyInUse(key)                   the first request with that key is still running
    └── Unavailable(reason)             the store cannot be reached right now
"""

from __future__ import annotations


class RolodexError(Exception):
    """Base of every error the core, the service and the stores raise on purpose."""


class NotFound(RolodexError):
    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.id = id


class AlreadyExists(RolodexError):
    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"{kind}={value}")
        self.kind = kind
        self.value = value


class InvalidField(RolodexError):
    """``message`` is the dialect's own text; ``code`` its machine-readable reason."""

    def __init__(self, param: str | None, code: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.code = code
        self.message = message


class InvalidQuery(RolodexError):
    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class Unavailable(RolodexError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdempotencyMismatch(RolodexError):
    """``key`` was first used for ``first_endpoint``; ``same_endpoint`` tells whether only the
    parameters differ."""

    def __init__(self, key: str, first_endpoint: str, endpoint: str) -> None:
        super().__init__(key)
        self.key = key
        self.first_endpoint = first_endpoint
        self.endpoint = endpoint

    @property
    def same_endpoint(self) -> bool:
        return self.first_endpoint == self.endpoint


class KeyInUse(RolodexError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key
