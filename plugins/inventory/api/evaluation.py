"""``/api/v1/inventory_evaluation/``: the stock evaluation of a period."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, protect

from core.api_input import check_query_dates
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import BusinessApi
from plugins.inventory.api.common import json_value
from plugins.inventory.services import InventoryError, evaluation


class EvaluationApi(BusinessApi):
    """``GET /api/v1/inventory_evaluation/?start=YYYY-MM-DD&end=YYYY-MM-DD``: the stock
    evaluation of a period (``can_read`` on ``inventory_evaluation``)."""

    resource_name = "inventory_evaluation"
    class_permission_name = "inventory_evaluation"
    openapi_spec_tag = "Inventory evaluation"
    method_permission_name = {"period": "read"}

    @expose("/", methods=["GET"])
    @protect()
    @answers_refusals
    def period(self) -> Response:
        """Consumption, turnover, slow-moving and dead stock, stock-outs, rule suggestions.
        ---
        get:
          parameters:
          - {in: query, name: start, required: true, schema: {type: string, format: date}}
          - {in: query, name: end, required: true, schema: {type: string, format: date}}
          responses:
            200: {description: The evaluation; quantities and amounts as strings}
            422: {description: A bad period, naming start or end}
        """
        check_query_dates("start", "end", error=InventoryError)
        found = evaluation.evaluate(db.session, request.args.get("start"), request.args.get("end"))
        return self.response(
            200,
            start=found.start.isoformat(),
            end=found.end.isoformat(),
            consumed_value=str(found.consumed_value),
            average_stock_value=str(found.average_stock_value),
            turnover=json_value(found.turnover),
            parts=[
                {name: json_value(getattr(p, name)) for name in p.__dataclass_fields__}
                for p in found.parts
            ],
            suggestions=[
                {name: json_value(getattr(s, name)) for name in s.__dataclass_fields__}
                for s in found.suggestions
            ],
        )
