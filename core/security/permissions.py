"""One read/write permission pair per business object, shared by its screen and its API.

Flask-AppBuilder names permissions after methods (``can_list``, ``can_get``...). When a
ModelView and a ModelRestApi share a ``class_permission_name``, FAB's permission sync for one
deletes the other's permissions. Mapping every method to ``read`` or ``write`` (as Superset
does) gives both the same two permissions: ``can_read`` and ``can_write`` on the object.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import ModelRestApi, ModelView

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
    """A REST API whose permissions are ``can_read``/``can_write`` on its object."""

    method_permission_name = MODEL_API_PERMISSIONS
