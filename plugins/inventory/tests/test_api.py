"""Inventory over REST: records, stock actions, refusals with message and field, roles."""

from decimal import Decimal

import pytest

from core.testing import count_statements
from plugins.inventory import services
from plugins.inventory.models import QUARANTINE, Location, Part, StockMove, Warehouse

pytestmark = pytest.mark.plugins("inventory")

STOCK = "/api/v1/inventory_stock"


@pytest.fixture
def ids(session):
    central = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=central, code="A-01")
    quarantine = Location(warehouse=central, code="QUAR", kind=QUARANTINE)
    van = Location(warehouse=Warehouse(code="VAN1", name="Van 1", kind="van"), code="VAN")
    part = Part(sku="FLT-10", name="Air filter", sale_price=Decimal("35.00"))
    session.add_all([central, shelf, quarantine, van, part])
    session.commit()
    return {"part": part.id, "shelf": shelf.id, "quarantine": quarantine.id, "van": van.id}


@pytest.fixture
def storekeeper(api_headers):
    return api_headers("Storekeeper")


def post(client, action, headers, **body):
    return client.post(f"{STOCK}/{action}", json=body, headers=headers)


def test_storekeeper_receives_issues_and_the_ledger_shows_both(client, storekeeper, ids):
    received = post(
        client,
        "receive",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity="4",
        unit_cost="20.00",
        reference="PO-7",
    )
    assert received.status_code == 201, received.text
    assert (received.json["quantity"], received.json["unit_cost"]) == ("4.000", "20.0000")
    issued = post(
        client,
        "issue",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=3,
        reference="WO-1",
    )
    assert issued.status_code == 201, issued.text
    assert issued.json["sale_price"] == "35.00"
    moves = client.get("/api/v1/inventory_move/", headers=storekeeper)
    assert moves.status_code == 200, moves.text
    assert [m["reason"] for m in moves.json["result"]] == ["issue", "receipt"]
    quants = client.get("/api/v1/inventory_quant/", headers=storekeeper).json["result"]
    assert [(q["part"]["sku"], q["location"]["code"], q["on_hand"]) for q in quants] == [
        ("FLT-10", "A-01", "1.000")
    ]
    value = client.get(f"{STOCK}/value", headers=storekeeper).json
    assert value["total"] == "20.00"


def test_issue_beyond_available_answers_409_naming_quantity_and_changes_nothing(
    client, storekeeper, ids, session
):
    post(
        client,
        "receive",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=1,
        unit_cost="20.00",
    )
    refused = post(
        client,
        "issue",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=2,
        reference="WO-1",
    )
    assert refused.status_code == 409
    assert refused.json["field"] == "quantity"
    assert "only 1 available" in refused.json["message"]
    assert session.query(StockMove).count() == 1
    assert services.stock_level(session, ids["part"], ids["shelf"]).on_hand == Decimal(1)


@pytest.mark.parametrize(
    ("action", "body", "status", "field"),
    [
        ("receive", {"location_id": 1, "quantity": 1, "unit_cost": "1.00"}, 422, "part_id"),
        (
            "receive",
            {"part_id": 1, "location_id": 1, "quantity": "-2", "unit_cost": "1"},
            422,
            "quantity",
        ),
        (
            "receive",
            {"part_id": 1, "location_id": 1, "quantity": 1, "unit_cost": "1.234"},
            422,
            "unit_cost",
        ),
        (
            "issue",
            {"part_id": 1, "location_id": 999, "quantity": 1, "reference": "W"},
            404,
            "location_id",
        ),
        ("scrap", {"part_id": 1, "location_id": 1, "quantity": 1}, 422, "note"),
        ("reverse", {"move_id": 999}, 404, "move_id"),
        ("release", {"reservation_id": 999}, 404, "reservation_id"),
    ],
)
def test_bad_actions_answer_4xx_with_message_and_field(
    client, storekeeper, ids, action, body, status, field
):
    answer = post(client, action, storekeeper, **body)
    assert (answer.status_code, answer.json["field"]) == (status, field), answer.text
    assert answer.json["message"]


def test_return_to_quarantine_then_reverse_and_reserve_release(client, storekeeper, ids, session):
    returned = post(
        client,
        "return",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["quarantine"],
        quantity=1,
        reference="WO-3",
    )
    assert returned.status_code == 201, returned.text
    reversed_ = post(client, "reverse", storekeeper, move_id=returned.json["id"], note="mistake")
    assert (reversed_.status_code, reversed_.json["reversal_of_id"]) == (201, returned.json["id"])
    again = post(client, "reverse", storekeeper, move_id=returned.json["id"])
    assert (again.status_code, again.json["field"]) == (409, "move_id")
    post(
        client,
        "receive",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=2,
        unit_cost="5.00",
    )
    held = post(
        client,
        "reserve",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=2,
        reference="WO-4",
    )
    assert (held.status_code, held.json["state"]) == (201, "active")
    transfer = post(
        client,
        "transfer",
        storekeeper,
        part_id=ids["part"],
        from_location_id=ids["shelf"],
        to_location_id=ids["van"],
        quantity=1,
    )
    assert transfer.status_code == 409
    released = post(client, "release", storekeeper, reservation_id=held.json["id"])
    assert (released.status_code, released.json["state"]) == (200, "released")
    transfer = post(
        client,
        "transfer",
        storekeeper,
        part_id=ids["part"],
        from_location_id=ids["shelf"],
        to_location_id=ids["van"],
        quantity=1,
    )
    assert transfer.status_code == 201
    assert services.verify_ledger(session) == []


