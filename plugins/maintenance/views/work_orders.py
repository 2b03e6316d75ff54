"""Screens of maintenance. They only call services; refusals are flashed, nothing is saved.

A work order's state changes only through its action buttons; its page shows only the
actions its state allows (:func:`plugins.maintenance.services.available_actions`). Actions
that need input (assign, complete, confirm, cancel...) open a small form.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask import Response, flash, redirect, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.company.service import company_zone
from core.crud import CheckedModelView
from core.documents import CJKFontMissing, render_pdf
from core.extensions import db
from core.security.permissions import BusinessModelView
from core.timeutil import utcnow
from plugins.maintenance import services
from plugins.maintenance.models import (
    Certification,
    ClockEvent,
    FaultReport,
    InspectionResult,
    MaintenancePlan,
    PlanItem,
    Technician,
    WorkOrder,
    WorkOrderPart,
)
from plugins.maintenance.services import dispatch, generation, parts, plans, report, sla
from plugins.maintenance.services.access import (
    KEPT_VIEW_PERMISSIONS,
    NO_DELETE,
    check_order_visible,
    current_user_id,
    sees_all_orders,
)
from plugins.maintenance.services.errors import MaintenanceError
from plugins.maintenance.views.parts import PlanPartView

STATE_LABELS = {
    "new": _("New"),
    "assigned": _("Assigned"),
    "in_progress": _("In progress"),
    "waiting_parts": _("Waiting for parts"),
    "done": _("Done"),
    "confirmed": _("Confirmed by customer"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
}
ACTION_LABELS = {
    "assign": _("Assign"),
    "start": _("Start work"),
    "wait_for_parts": _("Wait for parts"),
    "parts_arrived": _("Parts arrived"),
    "complete": _("Complete"),
    "confirm": _("Customer confirms"),
    "close": _("Close"),
    "cancel": _("Cancel"),
    "wait_for_customer": _("Wait for customer"),
    "customer_back": _("Customer is back"),
}
ACTION_ICONS = {
    "assign": "fa-user-plus",
    "start": "fa-play",
    "wait_for_parts": "fa-hourglass-half",
    "parts_arrived": "fa-cubes",
    "complete": "fa-check",
    "confirm": "fa-thumbs-up",
    "close": "fa-lock",
    "cancel": "fa-ban",
    "wait_for_customer": "fa-pause",
    "customer_back": "fa-play-circle",
}
CLOCK_LABELS = {
    "started": _("Clock started"),
    "responded": _("Responded"),
    "paused": _("Paused (waiting for customer)"),
    "resumed": _("Resumed"),
    "resolved": _("Resolved"),
    "stopped": _("Stopped (cancelled)"),
    "response_breached": _("Response deadline breached"),
    "resolution_breached": _("Resolution deadline breached"),
}
INPUT_LABELS = {
    "technician_id": _("Technician"),
    "scheduled_start": _("Booked From"),
    "override_reason": _("Override Reason"),
    "diagnosis_cause": _("Cause"),
    "repair_plan": _("Repair Plan"),
    "repair_actions": _("Repair Actions"),
    "labour_minutes": _("Labour (minutes)"),
    "confirmed_by": _("Confirmed By"),
    "customer_remarks": _("Customer Remarks"),
    "reason": _("Reason"),
    "note": _("Note"),
}
LABELS = {
    **INPUT_LABELS,
    "user": _("User"),
    "name": _("Name"),
    "phone": _("Phone"),
    "region": _("Region"),
    "skills": _("Skills"),
    "calendar_code": _("Working Hours (calendar)"),
    "active": _("Active"),
    "technician": _("Technician"),
    "technician.name": _("Technician"),
    "skill": _("Skill"),
    "number": _("Number"),
    "valid_until": _("Valid Until"),
    "equipment": _("Equipment"),
    "equipment.serial_number": _("Serial Number"),
    "symptom": _("Symptom"),
    "environment": _("Environment"),
    "seen_at": _("Time Seen"),
    "reported_at": _("Reported At"),
    "contact_name": _("Contact"),
    "contact_phone": _("Contact Phone"),
    "priority": _("Priority"),
    "source": _("Source"),
    "work_order": _("Work Order"),
    "work_order.number": _("Work Order"),
    "kind": _("Kind"),
    "state": _("State"),
    "title": _("Title"),
    "contract": _("Contract"),
    "contract.number": _("Contract"),
    "service_level": _("Service Level"),
    "chargeable": _("Chargeable"),
    "coverage_note": _("Coverage"),
    "site_time_zone": _("Site Time Zone"),
    "opened_at": _("Opened At"),
    "response_due": _("Response Due"),
    "resolution_due": _("Resolution Due"),
    "responded_at": _("Responded At"),
    "resolved_at": _("Resolved At"),
    "paused_minutes": _("Paused (working minutes)"),
    "response_breached": _("Response Breached"),
    "resolution_breached": _("Resolution Breached"),
    "cancel_reason": _("Cancellation Reason"),
    "closed_at": _("Closed At"),
    "required_skill": _("Required Skill"),
    "scheduled_start": _("Booked From"),
    "scheduled_end": _("Booked Until"),
    "assignment_override": _("Dispatcher Override"),
    "description": _("Description"),
    "quantity": _("Quantity"),
    "unit_cost": _("Unit Cost"),
    "unit_price": _("Unit Price"),
    "at": _("At"),
    "plan": _("Plan"),
    "plan.name": _("Plan"),
    "due_date": _("Due Date"),
    "product_type": _("Product Type"),
    "interval_count": _("Every"),
    "interval_unit": _("Interval Unit"),
    "horizon_days": _("Horizon (days)"),
    "starts_on": _("Starts On"),
    "duration_minutes": _("Duration (minutes)"),
    "generated_until": _("Generated Up To"),
    "position": _("No."),
    "standard": _("Standard"),
    "unit": _("Unit"),
    "min_value": _("Min Value"),
    "max_value": _("Max Value"),
    "outcome": _("Outcome"),
    "measured_value": _("Measured Value"),
    "notes": _("Notes"),
    "corrective_order": _("Corrective Order"),
    "corrective_order.number": _("Corrective Order"),
    "problems_found": _("Problems Found"),
    "risks": _("Risks"),
}
CHOICES = {
    "priority": [(p, p) for p in ("P1", "P2", "P3", "P4")],
    "source": [
        ("hotline", _("Hotline")),
        ("staff", _("Staff")),
        ("customer", _("Customer")),
        ("plugin", _("Another module")),
    ],
    "kind": [("corrective", _("Corrective")), ("inspection", _("Inspection"))],
    "interval_unit": [("days", _("Days")), ("weeks", _("Weeks")), ("months", _("Months"))],
    "outcome": [("pass", _("Pass")), ("fail", _("Fail")), ("n_a", _("Not applicable"))],
}
OUTCOME_LABELS = dict(CHOICES["outcome"])
UNIT_LABELS = dict(CHOICES["interval_unit"])
KIND_LABELS = dict(CHOICES["kind"])
SOURCE_LABELS = dict(CHOICES["source"])
LINE_LABELS = {
    "recorded": _("Recorded"),
    "reserved": _("Reserved"),
    "issued": _("Issued"),
    "released": _("Released"),
}


def local_time(value: datetime.datetime | None) -> str:
    """A stored UTC moment shown in the company time zone (empty when not set)."""
    moment = sla.as_utc(value)
    return moment.astimezone(company_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def plain(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros (``180``, ``1.5``); empty for none."""
    return "" if value is None else f"{value.normalize():f}"


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


