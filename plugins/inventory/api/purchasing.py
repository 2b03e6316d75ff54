"""REST APIs of purchasing. They only call services.

* ``/api/v1/inventory_supplier/`` and ``/api/v1/inventory_supplier_price/``: records.
* ``/api/v1/inventory_purchase_order/``: drafts (``supplier``, ``expected_date``, ``note``)
  and, per order ``<id>``: ``GET <id>/lines``; ``POST <id>/lines`` (``part_id``,
  ``quantity``, ``location_id``, ``unit_price`` optional), ``POST <id>/lines/<line>/remove``,
  ``POST <id>/order``, ``POST <id>/cancel`` (``can_write``); ``POST <id>/receive`` with
  ``{"lines": {"<line id>": quantity}}`` or ``{}`` for everything outstanding
  (``can_receive``).

A refusal answers 4xx with ``{"message", "field"}`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from marshmallow import fields

from core.api_input import describes_body, path_choices
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS
from plugins.inventory.api.common import NO_DELETE
from plugins.inventory.api.moves import move_json
from plugins.inventory.models import (
    PurchaseOrder,
    Supplier,
    SupplierPrice,
)
from plugins.inventory.services import InventoryError, purchasing, suppliers

SUPPLIER_FIELDS = ["name", "tax_id", "contact_name", "phone", "email", "lead_time_days", "active"]


def order_json(order: PurchaseOrder) -> dict[str, Any]:
    """An order with its lines (quantities and amounts as strings)."""
    return {
        "id": order.id,
        "number": order.number,
        "supplier_id": order.supplier_id,
        "state": order.state,
        "expected_date": order.expected_date.isoformat() if order.expected_date else None,
        "note": order.note,
        "total": str(purchasing.order_total(order)),
        "lines": [
            {
                "id": line.id,
                "part_id": line.part_id,
                "location_id": line.location_id,
                **{
                    key: str(getattr(line, key))
                    for key in ("quantity", "unit_price", "received", "cancelled", "outstanding")
                },
            }
            for line in order.lines
        ],
    }


class SupplierApi(CheckedModelApi):
    """Suppliers (deactivate rather than delete)."""

    resource_name = "inventory_supplier"
    datamodel = SQLAInterface(Supplier)
    class_permission_name = "inventory_supplier"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", *SUPPLIER_FIELDS]
    add_columns = edit_columns = SUPPLIER_FIELDS
    search_columns = ["name", "tax_id", "active"]
    base_order = ("name", "asc")

    prepare = staticmethod(suppliers.prepare_supplier)


class SupplierPriceApi(CheckedModelApi):
    """Supplier prices per part."""

    resource_name = "inventory_supplier_price"
    datamodel = SQLAInterface(SupplierPrice)
    class_permission_name = "inventory_supplier"
    list_columns = show_columns = [
        "id",
        "supplier.id",
        "supplier.name",
        "part.id",
        "part.sku",
        "supplier_sku",
        "unit_price",
    ]
    add_columns = edit_columns = ["supplier", "part", "supplier_sku", "unit_price"]
    search_columns = ["supplier", "part"]

    prepare = staticmethod(suppliers.prepare_supplier_price)


#: Bodies of the purchase-order endpoints (documented in the OpenAPI document).
LINE_BODY = {
    "part_id": fields.Integer(required=True),
    "quantity": fields.Decimal(required=True, metadata={"type": "number"}),
    "location_id": fields.Integer(),
    "unit_price": fields.Decimal(metadata={"type": "number"}),
}
RECEIVE_BODY = {
    "lines": fields.Dict(
        keys=fields.String(),
        values=fields.Decimal(metadata={"type": "number"}),
        metadata={"description": "quantity received per line id; all outstanding if absent"},
    ),
}


class PurchaseOrderApi(CheckedModelApi):
    """Purchase orders and their lifecycle."""

    resource_name = "inventory_purchase_order"
    datamodel = SQLAInterface(PurchaseOrder)
    class_permission_name = "inventory_purchase_order"
    include_route_methods = {*NO_DELETE, "lines", "add_line", "remove_line", "lifecycle", "receive"}
    method_permission_name = {
        **MODEL_API_PERMISSIONS,
        "lines": "read",
        "add_line": "write",
        "remove_line": "write",
        "lifecycle": "write",
        "receive": "receive",
    }
    list_columns = show_columns = [
        "id",
        "number",
        "supplier.id",
        "supplier.name",
        "state",
        "expected_date",
        "ordered_on",
        "closed_on",
        "note",
    ]
    add_columns = edit_columns = ["supplier", "expected_date", "note"]
    search_columns = ["number", "supplier", "state", "expected_date"]
    base_order = ("number", "desc")

    prepare = staticmethod(purchasing.prepare_order)

    @answers_refusals
    def _answer(self, pk: int, work: Callable[[PurchaseOrder], Any], status: int) -> Response:
        order = purchasing.get_order(db.session, pk)
        result = work(order)
        db.session.commit()
        body = order_json(purchasing.orders_with_lines(db.session, [order.id])[0])
        if isinstance(result, list):
            body["moves"] = [move_json(move) for move in result]
        return self.response(status, **body)

    @expose("/<int:pk>/lines", methods=["GET"])
    @protect()
    def lines(self, pk: int) -> Response:
        """The order with its lines."""
        return self._answer(pk, lambda order: None, 200)

    @expose("/<int:pk>/lines", methods=["POST"])
    @describes_body(LINE_BODY, "PurchaseOrderLine")
    @protect()
    def add_line(self, pk: int) -> Response:
        """Add a line to a draft."""
        body = request.get_json(silent=True) or {}
        return self._answer(
            pk,
            lambda order: purchasing.add_line(
                db.session, order, **{k: body.get(k) for k in purchasing.LINE_FIELDS}
            ),
            201,
        )

    @expose("/<int:pk>/lines/<int:line_id>/remove", methods=["POST"])
    @describes_body(None)
    @protect()
    def remove_line(self, pk: int, line_id: int) -> Response:
        """Remove a line from a draft."""

        def work(order: PurchaseOrder) -> None:
            if not any(line.id == line_id for line in order.lines):
                raise InventoryError(
                    gettext(
                        "line_id: line %(id)s is not on purchase order %(number)s",
                        id=line_id,
                        number=order.number,
                    ),
                    "line_id",
                    404,
                )
            purchasing.remove_line(db.session, line_id)

        return self._answer(pk, work, 200)

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @path_choices(action=["order", "cancel"])
    @describes_body(None)
    @protect()
    def lifecycle(self, pk: int, action: str) -> Response:
        """``order`` (draft -> ordered) or ``cancel``."""
        handlers = {"order": purchasing.place_order, "cancel": purchasing.cancel_order}
        if action not in handlers:
            return self.response(
                404,
                message=gettext("action: %(action)s is unknown", action=action),
                field="action",
            )
        return self._answer(pk, lambda order: handlers[action](db.session, order), 200)

    @expose("/<int:pk>/receive", methods=["POST"])
    @describes_body(RECEIVE_BODY, "PurchaseOrderReceipt")
    @protect()
    def receive(self, pk: int) -> Response:
        """Receive ``{"lines": {"<line id>": quantity}}``, or everything outstanding."""
        body = request.get_json(silent=True)
        if body is None:
            body = {}
        if not isinstance(body, dict) or not isinstance(body.get("lines", {}), dict):
            return self.response(
                400, message=gettext("lines: must map line ids to quantities"), field="lines"
            )
        quantities = body.get("lines") or None
        return self._answer(
            pk, lambda order: purchasing.receive_order(db.session, order, quantities), 201
        )
