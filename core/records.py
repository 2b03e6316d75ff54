"""Saving records a plugin's service checks: the ``prepare_*(session, item)`` functions of
the services (see :mod:`core.crud`) and the uniqueness clashes they look for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")


def add_prepared(
    session: Session,
    item: Row,
    prepare: Callable[[Session, Row], Any],
    *,
    no_autoflush: bool = False,
) -> Row:
    """Check the new ``item`` with ``prepare`` (without autoflush when ``no_autoflush``: the
    checks' own queries must not save it half-made), add it to ``session`` and flush it."""
    if no_autoflush:
        with session.no_autoflush:
            prepare(session, item)
    else:
        prepare(session, item)
    session.add(item)
    session.flush()
    return item


def is_taken(session: Session, query: Any, obj: Any, model: type) -> bool:
    """Whether ``query`` finds a row other than ``obj`` itself (a uniqueness clash)."""
    if obj.id is not None:
        query = query.where(model.id != obj.id)
    with session.no_autoflush:
        return session.scalar(query.limit(1)) is not None