class _MaintenanceView(CheckedModelView):
    """Screens whose add/edit go through a service check; a refusal is flashed."""

    label_columns = LABELS


class CertificationView(_MaintenanceView):
    """Certifications of a technician (shown inside the technician)."""

    datamodel = SQLAInterface(Certification)
    route_base = "/maintenance/certifications"
    class_permission_name = "maintenance_technician"
    prepare = staticmethod(services.prepare_certification)
    list_title = _("Certifications")
    list_columns = ["skill", "name", "number", "valid_until"]
    add_columns = edit_columns = show_columns = [
        "technician",
        "skill",
        "name",
        "number",
        "valid_until",
    ]


class TechnicianView(_MaintenanceView):
    """Technicians: user, skills, region, working hours and certifications."""

    datamodel = SQLAInterface(Technician)
    route_base = "/maintenance/technicians"
    class_permission_name = "maintenance_technician"
    method_permission_name = KEPT_VIEW_PERMISSIONS
    exclude_route_methods = NO_DELETE  # deactivate a technician instead
    prepare = staticmethod(services.prepare_technician)
    list_title = _("Technicians")
    list_columns = ["name", "region", "skills", "calendar_code", "active"]
    add_columns = edit_columns = show_columns = [
        "user",
        "name",
        "phone",
        "region",
        "skills",
        "calendar_code",
        "active",
    ]
    search_columns = ["name", "region", "skills", "active"]
    base_order = ("name", "asc")
    related_views = [CertificationView]
    formatters_columns = {"active": _yes_no}


