"""Hooks of inventory: the plugin's only contact with AfterSales core.

The entry point ``inventory = "plugins.inventory.plugin"`` targets this module. Views,
APIs and models are imported inside the hooks so that importing this module stays cheap.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.contributions import DashboardWidget, RoleSpec
from core.hooks import hookimpl
from core.security.permissions import read_only, read_write

PART = "inventory_part"
WAREHOUSE = "inventory_warehouse"
LOCATION = "inventory_location"
STOCK = "inventory_stock"
MOVE = "inventory_move"
RESERVATION = "inventory_reservation"
MENU = "Inventory"
MENUS = ["Parts", "Warehouses", "Locations", "Stock on Hand", "Stock Moves", "Reservations"]
# The manifest's label and summary, so that the Modules screen finds them in the catalogs.
MANIFEST_TEXT = (
    _("Inventory"),
    _("Spare parts, warehouses and vans, stock moves, reservations and stock value"),
)


@hookimpl
def aftersales_models() -> list[type]:
    """Parts, warehouses, locations, moves, quants and reservations."""
    from plugins.inventory import models

    return [
        models.Part,
        models.Warehouse,
        models.Location,
        models.StockMove,
        models.StockQuant,
        models.Reservation,
    ]


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """Record APIs (moves, quants and reservations read-only) and the stock actions."""
    from plugins.inventory import api

    for view in (
        api.PartApi,
        api.WarehouseApi,
        api.LocationApi,
        api.QuantApi,
        api.MoveApi,
        api.ReservationApi,
        api.StockActionApi,
    ):
        appbuilder.add_api(view)


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Storekeeper runs the stores; Purchaser and Technician read parts and stock."""
    menus = [("menu_access", MENU), *(("menu_access", name) for name in MENUS)]
    readers = [*read_only(PART), *read_only(STOCK), ("menu_access", MENU)]
    return [
        RoleSpec(
            "Storekeeper",
            [
                *read_write(PART),
                *read_write(WAREHOUSE),
                *read_write(LOCATION),
                *read_write(STOCK),
                *read_only(MOVE),
                *read_only(RESERVATION),
                *menus,
                ("menu_access", "Stock Actions"),
            ],
        ),
        RoleSpec(
            "Purchaser",
            [
                *readers,
                *read_only(MOVE),
                ("menu_access", "Parts"),
                ("menu_access", "Stock on Hand"),
                ("menu_access", "Stock Moves"),
            ],
        ),
        RoleSpec(
            "Technician",
            [*readers, ("menu_access", "Parts"), ("menu_access", "Stock on Hand")],
        ),
    ]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Inventory menu: records, stock on hand, move history, reservations."""
    from plugins.inventory import views

    entries = [
        (views.PartView, "Parts", _("Parts"), "fa-cog"),
        (views.WarehouseView, "Warehouses", _("Warehouses"), "fa-building"),
        (views.LocationView, "Locations", _("Locations"), "fa-map-marker"),
        (views.StockOnHandView, "Stock on Hand", _("Stock on Hand"), "fa-cubes"),
        (views.MoveView, "Stock Moves", _("Stock Moves"), "fa-exchange"),
        (views.ReservationView, "Reservations", _("Reservations"), "fa-bookmark"),
        (views.StockActionView, "Stock Actions", _("Stock Actions"), "fa-pencil-square-o"),
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


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Stock value at moving-average cost, and active parts with nothing available."""
    return [
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
        session, fuser.id, quarantine.id, 1, "WO-DEMO-0001", note="removed fuser: defective"
    )
    services.reserve(session, belt.id, shelf.id, 1, "WO-DEMO-0002")
    session.add(Part(sku=f"DRUM-OLD{tag}", name="Drum unit (discontinued)", active=False))
