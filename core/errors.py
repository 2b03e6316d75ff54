"""The refusal every business rule raises, and how the REST APIs answer it.

A service that refuses a record or an action raises a :class:`RuleError` (each plugin has
its own subclass: ``ContractError``, ``InventoryError``...) naming the offending field and
the HTTP status an API answers with: 422 invalid input, 409 conflict with the current state,
404 unknown record. Every API answers a refusal the same way, ``{"message": ..., "field":
...}`` with that status, after rolling the session back so that nothing is half-written:
:class:`core.security.permissions.BusinessModelApi` does it for create, change and delete,
and :func:`answers_refusals` for an API's own endpoints.
"""

from __future__ import annotations

import decimal
import functools
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response
from flask_babel import gettext

from core.extensions import db

Endpoint = TypeVar("Endpoint", bound=Callable[..., Response])


class RuleError(ValueError):
    """A record or action that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict with the
    current state, 404 unknown record).
    """

    def __init__(self, message: str, field: str | None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def refusal_response(api: Any, error: RuleError) -> Response:
    """Roll back and answer ``error`` as ``{"message", "field"}`` with its status."""
    db.session.rollback()
    return api.response(error.status, message=error.message, field=error.field)


def answers_refusals(endpoint: Endpoint) -> Endpoint:
    """Decorate an API endpoint (below ``@protect()``) so that a :class:`RuleError` it
    raises answers :func:`refusal_response` (and a database error :func:`database_refusal`)."""

    @functools.wraps(endpoint)
    def answering(api: Any, *args: Any, **kwargs: Any) -> Response:
        try:
            return endpoint(api, *args, **kwargs)
        except RuleError as error:
            return refusal_response(api, error)
        except Exception as error:
            answer = database_refusal_response(api, error)
            if answer is None:
                raise
            return answer

    return answering  # type: ignore[return-value]


def named_input_errors(response: Response) -> Response:
    """Flask-AppBuilder's own input errors (``{"message": {field: [errors]}}``) reshaped
    into ``{"message": "field: text", "field": field}`` like every other refusal, naming the
    first field; ``errors`` keeps every field's messages (``{field: [text, ...]}``)."""
    body = response.get_json(silent=True) if response.status_code in (400, 422) else None
    if isinstance(body, dict) and "[SQL:" in str(body.get("message")):
        # never show a statement (Flask-AppBuilder quotes the database's error)
        answer = {"message": gettext("a value is out of range or of the wrong type")}
        response.set_data(json.dumps({**answer, "field": None}, ensure_ascii=False))
        return response
    if isinstance(body, dict) and isinstance(body.get("message"), dict) and body["message"]:
        errors = {str(field): _texts(found) for field, found in body["message"].items()}
        field, texts = next(iter(errors.items()))
        answer = {"message": f"{field}: {'; '.join(texts)}", "field": field, "errors": errors}
        response.set_data(json.dumps(answer, ensure_ascii=False))
    return response


def _texts(found: Any) -> list[str]:
    """The messages of one field's errors (a list, or a dict by list index or key)."""
    if isinstance(found, dict):
        return [text for nested in found.values() for text in _texts(nested)]
    if isinstance(found, list):
        return [text for item in found for text in _texts(item)]
    return [str(found)]


_SQLITE_COLUMN = re.compile(r"constraint failed: [\w.]*?(\w+)(?:,|$)")
_POSTGRES_KEY = re.compile(r"Key \(([\w, ]+)\)=")


def database_refusal(error: BaseException) -> RuleError | None:
    """A database error (or a number too large for it) as a refusal without SQL, naming the
    column when the database tells which; ``None`` for anything else.

    Duplicates and missing related records conflict with stored data (409); a value the
    column cannot hold (out of range, wrong type: ``DataError``, ``OverflowError``) is bad
    input (422). The database's own text never reaches the caller: it holds the statement.
    """
    from flask_appbuilder.exceptions import DatabaseException
    from sqlalchemy.exc import DataError, IntegrityError, StatementError

    if isinstance(error, DatabaseException) and error.__cause__ is not None:
        error = error.__cause__
    if isinstance(error, StatementError) and isinstance(error.orig, OverflowError):
        error = error.orig
    if isinstance(error, OverflowError | decimal.InvalidOperation):
        return RuleError(gettext("a number is out of range"), None, 422)
    bind_failed = isinstance(error, StatementError) and isinstance(
        error.orig, ArithmeticError | ValueError | TypeError
    )  # a column type could not store the value (a Decimal beyond its digits, say)
    if isinstance(error, DataError) or bind_failed:
        return RuleError(gettext("a value is out of range or of the wrong type"), None, 422)
    if not isinstance(error, IntegrityError):
        return None
    text = str(error.orig)
    field = _column_named(error)
    if "UNIQUE" in text or "unique" in text or "duplicate" in text:
        message = gettext("already used by another record")
    elif "NOT NULL" in text or "null value" in text:
        message = gettext("is required")
    elif "FOREIGN KEY" in text or "foreign key" in text:
        message = gettext("refers to a record that does not exist, or is still referred to")
    else:
        message = gettext("breaks a rule of the stored records")
    return RuleError(f"{field}: {message}" if field else message, field, 409)


def _column_named(error: Any) -> str | None:
    """The column an integrity error names (SQLite's text, PostgreSQL's diagnostics)."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None and getattr(diag, "column_name", None):
        return str(diag.column_name)
    found = _POSTGRES_KEY.search(getattr(diag, "message_detail", None) or str(error.orig))
    if found:
        return found.group(1).split(",")[0].strip()
    found = _SQLITE_COLUMN.search(str(error.orig))
    return found.group(1) if found else None


def database_refusal_response(api: Any, error: BaseException) -> Response | None:
    """:func:`refusal_response` for a database error, or ``None`` when it is none."""
    refusal = database_refusal(error)
    return refusal_response(api, refusal) if refusal is not None else None
