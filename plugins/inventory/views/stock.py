"""Screens of inventory: parts, warehouses, locations, stock on hand, the move history and
reservations. They only call services. Moves, quants and reservations are read-only here:
stock changes only through the stock actions (``/api/v1/inventory_stock/...``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DecimalField, SelectField
from wtforms.validators import Optional

from core.company.service import company_zone
from core.crud import CheckedModelView
from core.extensions import db
from core.money import format_money
from core.security.permissions import BusinessModelView
from core.timeutil import to_zone
from plugins.inventory import services, warranty
from plugins.inventory.filters import FilterBelowMinimum
from plugins.inventory.models import (
    BRANCH,
    CENTRAL,
    LOCATION_KINDS,
    NORMAL,
    QUARANTINE,
    VAN,
    WAREHOUSE_KINDS,
    Location,
    Part,
    Reservation,
    StockMove,
    StockQuant,
    Supplier,
    VendorReturn,
    Warehouse,
)
from plugins.inventory.services import InventoryError, fmt_quantity

READ_ONLY_ROUTES = {"list", "show"}
NO_DELETE_ROUTES = {"list", "show", "add", "edit"}

KIND_LABELS = {
    CENTRAL: _("Central store"),
    BRANCH: _("Branch store"),
    VAN: _("Van"),
    NORMAL: _("Normal"),
    QUARANTINE: _("Quarantine"),
}
REASON_LABELS = {
    "receipt": _("Receipt"),
    "issue": _("Issue"),
    "return": _("Return"),
    "transfer": _("Transfer"),
    "adjustment": _("Adjustment"),
    "scrap": _("Scrap"),
    "reversal": _("Reversal"),
    "vendor_return": _("Sent to vendor"),
    "vendor_receipt": _("Back from vendor"),
}
STATE_LABELS = {"active": _("Active"), "released": _("Released"), "consumed": _("Consumed")}

LABELS = {
    "sku": _("SKU"),
    "name": _("Name"),
    "specification": _("Specification"),
    "unit": _("Unit"),
    "standard_cost": _("Standard Cost"),
    "sale_price": _("Sale Price"),
    "average_cost": _("Average Cost"),
    "active": _("Active"),
    "code": _("Code"),
    "kind": _("Kind"),
    "technician": _("Technician"),
    "technician.username": _("Technician"),
    "warehouse": _("Warehouse"),
    "warehouse.code": _("Warehouse"),
    "part": _("Part"),
    "part.sku": _("SKU"),
    "part.name": _("Part"),
    "location": _("Location"),
    "location.label": _("Location"),
    "from_location.label": _("From"),
    "to_location.label": _("To"),
    "on_hand": _("On Hand"),
    "reserved": _("Reserved"),
    "quantity": _("Quantity"),
    "reason": _("Reason"),
    "reference": _("Reference"),
    "note": _("Note"),
    "unit_cost": _("Unit Cost"),
    "reversal_of_id": _("Reverses Move"),
    "created_on": _("Date"),
    "created_by": _("By"),
    "state": _("State"),
    "closed_on": _("Closed"),
    "preferred_supplier": _("Preferred Supplier"),
    "supplier": _("Supplier"),
    "rma": _("RMA number"),
    "vendor_return_id": _("Vendor return"),
}


def local_time(moment: datetime.datetime | None) -> str:
    """``moment`` (stored in UTC) in the company time zone, to the minute."""
    if moment is None:
        return ""
    return to_zone(moment, str(company_zone())).strftime("%Y-%m-%d %H:%M")


def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros."""
    return "" if value is None else fmt_quantity(value)


def _label(labels: dict[str, Any]) -> Any:
    return lambda value: labels.get(value, value or "")


def _kind_field(kinds: tuple[str, ...]) -> SelectField:
    return SelectField(
        _("Kind"), choices=[(k, KIND_LABELS[k]) for k in kinds], widget=Select2Widget()
    )