class FaultReportView(_MaintenanceView):
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
    add_columns = edit_columns = [
        "equipment",
        "symptom",
        "environment",
        "seen_at",
        "contact_name",
        "contact_phone",
        "priority",
        "source",
    ]
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


class PartLineView(BusinessModelView):
    """Part lines of a work order (shown inside it; planned through the order's form)."""

    datamodel = SQLAInterface(WorkOrderPart)
    route_base = "/maintenance/work-order-parts"
    class_permission_name = "maintenance_work_order"
    base_permissions = ["can_read"]
    label_columns = LABELS
    list_title = _("Parts")
    list_columns = ["description", "quantity", "state", "unit_cost", "unit_price"]
    show_columns = list_columns
    formatters_columns = {
        "state": lambda v: LINE_LABELS.get(v, v),
        "quantity": plain,
        "unit_cost": lambda v: "" if v is None else v,
        "unit_price": lambda v: "" if v is None else v,
    }


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


class InspectionResultView(BusinessModelView):
    """Checklist results of an inspection (shown inside it; recorded through its form)."""

    datamodel = SQLAInterface(InspectionResult)
    route_base = "/maintenance/inspection-results"
    class_permission_name = "maintenance_work_order"
    base_permissions = ["can_read"]
    label_columns = LABELS
    list_title = _("Inspection Results")
    list_columns = [
        "position",
        "name",
        "standard",
        "outcome",
        "measured_value",
        "notes",
        "corrective_order.number",
    ]
    show_columns = list_columns
    base_order = ("position", "asc")
    formatters_columns = {
        "outcome": lambda v: OUTCOME_LABELS.get(v, "") if v else "",
        "measured_value": plain,
    }


class PlanItemView(CheckedModelView):
    """Checklist items of a plan (shown inside the plan)."""

    datamodel = SQLAInterface(PlanItem)
    route_base = "/maintenance/plan-items"
    class_permission_name = "maintenance_plan"
    label_columns = LABELS
    list_title = _("Checklist")
    list_columns = ["position", "name", "standard", "unit", "min_value", "max_value"]
    add_columns = edit_columns = show_columns = ["plan", *list_columns]
    base_order = ("position", "asc")

    prepare = staticmethod(plans.prepare_item)

    def pre_delete(self, item: PlanItem) -> None:
        """An item that inspections copied stays (409, flashed)."""
        plans.check_item_removable(db.session, item)


