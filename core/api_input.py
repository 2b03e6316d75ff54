"""Odd input answers 4xx, never 5xx, on every endpoint of every plugin.

:func:`install` (called by :func:`core.app.create_app`) adds, once for the whole app:

* a check before every request: a ``q`` query parameter that is not Rison answers 400;
  an id in the path beyond what a 64-bit key holds answers
  404 (the database would overflow); a JSON body of a ``POST``/``PUT``/``PATCH`` to the
  API that is not a JSON object answers 422 "body must be a JSON object", and a number in
  it that no column holds (an integer beyond 64 bits, ``NaN``, infinity) or a text no
  column holds (a lone UTF-16 surrogate such as ``"\\udacd"``, which has no UTF-8 form, or
  a NUL character, which PostgreSQL refuses) 422 naming the field;
* handlers turning a database error an endpoint lets through (``IntegrityError``,
  ``DataError``, ``OverflowError``) into a 409/422 refusal whose message holds no SQL
  (:func:`core.errors.database_refusal`);
* JSON 401 answers for a missing, malformed or expired JWT (Flask-JWT-Extended answers a
  malformed one 422).

:class:`DocumentedApi` (a mixin of every business API) declares each path parameter of its
endpoints in the OpenAPI document from the URL rule, and the request body and query
parameters an endpoint names with :func:`json_body` / :func:`query_params` (marshmallow
schemas, also used to read the input); their booleans are
:class:`~core.relations.StrictBoolean` ("must be true or false").
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, g, jsonify, request
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.exceptions import BadRequest

from core.errors import RuleError, database_refusal
from core.extensions import db
from core.relations import MAX_ID, StrictBoolean

__all__ = [
    "DocumentedApi",
    "StrictBoolean",
    "describes_body",
    "describes_query",
    "install",
    "json_body",
    "path_choices",
    "query_params",
]

MIN_INT = -(2**63)
#: Dates the API takes: outside these, date arithmetic (a year back, a week ahead) overflows.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(9998, 12, 31)
_DIGITS = re.compile(r"-?\d+")


def install(app: Flask) -> None:
    """Add the request checks, the database-error handlers and the JWT answers to ``app``."""
    app.before_request(refuse_odd_input)
    for error in _database_errors():
        app.register_error_handler(error, _database_error_answer)
    jwt = app.appbuilder.sm.jwt_manager
    jwt.invalid_token_loader(_invalid_token)
    jwt.expired_token_loader(_expired_token)
    jwt.unauthorized_loader(_invalid_token)


def _database_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import DataError, IntegrityError, StatementError

    return (IntegrityError, DataError, StatementError, OverflowError)


def _answer(status: int, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"message": message, "field": field}
    if field:
        body["errors"] = {field: [message]}
    response = jsonify(body)
    response.status_code = status
    return response


def refuse_odd_input() -> Response | None:
    """The check before each request (see the module); ``None`` lets the request through."""
    for name, value in (request.view_args or {}).items():
        if _beyond_64_bits(value):
            if not request.path.startswith("/api/"):
                abort(404)
            return _answer(404, gettext("no record with id %(id)s", id=value), name)
    if not request.path.startswith("/api/"):
        return None
    if "q" in request.args and not _reads_as_rison(request.args["q"]):
        return _answer(400, gettext("q: not valid Rison"), "q")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if not request.is_json or not request.get_data(cache=True).strip():
        return None
    try:
        body = request.get_json()
    except BadRequest:
        return _answer(400, gettext("the body is not valid JSON"))
    if not isinstance(body, dict):
        return _answer(422, gettext("body must be a JSON object"))
    for field, message in _odd_values(body, ""):
        return _answer(422, f"{field}: {message}", field)
    return None


def _reads_as_rison(text: str) -> bool:
    """Whether Flask-AppBuilder reads its ``q`` parameter: as Rison, or as JSON when Rison
    fails with prison's ``ParserException`` (``FAB_API_ALLOW_JSON_QS``, on by default), as
    ``flask_appbuilder.api.rison`` does. Any other exception of prison ("1e+16") is uncaught
    there, a 500; a refusal here names ``q`` in the usual ``{message, field}`` shape."""
    import json

    import prison

    try:
        prison.loads(text)
    except prison.decoder.ParserException:
        if not current_app.config.get("FAB_API_ALLOW_JSON_QS", True):
            return False
        try:
            json.loads(text)
        except ValueError:
            return False
    except Exception:
        return False
    return True


def _beyond_64_bits(value: Any) -> bool:
    if isinstance(value, str) and _DIGITS.fullmatch(value) and len(value) < 4000:
        value = int(value)
    return isinstance(value, int) and not MIN_INT <= value <= MAX_ID


def _odd_values(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(field, message)`` for each number or text in a JSON value that no column holds."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _odd_text(key):
                yield path or "body", gettext("a field name is not valid text")
                return
            yield from _odd_values(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _odd_values(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if _odd_text(value):
            yield (
                path or "body",
                gettext("not valid text (a NUL character or a lone UTF-16 surrogate)"),
            )
    elif isinstance(value, bool):
        return
    elif (
        isinstance(value, int)
        and not MIN_INT <= value <= MAX_ID
        or isinstance(value, float)
        and not math.isfinite(value)
    ):
        yield path or "body", gettext("the number is out of range")


def _odd_text(text: str) -> bool:
    """Whether a text holds a NUL character or a lone surrogate (no UTF-8 form)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _database_error_answer(error: BaseException) -> Any:
    refusal = database_refusal(error)
    if refusal is None:
        raise error
    db.session.rollback()
    if request.path.startswith("/api/"):
        return _answer(refusal.status, refusal.message, refusal.field)
    return refusal.message, refusal.status


