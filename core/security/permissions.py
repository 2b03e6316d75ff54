"""One read/write permission pair per business object, shared by its screen and its API.

Flask-AppBuilder names permissions after methods (``can_list``, ``can_get``...). When a
ModelView and a ModelRestApi share a ``class_permission_name``, FAB's permission sync for one
deletes the other's permissions. Mapping every method to ``read`` or ``write`` (as Superset
does) gives both the same two permissions: ``can_read`` and ``can_write`` on the object.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from flask import Response, abort, request
from flask_appbuilder import ModelRestApi, ModelView, expose
from flask_appbuilder.api import BaseApi

from core.api_input import DocumentedApi
from core.errors import (
    RuleError,
    database_refusal,
    database_refusal_response,
    named_input_errors,
    refusal_response,
)
from core.extension_fields import extend_api, extend_view
from core.extensions import db
from core.labels import column_label
from core.listing import ListLoadingInterface
from core.related_panels import related_panels
from core.relations import IdOnlySchemaConverter
from core.saved_messages import SavedMessages
from core.visibility import has_rule, visible_rows_filter

READ = "read"
WRITE = "write"

MODEL_VIEW_PERMISSIONS = {
    "list": READ,
    "show": READ,
    "download": READ,
    "add": WRITE,
    "edit": WRITE,
    "delete": WRITE,
    "action": WRITE,
    "action_post": WRITE,
}

MODEL_API_PERMISSIONS = {
    "get": READ,
    "get_list": READ,
    "info": READ,
    "post": WRITE,
    "put": WRITE,
    "delete": WRITE,
}


def read_write(view_menu: str) -> list[tuple[str, str]]:
    """Both permissions on ``view_menu``, for a :class:`core.contributions.RoleSpec`."""
    return [("can_read", view_menu), ("can_write", view_menu)]


def read_only(view_menu: str) -> list[tuple[str, str]]:
    """The read permission on ``view_menu``, for a :class:`core.contributions.RoleSpec`."""
    return [("can_read", view_menu)]


def limit_to_visible_rows(view: Any, *relation_filters: str) -> None:
    """Apply the row rules of :mod:`core.visibility` to a screen or API being built: its own
    rows (a base filter) and the choices of every relation whose model has a rule (the
    ``*_query_rel_fields`` dictionaries named by ``relation_filters``)."""
    datamodel = view.datamodel
    view.base_filters = [*(view.base_filters or []), visible_rows_filter(datamodel.obj)]
    for attr in relation_filters:
        filters = dict(getattr(view, attr) or {})
        for name in datamodel.get_columns_list():
            if not datamodel.is_relation(name):
                continue
            related = datamodel.get_related_model(name)
            if has_rule(related):
                filters[name] = [*filters.get(name, []), visible_rows_filter(related)]
        setattr(view, attr, filters)


class BusinessModelView(SavedMessages, ModelView):
    """A CRUD screen whose permissions are ``can_read``/``can_write`` on its object; it shows
    and offers only the rows the row rules (:mod:`core.visibility`) let the user see."""

    method_permission_name = MODEL_VIEW_PERMISSIONS
    show_template = "aftersales/record_show.html"
    #: Unlabelled columns: their key in words, translated (:mod:`core.labels`).
    _prettify_column = staticmethod(column_label)

    def __init__(self, **kwargs: Any) -> None:
        # The list page loads the relations it shows with its rows (see core.listing).
        self.datamodel = ListLoadingInterface(
            self.datamodel.obj, self.datamodel.session, getattr(self, "filled_by_prepare", ())
        )
        extend_view(self)  # other plugins' extension fields (core.extension_fields)
        limit_to_visible_rows(
            self,
            "add_form_query_rel_fields",
            "edit_form_query_rel_fields",
            "search_form_query_rel_fields",
        )
        super().__init__(**kwargs)
        self.datamodel.load_with_list(self.list_columns)

    def _get_list_widget(self, *args: Any, **kwargs: Any) -> Any:
        """FAB's list, with related records as links (:mod:`core.record_links`)."""
        with self.datamodel.linking():
            return super()._get_list_widget(*args, **kwargs)

    def _get_show_widget(self, pk: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        """FAB's record page, with related records as links and the related panels
        (:mod:`core.related_panels`)."""
        with self.datamodel.linking():
            widgets = super()._get_show_widget(pk, item, *args, **kwargs)
        widgets["related_panels"] = related_panels(item)
        return widgets

    def _visible(self, pk: Any) -> bool:
        record = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        return record is not None

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: Any) -> Any:
        """Flask-AppBuilder's action on one record, for records the screen shows only
        (Flask-AppBuilder loads the record without the screen's base filters): 404 else."""
        if not self._visible(pk):
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self) -> Any:
        """Flask-AppBuilder's action on the records picked in a list, for records the
        screen shows only: 404 when one of them is not."""
        if not all(self._visible(pk) for pk in request.form.getlist("rowid")):
            abort(404)
        return super().action_post()


