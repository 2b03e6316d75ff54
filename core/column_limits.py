"""Every text column has a length limit, enforced on screens, APIs and every other path.

``String(n)`` columns carry their limit; free text (notes, descriptions, clauses) uses
:class:`LongText`, a ``TEXT`` column (no change in the database) with a ``length`` that
Flask-AppBuilder's form converter and marshmallow-sqlalchemy both read, so every screen gets
a WTForms ``Length`` validator (a field error on the form) and every REST schema a
marshmallow ``Length`` validator (422 naming the field, "Longer than maximum length N.").

Writes that pass neither (CSV/XLSX imports, the CLI, jobs, services called by custom
endpoints) are checked when the session flushes: a value longer than its column, or one a
column type refuses (:class:`core.money.CurrencyCode`: not an ISO 4217 code), raises
:class:`ColumnValueError`, a :class:`core.errors.RuleError` naming the attribute, before
anything is written. Only the attributes a flush changes are checked, so a record holding an
older, longer value can still be updated elsewhere. Importing this module installs the
check (once per process); every model module imports it through its column types.
:func:`register_refusal_handler` answers such a refusal that no view caught (a custom
screen or endpoint catching only its plugin's own error) with 422 ``{"message", "field"}``
on the API, and on screens with the message flashed over the form again, never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, jsonify, redirect, request
from flask_babel import gettext
from sqlalchemy import Column, Text, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator

from core.errors import RuleError
from core.extensions import db

#: Names, titles and labels.
NAME_LENGTH = 200
#: Codes, numbers, tax ids.
CODE_LENGTH = 64
#: Free text typed by users: notes, descriptions, reasons, findings.
TEXT_LENGTH = 10_000
#: Contract clauses (legal text pasted from documents).
CLAUSE_LENGTH = 20_000


class LongText(TypeDecorator[str]):
    """A ``TEXT`` column holding at most ``max_length`` characters.

    The database type is plain ``TEXT``; ``length`` is what forms, API schemas and the
    flush check enforce. With ``truncate=True`` (logs and errors the system writes, never
    user input) a longer value is cut to fit instead of refused.
    """

    impl = Text
    cache_ok = True

    def __init__(self, max_length: int = TEXT_LENGTH, truncate: bool = False) -> None:
        super().__init__()
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ValueError("LongText max_length must be a positive int")
        self.max_length = max_length
        self.truncate = truncate

    @property
    def length(self) -> int:
        """The limit, under the name Flask-AppBuilder and marshmallow-sqlalchemy read."""
        return self.max_length

    @property
    def python_type(self) -> type:
        """str."""
        return str

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """The value as given; cut to ``max_length`` (ending in "…") when truncating."""
        if self.truncate and isinstance(value, str) and len(value) > self.max_length:
            return value[: self.max_length - 1] + "…"
        return value


class ColumnValueError(RuleError):
    """A value its column cannot hold (too long, or refused by the column type)."""


def type_limit(column_type: Any) -> int | None:
    """The most characters a column of ``column_type`` holds, or ``None`` (not text, or
    unbounded)."""
    limit = getattr(column_type, "length", None)
    return limit if isinstance(limit, int) and not isinstance(limit, bool) else None


def column_limit(column: Column[Any]) -> int | None:
    """The most characters ``column`` holds, or ``None`` (not a text column, or unbounded)."""
    return type_limit(column.type)


def column_refusal(column: Column[Any], value: Any) -> str | None:
    """Why ``column`` cannot hold ``value`` (a translated message), or ``None``."""
    if value is None:
        return None
    limit = column_limit(column)
    truncating = bool(getattr(column.type, "truncate", False))
    if isinstance(value, str) and limit is not None and len(value) > limit and not truncating:
        return gettext("Longer than maximum length %(max)d.", max=limit)
    refusal = getattr(type(column.type), "refusal", None)
    if callable(refusal):
        return refusal(column.type, value)
    return None


_CHECKED: dict[Mapper[Any], list[tuple[str, Column[Any]]]] = {}


def checked_columns(mapper: Mapper[Any]) -> list[tuple[str, Column[Any]]]:
    """``(attribute, column)`` of ``mapper``'s columns that a flush checks (cached)."""
    found = _CHECKED.get(mapper)
    if found is None:
        found = []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if not isinstance(column, Column):
                continue
            if column_limit(column) is not None or hasattr(type(column.type), "refusal"):
                found.append((prop.key, column))
        _CHECKED[mapper] = found
    return found


def check_record(record: Any) -> None:
    """Raise :class:`ColumnValueError` for the first value of ``record`` its column cannot
    hold: every set value of a new record, the changed values of a stored one."""
    state = sa_inspect(record)
    changed = None if state.key is None else state.committed_state
    for key, column in checked_columns(state.mapper):
        if key not in state.dict or (changed is not None and key not in changed):
            continue
        problem = column_refusal(column, state.dict[key])
        if problem:
            raise ColumnValueError(f"{key}: {problem}", key)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for record in (*session.new, *session.dirty):
        check_record(record)


def register_refusal_handler(app: Flask) -> None:
    """Answer a :class:`ColumnValueError` that no view caught (see the module docstring)."""
    app.register_error_handler(ColumnValueError, _answer_refusal)


def _answer_refusal(error: ColumnValueError) -> Any:
    db.session.rollback()
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(message=error.message, field=error.field), error.status
    flash(error.message, "danger")
    rule = request.url_rule
    if request.method != "GET" and rule is not None and "GET" in (rule.methods or ()):
        return redirect(request.full_path)
    return redirect(current_app.appbuilder.get_url_for_index)


def install() -> None:
    """Check every flush of every session (idempotent; runs before other flush listeners,
    so nothing else reacts to a record that is refused)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush, insert=True)


install()
