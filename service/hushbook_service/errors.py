"""One error envelope everywhere: ``{"code", "status", "message", "errors"?, "reason"?}``.

``code`` is the HTTP status, ``reason`` a stable machine-readable slug where
the status alone is ambiguous (e.g. ``slot_taken``). Messages never contain
personal data or internals.
"""

from __future__ import annotations

import logging
from traceback import format_tb
from typing import NoReturn

import peewee
from flask import Flask, current_app
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

log = logging.getLogger("hushbook")


class DomainError(Exception):
    """A rule said no. Domain code raises it (through :func:`abort` and
    :func:`field_error`); :func:`register_error_handlers` answers it as a
    problem document, the one place where it becomes HTTP."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        errors: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.errors = errors
        self.headers = headers or {}

    def as_http(self) -> HTTPException:
        data: dict = {"message": self.message}
        if self.errors:
            data["errors"] = self.errors
        if self.headers:
            data["headers"] = self.headers
        if self.reason:
            data["reason"] = self.reason
        return _with_data(self.code, data)


def abort(
    code: int,
    message: str,
    *,
    reason: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
) -> NoReturn:
    raise DomainError(code, message, reason=reason, errors=errors, headers=headers)


def field_error(field: str, message: str, code: int = 422) -> NoReturn:
    """A 4xx naming the offending field, shaped like schema validation errors."""
    abort(
        code,
        "The request was well-formed but had invalid values.",
        errors={"json": {field: [message]}},
    )


def problem(error: HTTPException) -> tuple[dict, int | None, dict]:
    payload = {"code": error.code, "status": error.name, "message": error.description}
    headers: dict = {}
    data = getattr(error, "data", None) or {}
    if "message" in data:
        payload["message"] = data["message"]
    if "errors" in data:
        payload["errors"] = data["errors"]
    elif "messages" in data:
        payload["errors"] = data["messages"]
        payload["message"] = (
            "The request was well-formed but had invalid values."
            if error.code == 422
            else "The request could not be read (malformed JSON?)."
        )
    if "reason" in data:
        payload["reason"] = data["reason"]
    headers.update(data.get("headers") or {})
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 413:  # the rest of the body stays unread: this connection ends
        headers["Connection"] = "close"
    return payload, error.code, headers


# Raised by values no schema should have let through (numbers beyond what a
# column or a date can hold, text that is no Unicode, nesting beyond the stack).
INPUT_ERRORS = (OverflowError, RecursionError, UnicodeError, peewee.DataError)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return problem(error.as_http())

    @app.errorhandler(peewee.IntegrityError)
    def integrity_error(error):  # a unique/foreign key rule: the caller's conflict
        log.info("integrity error: %s", type(error).__name__)
        return problem(_with_data(409, {"message": "This conflicts with existing data."}))

    @app.errorhandler(Exception)
    def unexpected(error):  # never leak internals; log the type and where only
        if isinstance(error, HTTPException):
            return problem(error)
        if isinstance(error, INPUT_ERRORS):
            # Input that got past its schema (a bound is missing there): the
            # caller's 422, logged so the schema can be fixed at the root.
            log.warning(
                "input error past validation: %s\n%s",
                type(error).__name__,
                "".join(format_tb(error.__traceback__)),
            )
            return problem(
                _with_data(
                    422,
                    {
                        "message": "A value is out of range or not valid here.",
                        "reason": "invalid_input",
                    },
                )
            )
        # The traceback without the message: messages may quote user input.
        log.error("unhandled %s\n%s", type(error).__name__, "".join(format_tb(error.__traceback__)))
        err = InternalServerError()
        if current_app.debug:
            err.data = {"message": repr(error)}
        return problem(err)


def _with_data(code: int, data: dict) -> HTTPException:
    err = default_exceptions[code]()
    err.data = data  # type: ignore[attr-defined]
    return err
