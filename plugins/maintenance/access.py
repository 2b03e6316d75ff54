"""Who sees which work orders: the row-level rule shared by the screens and the API.

Users holding ``can_dispatch`` on ``maintenance_work_order`` (dispatchers, service managers,
admins) see every order; everybody else (technicians) sees only the orders assigned to the
technician record linked to their user.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter

from core.security.permissions import MODEL_API_PERMISSIONS, MODEL_VIEW_PERMISSIONS
from plugins.maintenance import services

# Records that are kept for good (work orders, fault reports, technicians, plans): their
# screens and APIs have no delete route and no delete button. Work orders are cancelled with
# a reason; technicians and plans are deactivated. Opening a work order needs the dispatch
# permission (see :func:`plugins.maintenance.services.check_may_open`).
KEPT_VIEW_PERMISSIONS = {k: v for k, v in MODEL_VIEW_PERMISSIONS.items() if k != "delete"}
KEPT_API_PERMISSIONS = {k: v for k, v in MODEL_API_PERMISSIONS.items() if k != "delete"}
NO_DELETE = {"delete"}


def sees_all_orders() -> bool:
    """Whether the signed-in user sees every work order (dispatchers, managers); the others
    (technicians) see only the orders assigned to them."""
    from flask import current_app

    return bool(current_app.appbuilder.sm.has_access("can_dispatch", "maintenance_work_order"))


def current_user_id() -> int | None:
    """The signed-in user's id."""
    from flask import g

    user = getattr(g, "user", None)
    return getattr(user, "id", None)


class OwnOrdersOnly(BaseFilter):
    """Row-level rule of work order screens and APIs: technicians see their own orders."""

    name = "own orders"
    arg_name = "own"

    def apply(self, query: Any, value: Any) -> Any:
        """Keep every row for dispatchers, only the user's own orders for technicians."""
        if sees_all_orders():
            return query
        return query.filter(services.own_orders_clause(current_user_id()))
