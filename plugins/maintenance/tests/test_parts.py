"""Parts on work orders: reserved and issued through inventory when it is enabled, free-text
lines when it is not; the ``done`` event carries them for billing."""

from decimal import Decimal

import pytest

from core.events import events_published
from plugins.maintenance import events
from plugins.maintenance import services as ms
from plugins.maintenance.services.parts import add_part_line, remove_part_line
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    build_world,
    headers_for,
    open_order,
    refused,
    sh,
    sign_in,
)

pytestmark = ON_WORLD_DAY

T0 = sh(2026, 11, 23, 9, 0)
DONE = {"diagnosis_cause": "Fuser worn", "repair_actions": "Replaced fuser", "labour_minutes": 60}


def working_order(session, world):
    order = open_order(session, world.unit, T0)
    ms.assign(session, order, world.techs[0].id, now=sh(2026, 11, 23, 9, 30))
    ms.start(session, order, now=sh(2026, 11, 23, 10, 0))
    return order


# --- with inventory ---------------------------------------------------------------------------


@pytest.fixture
def stock(app, session):
    from plugins.inventory import services as inv
    from plugins.inventory.models import Location, Part, Warehouse

    central = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=central, code="A-01")
    fuser = Part(
        sku="FUS-220", name="Fuser unit", standard_cost=Decimal("300"), sale_price=Decimal("480")
    )
    roller = Part(sku="ROL-1", name="Pick-up roller", sale_price=Decimal("35"))
    session.add_all([central, shelf, fuser, roller])
    session.flush()
    inv.receive(session, fuser.id, shelf.id, 5, "300.00")
    inv.receive(session, roller.id, shelf.id, 2, "20.00")
    world = build_world(app, session)
    session.commit()
    world.fuser, world.roller, world.shelf = fuser, roller, shelf
    return world


def level(session, part, shelf):
    from plugins.inventory.services import stock_level

    return stock_level(session, part.id, shelf.id)


def moves(session):
    from plugins.inventory.models import StockMove

    return session.query(StockMove).count()


@pytest.mark.plugins("maintenance", "inventory")
def test_a_planned_part_is_reserved_for_the_order(session, stock):
    order = working_order(session, stock)
    line = add_part_line(
        session, order, quantity="2", part_id=stock.fuser.id, location_id=stock.shelf.id
    )
    assert (line.state, line.description) == ("reserved", "FUS-220 Fuser unit")
    assert level(session, stock.fuser, stock.shelf).reserved == Decimal("2")


@pytest.mark.plugins("maintenance", "inventory")
def test_planning_more_than_is_available_is_refused_and_nothing_is_reserved(session, stock):
    order = working_order(session, stock)
    session.commit()
    message = refused(
        lambda: add_part_line(
            session, order, quantity=9, part_id=stock.fuser.id, location_id=stock.shelf.id
        ),
        "quantity",
        409,
    )
    assert "FUS-220" in message and "only 5" in message
    session.rollback()
    assert order.part_lines == [] and level(session, stock.fuser, stock.shelf).reserved == 0
    refused(
        lambda: add_part_line(session, order, quantity=1, location_id=stock.shelf.id), "part_id"
    )
    refused(
        lambda: add_part_line(
            session, order, quantity=1.5, part_id=stock.fuser.id, location_id=stock.shelf.id
        ),
        "quantity",
    )


@pytest.mark.plugins("maintenance", "inventory")
def test_one_line_per_part_and_location(session, stock):
    order = working_order(session, stock)
    add_part_line(session, order, quantity=1, part_id=stock.fuser.id, location_id=stock.shelf.id)
    refused(
        lambda: add_part_line(
            session, order, quantity=1, part_id=stock.fuser.id, location_id=stock.shelf.id
        ),
        "part_id",
        409,
    )


@pytest.mark.plugins("maintenance", "inventory")
def test_completing_issues_the_reserved_parts_and_the_done_event_carries_cost_and_price(
    session, stock
):
    order = working_order(session, stock)
    add_part_line(session, order, quantity=1, part_id=stock.fuser.id, location_id=stock.shelf.id)
    add_part_line(session, order, quantity=2, part_id=stock.roller.id, location_id=stock.shelf.id)
    with events_published(events.WorkOrderDone) as seen:
        ms.run_action(session, order, "complete", DONE, now=sh(2026, 11, 23, 12, 0))
    session.commit()
    assert [line.state for line in order.part_lines] == ["issued", "issued"]
    fuser = level(session, stock.fuser, stock.shelf)
    assert (fuser.on_hand, fuser.reserved) == (Decimal("4"), Decimal("0"))
    parts = seen[0].parts
    assert [(p.description, p.quantity, p.unit_cost, p.unit_price) for p in parts] == [
        ("FUS-220 Fuser unit", Decimal("1.000"), Decimal("300.0000"), Decimal("480.00")),
        ("ROL-1 Pick-up roller", Decimal("2.000"), Decimal("20.0000"), Decimal("35.00")),
    ]
    assert (seen[0].labour_minutes, seen[0].chargeable) == (60, False)