def test_moves_cannot_be_edited_or_deleted_through_the_api(client, storekeeper, ids):
    move = post(
        client,
        "receive",
        storekeeper,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=1,
        unit_cost="1.00",
    ).json
    url = f"/api/v1/inventory_move/{move['id']}"
    assert client.put(url, json={"quantity": 5}, headers=storekeeper).status_code == 405
    assert client.delete(url, headers=storekeeper).status_code == 405
    assert client.post("/api/v1/inventory_move/", json={}, headers=storekeeper).status_code == 405


def test_a_used_sku_is_refused_with_409(client, storekeeper, ids):
    body = {"sku": "FLT-10", "name": "Other filter", "standard_cost": "1.00", "sale_price": "2.00"}
    answer = client.post("/api/v1/inventory_part/", json=body, headers=storekeeper)
    assert (answer.status_code, answer.json["field"]) == (409, "sku")
    body["sku"] = "FLT-11"
    created = client.post("/api/v1/inventory_part/", json=body, headers=storekeeper)
    assert created.status_code == 201, created.text


def test_a_part_without_sku_is_refused_naming_the_field_and_nothing_is_saved(
    client, storekeeper, ids, session
):
    answer = client.post("/api/v1/inventory_part/", json={"name": "No SKU"}, headers=storekeeper)
    assert (answer.status_code, answer.json["field"]) == (422, "sku")
    assert answer.json["message"].startswith("sku: ")
    assert session.query(Part).filter_by(name="No SKU").count() == 0


def test_technician_reads_stock_but_cannot_move_it(client, api_headers, ids):
    technician = api_headers("Inventory Read-only")
    assert client.get("/api/v1/inventory_quant/", headers=technician).status_code == 200
    answer = post(
        client,
        "receive",
        technician,
        part_id=ids["part"],
        location_id=ids["shelf"],
        quantity=1,
        unit_cost="1.00",
    )
    assert answer.status_code == 403


def test_purchaser_reads_parts_but_cannot_change_them(client, api_headers, ids):
    purchaser = api_headers("Purchaser")
    assert client.get("/api/v1/inventory_part/", headers=purchaser).status_code == 200
    answer = client.put(
        f"/api/v1/inventory_part/{ids['part']}", json={"name": "x"}, headers=purchaser
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/parts/list/",
        "/inventory/warehouses/list/",
        "/inventory/locations/list/",
        "/inventory/stock/list/",
        "/inventory/moves/list/",
        "/inventory/reservations/list/",
    ],
)
def test_storekeeper_opens_every_inventory_screen(client, login_as, ids, session, url):
    services.receive(session, ids["part"], ids["shelf"], 2, "3.00", reference="PO-1")
    services.reserve(session, ids["part"], ids["shelf"], 1, "WO-1")
    session.commit()
    login_as("Storekeeper")
    page = client.get(url)
    assert page.status_code == 200, page.text
    assert "FLT-10" in page.text or "CEN" in page.text


def test_move_history_screen_has_no_edit_or_delete(client, login_as, ids, session):
    move = services.receive(session, ids["part"], ids["shelf"], 1, "3.00")
    session.commit()
    login_as("Storekeeper")
    assert client.get(f"/inventory/moves/edit/{move.id}").status_code == 404
    assert client.post(f"/inventory/moves/delete/{move.id}").status_code in (404, 405)


def test_dashboard_shows_stock_value_to_the_storekeeper(client, login_as, ids, session):
    services.receive(session, ids["part"], ids["shelf"], 3, "12.50")
    session.commit()
    login_as("Storekeeper")
    home = client.get("/")
    assert home.status_code == 200
    assert "37.50" in home.text


def test_storekeeper_posts_a_receipt_with_the_form_and_an_overissue_is_flashed(
    client, login_as, ids, session
):
    login_as("Storekeeper")
    form = client.get("/inventory/actions/receive")
    assert form.status_code == 200 and "CEN/A-01" in form.text
    done = client.post(
        "/inventory/actions/receive",
        data={
            "part_id": ids["part"],
            "location_id": ids["shelf"],
            "quantity": "2",
            "unit_cost": "7.00",
            "reference": "PO-9",
        },
    )
    assert done.status_code == 302
    assert services.stock_level(session, ids["part"], ids["shelf"]).on_hand == Decimal(2)
    refused = client.post(
        "/inventory/actions/issue",
        data={
            "part_id": ids["part"],
            "location_id": ids["shelf"],
            "quantity": "5",
            "reference": "WO-1",
        },
    )
    assert refused.status_code == 422
    assert "only 2 available" in refused.text
    assert session.query(StockMove).count() == 1


