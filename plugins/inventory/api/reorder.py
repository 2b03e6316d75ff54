"""``/api/v1/inventory_reorder_rule/`` (reorder rules, read and write) and
``/api/v1/inventory_reorder/`` (the suggestions, and drafting purchase orders from them)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.api_input import describes_body
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import BusinessApi
from plugins.inventory.api.common import json_value
from plugins.inventory.models import (
    ReorderRule,
)
from plugins.inventory.services import reorder

RULE_FIELDS = [
    "part",
    "location",
    "method",
    "min_quantity",
    "max_quantity",
    "safety_stock",
    "lead_time_days",
    "usage_days",
    "active",
]


class ReorderRuleApi(CheckedModelApi):
    """Reorder rules per part and location."""

    resource_name = "inventory_reorder_rule"
    datamodel = SQLAInterface(ReorderRule)
    class_permission_name = "inventory_reorder"
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "location.id",
        "location.label",
        *RULE_FIELDS[2:],
        "reorder_point",
    ]
    add_columns = edit_columns = RULE_FIELDS
    search_columns = ["part", "location", "method", "active"]

    prepare = staticmethod(reorder.prepare_rule)

    def post_add(self, item: ReorderRule) -> None:
        """Create the rule's quant and compute a demand rule's reorder point."""
        reorder.save_rule(db.session, item)
        db.session.commit()

    def post_update(self, item: ReorderRule) -> None:
        """Recompute a demand rule's reorder point."""
        reorder.save_rule(db.session, item)
        db.session.commit()


def suggestion_json(suggestion: reorder.Suggestion) -> dict[str, Any]:
    """A suggestion (quantities as strings)."""
    fields = suggestion.__dataclass_fields__
    body = {name: json_value(getattr(suggestion, name)) for name in fields}
    body["position"] = str(suggestion.position)
    return body


class ReorderApi(BusinessApi):
    """``GET /api/v1/inventory_reorder/suggestions`` (``can_read``) and ``POST
    /api/v1/inventory_reorder/draft`` (``can_write`` on ``inventory_reorder``)."""

    resource_name = "inventory_reorder"
    class_permission_name = "inventory_reorder"
    openapi_spec_tag = "Inventory reorder"
    method_permission_name = {"suggestions": "read", "draft": "write"}

    @expose("/suggestions", methods=["GET"])
    @protect()
    def suggestions(self) -> Response:
        """What every active rule suggests now.
        ---
        get:
          summary: Reorder suggestions
          responses:
            200:
              description: result, a list of suggestions
        """
        found = reorder.suggestions(db.session)
        return self.response(200, result=[suggestion_json(s) for s in found])

    @expose("/draft", methods=["POST"])
    @describes_body(None)
    @protect()
    @answers_refusals
    def draft(self) -> Response:
        """Draft purchase orders from the suggestions (idempotent).
        ---
        post:
          summary: Draft purchase orders
          responses:
            200:
              description: the orders touched, lines added, parts without a supplier
        """
        result = reorder.draft_purchase_orders(db.session)
        db.session.commit()
        return self.response(
            200,
            orders=[order.number for order in result.orders],
            lines=result.lines,
            without_supplier=sorted({s.sku for s in result.without_supplier}),
        )
