"""A work order's SLA timeline (its clock events), shown inside the order."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.security.permissions import BusinessModelView
from plugins.maintenance.models import (
    ClockEvent,
)
from plugins.maintenance.views.common import CLOCK_LABELS, LABELS, local_time


class ClockEventView(BusinessModelView):
    """The SLA timeline of a work order (shown inside it)."""

    datamodel = SQLAInterface(ClockEvent)
    route_base = "/maintenance/clock-events"
    class_permission_name = "maintenance_work_order"
    base_permissions = ["can_read"]
    label_columns = {**LABELS, "kind": _("Step")}
    list_title = _("SLA Timeline")
    list_columns = ["at", "kind", "response_due", "resolution_due", "note"]
    show_columns = list_columns
    base_order = ("id", "asc")
    formatters_columns = {
        "at": local_time,
        "response_due": local_time,
        "resolution_due": local_time,
        "kind": lambda v: CLOCK_LABELS.get(v, v),
    }
