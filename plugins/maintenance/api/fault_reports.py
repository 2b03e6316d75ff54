"""REST API of fault reports, with the endpoint that raises a work order."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext

from core.api_input import describes_body
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from plugins.maintenance import services
from plugins.maintenance.api.work_orders import work_order_json
from plugins.maintenance.models import (
    FaultReport,
)
from plugins.maintenance.services.access import (
    KEPT_API_PERMISSIONS,
    NO_DELETE,
)


class FaultReportApi(CheckedModelApi):
    """``/api/v1/fault_report/`` and ``POST /api/v1/fault_report/<id>/work_order``."""

    resource_name = "fault_report"
    datamodel = SQLAInterface(FaultReport)
    class_permission_name = "maintenance_fault_report"
    method_permission_name = {**KEPT_API_PERMISSIONS, "work_order": "write"}
    exclude_route_methods = NO_DELETE  # fault reports are kept
    prepare = staticmethod(services.prepare_fault_report)
    add_columns = edit_columns = services.FAULT_REPORT_FIELDS
    list_columns = show_columns = [
        "id",
        "number",
        "equipment.serial_number",
        "symptom",
        "environment",
        "seen_at",
        "reported_at",
        "contact_name",
        "contact_phone",
        "priority",
        "source",
        "work_order.number",
    ]
    search_columns = ["number", "equipment", "priority", "source"]

    @expose("/<int:pk>/work_order", methods=["POST"])
    @describes_body(None)
    @protect()
    @answers_refusals
    def work_order(self, pk: int) -> Response:
        """Turn fault report ``pk`` into a corrective work order; answers 201 with it."""
        report = db.session.get(FaultReport, pk)
        if report is None:
            return self.response(
                404,
                message=gettext("fault report: %(id)s does not exist", id=pk),
                field="fault_report",
            )
        order = services.raise_work_order(db.session, report)
        db.session.commit()
        return self.response(201, **work_order_json(order))
