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
    from plugins.inventory import api, api_purchasing, api_stocktake

    for view in (
        api.PartApi,
        api.WarehouseApi,
        api.LocationApi,
        api.QuantApi,
        api.MoveApi,
        api.ReservationApi,
        api.VendorReturnApi,
        api.StockActionApi,
        api_purchasing.SupplierApi,
        api_purchasing.SupplierPriceApi,
        api_purchasing.PurchaseOrderApi,
        api_purchasing.ReorderRuleApi,
        api_purchasing.ReorderApi,
        api_purchasing.EvaluationApi,
        api_stocktake.StocktakeApi,
    ):
        appbuilder.add_api(view)


@hookimpl
def aftersales_permission_sets() -> list[PermissionSet]:
    """``inventory.stock_read`` (parts and stock on hand, for the roles of dependants such as
    maintenance's technicians), ``inventory.storekeeping`` (run the stores: receive POs,
    count stock) and ``inventory.purchasing`` (suppliers, POs, reorder planning)."""
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
    ]


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Storekeeper runs the stores, Purchaser buys, Inventory Manager does both and approves
    stocktakes, Inventory Read-only looks up parts and stock."""
    return [
        RoleSpec("Inventory Read-only", includes=["inventory.stock_read"]),
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
    from plugins.inventory import views, views_planning, views_purchasing, views_stocktake

    entries = [
        (views.PartView, "Parts", _("Parts"), "fa-cog"),
        (views.WarehouseView, "Warehouses", _("Warehouses"), "fa-building"),
        (views.LocationView, "Locations", _("Locations"), "fa-map-marker"),
        (views.StockOnHandView, "Stock on Hand", _("Stock on Hand"), "fa-cubes"),
        (views.MoveView, "Stock Moves", _("Stock Moves"), "fa-exchange"),
        (views.ReservationView, "Reservations", _("Reservations"), "fa-bookmark"),
        (views.DefectivePartsView, "Defective Parts", _("Defective Parts"), "fa-medkit"),
        (views.StockActionView, "Stock Actions", _("Stock Actions"), "fa-pencil-square-o"),
        (views_stocktake.StocktakeView, "Stocktakes", _("Stocktakes"), "fa-check-square-o"),
        (views_purchasing.SupplierView, "Suppliers", _("Suppliers"), "fa-truck"),
        (views_purchasing.SupplierPriceView, "Supplier Prices", _("Supplier Prices"), "fa-tag"),
        (
            views_purchasing.PurchaseOrderView,
            "Purchase Orders",
            _("Purchase Orders"),
            "fa-shopping-cart",
        ),
        (views_planning.ReorderRuleView, "Reorder Rules", _("Reorder Rules"), "fa-sliders"),
        (
            views_planning.ReorderSuggestionView,
            "Reorder Suggestions",
            _("Reorder Suggestions"),
            "fa-lightbulb-o",
        ),
        (views_planning.EvaluationView, "Stock Evaluation", _("Stock Evaluation"), "fa-bar-chart"),
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
    from plugins.inventory.reorder import count_parts_below_minimum

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


DEMO_PARTS = [
    # sku, name, unit, standard cost, sale price
    ("FUS-220", "Fuser unit 220V (LJ-M507)", "pcs", "310.00", "520.00"),
    ("BELT-TR", "Transfer belt", "pcs", "180.00", "300.00"),
    ("FLT-AIR", "Air filter G4 595x595", "pcs", "35.00", "68.00"),
    ("CMP-R32", "Scroll compressor R32 3HP", "pcs", "2150.00", "3400.00"),
    ("REF-R32", "Refrigerant R32", "kg", "48.00", "95.00"),
    ("ROPE-8", "Elevator hoist rope 8 mm", "m", "22.50", "45.00"),
    ("PRB-C5", "Ultrasound probe cable C5-1", "pcs", "1280.00", "2100.00"),
]


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """A central store (with quarantine), a branch store, a van; receipts, a transfer to the
    van, an issue to a work order, a reservation and a defective return."""
    from sqlalchemy import func, select

    from plugins.inventory import services
    from plugins.inventory.models import BRANCH, QUARANTINE, VAN, Location, Part, Warehouse

    run = (session.scalar(select(func.count()).select_from(Warehouse)) or 0) // 3 + 1
    tag = "" if run == 1 else f"-{run}"
    central = Warehouse(code=f"CEN{tag}", name="上海中心仓 Central store")
    branch = Warehouse(code=f"HZ{tag}", name="杭州分仓 Hangzhou branch", kind=BRANCH)
    van = Warehouse(code=f"VAN01{tag}", name="服务车 沪A·D1234 Van", kind=VAN)
    shelf = Location(warehouse=central, code="A-01")
    quarantine = Location(warehouse=central, code="QUAR", kind=QUARANTINE)
    branch_bin = Location(warehouse=branch, code="B-01")
    van_bin = Location(warehouse=van, code="VAN")
    session.add_all([central, branch, van, shelf, quarantine, branch_bin, van_bin])
    session.flush()
    parts = []
    for copy in range(scale):
        suffix = tag + ("" if copy == 0 else f"-{copy + 1}")
        for sku, name, unit, cost, price in DEMO_PARTS:
            parts.append(
                services.create_part(
                    session,
                    sku=f"{sku}{suffix}",
                    name=name,
                    unit=unit,
                    standard_cost=cost,
                    sale_price=price,
                )
            )
    for index, part in enumerate(parts):
        services.receive(
            session, part.id, shelf.id, 10 + index % 5, part.standard_cost, reference="PO-DEMO-1"
        )
        if index % 3 == 0:
            services.receive(session, part.id, branch_bin.id, 4, part.standard_cost)
    fuser, belt = parts[0], parts[1]
    services.transfer(session, fuser.id, shelf.id, van_bin.id, 2, reference="VAN restock")
    services.issue(session, fuser.id, van_bin.id, 1, "WO-DEMO-0001", note="paper jam, fuser worn")
    services.return_from_work_order(
        session,
        fuser.id,
        quarantine.id,
        1,
        "WO-DEMO-0001",
        note="removed fuser: defective",
        defective=True,
    )
    services.reserve(session, belt.id, shelf.id, 1, "WO-DEMO-0002")
    session.add(Part(sku=f"DRUM-OLD{tag}", name="Drum unit (discontinued)", active=False))
    suppliers = _demo_purchasing(session, tag, parts, shelf, van_bin)
    _demo_warranty(session, tag, parts[3], shelf, quarantine, suppliers[1])


def _demo_warranty(
    session: Session, tag: str, compressor: Any, shelf: Any, quarantine: Any, supplier: Any
) -> None:
    """A compressor that failed under warranty: issued, returned defective to quarantine and
    sent to its supplier (an open vendor return waiting for the replacement)."""
    from plugins.inventory import services, warranty

    services.issue(session, compressor.id, shelf.id, 1, "WO-DEMO-0003", note="AC unit 3F")
    services.return_from_work_order(
        session,
        compressor.id,
        quarantine.id,
        1,
        "WO-DEMO-0003",
        note="compressor seized after 2 months",
        defective=True,
    )
    warranty.send_to_vendor(
        session, compressor.id, quarantine.id, 1, supplier.id, rma=f"RMA-HZ-2026-118{tag}"
    )


def _demo_purchasing(
    session: Session, tag: str, parts: list[Any], shelf: Any, van: Any
) -> tuple[Any, Any]:
    """Two suppliers with prices, reorder rules, a received, a partially received and a
    draft purchase order, and a stocktake of the van being counted. Returns the suppliers."""
    from plugins.inventory import purchasing, reorder, stocktake

    printing = purchasing.create_supplier(
        session,
        name=f"上海印通办公设备有限公司 Yintong Office Supplies{tag}",
        tax_id="91310115MA1K3YJ20X",
        contact_name="王磊",
        phone="021-5888 1234",
        lead_time_days=5,
    )
    hvac = purchasing.create_supplier(
        session,
        name=f"杭州暖通配件有限公司 Hangzhou HVAC Parts{tag}",
        tax_id="91330106MA2H0K8X5Q",
        contact_name="李娜",
        lead_time_days=10,
    )
    fuser, belt, air_filter, compressor = parts[0], parts[1], parts[2], parts[3]
    for part, supplier in (
        (fuser, printing),
        (belt, printing),
        (air_filter, hvac),
        (compressor, hvac),
    ):
        part.preferred_supplier_id = supplier.id
        purchasing.set_supplier_price(
            session,
            supplier.id,
            part.id,
            (part.standard_cost * 95 / 100).quantize(part.standard_cost),
        )
    reorder.create_rule(
        session, part_id=fuser.id, location_id=shelf.id, min_quantity=14, max_quantity=20
    )
    reorder.create_rule(
        session,
        part_id=air_filter.id,
        location_id=shelf.id,
        method="demand",
        safety_stock=4,
        max_quantity=30,
        usage_days=30,
    )
    done = purchasing.create_order(
        session, printing.id, lines=[{"part_id": belt.id, "quantity": 2, "location_id": shelf.id}]
    )
    purchasing.place_order(session, done)
    purchasing.receive_order(session, done)
    partial = purchasing.create_order(
        session,
        hvac.id,
        note="季度滤网补货 quarterly filter restock",
        lines=[
            {"part_id": air_filter.id, "quantity": 40, "location_id": shelf.id},
            {
                "part_id": compressor.id,
                "quantity": 1,
                "location_id": shelf.id,
                "unit_price": "2080.00",
            },
        ],
    )
    purchasing.place_order(session, partial)
    purchasing.receive_line(session, partial.lines[0].id, 25, note="first delivery")
    purchasing.create_order(
        session, printing.id, lines=[{"part_id": fuser.id, "quantity": 4, "location_id": shelf.id}]
    )
    count = stocktake.create_stocktake(session, van.id, note="月度盘点 monthly van count")
    stocktake.start_counting(session, count)
    stocktake.enter_counts(session, count, {fuser.id: 0})
    return printing, hvac
