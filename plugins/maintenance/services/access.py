"""Who may do what on the maintenance screens and API.

Which work orders a user sees is the row rule
:func:`plugins.maintenance.services.visible_work_orders`, declared through the
``aftersales_row_rules`` hook and applied by core to every screen, API and picker; custom
screens and endpoints that load an order by id call :func:`check_order_visible`.
"""

from __future__ import annotations

from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS, MODEL_VIEW_PERMISSIONS
from core.visibility import check_visible
from plugins.maintenance import services
from plugins.maintenance.models import WorkOrder

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


def check_order_visible(order: WorkOrder) -> None:
    """Refuse (404, as if it did not exist) an order the signed-in user may not see (the
    row rule :func:`plugins.maintenance.services.visible_work_orders`)."""
    check_visible(db.session, order, lambda: services.unknown_order(order.id))