class PlanView(_MaintenanceView):
    """Preventive maintenance plans; a preview shows what the next generation creates."""

    datamodel = SQLAInterface(MaintenancePlan)
    route_base = "/maintenance/plans"
    class_permission_name = "maintenance_plan"
    exclude_route_methods = NO_DELETE  # orders refer to their plan: deactivate it instead
    method_permission_name = {
        **KEPT_VIEW_PERMISSIONS,
        "preview": "read",
        "action_preview": "read",
        "action_generate": "write",
    }
    prepare = staticmethod(plans.prepare_plan)
    list_title = _("Maintenance Plans")
    show_title = _("Maintenance Plan")
    add_title = _("New Maintenance Plan")
    list_columns = [
        "name",
        "product_type",
        "contract.number",
        "interval_count",
        "interval_unit",
        "horizon_days",
        "generated_until",
        "active",
    ]
    add_columns = edit_columns = list(plans.PLAN_FIELDS)
    show_columns = [*add_columns, "generated_until"]
    related_views = [PlanItemView, PlanPartView]
    add_form_extra_fields = edit_form_extra_fields = {
        "interval_unit": SelectField(
            LABELS["interval_unit"], choices=CHOICES["interval_unit"], default="months"
        )
    }
    formatters_columns = {
        "interval_unit": lambda v: UNIT_LABELS.get(v, v),
        "generated_until": lambda v: v or "",
        "starts_on": lambda v: v or "",
        "product_type": lambda v: v or "",
        "active": _yes_no,
    }

    @action("preview", _("Preview next run"), None, "fa-eye", multiple=False)
    def action_preview(self, items: Any) -> Any:
        """Open the preview of the plan's next generation run."""
        plan = items[0] if isinstance(items, list) else items
        return redirect(f"{self.route_base}/preview/{plan.id}")

    @expose("/preview/<int:pk>")
    @has_access
    def preview(self, pk: int) -> Any:
        """The inspections the next run would create, per unit and due date."""
        plan = db.session.get(MaintenancePlan, pk)
        if plan is None:
            return redirect(self.route_base + "/list/")
        today = services.company_today()
        planned, existing = generation.preview(db.session, plan, today)
        return self.render_template(
            "maintenance/preview.html",
            plan=plan,
            planned=planned,
            existing=existing,
            window=generation.window(plan, today),
        )

    @action("generate", _("Generate now"), _("Generate the inspections now?"), "fa-cogs")
    def action_generate(self, items: Any) -> Any:
        """Run the generation for the chosen plans now."""
        for plan in items if isinstance(items, list) else [items]:
            result = generation.generate(db.session, plan, services.company_today())
            db.session.commit()
            flash(
                gettext(
                    "%(plan)s: %(created)d inspections created, generated up to %(until)s",
                    plan=plan.name,
                    created=result.created,
                    until=result.window[1].isoformat(),
                ),
                "success",
            )
        return redirect(self.get_redirect())


def report_pdf_response(order: WorkOrder, document: Any) -> Response:
    """The inspection report PDF as an inline download named after the order."""
    return Response(
        render_pdf(document),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="inspection-report-{order.number}.pdf"'},
    )


