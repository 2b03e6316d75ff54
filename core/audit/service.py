"""Who is acting, how values are written into the log, and how to read a record's history.

* ``with audit_actor("cli:admin"): ...`` names the actor of jobs and CLI commands (inside a
  request the logged-in user is used).
* ``audit_url(obj)`` is the link to a record's history (a "History" link on its page).
* ``record_history(session, table, record_id)`` lists a record's entries, newest first.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import enum
import getpass
import math
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

import click
from flask import g, has_request_context, url_for
from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapper, Session
from werkzeug.routing import BuildError

from core.audit.models import KEY_LENGTH, AuditLog

SYSTEM = "system"
RECORD_ENDPOINT = "AuditLogView.record"

_actor: ContextVar[tuple[int | None, str] | None] = ContextVar("audit_actor", default=None)
_disabled: ContextVar[bool] = ContextVar("audit_disabled", default=False)


@contextmanager
def audit_actor(name: str, user_id: int | None = None) -> Iterator[None]:
    """Record changes made inside this block as made by ``name`` (``"cli:admin"``).

    Jobs and CLI commands use it; it wins over the request's user. Nests and restores.
    """
    token = _actor.set((user_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def without_audit() -> Iterator[None]:
    """Do not audit changes made inside this block.

    Only for bulk loads that are not business changes (demo data, benchmarks, migrations).
    """
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


def audit_enabled() -> bool:
    """Whether changes are being audited in this context."""
    return not _disabled.get()


def current_actor() -> tuple[int | None, str]:
    """``(user id, username)`` of whoever is acting now.

    An :func:`audit_actor` block wins; then the request's user (session cookie or JWT);
    then, inside an ``aftersales`` command, ``"cli:<operating system user>"``; otherwise
    ``(None, "system")`` (scheduled jobs, workers).
    """
    chosen = _actor.get()
    if chosen is not None:
        return chosen
    if has_request_context():
        cached = g.get("_audit_actor")
        if cached is not None:
            return cached
        user = _request_user()
        if user is not None:
            try:
                actor = (user.id, user.username)
            except Exception:  # a user deleted in this very flush: fall back to "system"
                return (None, SYSTEM)
            g._audit_actor = actor
            return actor
    if click.get_current_context(silent=True) is not None:
        return (None, f"cli:{_os_user()}")
    return (None, SYSTEM)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "unknown"


def _request_user() -> Any:
    user = g.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    try:
        from flask_jwt_extended import get_current_user

        user = get_current_user()
    except RuntimeError:  # no JWT was verified in this request
        return None
    return user if user is not None and getattr(user, "is_authenticated", True) else None


def jsonable(value: Any) -> Any:
    """``value`` as something JSON can store without losing meaning.

    Decimals become strings (exact), dates and times ISO 8601 strings, enums their value,
    UUIDs strings, bytes base64; anything unknown its ``str()``.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def table_name(mapper: Mapper[Any]) -> str:
    """The table a mapped class is logged under."""
    return getattr(mapper.local_table, "name", None) or mapper.class_.__name__


def record_key(mapper: Mapper[Any], obj: Any) -> str:
    """A record's primary key as a string (composite keys joined with ``,``)."""
    key = mapper.primary_key_from_instance(obj)
    return ",".join("" if part is None else str(part) for part in key)[:KEY_LENGTH]


def audit_url(obj: Any) -> str:
    """The URL of ``obj``'s history screen, for a "History" link on its page."""
    mapper = inspect(type(obj))
    return audit_record_url(table_name(mapper), record_key(mapper, obj))


def audit_record_url(table: str, record_id: str | int) -> str:
    """The URL of the history screen of record ``record_id`` of ``table``."""
    try:
        return url_for(RECORD_ENDPOINT, table=table, record_id=str(record_id))
    except (RuntimeError, BuildError):  # no request/app context, or the screen is absent
        return f"/auditlog/record/{quote(table, safe='')}/{quote(str(record_id), safe='')}"


def record_history(
    session: Session, table: str, record_id: str | int, limit: int = 500
) -> list[AuditLog]:
    """The audit entries of one record, newest first."""
    query = (
        select(AuditLog)
        .where(AuditLog.table_name == table, AuditLog.record_id == str(record_id))
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
