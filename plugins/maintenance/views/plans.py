"""Maintenance plans (preview and generation of their inspections), their checklist items and
the inspections' checklist results."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.crud import CheckedModelView
from core.extensions import db
from core.security.permissions import BusinessModelView
from plugins.maintenance import services
from plugins.maintenance.models import (
    InspectionResult,
    MaintenancePlan,
    PlanItem,
)
from plugins.maintenance.services import generation, plans
from plugins.maintenance.services.access import (
    KEPT_VIEW_PERMISSIONS,
    NO_DELETE,
)
from plugins.maintenance.views.common import (
    CHOICES,
    LABELS,
    OUTCOME_LABELS,
    UNIT_LABELS,
    MaintenanceView,
    plain,
    yes_no,
)
from plugins.maintenance.views.parts import PlanPartView


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


class PlanView(MaintenanceView):
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
        "active": yes_no,
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
