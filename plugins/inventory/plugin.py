"""Hooks of inventory: the plugin's only contact with AfterSales core.

The entry point ``inventory = "plugins.inventory.plugin"`` targets this module. Views,
APIs and models are imported inside the hooks so that importing this module stays cheap.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.contributions import DashboardWidget, JobSpec, PermissionSet, RoleSpec
from core.hooks import hookimpl
from core.security.permissions import read_only, read_write

PART = "inventory_part"
WAREHOUSE = "inventory_warehouse"
LOCATION = "inventory_location"
STOCK = "inventory_stock"
MOVE = "inventory_move"
RESERVATION = "inventory_reservation"
SUPPLIER = "inventory_supplier"
PURCHASE_ORDER = "inventory_purchase_order"
REORDER = "inventory_reorder"
STOCKTAKE = "inventory_stocktake"
EVALUATION = "inventory_evaluation"
MENU = "Inventory"
MENUS = [
    "Parts",
    "Warehouses",
    "Locations",
    "Stock on Hand",
    "Stock Moves",
    "Reservations",
    "Defective Parts",
]
PURCHASING_MENUS = [
    "Suppliers",
    "Supplier Prices",
    "Purchase Orders",
    "Reorder Rules",
    "Reorder Suggestions",
    "Stock Evaluation",
]
# The manifest's label and summary, so that the Modules screen finds them in the catalogs.
MANIFEST_TEXT = (
    _("Inventory"),
    _("Spare parts, stores and vans, stock ledger, purchasing, reordering and stocktakes"),
)


@hookimpl
def aftersales_add_hookspecs(pm: Any) -> None:
    """``inventory_expected_demand``: other plugins (maintenance) report the parts they
    expect to use, which demand-based reorder rules add to their reorder point."""
    from plugins.inventory import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """How much more than ordered a PO line may receive, in percent (0: never more)."""
    return {"INVENTORY_OVER_RECEIPT_PERCENT": 0}


@hookimpl
def aftersales_models() -> list[type]:
    """Parts, warehouses, locations, moves, quants, reservations, suppliers, purchase
    orders, reorder rules and stocktakes."""
    from plugins.inventory import models

    return [
        models.Part,
        models.Warehouse,
        models.Location,
        models.StockMove,
        models.StockQuant,
        models.Reservation,
        models.Supplier,
        models.SupplierPrice,
        models.PurchaseOrder,
        models.PurchaseOrderLine,
        models.ReorderRule,
        models.Stocktake,
        models.StocktakeLine,
        models.VendorReturn,
    ]


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """Record APIs (moves, quants and reservations read-only) and the stock actions."""
    from plugins.inventory.api import APIS

    for view in APIS:
        appbuilder.add_api(view)


@hookimpl
def aftersales_permission_sets() -> list[PermissionSet]:
    """``inventory.stock_read`` (parts and stock on hand, for the roles of dependants such as
    maintenance's technicians), ``inventory.storekeeping`` (run the stores: receive POs,
    count stock), ``inventory.purchasing`` (suppliers, POs, reorder planning) and
    ``inventory.van_keeping`` (keep a van's stock: a field technician)."""
    from plugins.inventory.services import VAN_KEEPING

    menus = [("menu_access", MENU), *(("menu_access", name) for name in MENUS)]
    purchasing_menus = [("menu_access", name) for name in PURCHASING_MENUS]
    readers = [*read_only(PART), *read_only(STOCK), ("menu_access", MENU)]
    storekeeper = [
        *read_write(PART),
        *read_write(WAREHOUSE),
        *read_write(LOCATION),
        *read_write(STOCK),
        *read_only(MOVE),
        *read_only(RESERVATION),
        *read_only(SUPPLIER),
        *read_only(PURCHASE_ORDER),
        ("can_receive", PURCHASE_ORDER),
        *read_only(REORDER),
        *read_only(EVALUATION),
        *read_write(STOCKTAKE),
        *menus,
        *purchasing_menus,
        ("menu_access", "Stock Actions"),
        ("menu_access", "Stocktakes"),
    ]
    purchaser = [
        *readers,
        # Reorder rules and purchase orders name the warehouse and shelf stock goes to.
        *read_only(WAREHOUSE),
        *read_only(LOCATION),
        *read_only(MOVE),
        *read_write(SUPPLIER),
        *read_write(PURCHASE_ORDER),
        *read_write(REORDER),
        *read_only(EVALUATION),
        ("menu_access", "Parts"),
        ("menu_access", "Stock on Hand"),
        ("menu_access", "Stock Moves"),
        *purchasing_menus,
    ]
    return [
        PermissionSet(
            "inventory.stock_read",
            [*readers, ("menu_access", "Parts"), ("menu_access", "Stock on Hand")],
        ),
        PermissionSet("inventory.storekeeping", storekeeper),
        PermissionSet("inventory.purchasing", purchaser),
        PermissionSet("inventory.van_keeping", [VAN_KEEPING], includes=["inventory.stock_read"]),
    ]


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Storekeeper runs the stores, Purchaser buys, Inventory Manager does both and approves
    stocktakes, Inventory Read-only looks up parts and stock, Van Keeper carries stock in a
    van (maintenance's Technician holds the same set)."""
    return [
        RoleSpec("Inventory Read-only", includes=["inventory.stock_read"]),
        RoleSpec("Van Keeper", includes=["inventory.van_keeping"]),
        RoleSpec("Storekeeper", includes=["inventory.storekeeping"]),
        RoleSpec("Purchaser", includes=["inventory.purchasing"]),
        RoleSpec(
            "Inventory Manager",
            [("can_approve", STOCKTAKE)],
            includes=["inventory.storekeeping", "inventory.purchasing"],
        ),
    ]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Inventory menu: records, stock on hand, move history, reservations, stocktakes,
    suppliers, purchase orders and reorder planning."""
    from plugins.inventory import views

    entries = [
        (views.PartView, "Parts", _("Parts"), "fa-cog"),
        (views.WarehouseView, "Warehouses", _("Warehouses"), "fa-building"),
        (views.LocationView, "Locations", _("Locations"), "fa-map-marker"),
        (views.StockOnHandView, "Stock on Hand", _("Stock on Hand"), "fa-cubes"),
        (views.MoveView, "Stock Moves", _("Stock Moves"), "fa-exchange"),
        (views.ReservationView, "Reservations", _("Reservations"), "fa-bookmark"),
        (views.DefectivePartsView, "Defective Parts", _("Defective Parts"), "fa-medkit"),
        (views.StockActionView, "Stock Actions", _("Stock Actions"), "fa-pencil-square-o"),
        (views.StocktakeView, "Stocktakes", _("Stocktakes"), "fa-check-square-o"),
        (views.SupplierView, "Suppliers", _("Suppliers"), "fa-truck"),
        (views.SupplierPriceView, "Supplier Prices", _("Supplier Prices"), "fa-tag"),
        (
            views.PurchaseOrderView,
            "Purchase Orders",
            _("Purchase Orders"),
            "fa-shopping-cart",
        ),
        (views.ReorderRuleView, "Reorder Rules", _("Reorder Rules"), "fa-sliders"),
        (
            views.ReorderSuggestionView,
            "Reorder Suggestions",
            _("Reorder Suggestions"),
            "fa-lightbulb-o",
        ),
        (views.EvaluationView, "Stock Evaluation", _("Stock Evaluation"), "fa-bar-chart"),
    ]
    for view, name, label, icon in entries:
        appbuilder.add_view(
            view,
            name,
            label=label,
            icon=icon,
            category=MENU,
            category_label=_("Inventory"),
            category_icon="fa-archive",
        )


def _stock_value(session: Session) -> dict[str, Any]:
    from core.money import format_money
    from plugins.inventory.services import stock_value

    return {"value": format_money(stock_value(session).total), "link": "/inventory/stock/list/"}


def _parts_without_stock(session: Session) -> dict[str, Any]:
    from plugins.inventory.services import count_parts_without_stock

    return {"value": count_parts_without_stock(session), "link": "/inventory/stock/list/"}


def _parts_below_minimum(session: Session) -> dict[str, Any]:
    from plugins.inventory.services.reorder import count_parts_below_minimum

    return {
        "value": count_parts_below_minimum(session),
        "link": "/inventory/stock/list/?below_minimum=1",
    }


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Stock value at moving-average cost, active parts with nothing available, and parts
    below the minimum of a reorder rule."""
    return [
        DashboardWidget(
            "inventory_parts_below_minimum",
            _("Parts below minimum"),
            "count",
            _parts_below_minimum,
            permission=("can_read", STOCK),
            order=72,
        ),
        DashboardWidget(
            "inventory_stock_value",
            _("Stock value"),
            "count",
            _stock_value,
            permission=("can_read", STOCK),
            order=70,
        ),
        DashboardWidget(
            "inventory_parts_without_stock",
            _("Parts with nothing available"),
            "count",
            _parts_without_stock,
            permission=("can_read", STOCK),
            order=71,
        ),
    ]


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Every night: refresh the reorder points and draft purchase orders for what the
    reorder rules suggest (idempotent)."""
    from plugins.inventory.jobs import reorder

    return [
        JobSpec(
            "inventory.reorder",
            reorder,
            description="Draft purchase orders for parts below their reorder point",
            schedule="0 2 * * *",
        )
    ]


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """A central store (with quarantine), a branch store, a van; receipts, a transfer to the
    van, an issue to a work order, a reservation and a defective return."""
    from plugins.inventory.demo import load_demo

    load_demo(session, scale)
