"""REST API of parts_compatibility. It only calls services.

``/api/v1/parts_compatibility/``: the part-product links (list, show, create, change,
delete); ``part`` and ``product`` are ids. ``GET /api/v1/parts_compatibility/equipment/<id>/
parts``: the active parts that fit a unit, with their stock per usable location. A refusal
answers 404 (unknown part, product or unit), 409 (the pair is already linked) or 422 with
``{"message": ..., "field": ...}`` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS, READ
from plugins.inventory.services import fmt_quantity
from plugins.parts_compatibility import services
from plugins.parts_compatibility.models import PartProduct
from plugins.parts_compatibility.services import FittingPart

COLUMNS = [
    "id",
    "part.id",
    "part.sku",
    "part.name",
    "product.id",
    "product.product_type",
    "product.manufacturer",
    "product.model",
    "note",
]


class PartProductApi(CheckedModelApi):
    """The links between parts and the products they fit, and the parts that fit a unit."""

    resource_name = "parts_compatibility"
    datamodel = SQLAInterface(PartProduct)
    class_permission_name = "parts_compatibility_link"
    method_permission_name = {**MODEL_API_PERMISSIONS, "equipment_parts": READ}
    list_columns = show_columns = COLUMNS
    add_columns = edit_columns = ["part", "product", "note"]
    search_columns = ["part", "product", "note"]
    order_columns = ["part.sku", "product.manufacturer", "product.model"]
    base_order = ("part.sku", "asc")

    prepare = staticmethod(services.prepare_link)

    @expose("/equipment/<int:equipment_id>/parts", methods=["GET"])
    @protect()
    @answers_refusals
    def equipment_parts(self, equipment_id: int) -> Response:
        """The active parts that fit a unit, each with its stock per usable location.
        ---
        get:
          summary: Parts that fit a unit, with what is available where
          parameters:
          - in: path
            name: equipment_id
            schema:
              type: integer
          responses:
            200:
              description: the parts, by SKU
            404:
              description: no such unit
        """
        fitting = services.parts_for_equipment(db.session, equipment_id)
        return self.response(200, equipment_id=equipment_id, result=[_part(f) for f in fitting])

    def check_input(self, body: Any) -> None:
        """The link's part and product must exist (404 naming the field): Flask-AppBuilder
        would answer a bare 422 otherwise; a linked pair answers 409 (``prepare_link``)."""
        if not isinstance(body, dict):
            return
        if "part" in body:
            services.find_part(db.session, body["part"], "part")
        if "product" in body:
            services.find_product(db.session, body["product"], "product")


def _part(fitting: FittingPart) -> dict[str, Any]:
    return {
        "id": fitting.part.id,
        "sku": fitting.part.sku,
        "name": fitting.part.name,
        "unit": fitting.part.unit,
        "note": fitting.note,
        "available": fmt_quantity(fitting.available),
        "locations": [
            {
                "location_id": stock.location_id,
                "location": stock.location,
                "warehouse": stock.warehouse,
                "on_hand": fmt_quantity(stock.on_hand),
                "reserved": fmt_quantity(stock.reserved),
                "available": fmt_quantity(stock.available),
            }
            for stock in fitting.locations
        ],
    }
