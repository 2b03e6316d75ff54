"""REST APIs of maintenance. They only call services.

Refusals answer 422 (invalid), 409 (conflict, wrong state, not in stock) or 404 with
``{"message": ..., "field": ...}``; nothing is saved. Work order actions are one endpoint
each: ``POST /api/v1/work_order/<id>/<action>`` (assign, start, wait_for_parts,
parts_arrived, complete, confirm, close, cancel, wait_for_customer, customer_back).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from marshmallow import fields

from core.api_input import check_query_dates, describes_body, describes_query, path_choices
from core.crud import CheckedModelApi
from core.documents import CJKFontMissing
from core.errors import answers_refusals
from core.extensions import db
from core.timeutil import utcnow
from plugins.maintenance import services
from plugins.maintenance.models import (
    WorkOrder,
)
from plugins.maintenance.services import dispatch, parts, plans, report, sla
from plugins.maintenance.services.access import (
    KEPT_API_PERMISSIONS,
    NO_DELETE,
    check_order_visible,
    sees_all_orders,
)
from plugins.maintenance.services.errors import MaintenanceError


def _iso(value: Any) -> str | None:
    moment = sla.as_utc(value)
    return moment.isoformat() if moment else None


def work_order_json(order: WorkOrder) -> dict[str, Any]:
    """What an action answers: the order's state, clock and allowed next actions."""
    return {
        "id": order.id,
        "number": order.number,
        "state": order.state,
        "waiting_for_customer": order.waiting_for_customer,
        "technician_id": order.technician_id,
        "contract_id": order.contract_id,
        "chargeable": order.chargeable,
        "response_due": _iso(order.response_due),
        "resolution_due": _iso(order.resolution_due),
        "response_breached": order.response_breached,
        "resolution_breached": order.resolution_breached,
        "actions": services.available_actions(order, sees_all_orders()),
    }


#: Bodies of the work-order endpoints (documented in the OpenAPI document); each action
#: reads the inputs of ``services.ACTION_INPUTS``.
ACTION_BODY = {
    "technician_id": fields.Integer(),
    "scheduled_start": fields.DateTime(),
    "override_reason": fields.String(),
    "note": fields.String(),
    "diagnosis_cause": fields.String(),
    "repair_plan": fields.String(),
    "repair_actions": fields.String(),
    "labour_minutes": fields.Integer(),
    "confirmed_by": fields.String(),
    "customer_remarks": fields.String(),
    "reason": fields.String(),
}


PART_LINE_BODY = {
    "quantity": fields.Decimal(required=True, metadata={"type": "number"}),
    "description": fields.String(),
    "part_id": fields.Integer(),
    "location_id": fields.Integer(),
}


FINDINGS_BODY = {"problems_found": fields.String(), "risks": fields.String()}


RESULT_BODY = {
    "outcome": fields.String(required=True),
    "measured_value": fields.Decimal(metadata={"type": "number"}),
    "notes": fields.String(),
}


