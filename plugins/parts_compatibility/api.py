"""REST API of parts_compatibility. It only calls services.

``/api/v1/parts_compatibility/``: the part-product links (list, show, create, change,
delete); ``part`` and ``product`` are ids. ``GET /api/v1/parts_compatibility/equipment/<id>/
parts``: the active parts that fit a unit, with their stock per usable location. A refusal
answers 404 (unknown part, product or unit), 409 (the pair is already linked) or 422 with
``{"message": ..., "field": ...}`` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS, READ, BusinessModelApi
from plugins.inventory.services import fmt_quantity
from plugins.parts_compatibility import services
from plugins.parts_compatibility.models import PartProduct
from plugins.parts_compatibility.services import CompatibilityError, FittingPart

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


class PartProductApi(BusinessModelApi):
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

    def pre_add(self, item: PartProduct) -> None:
        """Check the new link."""
        services.prepare_link(db.session, item)

    def pre_update(self, item: PartProduct) -> None:
        """Check the changed link."""
        services.prepare_link(db.session, item)

    def post_headless(self) -> Response:
        """Link a part to a product; unknown ids answer 404, a linked pair 409."""
        try:
            self._check_references(request.get_json(silent=True))
            return super().post_headless()
        except CompatibilityError as exc:
            return self._refused(exc)

    def put_headless(self, pk: int) -> Response:
        """Change a link; unknown ids answer 404, a linked pair 409."""
        try:
            self._check_references(request.get_json(silent=True))
            return super().put_headless(pk)
        except CompatibilityError as exc:
            return self._refused(exc)

    @expose("/equipment/<int:equipment_id>/parts", methods=["GET"])
    @protect()
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
        try:
            fitting = services.parts_for_equipment(db.session, equipment_id)
        except CompatibilityError as exc:
            return self._refused(exc)
        return self.response(200, equipment_id=equipment_id, result=[_part(f) for f in fitting])

    def _check_references(self, body: Any) -> None:
        """The link's part and product must exist: FAB would answer a bare 422 otherwise."""
        if not isinstance(body, dict):
            return
        if "part" in body:
            services.find_part(db.session, body["part"], "part")
        if "product" in body:
            services.find_product(db.session, body["product"], "product")

    def _refused(self, exc: CompatibilityError) -> Response:
        db.session.rollback()
        return self.response(exc.status, message=str(exc), field=exc.field)


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
