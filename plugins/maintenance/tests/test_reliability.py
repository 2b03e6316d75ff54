"""Reliability (failures, MTBF, MTTR per unit and product) and the parts maintenance expects
to use (inventory's ``inventory_expected_demand`` hook)."""

import datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from core.extensions import db
from plugins.maintenance import services as ms
from plugins.maintenance.services import demand, reliability
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    open_order,
    plan_inspection,
    printer_plan,
    refused,
    sh,
    sign_in,
)

pytestmark = ON_WORLD_DAY

D = datetime.date
OCTOBER = (D(2026, 10, 1), D(2026, 10, 31))  # 744 hours
AFTER = sh(2026, 11, 27, 12, 0)
DONE = {"cause": "Worn", "actions": "Replaced", "labour_minutes": 30}


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def failure(session, world, unit, opened, resolved, *, finish=True):
    """A corrective order opened at ``opened`` and completed at ``resolved``."""
    order = open_order(session, unit, opened, priority="P2")
    ms.assign(session, order, world.techs[0].id, scheduled_start=opened, now=opened)
    ms.start(session, order, now=opened)
    if finish:
        ms.complete(session, order, now=resolved, **DONE)
    return order


def october_failures(session, world):
    """Two finished repairs of SN-1 in October (4 h and 2 h), plus orders that do not count."""
    failure(session, world, world.unit, sh(2026, 10, 2, 9), sh(2026, 10, 2, 13))
    failure(session, world, world.unit, sh(2026, 10, 10, 9), sh(2026, 10, 10, 11))
    failure(session, world, world.unit, sh(2026, 10, 20, 9), None, finish=False)  # open
    cancelled = open_order(session, world.unit, sh(2026, 10, 21, 9))
    ms.cancel(session, cancelled, "duplicate", now=sh(2026, 10, 21, 10))
    failure(session, world, world.unit, sh(2026, 9, 30, 9), sh(2026, 9, 30, 10))  # before
    session.commit()


@pytest.mark.plugins(*PLUGINS)
def test_mtbf_and_mttr_per_unit_and_per_product(session, world):
    october_failures(session, world)
    units = {u.label: u for u in reliability.unit_figures(session, *OCTOBER, now=AFTER)}
    unit, bare = units["SN-1"], units["SN-1-BARE"]
    assert (unit.failures, unit.repair_hours, unit.operating_hours) == (2, 6, 738)
    assert (unit.mtbf_hours, unit.mttr_hours) == (Decimal("369.0"), Decimal("3.0"))
    assert (bare.failures, bare.operating_hours, bare.mtbf_hours, bare.mttr_hours) == (
        0,
        744,
        None,
        None,
    )
    assert list(units) == ["SN-1", "SN-1-BARE"]  # most failures first
    (product,) = reliability.product_figures(session, *OCTOBER, now=AFTER)
    assert (product.key, product.units, product.failures) == (world.product.id, 2, 2)
    assert product.mtbf_hours == Decimal("741.0")  # (738 + 744) / 2
    assert product.mttr_hours == Decimal("3.0")
    assert product.failure_rate == Decimal(2) / Decimal(1482)


@pytest.mark.plugins(*PLUGINS)
def test_a_unit_installed_in_the_period_counts_from_its_installation(session, world):
    world.bare.installed_on = D(2026, 10, 31)
    session.commit()
    units = {u.label: u for u in reliability.unit_figures(session, *OCTOBER, now=AFTER)}
    assert units["SN-1-BARE"].operating_hours == 24
    world.bare.installed_on = D(2026, 11, 5)
    session.commit()
    labels = [u.label for u in reliability.unit_figures(session, *OCTOBER, now=AFTER)]
    assert "SN-1-BARE" not in labels


@pytest.mark.plugins(*PLUGINS)
def test_the_period_is_checked(world):
    today = D(2026, 11, 27)
    assert reliability.parse_period(None, None, today) == (D(2025, 11, 28), today)
    refused(lambda: reliability.parse_period("2026-13-01", None, today), "from")
    refused(lambda: reliability.parse_period("2026-10-31", "2026-10-01", today), "to")


def count_queries(work):
    seen = []

    def before(*args):
        seen.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


@pytest.mark.plugins(*PLUGINS)
def test_figures_cost_the_same_queries_for_2_or_12_units(session, world):
    from plugins.contracts import services as cs

    october_failures(session, world)
    work = lambda: reliability.product_figures(session, *OCTOBER, now=AFTER)  # noqa: E731
    few = count_queries(work)
    for n in range(10):
        cs.create_equipment(
            session,
            product_id=world.product.id,
            customer_id=world.customer.id,
            serial_number=f"X-{n}",
        )
    session.commit()
    assert count_queries(work) == few <= 3  # units, failures (and the company zone)


@pytest.mark.plugins(*PLUGINS)
def test_api_and_screen_show_the_figures_to_dispatchers_only(client, api_headers, session, world):
    october_failures(session, world)
    headers = api_headers("Dispatcher")
    url = "/api/v1/maintenance_reliability"
    products = client.get(f"{url}/products?from=2026-10-01&to=2026-10-31", headers=headers)
    assert products.status_code == 200, products.json
    (row,) = products.json["result"]
    assert (row["failures"], row["mtbf_hours"], row["mttr_hours"]) == (2, "741.0", "3.0")
    units = client.get(
        f"{url}/equipment?from=2026-10-01&to=2026-10-31&product_id={world.product.id}",
        headers=headers,
    ).json["result"]
    assert [(u["label"], u["mtbf_hours"]) for u in units] == [
        ("SN-1", "369.0"),
        ("SN-1-BARE", None),
    ]
    bad = client.get(f"{url}/products?from=2026-10-31&to=2026-10-01", headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "to")
    bad = client.get(f"{url}/equipment?product_id=x", headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "product_id")
    technician = headers_for(client, world.users[0])
    assert client.get(f"{url}/products", headers=technician).status_code == 403
    sign_in(client, world.users[0])
    assert client.get("/maintenance/reliability/").status_code in (302, 403)
    client.get("/logout/")


