"""REST APIs of reliability and of the parts products and plans use.

``GET /api/v1/maintenance_reliability/products?from=&to=`` and
``GET /api/v1/maintenance_reliability/equipment?from=&to=&product_id=`` answer failures,
MTBF and MTTR (dispatch permission). ``/api/v1/maintenance_product_part/`` and
``/api/v1/maintenance_plan_part/`` keep the part lines (inventory must be enabled to add).
"""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext

from core.api_input import checked_date
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import BusinessApi
from plugins.maintenance import services
from plugins.maintenance.models import PlanPart, ProductPart
from plugins.maintenance.services import demand, reliability
from plugins.maintenance.services.errors import MaintenanceError


class ReliabilityApi(BusinessApi):
    """Failures, MTBF and MTTR per product and per unit for a period (default: the 365 days
    up to today)."""

    resource_name = "maintenance_reliability"
    class_permission_name = "maintenance_work_order"
    method_permission_name = {"products": "dispatch", "equipment": "dispatch"}
    openapi_spec_tag = "Reliability"

    def _period(self) -> tuple:
        start, end = reliability.parse_period(
            request.args.get("from"), request.args.get("to"), services.company_today()
        )
        return checked_date(start, "from", MaintenanceError), checked_date(
            end, "to", MaintenanceError
        )

    @expose("/products", methods=["GET"])
    @protect()
    @answers_refusals
    def products(self) -> Response:
        """Figures per product, most failures first.
        ---
        get:
          parameters:
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          responses:
            200: {description: The figures}
            422: {description: A bad period}
        """
        start, end = self._period()
        rows = reliability.product_figures(db.session, start, end)
        return self.response(
            200,
            period=[start.isoformat(), end.isoformat()],
            result=[r.as_dict() for r in rows],
        )

    @expose("/equipment", methods=["GET"])
    @protect()
    @answers_refusals
    def equipment(self) -> Response:
        """Figures per unit (of ``product_id`` if given), most failures first.
        ---
        get:
          parameters:
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          - {in: query, name: product_id, schema: {type: integer}}
          responses:
            200: {description: The figures}
            422: {description: A bad period or product}
        """
        start, end = self._period()
        raw = request.args.get("product_id")
        try:
            product_id = int(raw) if raw else None
        except ValueError:
            raise MaintenanceError(
                gettext("product_id: %(value)r is not a number", value=raw), "product_id"
            ) from None
        rows = reliability.unit_figures(db.session, start, end, product_id=product_id)
        return self.response(
            200,
            period=[start.isoformat(), end.isoformat()],
            result=[r.as_dict() for r in rows],
        )


class ProductPartApi(CheckedModelApi):
    """``/api/v1/maintenance_product_part/``: parts units of a product use per repair."""

    resource_name = "maintenance_product_part"
    datamodel = SQLAInterface(ProductPart)
    class_permission_name = "maintenance_plan"
    prepare = staticmethod(demand.prepare_product_part)
    add_columns = edit_columns = ["product", "part_id", "location_id", "quantity"]
    list_columns = show_columns = ["id", "product.model", "part_id", "location_id", "quantity"]
    search_columns = ["product", "part_id", "location_id"]


class PlanPartApi(CheckedModelApi):
    """``/api/v1/maintenance_plan_part/``: parts each inspection of a plan needs."""

    resource_name = "maintenance_plan_part"
    datamodel = SQLAInterface(PlanPart)
    class_permission_name = "maintenance_plan"
    prepare = staticmethod(demand.prepare_plan_part)
    add_columns = edit_columns = ["plan", "part_id", "location_id", "quantity"]
    list_columns = show_columns = ["id", "plan.name", "part_id", "location_id", "quantity"]
    search_columns = ["plan", "part_id", "location_id"]


RELIABILITY_APIS = [ReliabilityApi, ProductPartApi, PlanPartApi]
