"""REST APIs of inventory. They only call services.

Records: ``/api/v1/inventory_part/``, ``inventory_warehouse``, ``inventory_location`` (read and
write, no delete: deactivate a part instead), ``inventory_quant``, ``inventory_move`` and
``inventory_reservation`` (read-only: the ledger is changed only by actions).

Actions: ``POST /api/v1/inventory_stock/<action>`` with a JSON body, for ``receive``,
``issue``, ``transfer``, ``return`` (``defective: true`` to quarantine), ``adjust``, ``scrap``,
``reverse``, ``reserve``, ``release``, and for warranty returns ``vendor_return`` (send
defective parts from quarantine to a supplier), ``vendor_receipt`` (repaired or replaced parts
back) and ``vendor_write_off`` (what will not come back). Success answers 201 with the move or
reservation (200 for release and write-off); a refusal answers 409 (not enough stock, already
reversed, more than outstanding...) or 422/404 with ``{"message": ..., "field": ...}`` and
nothing is changed. ``/api/v1/inventory_vendor_return/`` lists vendor returns (read-only).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response, g
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from core.api_input import amount, json_body, quantity, record_id
from core.crud import CheckedModelApi
from core.errors import refusal_response
from core.extensions import db
from core.relations import StrictBoolean
from core.security.permissions import BusinessApi, BusinessModelApi
from plugins.inventory import services, warranty
from plugins.inventory.filters import FilterBelowMinimum
from plugins.inventory.models import (
    LOCATION_KINDS,
    WAREHOUSE_KINDS,
    Location,
    Part,
    Reservation,
    StockMove,
    StockQuant,
    VendorReturn,
    Warehouse,
)
from plugins.inventory.services import InventoryError

READ_ONLY = {"get", "get_list", "info"}
NO_DELETE = {"get", "get_list", "info", "post", "put"}


PART_EDITABLE = ["sku", "name", "specification", "unit", "standard_cost", "sale_price", "active"]


class PartApi(CheckedModelApi):
    """Spare parts. ``average_cost`` is kept by receipts and is read-only."""

    resource_name = "inventory_part"
    datamodel = SQLAInterface(Part)
    class_permission_name = "inventory_part"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", *PART_EDITABLE, "average_cost"]
    add_columns = edit_columns = PART_EDITABLE
    search_columns = ["sku", "name", "active"]
    order_columns = ["sku", "name"]
    base_order = ("sku", "asc")

    prepare = staticmethod(services.prepare_part)


class WarehouseApi(CheckedModelApi):
    """Warehouses: central store, branch stores and vans (a van's technician must hold the
    Technician role)."""

    resource_name = "inventory_warehouse"
    datamodel = SQLAInterface(Warehouse)
    class_permission_name = "inventory_warehouse"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", "code", "name", "kind", "technician.username"]
    add_columns = edit_columns = ["code", "name", "kind", "technician"]
    validators_columns = {"kind": validate.OneOf(WAREHOUSE_KINDS)}
    search_columns = ["code", "name", "kind"]
    base_order = ("code", "asc")

    prepare = staticmethod(services.prepare_warehouse)


class LocationApi(BusinessModelApi):
    """Locations inside warehouses (normal or quarantine)."""

    resource_name = "inventory_location"
    datamodel = SQLAInterface(Location)
    class_permission_name = "inventory_location"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", "warehouse.id", "warehouse.code", "code", "kind"]
    add_columns = edit_columns = ["warehouse", "code", "kind"]
    validators_columns = {"kind": validate.OneOf(LOCATION_KINDS)}
    search_columns = ["warehouse", "code", "kind"]
    base_order = ("code", "asc")


class QuantApi(BusinessModelApi):
    """Stock on hand per part and location (read-only); the ``below_minimum`` filter keeps
    the rows below the reorder point of their rule."""

    resource_name = "inventory_quant"
    datamodel = SQLAInterface(StockQuant)
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "location.id",
        "location.code",
        "location.label",
        "on_hand",
        "reserved",
    ]
    search_columns = ["part", "location", "id"]
    # ?q=(filters:!((col:id,opr:below_minimum,value:1))): below a reorder rule's minimum
    search_filters = {"id": [FilterBelowMinimum]}


class MoveApi(BusinessModelApi):
    """The stock ledger (read-only: moves are never edited or deleted)."""

    resource_name = "inventory_move"
    datamodel = SQLAInterface(StockMove)
    class_permission_name = "inventory_move"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "created_on",
        "part.id",
        "part.sku",
        "from_location.id",
        "to_location.id",
        "quantity",
        "reason",
        "reference",
        "unit_cost",
        "sale_price",
        "reversal_of.id",
        "rma",
        "note",
        "created_by",
    ]
    search_columns = ["part", "reason", "reference", "created_on"]
    base_order = ("id", "desc")


class VendorReturnApi(BusinessModelApi):
    """Defective parts sent to suppliers under warranty (read-only; changed only through the
    ``vendor_return``, ``vendor_receipt`` and ``vendor_write_off`` actions)."""

    resource_name = "inventory_vendor_return"
    datamodel = SQLAInterface(VendorReturn)
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "supplier.id",
        "supplier.name",
        "from_location.id",
        "rma",
        "quantity",
        "unit_cost",
        "received",
        "written_off",
        "write_off_note",
        "note",
        "created_on",
        "closed_on",
    ]
    search_columns = ["part", "supplier", "rma", "created_on", "closed_on"]
    base_order = ("id", "desc")


class ReservationApi(BusinessModelApi):
    """Reservations (read-only; reserve and release through ``inventory_stock``)."""

    resource_name = "inventory_reservation"
    datamodel = SQLAInterface(Reservation)
    class_permission_name = "inventory_reservation"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "location.id",
        "quantity",
        "reference",
        "state",
        "created_on",
        "closed_on",
    ]
    search_columns = ["part", "location", "reference", "state"]
    base_order = ("id", "desc")


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def move_json(move: StockMove) -> dict[str, Any]:
    """A move as the action endpoints answer it (quantities and amounts as strings)."""
    return {
        key: _text(getattr(move, key))
        for key in (
            "id",
            "part_id",
            "from_location_id",
            "to_location_id",
            "quantity",
            "reason",
            "reference",
            "unit_cost",
            "sale_price",
            "reversal_of_id",
            "supplier_id",
            "rma",
            "vendor_return_id",
            "note",
            "created_by",
        )
    }


def vendor_return_json(vendor_return: VendorReturn) -> dict[str, Any]:
    """A vendor return as the action endpoints answer it (with its outstanding quantity)."""
    body = {
        key: _text(getattr(vendor_return, key))
        for key in (
            "id",
            "part_id",
            "supplier_id",
            "from_location_id",
            "rma",
            "quantity",
            "unit_cost",
            "received",
            "written_off",
            "outstanding",
            "write_off_note",
        )
    }
    body["closed"] = vendor_return.closed_on is not None
    return body


def reservation_json(reservation: Reservation) -> dict[str, Any]:
    """A reservation as the action endpoints answer it."""
    return {
        key: _text(getattr(reservation, key))
        for key in ("id", "part_id", "location_id", "quantity", "reference", "state")
    }


ACTIONS: dict[str, tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]] = {
    # action: (service, required fields, optional fields)
    "receive": (
        services.receive,
        ("part_id", "location_id", "quantity", "unit_cost"),
        ("reference", "note"),
    ),
    "issue": (services.issue, ("part_id", "location_id", "quantity", "reference"), ("note",)),
    "transfer": (
        services.transfer,
        ("part_id", "from_location_id", "to_location_id", "quantity"),
        ("reference", "note"),
    ),
    "return": (
        services.return_from_work_order,
        ("part_id", "location_id", "quantity", "reference"),
        ("note", "defective"),
    ),
    "adjust": (services.adjust, ("part_id", "location_id", "quantity", "note"), ()),
    "scrap": (services.scrap, ("part_id", "location_id", "quantity", "note"), ()),
    "reverse": (services.reverse_move, ("move_id",), ("note",)),
    "reserve": (services.reserve, ("part_id", "location_id", "quantity", "reference"), ()),
    "release": (services.release, ("reservation_id",), ()),
    "vendor_return": (
        warranty.send_to_vendor,
        ("part_id", "location_id", "quantity", "supplier_id"),
        ("rma", "note"),
    ),
    "vendor_receipt": (
        warranty.receive_from_vendor,
        ("vendor_return_id", "location_id", "quantity"),
        ("note",),
    ),
    "vendor_write_off": (
        warranty.write_off_vendor_return,
        ("vendor_return_id", "note"),
        ("quantity",),
    ),
}
_ANSWERS_200 = ("release", "vendor_write_off")


def _action_field(name: str, required: bool) -> fields.Field:
    """The marshmallow field of one action input, by its name."""
    options: dict[str, Any] = {"required": required}
    if not required:
        options["allow_none"] = True
    if name.endswith("_id"):
        return record_id(**options)
    if name == "quantity":
        return quantity(**options)
    if name == "unit_cost":
        return amount(**options)
    if name == "defective":
        return StrictBoolean(**options)
    return fields.String(validate=validate.Length(max=2000), **options)


#: The body schema of each action, read before the service runs (and shown in the OpenAPI
#: document): ids are whole numbers, quantities hold at most 12 digits before the point.
ACTION_SCHEMAS: dict[str, type[Schema]] = {
    action: Schema.from_dict(
        {
            **{name: _action_field(name, True) for name in required},
            **{name: _action_field(name, False) for name in optional},
        },
        name=f"StockAction{action.title().replace('_', '')}",
    )
    for action, (_service, required, optional) in ACTIONS.items()
}


class StockActionApi(BusinessApi):
    """``POST /api/v1/inventory_stock/<action>``: the stock actions (``can_write`` on
    ``inventory_stock``) and ``GET /api/v1/inventory_stock/value`` (``can_read``)."""

    resource_name = "inventory_stock"
    class_permission_name = "inventory_stock"
    openapi_spec_tag = "Inventory stock"
    method_permission_name = {
        "value": "read",
        "verify": "read",
        **{name: "write" for name in ("receive", "issue", "transfer", "return_", "adjust")},
        **{name: "write" for name in ("scrap", "reverse", "reserve", "release")},
        **{name: "write" for name in ("vendor_return", "vendor_receipt", "vendor_write_off")},
    }

    def _run(self, action: str) -> Response:
        payload = g.body
        service, required, optional = ACTIONS[action]
        missing = [name for name in required if payload.get(name) in (None, "")]
        if missing:
            return self.response(
                422,
                message=gettext("%(field)s: is required", field=missing[0]),
                field=missing[0],
            )
        arguments = {name: payload.get(name) for name in (*required, *optional)}
        try:
            result = service(db.session, **arguments)
            db.session.commit()
        except InventoryError as exc:
            return refusal_response(self, exc)
        except IntegrityError:
            db.session.rollback()
            return self.response(
                409, message=gettext("the stock changed meanwhile; try again"), field=None
            )
        if isinstance(result, Reservation):
            body = reservation_json(result)
        elif isinstance(result, VendorReturn):
            body = vendor_return_json(result)
        else:
            body = move_json(result)
        return self.response(200 if action in _ANSWERS_200 else 201, **body)

    @expose("/receive", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["receive"])
    def receive(self) -> Response:
        """Receive parts into a location at a unit cost."""
        return self._run("receive")

    @expose("/issue", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["issue"])
    def issue(self) -> Response:
        """Issue parts to a reference (work order); 409 beyond what is available."""
        return self._run("issue")

    @expose("/transfer", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["transfer"])
    def transfer(self) -> Response:
        """Move parts between two locations."""
        return self._run("transfer")

    @expose("/return", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["return"])
    def return_(self) -> Response:
        """Take parts back from a work order (to quarantine for defective ones)."""
        return self._run("return")

    @expose("/adjust", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["adjust"])
    def adjust(self) -> Response:
        """Book a counted difference (signed quantity) with a note."""
        return self._run("adjust")

    @expose("/scrap", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["scrap"])
    def scrap(self) -> Response:
        """Scrap parts with a note."""
        return self._run("scrap")

    @expose("/reverse", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["reverse"])
    def reverse(self) -> Response:
        """Correct a move by a reversing move."""
        return self._run("reverse")

    @expose("/reserve", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["reserve"])
    def reserve(self) -> Response:
        """Hold stock for a reference."""
        return self._run("reserve")

    @expose("/release", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["release"])
    def release(self) -> Response:
        """Release a reservation."""
        return self._run("release")

    @expose("/vendor_return", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["vendor_return"])
    def vendor_return(self) -> Response:
        """Send defective parts from quarantine to a supplier under warranty."""
        return self._run("vendor_return")

    @expose("/vendor_receipt", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["vendor_receipt"])
    def vendor_receipt(self) -> Response:
        """Receive repaired or replaced parts of a vendor return into a normal location."""
        return self._run("vendor_receipt")

    @expose("/vendor_write_off", methods=["POST"])
    @protect()
    @json_body(ACTION_SCHEMAS["vendor_write_off"])
    def vendor_write_off(self) -> Response:
        """Write off what of a vendor return will not come back (with a note)."""
        return self._run("vendor_write_off")

    @expose("/value", methods=["GET"])
    @protect()
    def value(self) -> Response:
        """Stock value at moving-average cost, per location id and in total.
        ---
        get:
          summary: Stock value
          responses:
            200:
              description: total and by_location, amounts as strings
        """
        found = services.stock_value(db.session)
        return self.response(
            200,
            total=str(found.total),
            by_location={str(k): str(v) for k, v in found.by_location.items()},
        )
