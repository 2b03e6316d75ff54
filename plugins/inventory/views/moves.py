"""The move history (read-only) and the forms of the stock actions: receive, issue, transfer,
return, adjust, scrap, reverse, reserve, release and the vendor actions."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.security.permissions import BusinessModelView
from plugins.inventory import services
from plugins.inventory.models import (
    Location,
    Part,
    Reservation,
    StockMove,
    Supplier,
    VendorReturn,
    Warehouse,
)
from plugins.inventory.services import InventoryError, fmt_quantity, warranty
from plugins.inventory.views.common import (
    LABELS,
    READ_ONLY_ROUTES,
    REASON_LABELS,
    label_formatter,
    local_time,
    quantity,
)


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
        "reason": label_formatter(REASON_LABELS),
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
