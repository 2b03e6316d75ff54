"""Screens of purchasing: suppliers, supplier prices and purchase orders.

The purchase order page shows the lines and offers only what the order's state allows:
adding and removing lines, ordering and cancelling (``can_write``), receiving per line or
everything outstanding (``can_receive``, held by storekeepers). They only call
:mod:`plugins.inventory.services.purchasing`; a refusal is flashed with its rule and changes
nothing.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DecimalField
from wtforms.validators import InputRequired

from core.crud import CheckedModelView
from core.extensions import db
from core.money import format_money
from core.security.permissions import MODEL_VIEW_PERMISSIONS
from plugins.inventory.models import (
    CANCELLED,
    CLOSED,
    DRAFT,
    ORDERED,
    PARTIAL,
    RECEIVED,
    Location,
    Part,
    PurchaseOrder,
    Supplier,
    SupplierPrice,
    Warehouse,
)
from plugins.inventory.services import InventoryError, purchasing, suppliers
from plugins.inventory.views.common import LABELS, NO_DELETE_ROUTES, local_time, quantity

PO_STATE_LABELS = {
    DRAFT: _("Draft"),
    ORDERED: _("Ordered"),
    PARTIAL: _("Partially received"),
    RECEIVED: _("Received"),
    CLOSED: _("Closed (rest cancelled)"),
    CANCELLED: _("Cancelled"),
}
PURCHASING_LABELS = {
    **LABELS,
    "tax_id": _("Tax ID"),
    "contact_name": _("Contact"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "lead_time_days": _("Lead Time (days)"),
    "supplier": _("Supplier"),
    "supplier.name": _("Supplier"),
    "unit_price": _("Unit Price"),
    "supplier_sku": _("Supplier SKU"),
    "number": _("Number"),
    "expected_date": _("Expected Date"),
    "ordered_on": _("Ordered"),
    "closed_on": _("Closed"),
    "preferred_supplier": _("Preferred Supplier"),
}


def _refuse(exc: InventoryError) -> None:
    db.session.rollback()
    flash(str(exc), "danger")


class SupplierView(CheckedModelView):
    """Suppliers: name, tax ID, contact and default lead time (deactivate, never delete)."""

    datamodel = SQLAInterface(Supplier)
    route_base = "/inventory/suppliers"
    class_permission_name = "inventory_supplier"
    include_route_methods = NO_DELETE_ROUTES
    list_title = _("Suppliers")
    show_title = _("Supplier")
    add_title = _("Add Supplier")
    edit_title = _("Edit Supplier")
    label_columns = PURCHASING_LABELS
    list_columns = ["name", "tax_id", "contact_name", "phone", "lead_time_days", "active"]
    show_columns = add_columns = edit_columns = [
        "name",
        "tax_id",
        "contact_name",
        "phone",
        "email",
        "lead_time_days",
        "active",
    ]
    search_columns = ["name", "tax_id", "active"]
    base_order = ("name", "asc")

    prepare = staticmethod(suppliers.prepare_supplier)


class SupplierPriceView(CheckedModelView):
    """What each supplier asks for a part (used when orders are drafted)."""

    datamodel = SQLAInterface(SupplierPrice)
    route_base = "/inventory/supplier-prices"
    class_permission_name = "inventory_supplier"
    list_title = _("Supplier Prices")
    show_title = _("Supplier Price")
    add_title = _("Add Supplier Price")
    edit_title = _("Edit Supplier Price")
    label_columns = PURCHASING_LABELS
    list_columns = ["supplier.name", "part.sku", "part.name", "supplier_sku", "unit_price"]
    show_columns = add_columns = edit_columns = ["supplier", "part", "supplier_sku", "unit_price"]
    search_columns = ["supplier", "part"]
    add_form_extra_fields = edit_form_extra_fields = {
        "unit_price": DecimalField(_("Unit Price"), places=2, validators=[InputRequired()])
    }

    prepare = staticmethod(suppliers.prepare_supplier_price)


class PurchaseOrderView(CheckedModelView):
    """Purchase orders: the list, a new draft (supplier, expected date, note), and the order
    page with its lines and the actions its state allows."""

    datamodel = SQLAInterface(PurchaseOrder)
    route_base = "/inventory/purchase-orders"
    class_permission_name = "inventory_purchase_order"
    include_route_methods = {
        *NO_DELETE_ROUTES,
        "place",
        "cancel",
        "add_line",
        "remove_line",
        "receive",
    }
    method_permission_name = {
        **MODEL_VIEW_PERMISSIONS,
        "place": "write",
        "cancel": "write",
        "add_line": "write",
        "remove_line": "write",
        "receive": "receive",
    }
    list_title = _("Purchase Orders")
    show_title = _("Purchase Order")
    add_title = _("New Purchase Order")
    edit_title = _("Edit Purchase Order")
    label_columns = PURCHASING_LABELS
    list_columns = ["number", "supplier.name", "state", "expected_date", "ordered_on"]
    add_columns = edit_columns = ["supplier", "expected_date", "note"]
    search_columns = ["number", "supplier", "state", "expected_date"]
    base_order = ("number", "desc")
    formatters_columns = {
        "state": lambda value: PO_STATE_LABELS.get(value, value),
        "ordered_on": local_time,
        "expected_date": lambda value: value or "",
    }

    prepare = staticmethod(purchasing.prepare_order)

    def post_add(self, item: PurchaseOrder) -> None:
        """Go on to the new order's page to add lines."""
        g.inventory_new_order_id = item.id

    def get_redirect(self) -> Any:
        """After adding, open the order page."""
        new_id = g.pop("inventory_new_order_id", None)
        if new_id is not None:
            return url_for(f"{type(self).__name__}.show", pk=new_id)
        return super().get_redirect()

    def _back(self, pk: int) -> Any:
        return redirect(url_for(f"{type(self).__name__}.show", pk=pk))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any) -> Any:
        """The order page: header, lines, and the forms its state allows."""
        try:
            order = purchasing.get_order(db.session, pk)
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for(f"{type(self).__name__}.list"))
        order = purchasing.orders_with_lines(db.session, [order.id])[0]
        sm = self.appbuilder.sm
        return self.render_template(
            "inventory/purchase_order.html",
            order=order,
            state_label=PO_STATE_LABELS.get(order.state, order.state),
            total=format_money(purchasing.order_total(order)),
            money=format_money,
            quantity=quantity,
            local_time=local_time,
            can_write=sm.has_access("can_write", self.class_permission_name),
            can_receive=sm.has_access("can_receive", self.class_permission_name),
            parts=db.session.scalars(
                select(Part).where(Part.active.is_(True)).order_by(Part.sku)
            ).all(),
            locations=db.session.scalars(
                select(Location)
                .options(joinedload(Location.warehouse))
                .join(Warehouse)
                .order_by(Location.label)
            ).all(),
            values=request.args,
        )

    def _act(self, pk: int, work: Any, done: Any) -> Any:
        try:
            order = purchasing.get_order(db.session, pk)
            work(order)
            db.session.commit()
            flash(done(order.number), "success")
        except InventoryError as exc:
            _refuse(exc)
        return self._back(pk)

    @expose("/place/<int:pk>", methods=["POST"])
    @has_access
    def place(self, pk: int) -> Any:
        """draft -> ordered."""
        return self._act(
            pk,
            lambda order: purchasing.place_order(db.session, order),
            lambda number: gettext("%(number)s is ordered.", number=number),
        )

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    def cancel(self, pk: int) -> Any:
        """Cancel the order, or the rest of a partially received one."""
        return self._act(
            pk,
            lambda order: purchasing.cancel_order(db.session, order),
            lambda number: gettext("%(number)s is cancelled.", number=number),
        )

    @expose("/add_line/<int:pk>", methods=["POST"])
    @has_access
    def add_line(self, pk: int) -> Any:
        """Add a line to a draft."""
        form = request.form
        return self._act(
            pk,
            lambda order: purchasing.add_line(
                db.session,
                order,
                form.get("part_id"),
                form.get("quantity"),
                form.get("location_id"),
                form.get("unit_price") or None,
            ),
            lambda number: gettext("Line added to %(number)s.", number=number),
        )

    @expose("/remove_line/<int:pk>/<int:line_id>", methods=["POST"])
    @has_access
    def remove_line(self, pk: int, line_id: int) -> Any:
        """Remove a line from a draft."""
        return self._act(
            pk,
            lambda order: purchasing.remove_line(db.session, line_id),
            lambda number: gettext("Line removed from %(number)s.", number=number),
        )

    @expose("/receive/<int:pk>", methods=["POST"])
    @has_access
    def receive(self, pk: int) -> Any:
        """Receive the quantities typed per line (``receive-<line id>``), or everything
        outstanding with ``all=1``."""
        if request.form.get("all"):
            quantities = None
        else:
            quantities = {
                key.removeprefix("receive-"): value.strip()
                for key, value in request.form.items()
                if key.startswith("receive-")
            }
        return self._act(
            pk,
            lambda order: purchasing.receive_order(db.session, order, quantities),
            lambda number: gettext("Receipt of %(number)s posted.", number=number),
        )
