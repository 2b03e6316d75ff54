"""Stock moves and the stock actions.

``/api/v1/inventory_move/`` lists the moves (read-only: the ledger is changed only by actions).

Actions: ``POST /api/v1/inventory_stock/<action>`` with a JSON body, for ``receive``,
``issue``, ``transfer``, ``return`` (``defective: true`` to quarantine), ``adjust``, ``scrap``,
``reverse``, ``reserve``, ``release``, and for warranty returns ``vendor_return`` (send
defective parts from quarantine to a supplier), ``vendor_receipt`` (repaired or replaced parts
back) and ``vendor_write_off`` (what will not come back). Success answers 201 with the move or
reservation (200 for release and write-off); a refusal answers 409 (not enough stock, already
reversed, more than outstanding...) or 422/404 with ``{"message": ..., "field": ...}`` and
nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from core.api_input import amount, json_body, quantity, record_id
from core.errors import refusal_response
from core.extensions import db
from core.relations import StrictBoolean
from core.security.permissions import BusinessApi, BusinessModelApi
from plugins.inventory import services
from plugins.inventory.api.common import READ_ONLY, json_value
from plugins.inventory.api.reservations import reservation_json
from plugins.inventory.api.warranty import vendor_return_json
from plugins.inventory.models import (
    Reservation,
    StockMove,
    VendorReturn,
)
from plugins.inventory.services import InventoryError, warranty


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


def move_json(move: StockMove) -> dict[str, Any]:
    """A move as the action endpoints answer it (quantities and amounts as strings)."""
    return {
        key: json_value(getattr(move, key))
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
