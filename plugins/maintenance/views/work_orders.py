"""Screens of maintenance. They only call services; refusals are flashed, nothing is saved.

A work order's state changes only through its action buttons; its page shows only the
actions its state allows (:func:`plugins.maintenance.services.available_actions`). Actions
that need input (assign, complete, confirm, cancel...) open a small form.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import flash, redirect, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.company.service import company_zone
from core.documents import CJKFontMissing
from core.extensions import db
from core.timeutil import utcnow
from plugins.maintenance import services
from plugins.maintenance.models import (
    WorkOrder,
)
from plugins.maintenance.services import dispatch, parts, plans, report
from plugins.maintenance.services.access import (
    KEPT_VIEW_PERMISSIONS,
    NO_DELETE,
    check_order_visible,
    sees_all_orders,
)
from plugins.maintenance.services.errors import MaintenanceError
from plugins.maintenance.views.common import (
    ACTION_LABELS,
    CHOICES,
    INPUT_LABELS,
    KIND_LABELS,
    LABELS,
    STATE_LABELS,
    MaintenanceView,
    lifecycle_action,
    local_time,
    plain,
    yes_no,
)
from plugins.maintenance.views.parts import PartLineView
from plugins.maintenance.views.plans import InspectionResultView
from plugins.maintenance.views.report import report_pdf_response
from plugins.maintenance.views.sla import ClockEventView


def _company_moment(text: str) -> str:
    """A ``datetime-local`` form value (company time) as an aware ISO moment."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=company_zone())
    return moment.isoformat()


class WorkOrderView(MaintenanceView):
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
        "chargeable": yes_no,
        "response_breached": yes_no,
        "resolution_breached": yes_no,
        "technician": lambda v: v or "",
        "plan": lambda v: v or "",
        "due_date": lambda v: v or "",
        "contract": lambda v: v or "",
        "service_level": lambda v: v or "",
    }

    for _name in services.ACTIONS:
        locals()[f"action_{_name}"] = lifecycle_action(_name)
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
