"""Stripe's error envelope, and the translation of core errors into it.

``doc_url`` accompanies every ``code``, as in Stripe's responses. Stripe's wording for an
invoice prefix already taken, and for an idempotency key that is too long, is not on record;
Rolodex says so plainly, with the parameter or the limit.
"""

from __future__ import annotations

from typing import Any

from rolodex.core.errors import (
    AlreadyExists,
    IdempotencyMismatch,
    InvalidField,
    InvalidQuery,
    KeyInUse,
    NotFound,
    RolodexError,
    Unavailable,
)

INVALID_REQUEST = "invalid_request_error"
API_ERROR = "api_error"
IDEMPOTENCY_ERROR = "idempotency_error"


class StripeError(Exception):
    """An error exactly as Stripe reports it: status, type, code, param and message."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str | None = None,
        param: str | None = None,
        type: str = INVALID_REQUEST,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.type = type

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + self.code.replace("_", "-")
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def no_such_customer(
    id: str, *, param: str = "id", status: int = 404, exists_in: tuple[str, str] | None = None
) -> StripeError:
    """``exists_in``: the mode the customer exists in, and the mode of the key that asked."""
    message = f"No such customer: '{id}'"
    if exists_in is not None:
        there, here = exists_in
        message += (
            f"; a similar object exists in {there} mode, but a {here} mode key was used to "
            "make this request."
        )
    return StripeError(message, status=status, code="resource_missing", param=param)


def no_such(kind: str, id: str, param: str) -> StripeError:
    return StripeError(f"No such {kind}: '{id}'", code="resource_missing", param=param)


def unrecognized_url(method: str, path: str) -> StripeError:
    return StripeError(
        f"Unrecognized request URL ({method}: {path}). If you are trying to list objects, "
        "remove the trailing slash. If you are trying to retrieve an object, make sure you "
        "passed a valid (non-empty) identifier in your code. Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )


def from_core(error: RolodexError) -> StripeError:
    match error:
        case NotFound(id=id):
            return no_such_customer(id)
        case AlreadyExists(kind="invoice_prefix", value=value):
            return StripeError(
                f"Invoice prefix {value} is already in use by another customer.",
                param="invoice_prefix",
            )
        case InvalidField(param=param, code=code, message=message):
            return StripeError(message, code=code or None, param=param)
        case InvalidQuery(message=message):
            return StripeError(message, param="query")
        case Unavailable():
            return StripeError(
                "Rolodex could not reach its database; please retry.", status=503, type=API_ERROR
            )
    return _idempotency_failure(error)


def _idempotency_failure(error: RolodexError) -> StripeError:
    """The idempotency errors; any other is Stripe's internal error."""
    match error:
        case IdempotencyMismatch(key=key, same_endpoint=True):
            return StripeError(
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type=IDEMPOTENCY_ERROR,
            )
        case IdempotencyMismatch(key=key, first_endpoint=first, endpoint=endpoint):
            return StripeError(
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{first}' vs '{endpoint}'). Try using a key other than "
                f"'{key}' if you meant to execute a different request.",
                type=IDEMPOTENCY_ERROR,
            )
        case KeyInUse(key=key):
            return StripeError(
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                f"going through): {key}. Please try again later.",
                status=409,
                code="idempotency_key_in_use",
            )
        case _:
            return internal()


def internal() -> StripeError:
    return StripeError(
        "An unknown error occurred while processing this request.", status=500, type=API_ERROR
    )


def idempotency_key_too_long(length: int, limit: int) -> StripeError:
    return StripeError(
        f"Idempotency keys can be at most {limit} characters long; this one has {length}.",
        type=IDEMPOTENCY_ERROR,
    )