def _invalid_token(reason: str) -> Response:
    return _answer(401, gettext("not signed in: the access token is missing or not valid"))


def _expired_token(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
    return _answer(401, gettext("the access token has expired: log in again"))


def checked_date(value: datetime.date, field: str, error: type[RuleError] = RuleError) -> Any:
    """``value`` when it lies in the dates the API takes (:data:`MIN_DATE`..:data:`MAX_DATE`),
    else ``error`` (422) naming ``field``."""
    if not MIN_DATE <= value <= MAX_DATE:
        raise error(
            gettext(
                "%(field)s: %(value)s is outside %(start)s..%(end)s",
                field=field,
                value=value.isoformat(),
                start=MIN_DATE.isoformat(),
                end=MAX_DATE.isoformat(),
            ),
            field,
        )
    return value


def check_query_dates(*names: str, error: type[RuleError] = RuleError) -> None:
    """Refuse (``error``, 422 naming it) a query parameter among ``names`` holding a date or
    moment outside :data:`MIN_DATE`..:data:`MAX_DATE`; text that is no date is left to the
    endpoint's own reading (and message)."""
    for name in names:
        text = (request.args.get(name) or "").strip()
        if not text:
            continue
        try:
            found = datetime.datetime.fromisoformat(text).date()
        except ValueError:
            continue
        checked_date(found, name, error)


class ApiDate(fields.Date):
    """A ``YYYY-MM-DD`` date between :data:`MIN_DATE` and :data:`MAX_DATE`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        found = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_DATE <= found <= MAX_DATE:
            raise ValidationError(
                gettext(
                    "%(value)s is outside %(start)s..%(end)s",
                    value=found.isoformat(),
                    start=MIN_DATE.isoformat(),
                    end=MAX_DATE.isoformat(),
                )
            )
        return found


def record_id(**kwargs: Any) -> fields.Integer:
    """An id field (a whole number 1..2**63-1, documented so)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def quantity(**kwargs: Any) -> fields.Decimal:
    """A quantity: a number (or its text) of at most 12 digits before the point and 3 after;
    documented as a number."""
    return fields.Decimal(
        places=None,
        allow_nan=False,
        validate=_digits(12, 3),
        metadata={"type": "number"},
        **kwargs,
    )


def amount(**kwargs: Any) -> fields.Decimal:
    """An amount (cost, price): a number or its text, at most 12 digits before the point;
    the service checks the decimal places of its currency."""
    return fields.Decimal(
        places=None,
        allow_nan=False,
        validate=_digits(12, 10),
        metadata={"type": "number"},
        **kwargs,
    )


def _digits(whole: int, places: int) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        sign, digits, exponent = value.as_tuple()
        before = len(digits) + exponent if isinstance(exponent, int) else 0
        after = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if before > whole or after > places:
            raise ValidationError(
                gettext(
                    "at most %(whole)s digits before the point and %(places)s after",
                    whole=whole,
                    places=places,
                )
            )

    return check


def _input_errors(error: ValidationError) -> Response:
    from core.errors import _texts

    messages = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
    errors = {str(field): _texts(found) for field, found in messages.items()}
    field, texts = next(iter(errors.items()))
    response = jsonify(
        {"message": f"{field}: {'; '.join(texts)}", "field": field, "errors": errors}
    )
    response.status_code = 422
    return response


def json_body(schema: type[Schema]) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate an endpoint (below ``@protect()``): its JSON body is read with ``schema``
    (unknown keys ignored) into ``g.body``; a body that breaks it answers 422 naming the
    field. The OpenAPI document shows ``schema`` as the request body."""

    def decorate(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(endpoint)
        def reading(api: Any, *args: Any, **kwargs: Any) -> Response:
            raw = request.get_json(silent=True)
            if raw is None and request.get_data(cache=True).strip():
                return _answer(400, gettext("the body must be a JSON object"))
            try:
                g.body = schema(unknown="exclude").load({} if raw is None else raw)
            except ValidationError as error:
                return _input_errors(error)
            return endpoint(api, *args, **kwargs)

        reading._body_schema = schema  # type: ignore[attr-defined]
        return reading

    return decorate


def query_params(
    schema: type[Schema],
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate an endpoint (below ``@protect()``): its query string is read with ``schema``
    into ``g.query``; a bad parameter answers 422 naming it. The OpenAPI document lists the
    schema's fields as query parameters."""

    def decorate(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(endpoint)
        def reading(api: Any, *args: Any, **kwargs: Any) -> Response:
            try:
                g.query = schema(unknown="exclude").load(request.args.to_dict())
            except ValidationError as error:
                return _input_errors(error)
            return endpoint(api, *args, **kwargs)

        reading._query_schema = schema  # type: ignore[attr-defined]
        return reading

    return decorate


def describes_body(
    schema: type[Schema] | dict[str, fields.Field] | None,
    name: str | None = None,
    content_type: str = "application/json",
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Document an endpoint's request body without reading it (the endpoint checks its own
    input): a schema, a dict of fields (then ``name`` names the schema), or ``None`` for an
    endpoint that takes no body (an empty object)."""
    if schema is None:
        schema = Schema.from_dict({}, name="NoBody")
    elif isinstance(schema, dict):
        schema = Schema.from_dict(schema, name=name or "Body")

    def decorate(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        endpoint._body_schema = schema  # type: ignore[attr-defined]
        endpoint._body_content_type = content_type  # type: ignore[attr-defined]
        return endpoint

    return decorate


def describes_query(
    name: str, **query_fields: fields.Field
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Document an endpoint's query parameters without reading them (the endpoint reads
    its own): ``@describes_query("Coverage", serial=fields.String(required=True))``."""
    schema = Schema.from_dict(query_fields, name=name)

    def decorate(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        endpoint._query_schema = schema  # type: ignore[attr-defined]
        return endpoint

    return decorate


def path_choices(**choices: Any) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Document the values a string path parameter takes (``action=sorted(ACTIONS)``)."""

    def decorate(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        endpoint._path_choices = {k: list(v) for k, v in choices.items()}  # type: ignore[attr-defined]
        return endpoint

    return decorate


_RULE = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")


def _path_parameter(converter: str | None, name: str) -> dict[str, Any]:
    if converter == "int":
        schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    else:
        schema = {"type": "string"}
    return {"in": "path", "name": name, "required": True, "schema": schema}


class DocumentedApi:
    """Mixin of a Flask-AppBuilder ``BaseApi``: the OpenAPI document declares every path
    parameter of its endpoints (from the URL rule), and the request body and query
    parameters an endpoint reads through :func:`json_body` / :func:`query_params`."""

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        methods: list[str] | None = None,
        func: Callable[..., Response] | None = None,
        **kwargs: Any,
    ) -> None:
        """Flask-AppBuilder's operations from the docstring, completed (see the class)."""
        super().operation_helper(  # type: ignore[misc]
            path=path, operations=operations, methods=methods, func=func, **kwargs
        )
        rules = [url for url, _methods in getattr(func, "_urls", [])]
        declared = _RULE.findall(" ".join(rules))
        body = getattr(func, "_body_schema", None)
        query = getattr(func, "_query_schema", None)
        for method, operation in (operations or {}).items():
            parameters = operation.setdefault("parameters", [])
            known = {(p.get("in"), p.get("name")) for p in parameters if isinstance(p, dict)}
            choices = getattr(func, "_path_choices", {})
            for converter, name in declared:
                if ("path", name) not in known and "{" + name + "}" in (path or ""):
                    parameter = _path_parameter(converter or None, name)
                    if name in choices:
                        parameter["schema"]["enum"] = choices[name]
                    parameters.append(parameter)
                    known.add(("path", name))
            if query is not None and method == "get":
                parameters.append({"in": "query", "schema": query})
            if body is not None and method in ("post", "put", "patch"):
                content_type = getattr(func, "_body_content_type", "application/json")
                operation.setdefault(
                    "requestBody",
                    {"required": True, "content": {content_type: {"schema": body}}},
                )
            if not parameters:
                del operation["parameters"]
            operation.setdefault("responses", {"200": {"description": "Done"}})
