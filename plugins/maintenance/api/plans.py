"""REST APIs of maintenance plans (preview, generation) and their checklist items."""

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
from plugins.maintenance.models import (
    MaintenancePlan,
    PlanItem,
)
from plugins.maintenance.services import generation, plans
from plugins.maintenance.services.access import (
    KEPT_API_PERMISSIONS,
    NO_DELETE,
)
from plugins.maintenance.services.errors import MaintenanceError


class PlanApi(CheckedModelApi):
    """``/api/v1/maintenance_plan/``, its preview and ``POST .../<id>/generate``."""

    resource_name = "maintenance_plan"
    datamodel = SQLAInterface(MaintenancePlan)
    class_permission_name = "maintenance_plan"
    method_permission_name = {**KEPT_API_PERMISSIONS, "preview": "read", "generate": "write"}
    exclude_route_methods = NO_DELETE  # orders refer to their plan: deactivate it instead
    prepare = staticmethod(plans.prepare_plan)
    add_columns = edit_columns = list(plans.PLAN_FIELDS)
    list_columns = show_columns = [
        "id",
        *[c for c in add_columns if c != "contract"],
        "contract.number",
        "generated_until",
    ]
    search_columns = ["name", "product_type", "contract", "active"]

    def _plan(self, pk: int) -> MaintenancePlan:
        plan = db.session.get(MaintenancePlan, pk)
        if plan is None:
            raise MaintenanceError(
                gettext("plan: %(id)s does not exist", id=pk), "maintenance_plan", 404
            )
        return plan

    @expose("/<int:pk>/preview", methods=["GET"])
    @protect()
    @answers_refusals
    def preview(self, pk: int) -> Response:
        """What the next generation run would create for plan ``pk``."""
        plan = self._plan(pk)
        today = services.company_today()
        planned, existing = generation.preview(db.session, plan, today)
        start, end = generation.window(plan, today)
        return self.response(
            200,
            window=[start.isoformat(), end.isoformat()],
            existing=existing,
            count=len(planned),
            inspections=[
                {
                    "equipment_id": p.equipment_id,
                    "serial": p.serial,
                    "contract": p.contract_number,
                    "due_date": p.due_date.isoformat(),
                }
                for p in planned[:1000]
            ],
        )

    @expose("/<int:pk>/generate", methods=["POST"])
    @describes_body(None)
    @protect()
    @answers_refusals
    def generate(self, pk: int) -> Response:
        """Generate plan ``pk``'s inspections now (what the nightly job does)."""
        plan = self._plan(pk)
        result = generation.generate(db.session, plan, services.company_today())
        db.session.commit()
        return self.response(
            200,
            created=result.created,
            existing=result.existing,
            generated_until=result.window[1].isoformat(),
        )


class PlanItemApi(CheckedModelApi):
    """``/api/v1/maintenance_plan_item/``: checklist items with their acceptable range."""

    resource_name = "maintenance_plan_item"
    datamodel = SQLAInterface(PlanItem)
    class_permission_name = "maintenance_plan"
    prepare = staticmethod(plans.prepare_item)
    add_columns = edit_columns = [
        "plan",
        "position",
        "name",
        "standard",
        "unit",
        "min_value",
        "max_value",
    ]
    list_columns = show_columns = ["id", "plan.name", *add_columns[1:]]
    search_columns = ["plan"]

    def pre_delete(self, item: PlanItem) -> None:
        """An item that inspections copied stays (409)."""
        plans.check_item_removable(db.session, item)