class PartView(CheckedModelView):
    """Spare parts: create, edit, deactivate (no delete: moves refer to them)."""

    datamodel = SQLAInterface(Part)
    route_base = "/inventory/parts"
    class_permission_name = "inventory_part"
    include_route_methods = NO_DELETE_ROUTES
    list_title = _("Parts")
    show_title = _("Part")
    add_title = _("Add Part")
    edit_title = _("Edit Part")
    label_columns = LABELS
    list_columns = ["sku", "name", "unit", "standard_cost", "sale_price", "average_cost", "active"]
    show_columns = [*list_columns[:2], "specification", *list_columns[2:], "preferred_supplier"]
    add_columns = edit_columns = [
        "sku",
        "name",
        "specification",
        "unit",
        "standard_cost",
        "sale_price",
        "preferred_supplier",
        "active",
    ]
    search_columns = ["sku", "name", "active"]
    base_order = ("sku", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        name: DecimalField(LABELS[name], places=2, validators=[Optional()])
        for name in ("standard_cost", "sale_price")
    }

    prepare = staticmethod(services.prepare_part)


class WarehouseView(CheckedModelView):
    """Central store, branch stores and technicians' vans."""

    datamodel = SQLAInterface(Warehouse)
    route_base = "/inventory/warehouses"
    class_permission_name = "inventory_warehouse"
    include_route_methods = NO_DELETE_ROUTES
    list_title = _("Warehouses")
    show_title = _("Warehouse")
    add_title = _("Add Warehouse")
    edit_title = _("Edit Warehouse")
    label_columns = LABELS
    list_columns = ["code", "name", "kind", "technician.username"]
    show_columns = ["code", "name", "kind", "technician"]
    add_columns = edit_columns = ["code", "name", "kind", "technician"]
    search_columns = ["code", "name", "kind"]
    base_order = ("code", "asc")
    formatters_columns = {"kind": _label(KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {"kind": _kind_field(WAREHOUSE_KINDS)}

    prepare = staticmethod(services.prepare_warehouse)


class LocationView(BusinessModelView):
    """Locations inside warehouses; quarantine ones hold defective parts."""

    datamodel = SQLAInterface(Location)
    route_base = "/inventory/locations"
    class_permission_name = "inventory_location"
    include_route_methods = NO_DELETE_ROUTES
    list_title = _("Locations")
    show_title = _("Location")
    add_title = _("Add Location")
    edit_title = _("Edit Location")
    label_columns = LABELS
    list_columns = ["warehouse.code", "code", "kind"]
    show_columns = add_columns = edit_columns = ["warehouse", "code", "kind"]
    search_columns = ["warehouse", "code", "kind"]
    base_order = ("code", "asc")
    formatters_columns = {"kind": _label(KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {"kind": _kind_field(LOCATION_KINDS)}


class StockOnHandView(BusinessModelView):
    """On hand, reserved and available per part and location (filter by part or location)."""

    datamodel = SQLAInterface(StockQuant)
    route_base = "/inventory/stock"
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _("Stock on Hand")
    show_title = _("Stock")
    label_columns = {**LABELS, "available": _("Available")}
    list_columns = ["part.sku", "part.name", "location.label", "on_hand", "reserved", "available"]
    show_columns = ["part", "location", "on_hand", "reserved", "available"]
    search_columns = ["part", "location"]
    formatters_columns = {"on_hand": quantity, "reserved": quantity, "available": quantity}
    list_template = "inventory/stock_list.html"

    def _get_list_widget(self, filters: Any, **kwargs: Any) -> Any:
        """``?below_minimum=1`` keeps the rows below the reorder point of their rule."""
        if request.args.get("below_minimum"):
            filters = filters.copy()
            filters.add_filter("id", FilterBelowMinimum, "1")
        return super()._get_list_widget(filters, **kwargs)

    def render_template(self, template: str, **kwargs: Any) -> Any:
        """Tell the list template whether the below-minimum filter is on."""
        kwargs.setdefault("below_minimum", bool(request.args.get("below_minimum")))
        return super().render_template(template, **kwargs)


class MoveView(BusinessModelView):
    """The stock ledger, newest first. Read-only: a mistake is corrected by a reversing move."""

    datamodel = SQLAInterface(StockMove)
    route_base = "/inventory/moves"
    class_permission_name = "inventory_move"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _("Stock Moves")
    show_title = _("Stock Move")
    label_columns = LABELS
    list_columns = [
        "created_on",
        "part.sku",
        "from_location.label",
        "to_location.label",
        "quantity",
        "reason",
        "reference",
        "unit_cost",
        "created_by",
    ]
    show_columns = [
        "created_on",
        "part",
        "from_location",
        "to_location",
        "quantity",
        "reason",
        "reference",
        "unit_cost",
        "sale_price",
        "reversal_of_id",
        "supplier",
        "rma",
        "vendor_return_id",
        "note",
        "created_by",
    ]
    search_columns = ["part", "reason", "reference", "created_on"]
    base_order = ("id", "desc")
    formatters_columns = {
        "created_on": local_time,
        "quantity": quantity,
        "reason": _label(REASON_LABELS),
    }


class ReservationView(BusinessModelView):
    """Stock held for work orders (reserve and release through the stock actions)."""

    datamodel = SQLAInterface(Reservation)
    route_base = "/inventory/reservations"
    class_permission_name = "inventory_reservation"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _("Reservations")
    show_title = _("Reservation")
    label_columns = LABELS
    list_columns = ["part.sku", "location.label", "quantity", "reference", "state", "created_on"]
    show_columns = ["part", "location", "quantity", "reference", "state", "created_on", "closed_on"]
    search_columns = ["part", "location", "reference", "state"]
    base_order = ("id", "desc")
    formatters_columns = {
        "created_on": local_time,
        "closed_on": local_time,
        "quantity": quantity,
        "state": _label(STATE_LABELS),
    }


ACTION_LABELS = {
    "receive": _("Receive"),
    "issue": _("Issue"),
    "transfer": _("Transfer"),
    "return": _("Return"),
    "adjust": _("Adjust"),
    "scrap": _("Scrap"),
    "reverse": _("Reverse a move"),
    "reserve": _("Reserve"),
    "release": _("Release a reservation"),
    "vendor_return": _("Send to vendor"),
    "vendor_receipt": _("Receive from vendor"),
    "vendor_write_off": _("Write off vendor return"),
}
FIELD_LABELS = {
    "part_id": _("Part"),
    "location_id": _("Location"),
    "from_location_id": _("From"),
    "to_location_id": _("To"),
    "quantity": _("Quantity"),
    "unit_cost": _("Unit Cost"),
    "reference": _("Reference"),
    "note": _("Note"),
    "move_id": _("Move number"),
    "reservation_id": _("Reservation"),
    "defective": _("Defective (to quarantine)"),
    "supplier_id": _("Supplier"),
    "rma": _("RMA number"),
    "vendor_return_id": _("Vendor return"),
}
ACTION_FIELDS = {
    "receive": ("part_id", "location_id", "quantity", "unit_cost", "reference", "note"),
    "issue": ("part_id", "location_id", "quantity", "reference", "note"),
    "transfer": ("part_id", "from_location_id", "to_location_id", "quantity", "reference", "note"),
    "return": ("part_id", "location_id", "quantity", "reference", "defective", "note"),
    "adjust": ("part_id", "location_id", "quantity", "note"),
    "scrap": ("part_id", "location_id", "quantity", "note"),
    "reverse": ("move_id", "note"),
    "reserve": ("part_id", "location_id", "quantity", "reference"),
    "release": ("reservation_id",),
    "vendor_return": ("part_id", "location_id", "quantity", "supplier_id", "rma", "note"),
    "vendor_receipt": ("vendor_return_id", "location_id", "quantity", "note"),
    "vendor_write_off": ("vendor_return_id", "quantity", "note"),
}
ACTION_SERVICES = {
    "receive": services.receive,
    "issue": services.issue,
    "transfer": services.transfer,
    "return": services.return_from_work_order,
    "adjust": services.adjust,
    "scrap": services.scrap,
    "reverse": services.reverse_move,
    "reserve": services.reserve,
    "release": services.release,
    "vendor_return": warranty.send_to_vendor,
    "vendor_receipt": warranty.receive_from_vendor,
    "vendor_write_off": warranty.write_off_vendor_return,
}


# The part page shows where the part is and its move history (newest first).
PartView.related_views = [StockOnHandView, MoveView, ReservationView]


class StockActionView(BaseView):
    """Forms for the stock actions (``can_write`` on ``inventory_stock``). A refusal is
    flashed with its rule, the form keeps its values and nothing is posted."""

    route_base = "/inventory/actions"
    default_view = "act"
    class_permission_name = "inventory_stock"
    method_permission_name = {"act": "write"}

    @expose("/", methods=["GET", "POST"])
    @expose("/<action>", methods=["GET", "POST"])
    @has_access
    def act(self, action: str = "receive") -> Any:
        """Show the form of ``action``; on POST run it and go to the move history."""
        if action not in ACTION_FIELDS:
            abort(404)
        fields = ACTION_FIELDS[action]
        given = request.form if request.method == "POST" else request.args  # links prefill
        values = {name: (given.get(name) or "").strip() for name in fields}
        error_field = None
        if request.method == "POST":
            try:
                move = ACTION_SERVICES[action](
                    db.session, **{k: v or None for k, v in values.items()}
                )
                db.session.commit()
            except InventoryError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                error_field = exc.field
            else:
                if isinstance(move, VendorReturn):
                    flash(
                        gettext(
                            "Vendor return %(id)s: %(quantity)s written off.",
                            id=move.id,
                            quantity=fmt_quantity(move.written_off),
                        ),
                        "success",
                    )
                    return redirect(url_for("DefectivePartsView.list"))
                if isinstance(move, Reservation):
                    if action == "release":
                        message = gettext("Reservation %(id)s released.", id=move.id)
                    else:
                        message = gettext("Reservation %(id)s made.", id=move.id)
                    flash(message, "success")
                    return redirect(url_for("ReservationView.list"))
                flash(gettext("Stock move %(id)s posted.", id=move.id), "success")
                return redirect(url_for("MoveView.list"))
        parts = db.session.scalars(
            select(Part).where(Part.active.is_(True)).order_by(Part.sku)
        ).all()
        locations = db.session.scalars(
            select(Location)
            .options(joinedload(Location.warehouse))
            .join(Warehouse)
            .order_by(Warehouse.code, Location.code)
        ).all()
        page = self.render_template(
            "inventory/action.html",
            action=action,
            actions=list(ACTION_LABELS.items()),
            fields=[(name, FIELD_LABELS[name]) for name in fields],
            values=values,
            error_field=error_field,
            parts=parts,
            locations=locations,
            reservations=_active_reservations() if action == "release" else [],
            suppliers=_suppliers() if "supplier_id" in fields else [],
            vendor_returns=(
                warranty.open_vendor_returns(db.session) if "vendor_return_id" in fields else []
            ),
            quantity=quantity,
        )
        return (page, 422) if error_field else page


def _active_reservations() -> list[Reservation]:
    """Active reservations with their part and location, for the release form."""
    return list(
        db.session.scalars(
            select(Reservation)
            .where(Reservation.state == "active")
            .options(joinedload(Reservation.part), joinedload(Reservation.location))
            .order_by(Reservation.id)
        )
    )


def _suppliers() -> list[Supplier]:
    """Active suppliers by name, for the send-to-vendor form."""
    return list(
        db.session.scalars(
            select(Supplier).where(Supplier.active.is_(True)).order_by(Supplier.name)
        )
    )


class DefectivePartsView(BaseView):
    """Defective parts: stock waiting in quarantine locations and the open vendor returns
    with what is still outstanding (``can_read`` on ``inventory_stock``). Two queries."""

    route_base = "/inventory/defective"
    default_view = "list"
    class_permission_name = "inventory_stock"
    method_permission_name = {"list": "read"}

    @expose("/")
    @has_access
    def list(self) -> Any:
        """The quarantine stock and the open vendor returns, with links to the actions."""
        open_returns = warranty.open_vendor_returns(db.session)
        return self.render_template(
            "inventory/defective.html",
            quarantine=warranty.quarantine_stock(db.session),
            vendor_returns=open_returns,
            outstanding_value=warranty.outstanding_value(open_returns),
            quantity=quantity,
            money=format_money,
            local_time=local_time,
        )
