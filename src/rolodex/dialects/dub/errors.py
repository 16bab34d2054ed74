"""Dub's error envelope, and the translation of core errors into it.

Every error is ``{"error": {"code", "message", "doc_url"}}``; the status follows from the code.
Dub's SDKs map each status to a typed error whose ``code`` admits exactly one value, so the
code and the status must always agree.
"""

from __future__ import annotations

from typing import Any, Final

from rolodex.core.errors import (
    AlreadyExists,
    InvalidField,
    InvalidQuery,
    NotFound,
    RolodexError,
    Unavailable,
)

STATUS_OF: Final = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "exceeded_limit": 403,
    "not_found": 404,
    "conflict": 409,
    "invite_pending": 409,
    "invite_expired": 410,
    "unprocessable_entity": 422,
    "rate_limit_exceeded": 429,
    "internal_server_error": 500,
}
_DOC_URL = "https://dub.co/docs/api-reference/errors#"

CUSTOMER_NOT_FOUND = (
    "Customer not found. Make sure you're using the correct customer ID "
    "(e.g. `cus_3TagGjzRzmsFJdH8od2BNCsc`) or external ID (has to be prefixed with `ext_`)."
)
CONFLICT = "A customer with this external ID already exists."
INTERNAL = "An internal server error occurred. Please contact our support if the problem persists."


class DubError(Exception):
    """An error exactly as Dub reports it: a code (which fixes the status) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return STATUS_OF[self.code]

    def body(self) -> dict[str, Any]:
        # Dub's documentation anchors replace only the first underscore of the code.
        doc_url = _DOC_URL + self.code.replace("_", "-", 1)
        return {"error": {"code": self.code, "message": self.message, "doc_url": doc_url}}


def invalid(issue: str, path: str, message: str) -> DubError:
    """A validation failure in Dub's format: ``<issue code>: <dotted path>: <message>``."""
    return DubError("unprocessable_entity", f"{issue}: {path}: {message}")


def customer_not_found() -> DubError:
    return DubError("not_found", CUSTOMER_NOT_FOUND)


def internal() -> DubError:
    return DubError("internal_server_error", INTERNAL)


def from_core(error: RolodexError) -> DubError:
    match error:
        case NotFound():
            return customer_not_found()
        case AlreadyExists(kind="externalId" | "stripeCustomerId"):
            # Dub answers a taken Stripe customer id with the external-id message too.
            return DubError("conflict", CONFLICT)
        case InvalidField(message=message) | InvalidQuery(message=message):
            return DubError("unprocessable_entity", message)
        case Unavailable():
            return internal()
    return internal()