class WorkOrderApi(CheckedModelApi):
    """``/api/v1/work_order/``, its actions, part lines and SLA timeline."""

    resource_name = "work_order"
    datamodel = SQLAInterface(WorkOrder)
    class_permission_name = "maintenance_work_order"
    exclude_route_methods = NO_DELETE  # cancel an order with a reason instead
    method_permission_name = {
        **KEPT_API_PERMISSIONS,
        "post": "dispatch",  # technicians see only their own orders: dispatch opens them
        "lifecycle": "write",
        "add_part": "write",
        "remove_part": "write",
        "timeline": "read",
        "record_result": "write",
        "raise_corrective": "write",
        "candidates": "dispatch",
        "findings": "write",
        "report": "read",
        "report_pdf": "read",
    }
    prepare = staticmethod(services.prepare_work_order)
    add_columns = list(services.WORK_ORDER_OPENING_FIELDS)
    edit_columns = list(services.WORK_ORDER_EDITABLE_FIELDS)
    list_columns = [
        "id",
        "number",
        "kind",
        "state",
        "title",
        "priority",
        "equipment.serial_number",
        "technician.name",
        "contract.number",
        "chargeable",
        "opened_at",
        "response_due",
        "resolution_due",
        "response_breached",
        "resolution_breached",
        "scheduled_start",
        "scheduled_end",
    ]
    show_columns = [
        *list_columns,
        "plan.name",
        "due_date",
        "required_skill",
        "region",
        "planned_minutes",
        "assignment_override",
        "symptom",
        "service_level",
        "coverage_note",
        "site_time_zone",
        "responded_at",
        "resolved_at",
        "paused_since",
        "paused_minutes",
        "diagnosis_cause",
        "repair_plan",
        "repair_actions",
        "labour_minutes",
        "confirmed_by",
        "customer_remarks",
        "cancel_reason",
        "closed_at",
        "problems_found",
        "risks",
    ]
    search_columns = ["number", "state", "priority", "kind", "equipment", "technician"]
    order_columns = ["number", "state", "priority", "opened_at", "response_due", "resolution_due"]

    def pre_add(self, item: WorkOrder) -> None:
        """Only dispatchers open orders (the route needs ``can_dispatch`` too); check it."""
        services.check_may_open(sees_all_orders())
        super().pre_add(item)

    def _order(self, pk: int) -> WorkOrder:
        order = services.get_work_order(db.session, pk)
        check_order_visible(order)
        return order

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @path_choices(action=sorted(services.ACTIONS))
    @describes_body(ACTION_BODY, "WorkOrderAction")
    @protect()
    @answers_refusals
    def lifecycle(self, pk: int, action: str) -> Response:
        """Run ``action`` on work order ``pk`` with the JSON body it needs."""
        body = request.get_json(silent=True) or {}
        services.check_may_run(action, sees_all_orders())
        order = self._order(pk)
        services.run_action(db.session, order, action, body)
        db.session.commit()
        return self.response(200, **work_order_json(order))

    @expose("/<int:pk>/candidates", methods=["GET"])
    @describes_query("CandidatesQuery", scheduled_start=fields.DateTime())
    @protect()
    @answers_refusals
    def candidates(self, pk: int) -> Response:
        """Technicians for order ``pk``, suitable ones first, with the reasons against the
        others; ``?scheduled_start=ISO`` books from then (default: now or the due day)."""
        order = self._order(pk)
        check_query_dates("scheduled_start", error=MaintenanceError)
        start = dispatch.parse_moment(request.args.get("scheduled_start"))
        ranked = dispatch.rank_technicians(db.session, order, utcnow(), start)
        return self.response(
            200,
            candidates=[
                {
                    "technician_id": c.technician.id,
                    "name": c.technician.name,
                    "region": c.technician.region,
                    "suitable": c.suitable,
                    "same_region": c.same_region,
                    "workload": c.workload,
                    "reasons": c.reasons,
                }
                for c in ranked
            ],
        )

    @expose("/<int:pk>/parts", methods=["POST"])
    @describes_body(PART_LINE_BODY, "WorkOrderPart")
    @protect()
    @answers_refusals
    def add_part(self, pk: int) -> Response:
        """Plan a part: ``{"quantity", "part_id", "location_id"}`` with inventory (reserved
        now), ``{"quantity", "description"}`` without. Answers 201 with the line."""
        body = request.get_json(silent=True) or {}
        order = self._order(pk)
        line = parts.add_part_line(
            db.session,
            order,
            quantity=body.get("quantity"),
            description=body.get("description"),
            part_id=body.get("part_id"),
            location_id=body.get("location_id"),
        )
        db.session.commit()
        return self.response(
            201,
            id=line.id,
            description=line.description,
            quantity=str(line.quantity),
            state=line.state,
            reservation_id=line.reservation_id,
        )

    @expose("/<int:pk>/parts/<int:line_id>", methods=["DELETE"])
    @protect()
    @answers_refusals
    def remove_part(self, pk: int, line_id: int) -> Response:
        """Take a planned part off an open order (its reservation is released)."""
        parts.remove_part_line(db.session, self._order(pk), line_id)
        db.session.commit()
        return self.response(200, message="OK")

    @expose("/<int:pk>/timeline", methods=["GET"])
    @protect()
    @answers_refusals
    def timeline(self, pk: int) -> Response:
        """The order's SLA clock steps, oldest first, with the deadlines after each."""
        order = self._order(pk)
        return self.response(200, number=order.number, timeline=sla.timeline(order))

    @expose("/<int:pk>/results/<int:result_id>", methods=["POST"])
    @describes_body(RESULT_BODY, "InspectionResult")
    @protect()
    @answers_refusals
    def record_result(self, pk: int, result_id: int) -> Response:
        """Record a checklist item: ``{"outcome", "measured_value", "notes"}``."""
        body = request.get_json(silent=True) or {}
        result = plans.record_result(
            db.session,
            self._order(pk),
            result_id,
            outcome=body.get("outcome"),
            measured_value=body.get("measured_value"),
            notes=body.get("notes"),
        )
        db.session.commit()
        value = result.measured_value
        return self.response(
            200,
            id=result.id,
            name=result.name,
            outcome=result.outcome,
            measured_value=None if value is None else f"{value.normalize():f}",
        )

    @expose("/<int:pk>/findings", methods=["POST"])
    @describes_body(
        {"problems_found": fields.String(), "risks": fields.String()}, "InspectionFindings"
    )
    @protect()
    @answers_refusals
    def findings(self, pk: int) -> Response:
        """Record an open inspection's ``{"problems_found", "risks"}`` (either may be left
        out to keep it) for its report."""
        body = request.get_json(silent=True) or {}
        order = plans.record_findings(
            db.session,
            self._order(pk),
            problems_found=body.get("problems_found"),
            risks=body.get("risks"),
        )
        db.session.commit()
        return self.response(
            200, number=order.number, problems_found=order.problems_found, risks=order.risks
        )

    @expose("/<int:pk>/report", methods=["GET"])
    @protect()
    @answers_refusals
    def report(self, pk: int) -> Response:
        """The inspection report of visit ``pk``: title block and sections, cells as text
        (409 for an order that is not an inspection)."""
        document = report.inspection_report(db.session, self._order(pk))
        return self.response(200, **document.as_dict())

    @expose("/<int:pk>/report/pdf", methods=["GET"])
    @protect()
    @answers_refusals
    def report_pdf(self, pk: int) -> Response:
        """The inspection report as a PDF (503 when the server has no CJK font)."""
        from plugins.maintenance.views.report import report_pdf_response

        try:
            order = self._order(pk)
            return report_pdf_response(order, report.inspection_report(db.session, order))
        except CJKFontMissing as exc:
            return self.response(503, message=str(exc), field="PDF_FONT_PATH")

    @expose("/<int:pk>/results/<int:result_id>/corrective", methods=["POST"])
    @describes_body(None)
    @protect()
    @answers_refusals
    def raise_corrective(self, pk: int, result_id: int) -> Response:
        """Open a corrective work order for a failed checklist item; 201 with it."""
        order = plans.raise_corrective(db.session, self._order(pk), result_id)
        db.session.commit()
        return self.response(201, **work_order_json(order))
