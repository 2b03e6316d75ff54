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

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response

from core.extensions import db

Endpoint = TypeVar("Endpoint", bound=Callable[..., Response])


class RuleError(ValueError):
    """A record or action that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict with the
    current state, 404 unknown record).
    """

    def __init__(self, message: str, field: str, status: int = 422) -> None:
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
    raises answers :func:`refusal_response`."""

    @functools.wraps(endpoint)
    def answering(api: Any, *args: Any, **kwargs: Any) -> Response:
        try:
            return endpoint(api, *args, **kwargs)
        except RuleError as error:
            return refusal_response(api, error)

    return answering  # type: ignore[return-value]


def named_input_errors(response: Response) -> Response:
    """Flask-AppBuilder's own input errors (``{"message": {field: [errors]}}``) reshaped
    into ``{"message": "field: text", "field": field}`` like every other refusal, naming the
    first field; ``errors`` keeps every field's messages (``{field: [text, ...]}``)."""
    body = response.get_json(silent=True) if response.status_code in (400, 422) else None
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