@pytest.mark.plugins("maintenance", "inventory")
def test_a_failed_issue_refuses_completion_and_changes_nothing(client, api_headers, session, stock):
    from plugins.inventory import services as inv

    order = working_order(session, stock)
    add_part_line(session, order, quantity=1, part_id=stock.fuser.id, location_id=stock.shelf.id)
    roller = add_part_line(
        session, order, quantity=2, part_id=stock.roller.id, location_id=stock.shelf.id
    )
    session.commit()
    # The store released the rollers and used them on another job meanwhile.
    inv.release(session, roller.reservation_id)
    inv.issue(session, stock.roller.id, stock.shelf.id, 2, "WO-OTHER")
    session.commit()
    before = moves(session)
    answer = client.post(
        f"/api/v1/work_order/{order.id}/complete",
        json=DONE,
        headers=headers_for(client, stock.users[0]),
    )
    assert answer.status_code == 409, answer.json
    assert answer.json["field"] == "quantity" and "ROL-1" in answer.json["message"]
    session.expire_all()
    assert order.state == "in_progress" and order.resolved_at is None
    assert [line.state for line in order.part_lines] == ["reserved", "reserved"]
    fuser = level(session, stock.fuser, stock.shelf)
    assert (fuser.on_hand, fuser.reserved) == (Decimal("5"), Decimal("1"))
    assert moves(session) == before


@pytest.mark.plugins("maintenance", "inventory")
def test_cancelling_or_removing_a_line_gives_the_stock_back(session, stock):
    order = working_order(session, stock)
    line = add_part_line(
        session, order, quantity=2, part_id=stock.fuser.id, location_id=stock.shelf.id
    )
    remove_part_line(session, order, line.id)
    assert level(session, stock.fuser, stock.shelf).reserved == 0 and order.part_lines == []
    add_part_line(session, order, quantity=3, part_id=stock.fuser.id, location_id=stock.shelf.id)
    ms.cancel(session, order, "Customer bought a new printer")
    assert level(session, stock.fuser, stock.shelf).reserved == 0
    assert order.part_lines[0].state == "released"
    refused(
        lambda: add_part_line(
            session, order, quantity=1, part_id=stock.fuser.id, location_id=stock.shelf.id
        ),
        "state",
        409,
    )


@pytest.mark.plugins("maintenance", "inventory")
def test_api_plans_a_part_and_refuses_a_missing_location(client, api_headers, session, stock):
    order = working_order(session, stock)
    session.commit()
    headers = headers_for(client, stock.users[0])
    made = client.post(
        f"/api/v1/work_order/{order.id}/parts",
        json={"part_id": stock.fuser.id, "location_id": stock.shelf.id, "quantity": "1"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json["state"] == "reserved"
    bad = client.post(
        f"/api/v1/work_order/{order.id}/parts",
        json={"part_id": stock.roller.id, "quantity": "1"},
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "location_id")
    gone = client.delete(f"/api/v1/work_order/{order.id}/parts/{made.json['id']}", headers=headers)
    assert gone.status_code == 200
    assert level(session, stock.fuser, stock.shelf).reserved == 0


# --- without inventory ------------------------------------------------------------------------


@pytest.mark.plugins("maintenance")
def test_without_inventory_parts_are_free_text_lines(app, session):
    world = build_world(app, session)
    order = working_order(session, world)
    refused(lambda: add_part_line(session, order, quantity=1), "description")
    add_part_line(session, order, quantity="1", description="Fuser unit, customer's spare")
    with events_published(events.WorkOrderDone) as seen:
        ms.run_action(session, order, "complete", DONE, now=sh(2026, 11, 23, 12, 0))
    line = seen[0].parts[0]
    assert (line.description, line.quantity, line.unit_cost, line.part_id) == (
        "Fuser unit, customer's spare",
        Decimal("1.000"),
        None,
        None,
    )
    assert order.part_lines[0].state == "recorded"


@pytest.mark.plugins("maintenance")
def test_without_inventory_the_api_records_a_free_text_line(app, client, api_headers, session):
    world = build_world(app, session)
    order = working_order(session, world)
    session.commit()
    made = client.post(
        f"/api/v1/work_order/{order.id}/parts",
        json={"description": "Belt", "quantity": "2.5"},
        headers=headers_for(client, world.users[0]),
    )
    assert made.status_code == 201 and made.json["state"] == "recorded"
    assert made.json["quantity"] == "2.500"


@pytest.mark.plugins("maintenance")
def test_the_part_form_asks_for_a_description_without_inventory(app, client, login_as, session):
    world = build_world(app, session)
    order = working_order(session, world)
    session.commit()
    sign_in(client, world.users[0])
    page = client.get(f"/maintenance/work-orders/parts/{order.id}").text
    assert 'name="description"' in page and 'name="part_id"' not in page
    client.post(
        f"/maintenance/work-orders/parts/{order.id}", data={"description": "Belt", "quantity": "1"}
    )
    session.expire_all()
    assert [p.description for p in order.part_lines] == ["Belt"]


@pytest.mark.plugins("maintenance", "inventory")
def test_with_inventory_an_order_without_parts_runs_its_whole_lifecycle(session, stock):
    order = working_order(session, stock)
    with events_published(events.WorkOrderClosed) as seen:
        ms.run_action(session, order, "complete", DONE, now=sh(2026, 11, 23, 12, 0))
        ms.confirm(session, order, "Wang Lei")
        ms.close(session, order)
    assert order.state == "closed" and seen[0].work_order_id == order.id


@pytest.mark.plugins("maintenance", "inventory")
def test_the_technician_role_merges_the_grants_of_inventory_and_maintenance(app):
    role = app.appbuilder.sm.find_role("Technician")
    grants = {(p.permission.name, p.view_menu.name) for p in role.permissions}
    assert ("can_read", "inventory_part") in grants
    assert ("can_write", "maintenance_work_order") in grants
    assert ("can_dispatch", "maintenance_work_order") not in grants
