"""Autumn's flat error envelope, and the translation of core errors into it.

Autumn answers every failure with ``{"message", "code", "env"}``: no nested ``error`` object,
no documentation link. ``env`` is the environment of the request's key, or ``sandbox`` when
the key itself was the problem.
"""

from __future__ import annotations

from typing import Any

from rolodex.core.errors import (
    AlreadyExists,
    InvalidField,
    InvalidQuery,
    NotFound,
    RolodexError,
    Unavailable,
)

SANDBOX = "sandbox"


class AutumnError(Exception):
    """An error exactly as Autumn reports it: status, code and message."""

    def __init__(self, message: str, code: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def body(self, env: str = SANDBOX) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, "env": env}


def invalid_inputs(message: str) -> AutumnError:
    return AutumnError(message, "invalid_inputs")


def invalid_request(message: str) -> AutumnError:
    return AutumnError(message, "invalid_request")


def customer_not_found(customer_id: str) -> AutumnError:
    return AutumnError(f"Customer {customer_id} not found", "customer_not_found", status=404)


def customer_already_exists(customer_id: str) -> AutumnError:
    return AutumnError(
        f"Customer with ID {customer_id} already exists, can't change to this ID",
        "customer_already_exists",
        status=409,
    )


def invalid_cursor(message: str) -> AutumnError:
    return AutumnError(message, "invalid_cursor")


def from_core(error: RolodexError) -> AutumnError:
    match error:
        case NotFound(id=id):
            return customer_not_found(id)
        case AlreadyExists(value=value):
            return customer_already_exists(value)
        case InvalidField(message=message) | InvalidQuery(message=message):
            return invalid_inputs(message)
        case Unavailable():
            return AutumnError(
                "Rolodex could not reach its database; please retry.", "internal_error", status=503
            )
    return internal()


def internal() -> AutumnError:
    return AutumnError("An unexpected error occurred.", "internal_error", status=500)