def _company_moment(text: str) -> str:
    """A ``datetime-local`` form value (company time) as an aware ISO moment."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=company_zone())
    return moment.isoformat()


def _lifecycle_action(name: str) -> Any:
    def run(self: WorkOrderView, items: Any) -> Any:
        return self._act(items, name)

    run.__name__ = f"action_{name}"
    run.__doc__ = f"Work order action {name} (needs can_write)."
    return action(name, ACTION_LABELS[name], None, ACTION_ICONS[name], multiple=False)(run)


class WorkOrderView(_MaintenanceView):
    """Work orders. The state changes only through the action buttons; each calls the
    lifecycle service. ``/act/<id>/<action>`` is the form of actions that need input,
    ``/parts/<id>`` plans a part."""

    datamodel = SQLAInterface(WorkOrder)
    route_base = "/maintenance/work-orders"
    class_permission_name = "maintenance_work_order"
    exclude_route_methods = NO_DELETE  # cancel an order with a reason instead
    method_permission_name = {
        **KEPT_VIEW_PERMISSIONS,
        "add": "dispatch",  # technicians see only their own orders: dispatch opens them
        **{f"action_{name}": "write" for name in services.ACTIONS},
        "action_assign": "dispatch",
        "act": "write",
        "plan_part": "write",
        "remove_part": "write",
        "action_plan_part": "write",
        "action_record_results": "write",
        "results": "write",
        "raise_corrective": "write",
        "action_history": "read",
        "action_report": "read",
        "report": "read",
        "report_pdf": "read",
    }
    prepare = staticmethod(services.prepare_work_order)
    list_title = _("Work Orders")
    show_title = _("Work Order")
    add_title = _("New Work Order")
    list_columns = [
        "number",
        "title",
        "equipment.serial_number",
        "priority",
        "state",
        "technician.name",
        "response_due",
        "resolution_due",
    ]
    add_columns = list(services.WORK_ORDER_OPENING_FIELDS)
    edit_columns = list(services.WORK_ORDER_EDITABLE_FIELDS)
    show_fieldsets = [
        (
            _("Work Order"),
            {
                "fields": [
                    "number",
                    "kind",
                    "state",
                    "title",
                    "symptom",
                    "equipment",
                    "priority",
                    "required_skill",
                    "region",
                    "technician",
                    "scheduled_start",
                    "scheduled_end",
                    "assignment_override",
                    "plan",
                    "due_date",
                ]
            },
        ),
        (
            _("Coverage and SLA"),
            {
                "fields": [
                    "contract",
                    "service_level",
                    "chargeable",
                    "coverage_note",
                    "site_time_zone",
                    "opened_at",
                    "response_due",
                    "responded_at",
                    "response_breached",
                    "resolution_due",
                    "resolved_at",
                    "resolution_breached",
                    "paused_minutes",
                ]
            },
        ),
        (
            _("Diagnosis and Repair"),
            {"fields": ["diagnosis_cause", "repair_plan", "repair_actions", "labour_minutes"]},
        ),
        (_("Inspection Findings"), {"fields": ["problems_found", "risks"]}),
        (
            _("Follow-up"),
            {"fields": ["confirmed_by", "customer_remarks", "cancel_reason", "closed_at"]},
        ),
    ]
    search_columns = ["number", "state", "priority", "equipment", "technician", "title"]
    base_order = ("number", "desc")
    related_views = [PartLineView, ClockEventView, InspectionResultView]
    add_form_extra_fields = {
        "priority": SelectField(LABELS["priority"], choices=CHOICES["priority"], default="P3"),
        "kind": SelectField(LABELS["kind"], choices=CHOICES["kind"]),
    }
    formatters_columns = {
        "state": lambda v: STATE_LABELS.get(v, v),
        "kind": lambda v: KIND_LABELS.get(v, v),
        "opened_at": local_time,
        "response_due": local_time,
        "resolution_due": local_time,
        "responded_at": local_time,
        "resolved_at": local_time,
        "closed_at": local_time,
        "scheduled_start": local_time,
        "scheduled_end": local_time,
        "chargeable": _yes_no,
        "response_breached": _yes_no,
        "resolution_breached": _yes_no,
        "technician": lambda v: v or "",
        "plan": lambda v: v or "",
        "due_date": lambda v: v or "",
        "contract": lambda v: v or "",
        "service_level": lambda v: v or "",
    }

    for _name in services.ACTIONS:
        locals()[f"action_{_name}"] = _lifecycle_action(_name)
    del _name

    def _get_show_widget(
        self,
        pk: Any,
        item: WorkOrder,
        widgets: Any = None,
        actions: Any = None,
        show_fieldsets: Any = None,
    ) -> Any:
        """The order's page offers only the actions its state allows."""
        allowed = set(services.available_actions(item, sees_all_orders()))
        actions = {
            name: act
            for name, act in (actions or self.actions).items()
            if (name not in services.ACTIONS or name in allowed)
            and (name != "plan_part" or item.state in services.OPEN_STATES)
            and (name not in ("record_results", "report") or item.kind == "inspection")
        }
        return super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)

    def pre_add(self, item: WorkOrder) -> None:
        """Only dispatchers open orders (the route needs ``can_dispatch`` too); check it."""
        services.check_may_open(sees_all_orders())
        super().pre_add(item)

    def _act(self, items: Any, name: str) -> Any:
        order = items[0] if isinstance(items, list) else items
        if services.ACTION_INPUTS.get(name):
            return redirect(f"{self.route_base}/act/{order.id}/{name}")
        self._run(order, name, {})
        return redirect(f"{self.route_base}/show/{order.id}")

    def _run(self, order: WorkOrder, name: str, values: dict[str, Any]) -> bool:
        try:
            services.check_may_run(name, sees_all_orders())
            services.run_action(db.session, order, name, values)
            db.session.commit()
        except MaintenanceError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return False
        flash(
            gettext(
                "%(number)s: %(action)s done; it is now %(state)s",
                number=order.number,
                action=ACTION_LABELS[name],
                state=STATE_LABELS.get(order.state, order.state),
            ),
            "success",
        )
        return True

    def _order(self, pk: int) -> WorkOrder | None:
        try:
            order = services.get_work_order(db.session, pk)
            check_order_visible(order)
        except MaintenanceError as exc:
            flash(str(exc), "danger")
            return None
        return order

    @expose("/act/<int:pk>/<string:name>", methods=["GET", "POST"])
    @has_access
    def act(self, pk: int, name: str) -> Any:
        """The form of an action that needs input; POST runs it."""
        order = self._order(pk)
        if order is None or name not in services.ACTIONS:
            return redirect(self.route_base + "/list/")
        try:
            services.check_may_run(name, sees_all_orders())
        except MaintenanceError as exc:
            flash(str(exc), "danger")
            return redirect(f"{self.route_base}/show/{pk}")
        if request.method == "POST":
            values = {key: request.form.get(key, "") for key in services.ACTION_INPUTS[name]}
            if values.get("scheduled_start"):  # the form's local time is company time
                values["scheduled_start"] = _company_moment(values["scheduled_start"])
            if self._run(order, name, values):
                return redirect(f"{self.route_base}/show/{pk}")
        candidates = []
        if name == "assign":
            candidates = dispatch.rank_technicians(db.session, order, utcnow())
        return self.render_template(
            "maintenance/action.html",
            order=order,
            name=name,
            title=ACTION_LABELS[name],
            inputs=[(key, INPUT_LABELS[key]) for key in services.ACTION_INPUTS[name]],
            candidates=candidates,
            values=request.form,
        )

    @action("plan_part", _("Plan a part"), None, "fa-plus", multiple=False)
    def action_plan_part(self, items: Any) -> Any:
        """Open the form that plans a part on the order."""
        order = items[0] if isinstance(items, list) else items
        return redirect(f"{self.route_base}/parts/{order.id}")

    @expose("/parts/<int:pk>", methods=["GET", "POST"])
    @has_access
    def plan_part(self, pk: int) -> Any:
        """Plan a part: reserved from stock with inventory, a free-text line without."""
        order = self._order(pk)
        if order is None:
            return redirect(self.route_base + "/list/")
        if request.method == "POST":
            try:
                parts.add_part_line(
                    db.session,
                    order,
                    quantity=request.form.get("quantity"),
                    description=request.form.get("description"),
                    part_id=request.form.get("part_id"),
                    location_id=request.form.get("location_id"),
                )
                db.session.commit()
                flash(gettext("Part planned on %(number)s", number=order.number), "success")
                return redirect(f"{self.route_base}/show/{pk}")
            except MaintenanceError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return self.render_template(
            "maintenance/part.html",
            order=order,
            with_inventory=parts.inventory_enabled(),
            values=request.form,
            plain=plain,
        )

    @expose("/parts/<int:pk>/remove/<int:line_id>", methods=["POST"])
    @has_access
    def remove_part(self, pk: int, line_id: int) -> Any:
        """Take a planned part off the order (its reservation is released)."""
        order = self._order(pk)
        if order is None:
            return redirect(self.route_base + "/list/")
        try:
            parts.remove_part_line(db.session, order, line_id)
            db.session.commit()
        except MaintenanceError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(f"{self.route_base}/show/{pk}")

    @action("record_results", _("Record results"), None, "fa-check-square-o", multiple=False)
    def action_record_results(self, items: Any) -> Any:
        """Open the checklist form of an inspection."""
        order = items[0] if isinstance(items, list) else items
        return redirect(f"{self.route_base}/results/{order.id}")

    @expose("/results/<int:pk>", methods=["GET", "POST"])
    @has_access
    def results(self, pk: int) -> Any:
        """Record checklist results: one row per item (outcome, measured value, notes)."""
        order = self._order(pk)
        if order is None:
            return redirect(self.route_base + "/list/")
        if request.method == "POST":
            try:
                for result in order.results:
                    outcome = request.form.get(f"outcome_{result.id}", "")
                    value = request.form.get(f"value_{result.id}", "")
                    if not outcome and not value:
                        continue
                    plans.record_result(
                        db.session,
                        order,
                        result.id,
                        outcome=outcome or None,
                        measured_value=value or None,
                        notes=request.form.get(f"notes_{result.id}", ""),
                    )
                plans.record_findings(
                    db.session,
                    order,
                    problems_found=request.form.get("problems_found"),
                    risks=request.form.get("risks"),
                )
                db.session.commit()
                flash(gettext("Results of %(number)s saved", number=order.number), "success")
            except MaintenanceError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return self.render_template(
            "maintenance/results.html", order=order, outcomes=CHOICES["outcome"], plain=plain
        )

    @expose("/results/<int:pk>/corrective/<int:result_id>", methods=["POST"])
    @has_access
    def raise_corrective(self, pk: int, result_id: int) -> Any:
        """Open a corrective work order for a failed checklist item."""
        order = self._order(pk)
        if order is None:
            return redirect(self.route_base + "/list/")
        try:
            corrective = plans.raise_corrective(db.session, order, result_id)
            db.session.commit()
        except MaintenanceError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(f"{self.route_base}/results/{pk}")
        flash(gettext("Work order %(number)s opened", number=corrective.number), "success")
        if not sees_all_orders():  # it goes to dispatch; the technician stays on the checklist
            return redirect(f"{self.route_base}/results/{pk}")
        return redirect(f"{self.route_base}/show/{corrective.id}")

    @action("report", _("Inspection report"), None, "fa-file-text-o", multiple=False)
    def action_report(self, items: Any) -> Any:
        """Open the inspection report of the visit."""
        order = items[0] if isinstance(items, list) else items
        return redirect(f"{self.route_base}/report/{order.id}")

    def _report(self, pk: int) -> tuple[WorkOrder, Any] | None:
        order = self._order(pk)
        if order is None:
            return None
        try:
            return order, report.inspection_report(db.session, order)
        except MaintenanceError as exc:
            flash(str(exc), "danger")
            return None

    @expose("/report/<int:pk>")
    @has_access
    def report(self, pk: int) -> Any:
        """The inspection report of visit ``pk`` on screen, with a PDF link."""
        found = self._report(pk)
        if found is None:
            return redirect(self.route_base + "/list/")
        order, document = found
        return self.render_template(
            "maintenance/report.html",
            order=order,
            document=document,
            pdf_url=f"{self.route_base}/report/{pk}/pdf",
        )

    @expose("/report/<int:pk>/pdf")
    @has_access
    def report_pdf(self, pk: int) -> Any:
        """The inspection report as a PDF (Chinese text in an embedded font)."""
        found = self._report(pk)
        if found is None:
            return redirect(self.route_base + "/list/")
        order, document = found
        try:
            return report_pdf_response(order, document)
        except CJKFontMissing as exc:
            flash(str(exc), "danger")
            return redirect(f"{self.route_base}/report/{pk}")

    @action("history", _("History"), None, "fa-history", multiple=False)
    def action_history(self, items: Any) -> Any:
        """The order's audit trail (who changed what, when)."""
        from core.audit.service import audit_url

        item = items[0] if isinstance(items, list) else items
        return redirect(audit_url(item))


