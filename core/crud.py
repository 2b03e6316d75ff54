"""Base classes for plugins' CRUD screens and APIs whose records a service checks.

A plugin's rules live in its services as ``prepare_*(session, item)`` functions that check
(and complete) a record before it is saved, raising a :class:`core.errors.RuleError` naming
the field. Setting ``prepare`` on a :class:`CheckedModelView` or :class:`CheckedModelApi`
runs it on every create and change: the screen flashes the refusal and shows the form again
with what the user typed (Flask-AppBuilder alone would flash it and leave the form), the API
answers it as ``{"message", "field"}``, and in both the session is rolled back so that
half-applied form values do not linger.

A column that must hold a value (``nullable=False``) but that ``prepare`` fills when the user
leaves it empty (a number from a sequence, a region that follows from the site) is named in
``filled_by_prepare``: the form and the API body then accept it left out, and ``prepare``
sees ``None`` (or ``""`` from a form's text box) there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g
from flask_appbuilder.urltools import get_order_args, get_page_args, get_page_size_args

from core.errors import RuleError
from core.extensions import db
from core.security.permissions import BusinessModelApi, BusinessModelView

Prepare = Callable[[Any, Any], Any]


class ServiceChecked:
    """``pre_add``/``pre_update`` run ``prepare(db.session, item)`` without autoflush (the
    checks' own queries must not save the unchecked record)."""

    prepare: Prepare | None = None  # set as staticmethod(services.prepare_thing)
    #: Required columns that ``prepare`` fills when left out: optional on the form and API.
    filled_by_prepare: tuple[str, ...] = ()

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
    """A CRUD screen whose records ``prepare`` checks before they are saved; a refused add
    or edit shows its form again, filled in as submitted, under the flashed refusal."""

    def process_form(self, form: Any, is_created: bool) -> None:
        """Keep the submitted form for this request (shown again if ``prepare`` refuses)."""
        g.aftersales_submitted_form = form
        super().process_form(form, is_created)

    def check_record(self, item: Any) -> None:
        """Run ``prepare``; a refusal is remembered for this request, then raised again."""
        try:
            super().check_record(item)
        except RuleError:
            g.aftersales_refused_record = True
            raise

    def _forget_refusal(self) -> None:
        g.pop("aftersales_refused_record", None)
        g.pop("aftersales_submitted_form", None)

    def _refused_form(self) -> Any:
        """The form of this request's refused record, or ``None``."""
        refused = g.pop("aftersales_refused_record", False)
        form = g.pop("aftersales_submitted_form", None)
        return form if refused else None

    def _add(self) -> Any:
        self._forget_refusal()
        widget = super()._add()
        form = self._refused_form() if widget is None else None
        if form is None:
            return widget
        return self._get_add_widget(form=form, exclude_cols=self._filters.get_relation_cols())

    def _edit(self, pk: Any) -> Any:
        self._forget_refusal()
        widgets = super()._edit(pk)
        form = self._refused_form() if widgets is None else None
        if form is None:
            return widgets
        item = self.datamodel.get(pk, self._base_filters)  # as stored: the edit was rolled back
        widgets = self._get_edit_widget(form=form, exclude_cols=self._filters.get_relation_cols())
        return self._get_related_views_widgets(
            item,
            filters={},
            orders=get_order_args(),
            pages=get_page_args(),
            page_sizes=get_page_size_args(),
            widgets=widgets,
        )


class CheckedModelApi(ServiceChecked, BusinessModelApi):
    """A REST API whose records ``prepare`` checks before they are saved."""

    def _init_model_schemas(self) -> None:
        """Flask-AppBuilder's schemas, with the ``filled_by_prepare`` fields optional (their
        columns' own marshmallow fields require them: the column is ``nullable=False``)."""
        super()._init_model_schemas()
        for schema in (self.add_model_schema, self.edit_model_schema):
            for name in self.filled_by_prepare:
                field = schema.fields.get(name)
                if field is not None:
                    field.required = False
                    field.allow_none = True
