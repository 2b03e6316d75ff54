"""The fault reports screen, with its action that raises a work order."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.extensions import db
from plugins.maintenance import services
from plugins.maintenance.models import (
    FaultReport,
)
from plugins.maintenance.services.access import (
    KEPT_VIEW_PERMISSIONS,
    NO_DELETE,
)
from plugins.maintenance.services.errors import MaintenanceError
from plugins.maintenance.views.common import (
    CHOICES,
    LABELS,
    SOURCE_LABELS,
    MaintenanceView,
    local_time,
)


class FaultReportView(MaintenanceView):
    """Fault reports; one action turns a report into a corrective work order."""

    datamodel = SQLAInterface(FaultReport)
    route_base = "/maintenance/fault-reports"
    class_permission_name = "maintenance_fault_report"
    method_permission_name = {**KEPT_VIEW_PERMISSIONS, "action_raise_work_order": "write"}
    exclude_route_methods = NO_DELETE  # fault reports are kept
    prepare = staticmethod(services.prepare_fault_report)
    list_title = _("Fault Reports")
    show_title = _("Fault Report")
    add_title = _("New Fault Report")
    list_columns = [
        "number",
        "equipment.serial_number",
        "priority",
        "source",
        "reported_at",
        "work_order.number",
    ]
    add_columns = edit_columns = services.FAULT_REPORT_FIELDS
    show_columns = ["number", *add_columns, "reported_at", "work_order"]
    search_columns = ["number", "equipment", "priority", "source"]
    base_order = ("number", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "priority": SelectField(LABELS["priority"], choices=CHOICES["priority"], default="P3"),
        "source": SelectField(LABELS["source"], choices=CHOICES["source"]),
    }
    formatters_columns = {
        "reported_at": local_time,
        "seen_at": local_time,
        "source": lambda v: SOURCE_LABELS.get(v, v),
        "work_order": lambda v: v or "",
    }

    @action(
        "raise_work_order",
        _("Open a work order"),
        _("Open a work order for this fault?"),
        "fa-wrench",
        multiple=False,
    )
    def action_raise_work_order(self, items: Any) -> Any:
        """Turn the report into a corrective work order and open it."""
        report = items[0] if isinstance(items, list) else items
        try:
            order = services.raise_work_order(db.session, report)
            db.session.commit()
        except MaintenanceError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(self.get_redirect())
        flash(gettext("Work order %(number)s opened", number=order.number), "success")
        return redirect(f"/maintenance/work-orders/show/{order.id}")
