"""Base classes for plugins' CRUD screens and APIs whose records a service checks.

A plugin's rules live in its services as ``prepare_*(session, item)`` functions that check
(and complete) a record before it is saved, raising a :class:`core.errors.RuleError` naming
the field. Setting ``prepare`` on a :class:`CheckedModelView` or :class:`CheckedModelApi`
runs it on every create and change: the screen flashes the refusal (Flask-AppBuilder shows
the exception's message), the API answers it as ``{"message", "field"}``, and in both the
session is rolled back so that half-applied form values do not linger.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import RuleError
from core.extensions import db
from core.security.permissions import BusinessModelApi, BusinessModelView

Prepare = Callable[[Any, Any], Any]


class ServiceChecked:
    """``pre_add``/``pre_update`` run ``prepare(db.session, item)`` without autoflush (the
    checks' own queries must not save the unchecked record)."""

    prepare: Prepare | None = None  # set as staticmethod(services.prepare_thing)

    def pre_add(self, item: Any) -> None:
        """Check the new record through the service."""
        self.check_record(item)

    def pre_update(self, item: Any) -> None:
        """Check the edited record through the service."""
        self.check_record(item)

    def check_record(self, item: Any) -> None:
        """Run ``prepare``; on a refusal roll back and raise it again."""
        prepare = type(self).prepare
        if prepare is None:
            return
        try:
            with db.session.no_autoflush:
                prepare(db.session, item)
        except RuleError:
            db.session.rollback()
            raise


class CheckedModelView(ServiceChecked, BusinessModelView):
    """A CRUD screen whose records ``prepare`` checks before they are saved."""


class CheckedModelApi(ServiceChecked, BusinessModelApi):
    """A REST API whose records ``prepare`` checks before they are saved."""