class MyWorkOrdersView(BaseView):
    """A technician's own orders for today and the week, made for a phone screen: start,
    record results and complete them from here."""

    route_base = "/maintenance/my-work-orders"
    default_view = "mine"
    class_permission_name = "maintenance_work_order"
    method_permission_name = {"mine": "read"}

    @staticmethod
    def _phone_actions(order: WorkOrder) -> list[str]:
        """The actions run on site: neither assigning nor cancelling (the office does that),
        nor the dispatch actions unless the user holds the dispatch permission."""
        return [
            name
            for name in services.available_actions(order, sees_all_orders())
            if name not in ("assign", "cancel")
        ]

    @expose("/")
    @has_access
    def mine(self) -> Any:
        """Today's and this week's orders of the signed-in technician."""
        today = services.company_today()
        orders = services.my_orders(db.session, current_user_id() or -1, today)
        zone = company_zone()
        end_of_today = datetime.datetime.combine(
            today + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        todays = [
            o
            for o in orders
            if o.scheduled_start is None or sla.as_utc(o.scheduled_start) < end_of_today
        ]
        later = [o for o in orders if o not in todays]
        return self.render_template(
            "maintenance/mine.html",
            sections=[(gettext("Today"), todays), (gettext("This week"), later)],
            actions={o.id: self._phone_actions(o) for o in orders},
            action_labels=ACTION_LABELS,
            state_labels=STATE_LABELS,
            inputs=services.ACTION_INPUTS,
            local_time=local_time,
        )
