"""Demo data of inventory: a central store (with quarantine), a branch store and a van, with
stock moves, suppliers, purchase orders, reorder rules, a stocktake and a vendor return,
through the services (so they obey the rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

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


def load_demo(session: Session, scale: int) -> None:
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
    from plugins.inventory import services
    from plugins.inventory.services import warranty

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
    from plugins.inventory.services import purchasing, reorder, stocktake, suppliers

    printing = suppliers.create_supplier(
        session,
        name=f"上海印通办公设备有限公司 Yintong Office Supplies{tag}",
        tax_id="91310115MA1K3YJ20X",
        contact_name="王磊",
        phone="021-5888 1234",
        lead_time_days=5,
    )
    hvac = suppliers.create_supplier(
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
        suppliers.set_supplier_price(
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
