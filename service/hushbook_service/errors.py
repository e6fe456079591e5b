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
from flask import Flask, current_app, request
from playhouse.pool import MaxConnectionsExceeded
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


# The database cannot be reached, or not now: down, restarting, its connections
# used up, locked past SQLite's busy timeout. Worth trying again shortly.
DATABASE_UNAVAILABLE = (peewee.OperationalError, peewee.InterfaceError, MaxConnectionsExceeded)
RETRY_AFTER_SECONDS = 5


# What a browser shows for a page (booking page, links in messages, console).
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="de"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Kurz nicht erreichbar / Briefly unavailable</title>
<p>Der Dienst ist gerade kurz nicht erreichbar. Bitte versuchen Sie es in ein paar
Sekunden noch einmal.</p>
<p lang="en">The service is briefly unavailable. Please try again in a few seconds.</p>
</html>
"""


def _unavailable(error):  # a Flask error handler
    # The type only: a driver's text names hosts and may quote a statement.
    log.warning("database unavailable: %s", type(error).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    preferred = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if preferred == "text/html" and not request.path.startswith("/v1/"):  # a browser's page
        return UNAVAILABLE_PAGE, 503, {**headers, "Content-Type": "text/html; charset=utf-8"}
    return problem(
        _with_data(
            503,
            {
                "message": "The service is briefly unavailable. Please try again shortly.",
                "reason": "database_unavailable",
                "headers": headers,
            },
        )
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return problem(error.as_http())

    for kind in DATABASE_UNAVAILABLE:  # a 503 on every route, never a 500
        app.register_error_handler(kind, _unavailable)

    @app.errorhandler(peewee.IntegrityError)
    def integrity_error(error):  # a unique/foreign key rule: the caller's conflict
        log.info("integrity error: %s", type(error).__name__)
        return problem(_with_data(409, {"message": "This conflicts with existing data."}))

    @app.errorhandler(Exception)
    def unexpected(error):  # never leak internals; log the type and where only
        original = getattr(error, "original_exception", None)
        if isinstance(original, DATABASE_UNAVAILABLE):  # raised in an after_request hook
            return _unavailable(original)
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
