"""One read/write permission pair per business object, shared by its screen and its API.

Flask-AppBuilder names permissions after methods (``can_list``, ``can_get``...). When a
ModelView and a ModelRestApi share a ``class_permission_name``, FAB's permission sync for one
deletes the other's permissions. Mapping every method to ``read`` or ``write`` (as Superset
does) gives both the same two permissions: ``can_read`` and ``can_write`` on the object.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder import ModelRestApi, ModelView

from core.errors import RuleError, named_input_errors, refusal_response
from core.listing import ListLoadingInterface

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


class BusinessModelView(ModelView):
    """A CRUD screen whose permissions are ``can_read``/``can_write`` on its object."""

    method_permission_name = MODEL_VIEW_PERMISSIONS

    def __init__(self, **kwargs: Any) -> None:
        # The list page loads the relations it shows with its rows (see core.listing).
        self.datamodel = ListLoadingInterface(self.datamodel.obj, self.datamodel.session)
        super().__init__(**kwargs)
        self.datamodel.load_with_list(self.list_columns)


class BusinessModelApi(ModelRestApi):
    """A REST API whose permissions are ``can_read``/``can_write`` on its object.

    Creating, changing and deleting answer a :class:`core.errors.RuleError` raised by the
    ``pre_add``/``pre_update``/``pre_delete`` checks (or by :meth:`check_input`) as
    ``{"message", "field"}`` with its status, and Flask-AppBuilder's own input errors in the
    same shape (:func:`core.errors.named_input_errors`).
    """

    method_permission_name = MODEL_API_PERMISSIONS

    def __init__(self, **kwargs: Any) -> None:
        # Lists count their rows without building them (see core.listing).
        self.datamodel = ListLoadingInterface(self.datamodel.obj, self.datamodel.session)
        super().__init__(**kwargs)

    def check_input(self, body: Any) -> None:
        """Check the JSON body of a create or change before Flask-AppBuilder reads it
        (override to raise a :class:`core.errors.RuleError`); nothing by default."""

    def post_headless(self) -> Response:
        """Create a record; a broken rule answers 4xx naming the field."""
        try:
            self.check_input(request.get_json(silent=True))
            return named_input_errors(super().post_headless())
        except RuleError as error:
            return refusal_response(self, error)

    def put_headless(self, pk: int) -> Response:
        """Change a record; a broken rule answers 4xx naming the field."""
        try:
            self.check_input(request.get_json(silent=True))
            return named_input_errors(super().put_headless(pk))
        except RuleError as error:
            return refusal_response(self, error)

    def delete_headless(self, pk: int) -> Response:
        """Delete a record; a rule that keeps it answers 4xx naming the field."""
        try:
            return super().delete_headless(pk)
        except RuleError as error:
            return refusal_response(self, error)
