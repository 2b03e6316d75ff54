"""Reserve and release forms on the stock screens; a van's technician must hold the
role that keeps vans (screen, API and service)."""

from decimal import Decimal

import pytest

from core.testing import create_user
from plugins.inventory import services
from plugins.inventory.models import Location, Part, Reservation, Warehouse
from plugins.inventory.services import InventoryError

pytestmark = pytest.mark.plugins("inventory")


@pytest.fixture
def ids(session):
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    part = Part(sku="FLT-10", name="Air filter")
    session.add_all([shelf, part])
    session.flush()
    services.receive(session, part.id, shelf.id, 3, "10.00")
    session.commit()
    return {"part": part.id, "shelf": shelf.id}


def test_storekeeper_reserves_and_releases_with_the_forms(client, login_as, session, ids):
    login_as("Storekeeper")
    form = client.get("/inventory/actions/reserve")
    assert form.status_code == 200 and 'name="reference"' in form.text
    done = client.post(
        "/inventory/actions/reserve",
        data={
            "part_id": ids["part"],
            "location_id": ids["shelf"],
            "quantity": "2",
            "reference": "WO-7",
        },
    )
    assert done.status_code == 302 and "/inventory/reservations/" in done.headers["Location"]
    reservation = session.query(Reservation).one()
    assert services.stock_level(session, ids["part"], ids["shelf"]).reserved == Decimal(2)
    refused = client.post(
        "/inventory/actions/reserve",
        data={
            "part_id": ids["part"],
            "location_id": ids["shelf"],
            "quantity": "2",
            "reference": "WO-8",
        },
    )
    assert refused.status_code == 422 and "only 1 available" in refused.text
    release_form = client.get("/inventory/actions/release").text
    assert f'value="{reservation.id}"' in release_form and "WO-7" in release_form
    released = client.post(
        "/inventory/actions/release", data={"reservation_id": str(reservation.id)}
    )
    assert released.status_code == 302
    session.expire_all()
    assert session.get(Reservation, reservation.id).state == "released"
    assert services.stock_level(session, ids["part"], ids["shelf"]).reserved == 0
    again = client.post("/inventory/actions/release", data={"reservation_id": str(reservation.id)})
    assert again.status_code == 422 and "not active" in again.text


def test_van_technician_must_hold_a_role_that_keeps_vans(app, session):
    clerk = create_user(app, ["Storekeeper"], username="clerk")
    tech = create_user(app, ["Van Keeper"], username="tech")
    van = Warehouse(code="VAN9", name="Van 9", kind="van", technician=clerk)
    with pytest.raises(InventoryError) as refused:
        services.prepare_warehouse(session, van)
    assert refused.value.field == "technician" and "clerk" in refused.value.message
    van.technician = tech
    services.prepare_warehouse(session, van)  # passes
    store = Warehouse(code="CEN", name="Central", kind="central", technician=clerk)
    services.prepare_warehouse(session, store)  # only vans are checked


def test_van_technician_rule_over_the_api_and_the_screen(
    client, api_headers, login_as, app, session
):
    clerk = create_user(app, ["Storekeeper"], username="clerk")
    tech = create_user(app, ["Van Keeper"], username="tech")
    headers = api_headers("Storekeeper")
    body = {"code": "VAN9", "name": "Van 9", "kind": "van", "technician": clerk.id}
    refused = client.post("/api/v1/inventory_warehouse/", json=body, headers=headers)
    assert (refused.status_code, refused.json["field"]) == (422, "technician")
    assert "may keep a van" in refused.json["message"]
    assert session.query(Warehouse).count() == 0
    created = client.post(
        "/api/v1/inventory_warehouse/", json={**body, "technician": tech.id}, headers=headers
    )
    assert created.status_code == 201, created.text
    login_as("Storekeeper")
    page = client.post(
        "/inventory/warehouses/add",
        data={"code": "VAN8", "name": "Van 8", "kind": "van", "technician": str(clerk.id)},
        follow_redirects=True,
    )
    assert "may keep a van" in page.text
    assert session.query(Warehouse).filter_by(code="VAN8").count() == 0


def test_a_refused_screen_form_comes_back_filled_in_and_nothing_is_saved(
    client, login_as, app, session
):
    """A service refusal on add or edit shows the form again with what was typed, under the
    flashed rule; the record stays as it was."""
    clerk = create_user(app, ["Storekeeper"], username="clerk")
    login_as("Storekeeper")
    typed = {"code": "VAN8", "name": "Van of Wang Wei", "kind": "van", "technician": str(clerk.id)}
    page = client.post("/inventory/warehouses/add", data=typed)
    assert page.status_code == 200  # the form again, not a redirect away from it
    assert "may keep a van" in page.text
    assert 'value="Van of Wang Wei"' in page.text and 'value="VAN8"' in page.text
    assert session.query(Warehouse).filter_by(code="VAN8").count() == 0
    store = Warehouse(code="CEN", name="Central store", kind="central")
    session.add(store)
    session.commit()
    edited = client.post(
        f"/inventory/warehouses/edit/{store.id}",
        data={**typed, "code": "CEN", "name": "Central, renamed"},
    )
    assert edited.status_code == 200
    assert "may keep a van" in edited.text and 'value="Central, renamed"' in edited.text
    session.expire_all()
    kept = session.get(Warehouse, store.id)
    assert (kept.name, kept.kind, kept.technician_id) == ("Central store", "central", None)
    fixed = client.post(
        f"/inventory/warehouses/edit/{store.id}",
        data={"code": "CEN", "name": "Central, renamed", "kind": "central"},
    )
    assert fixed.status_code == 302
    session.expire_all()
    assert session.get(Warehouse, store.id).name == "Central, renamed"