@pytest.mark.plugins(*PLUGINS)
def test_the_reliability_screen(client, login_as, session, world):
    october_failures(session, world)
    login_as("Service Manager")
    page = client.get("/maintenance/reliability/?from=2026-10-01&to=2026-10-31")
    assert page.status_code == 200
    assert "HP M501" in page.text and "741.0" in page.text and "369.0" in page.text
    assert "SN-1-BARE" in page.text
    bad = client.get("/maintenance/reliability/?from=x", follow_redirects=True)
    assert "is not a date" in bad.text


# --- expected demand --------------------------------------------------------------------------


@pytest.mark.plugins("maintenance")
def test_part_lines_need_inventory(session, world):
    refused(
        lambda: demand.add_product_part(
            session, product_id=world.product.id, part_id=1, location_id=1, quantity="1"
        ),
        "part_id",
        409,
    )
    assert demand.expected_demand(session, D(2026, 11, 1), D(2026, 11, 30)) == []


@pytest.fixture
def stock(app, session, world):
    from plugins.inventory.models import Location, Part, Warehouse

    central = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=central, code="A-01")
    fuser = Part(sku="FUS-220", name="Fuser unit", standard_cost=Decimal("300"))
    kit = Part(sku="KIT-1", name="Cleaning kit", standard_cost=Decimal("20"))
    old = Part(sku="OLD-1", name="Old part", active=False)
    session.add_all([central, shelf, fuser, kit, old])
    session.commit()
    world.fuser, world.kit, world.old, world.shelf = fuser, kit, old, shelf
    return world


def monthly_plan(session):
    return printer_plan(session)


@pytest.mark.plugins("maintenance", "inventory")
def test_part_lines_are_checked(session, stock):
    w = stock
    ok = {"product_id": w.product.id, "location_id": w.shelf.id, "quantity": "1"}
    refused(lambda: demand.add_product_part(session, **{**ok, "part_id": w.old.id}), "part_id")
    refused(lambda: demand.add_product_part(session, **{**ok, "part_id": 999}), "part_id")
    refused(
        lambda: demand.add_product_part(session, **{**ok, "part_id": w.fuser.id, "location_id": 9}),
        "location_id",
    )
    refused(
        lambda: demand.add_product_part(session, **{**ok, "part_id": w.fuser.id, "quantity": "0"}),
        "quantity",
    )
    line = demand.add_product_part(session, **{**ok, "part_id": w.fuser.id, "quantity": "1.5"})
    assert line.quantity == Decimal("1.500")
    refused(
        lambda: demand.add_plan_part(
            session, part_id=w.kit.id, location_id=w.shelf.id, quantity="1"
        ),
        "plan",
    )


@pytest.mark.plugins("maintenance", "inventory")
def test_expected_use_is_failure_rate_times_units_times_horizon_plus_inspections(session, stock):
    w = stock
    october_failures(session, w)
    demand.add_product_part(
        session, product_id=w.product.id, part_id=w.fuser.id, location_id=w.shelf.id, quantity="1"
    )
    plan = monthly_plan(session)
    demand.add_plan_part(
        session, plan_id=plan.id, part_id=w.kit.id, location_id=w.shelf.id, quantity="2"
    )
    session.commit()
    november = (D(2026, 11, 1), D(2026, 11, 30))
    # Lookback 2025-11-01..2026-10-31: 2 units x 8760 h less 7 h of repairs, 3 failures
    # (30 September too); 2 units x 3/17513 per hour x 720 hours x 1 = 0.2467 -> 0.247.
    # One inspection (1 November) x 2 kits.
    assert demand.expected_demand(session, *november) == [
        (w.fuser.id, w.shelf.id, Decimal("0.247")),
        (w.kit.id, w.shelf.id, Decimal("2.000")),
    ]
    done = plan_inspection(session, w.unit, plan, D(2026, 11, 1), checklist=False)
    ms.cancel(session, done, "customer closed that day")
    session.commit()
    assert demand.planned_inspections(session, plan, *november) == 0
    from plugins.inventory.services import expected_demand

    asked = expected_demand(session, *november)
    assert asked[(w.fuser.id, w.shelf.id)] == Decimal("0.247")
    assert (w.kit.id, w.shelf.id) not in asked


@pytest.mark.plugins("maintenance", "inventory")
def test_api_keeps_part_lines(client, api_headers, session, stock):
    w = stock
    headers = api_headers("Service Manager")
    made = client.post(
        "/api/v1/maintenance_product_part/",
        json={
            "product": w.product.id,
            "part_id": w.fuser.id,
            "location_id": w.shelf.id,
            "quantity": "1",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.json
    bad = client.post(
        "/api/v1/maintenance_plan_part/",
        json={
            "plan": monthly_plan(session).id,
            "part_id": w.old.id,
            "location_id": w.shelf.id,
            "quantity": "1",
        },
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "part_id")
