"""Screens of parts, warehouses and locations. The part page shows where the part is, its
move history and its reservations."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from wtforms import DecimalField
from wtforms.validators import Optional

from core.crud import CheckedModelView
from core.security.permissions import BusinessModelView
from plugins.inventory import services
from plugins.inventory.models import (
    LOCATION_KINDS,
    WAREHOUSE_KINDS,
    Location,
    Part,
    Warehouse,
)
from plugins.inventory.views.common import (
    KIND_LABELS,
    LABELS,
    NO_DELETE_ROUTES,
    kind_field,
    label_formatter,
)
from plugins.inventory.views.moves import MoveView
from plugins.inventory.views.reservations import ReservationView
from plugins.inventory.views.stock import StockOnHandView


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
    formatters_columns = {"kind": label_formatter(KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {"kind": kind_field(WAREHOUSE_KINDS)}

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
    formatters_columns = {"kind": label_formatter(KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {"kind": kind_field(LOCATION_KINDS)}


# The part page shows where the part is and its move history (newest first).
PartView.related_views = [StockOnHandView, MoveView, ReservationView]