def test_technician_cannot_open_the_stock_action_form(client, login_as, ids):
    login_as("Inventory Read-only")
    assert client.get("/inventory/actions/issue").status_code in (302, 403)
    assert client.get("/inventory/stock/list/").status_code == 200


def test_action_body_must_be_a_json_object(client, storekeeper, ids):
    answer = client.post(f"{STOCK}/issue", data="quantity=1", headers=storekeeper)
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/inventory/moves/list/",
        "/inventory/stock/list/",
        "/inventory/reservations/list/",
        "/api/v1/inventory_move/",
    ],
)
def test_lists_cost_the_same_queries_for_2_or_12_rows(client, login_as, ids, session, url):
    from core.extensions import db

    login_as("Storekeeper")
    services.receive(session, ids["part"], ids["shelf"], 100, "1.00")
    session.commit()

    def add_rows(count):
        # Every row gets its own part, warehouse and location, so a per-row lazy load of any of
        # them would show up as extra queries.
        for i in range(count):
            tag = f"{count}-{i}"
            part = Part(sku=f"P-{url}-{tag}", name="Part")
            shelf = Location(warehouse=Warehouse(code=f"W{tag}", name="Store"), code=f"S{tag}")
            session.add_all([part, shelf])
            session.flush()
            services.receive(session, part.id, shelf.id, 2, "1.00")
            services.transfer(session, part.id, shelf.id, ids["van"], 1)
            services.reserve(session, part.id, shelf.id, 1, f"WO-{tag}")
        session.commit()
        session.expire_all()

    def fetch():
        if url.startswith("/api"):
            headers = client.application.config.get("_inv_headers")
            assert client.get(url, headers=headers).status_code == 200
        else:
            assert client.get(url).status_code == 200

    if url.startswith("/api"):
        from core.testing import create_user

        user = create_user(client.application, ["Storekeeper"])
        token = client.post(
            "/api/v1/security/login",
            json={"username": user.username, "password": "s3cret-pass", "provider": "db"},
        ).json
        client.application.config["_inv_headers"] = {
            "Authorization": f"Bearer {token['access_token']}"
        }
    # The fewest of two fetches: a commit expires the signed-in user, which the first fetch
    # reloads; that is not a per-row cost.
    add_rows(1)
    few = min(count_statements(db.engine, fetch) for _ in range(2))
    add_rows(5)
    many = min(count_statements(db.engine, fetch) for _ in range(2))
    assert many == few


def test_move_history_shows_both_locations_of_a_transfer(client, login_as, ids, session):
    services.receive(session, ids["part"], ids["shelf"], 2, "1.00")
    services.transfer(session, ids["part"], ids["shelf"], ids["van"], 1)
    session.commit()
    login_as("Storekeeper")
    page = client.get("/inventory/moves/list/").text
    assert "A-01" in page and "VAN" in page


def test_openapi_lists_the_inventory_endpoints(client, api_headers):
    spec = client.get("/api/v1/_openapi", headers=api_headers("Admin"))
    assert spec.status_code == 200
    paths = spec.json["paths"]
    assert "/api/v1/inventory_stock/issue" in paths and "/api/v1/inventory_move/" in paths
    assert "put" not in paths.get("/api/v1/inventory_move/{pk}", {})


def test_storekeeper_creates_a_van_and_an_unknown_kind_is_refused(client, storekeeper, login_as):
    bad = client.post(
        "/api/v1/inventory_warehouse/",
        json={"code": "VAN9", "name": "Van 9", "kind": "truck"},
        headers=storekeeper,
    )
    # Flask-AppBuilder's own input check answers in the shape of every other refusal.
    assert bad.status_code == 422 and bad.json["field"] == "kind"
    assert bad.json["message"].startswith("kind: ")
    van = client.post(
        "/api/v1/inventory_warehouse/",
        json={"code": "VAN9", "name": "Van 9", "kind": "van"},
        headers=storekeeper,
    )
    assert van.status_code == 201, van.text
    location = client.post(
        "/api/v1/inventory_location/",
        json={"warehouse": van.json["id"], "code": "VAN", "kind": "normal"},
        headers=storekeeper,
    )
    assert location.status_code == 201, location.text
    login_as("Storekeeper")
    form = client.get("/inventory/warehouses/add")
    assert form.status_code == 200 and 'value="van"' in form.text


def test_part_page_shows_its_stock_and_move_history(client, login_as, ids, session):
    services.receive(session, ids["part"], ids["shelf"], 5, "2.00", reference="PO-TEST-1")
    services.issue(session, ids["part"], ids["shelf"], 2, "WO-TEST-9")
    other = Part(sku="OTHER-1", name="Other")
    session.add(other)
    session.flush()
    services.receive(session, other.id, ids["shelf"], 1, "1.00", reference="PO-OTHER")
    session.commit()
    login_as("Storekeeper")
    html = client.get(f"/inventory/parts/show/{ids['part']}").get_data(as_text=True)
    assert "Stock on Hand" in html and "Stock Moves" in html
    assert "PO-TEST-1" in html and "WO-TEST-9" in html and "CEN/A-01" in html
    assert "PO-OTHER" not in html