class RefusingInterface(ListLoadingInterface):
    """The datamodel of a :class:`BusinessModelApi`: a database error while saving or
    deleting (duplicate, missing related row, value the column cannot hold) is rolled back
    and raised as the :class:`core.errors.RuleError` of :func:`core.errors.database_refusal`
    (Flask-AppBuilder would answer 500, or 422 quoting the SQL)."""

    def _refusing(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return work(*args, **kwargs)
        except Exception as error:
            refusal = database_refusal(error)
            if refusal is None:
                raise
            db.session.rollback()
            raise refusal from error

    def add(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """Add, a database error raised as a refusal."""
        return self._refusing(super().add, item, *args, **kwargs)

    def edit(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """Edit, a database error raised as a refusal."""
        return self._refusing(super().edit, item, *args, **kwargs)

    def delete(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """Delete, a database error raised as a refusal."""
        return self._refusing(super().delete, item, *args, **kwargs)


class DatabaseRefusals:
    """Mixin of a Flask-AppBuilder API: what its ``@safe`` endpoints would answer as a 500
    "Fatal error" is, for a database error (a filter value beyond 64 bits, say), the 4xx of
    :func:`core.errors.database_refusal`."""

    def response_500(self, message: str | None = None, **kwargs: Any) -> Response:
        """A 4xx refusal for the database error being handled, else the 500."""
        error = sys.exc_info()[1]
        answer = database_refusal_response(self, error) if error is not None else None
        if answer is not None:
            return answer
        return super().response_500(message=message, **kwargs)  # type: ignore[misc]


class BusinessApi(DatabaseRefusals, DocumentedApi, BaseApi):
    """A plugin's own REST endpoints (actions, reports): path parameters, bodies
    (:func:`core.api_input.json_body`) and query parameters in the OpenAPI document, and
    database errors answered as refusals."""


class BusinessModelApi(DatabaseRefusals, DocumentedApi, ModelRestApi):
    """A REST API whose permissions are ``can_read``/``can_write`` on its object.

    Creating, changing and deleting answer a :class:`core.errors.RuleError` raised by the
    ``pre_add``/``pre_update``/``pre_delete`` checks (or by :meth:`check_input`) as
    ``{"message", "field"}`` with its status, and Flask-AppBuilder's own input errors in the
    same shape (:func:`core.errors.named_input_errors`).

    Relation fields of its bodies take ids of rows the caller may read
    (:mod:`core.relations`), and it serves only the rows the row rules let the caller see.
    """

    method_permission_name = MODEL_API_PERMISSIONS
    model2schemaconverter = IdOnlySchemaConverter
    _prettify_column = staticmethod(column_label)

    def __init__(self, **kwargs: Any) -> None:
        # Lists count their rows without building them (see core.listing).
        self.datamodel = RefusingInterface(
            self.datamodel.obj, self.datamodel.session, getattr(self, "filled_by_prepare", ())
        )
        extend_api(self)
        limit_to_visible_rows(self, "add_query_rel_fields", "edit_query_rel_fields")
        super().__init__(**kwargs)

    def check_input(self, body: Any) -> None:
        """Check the JSON body of a create or change before Flask-AppBuilder reads it
        (override to raise a :class:`core.errors.RuleError`); nothing by default."""

    def post_headless(self) -> Response:
        """Create a record; a broken rule answers 4xx naming the field."""
        create = super().post_headless
        return self._refusing(lambda: self._checked(create))

    def put_headless(self, pk: int) -> Response:
        """Change a record; a broken rule answers 4xx naming the field."""
        change = super().put_headless
        return self._refusing(lambda: self._checked(lambda: change(pk)))

    def delete_headless(self, pk: int) -> Response:
        """Delete a record; a rule that keeps it answers 4xx naming the field."""
        delete = super().delete_headless
        return self._refusing(lambda: delete(pk))

    def _checked(self, call: Callable[[], Response]) -> Response:
        self.check_input(request.get_json(silent=True))
        return named_input_errors(call())

    def _refusing(self, call: Callable[[], Response]) -> Response:
        try:
            return call()
        except RuleError as error:
            return refusal_response(self, error)
        except Exception as error:
            answer = database_refusal_response(self, error)
            if answer is None:
                raise
            return answer
