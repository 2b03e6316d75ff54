"""Suppliers and purchase orders: numbering, lifecycle, receipts at the PO price with the PO
number as reference, never more than outstanding (unless a tolerance allows it), cancelling,
the screens and the API, and parallel receipts of one line on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest

from core.testing import run_in_threads
from plugins.inventory import services
from plugins.inventory.models import Location, Part, PurchaseOrder, StockMove, Warehouse
from plugins.inventory.services import InventoryError, purchasing, suppliers

pytestmark = pytest.mark.plugins("inventory")
D = Decimal
PO = "/api/v1/inventory_purchase_order"


@pytest.fixture
def shop(session):
    """A supplier, two parts and a shelf (ids)."""
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    fuser = Part(sku="FUS-220", name="Fuser unit", standard_cost=D("300.00"))
    belt = Part(sku="BELT-TR", name="Transfer belt", standard_cost=D("180.00"))
    session.add_all([shelf, fuser, belt])
    session.flush()
    supplier = suppliers.create_supplier(session, name="Yintong", lead_time_days=5)
    session.commit()
    return type(
        "Shop", (), {"supplier": supplier.id, "fuser": fuser.id, "belt": belt.id, "shelf": shelf.id}
    )


def ordered(session, shop, quantity=10, price="100.00", place=True):
    order = purchasing.create_order(
        session,
        shop.supplier,
        lines=[
            {
                "part_id": shop.fuser,
                "quantity": quantity,
                "location_id": shop.shelf,
                "unit_price": price,
            }
        ],
    )
    if place:
        purchasing.place_order(session, order)
    session.commit()
    return order


def test_orders_are_numbered_from_the_sequence_and_drafts_take_the_supplier_price(session, shop):
    suppliers.set_supplier_price(session, shop.supplier, shop.belt, "170.00")
    first = purchasing.create_order(session, shop.supplier)
    line = purchasing.add_line(session, first, shop.belt, 2, shop.shelf)
    second = purchasing.create_order(session, shop.supplier)
    other = purchasing.add_line(session, second, shop.fuser, 1, shop.shelf)
    session.commit()
    year = datetime.date.today().year
    assert first.number.startswith(f"PO-{year}-") and first.number < second.number
    assert (first.state, line.unit_price, other.unit_price) == ("draft", D("170.00"), D("300.00"))


def test_placing_sets_the_expected_date_from_the_lead_time_and_needs_lines(session, shop):
    empty = purchasing.create_order(session, shop.supplier)
    with pytest.raises(InventoryError) as refused:
        purchasing.place_order(session, empty)
    assert refused.value.field == "lines"
    order = ordered(session, shop)
    assert order.state == "ordered"
    assert order.expected_date == purchasing.company_today() + datetime.timedelta(days=5)
    with pytest.raises(InventoryError) as again:
        purchasing.add_line(session, order, shop.belt, 1, shop.shelf)
    assert (again.value.field, again.value.status) == ("state", 409)


def test_partial_then_full_receipt_posts_moves_at_the_po_price_with_its_number(session, shop):
    services.receive(session, shop.fuser, shop.shelf, 10, "80.00")
    order = ordered(session, shop, quantity=10, price="110.00")
    line = order.lines[0]
    move = purchasing.receive_line(session, line.id, 4)
    session.commit()
    assert (move.reason, move.reference, move.unit_cost) == ("receipt", order.number, D("110"))
    assert order.state == "partial"
    part = session.get(Part, shop.fuser)
    assert part.average_cost == D("88.5714")  # (10*80 + 4*110) / 14
    purchasing.receive_order(session, order)  # the rest: 6
    session.commit()
    assert order.state == "received" and line.received == D("10")
    assert services.stock_level(session, shop.fuser, shop.shelf).on_hand == D("20")
    assert services.verify_ledger(session) == []


def test_receiving_more_than_outstanding_is_refused_and_changes_nothing(session, shop):
    order = ordered(session, shop, quantity=5)
    purchasing.receive_line(session, order.lines[0].id, 3)
    session.commit()
    with pytest.raises(InventoryError) as refused:
        purchasing.receive_line(session, order.lines[0].id, 3)
    session.rollback()
    assert (refused.value.field, refused.value.status) == ("quantity", 409)
    assert "at most 2 more" in refused.value.message
    assert session.query(StockMove).count() == 1
    assert services.stock_level(session, shop.fuser, shop.shelf).on_hand == D("3")


def test_an_over_receipt_tolerance_allows_that_much_more(session, shop):
    order = ordered(session, shop, quantity=10)
    line_id = order.lines[0].id
    purchasing.receive_line(session, line_id, 11, tolerance_percent=D("10"))
    session.commit()
    assert order.state == "received"
    with pytest.raises(InventoryError):
        purchasing.receive_line(session, line_id, D("0.001"), tolerance_percent=D("10"))


def test_over_receipt_setting_is_read_from_the_config(make_app):
    app = make_app(plugins=["inventory"], config={"INVENTORY_OVER_RECEIPT_PERCENT": 5})
    with app.app_context():
        assert purchasing.over_receipt_percent() == D("5")


def test_a_draft_cannot_be_received(session, shop):
    order = ordered(session, shop, place=False)
    with pytest.raises(InventoryError) as refused:
        purchasing.receive_line(session, order.lines[0].id, 1)
    assert refused.value.field == "state"


def test_cancelling_an_ordered_po_with_nothing_received(session, shop):
    order = ordered(session, shop)
    purchasing.cancel_order(session, order)
    session.commit()
    assert order.state == "cancelled"
    with pytest.raises(InventoryError):
        purchasing.receive_line(session, order.lines[0].id, 1)
    with pytest.raises(InventoryError):
        purchasing.cancel_order(session, order)


def test_cancelling_the_rest_of_a_partially_received_po_closes_it(session, shop):
    order = ordered(session, shop, quantity=10)
    purchasing.receive_line(session, order.lines[0].id, 4)
    purchasing.cancel_order(session, order)
    session.commit()
    line = order.lines[0]
    assert (order.state, line.received, line.cancelled, line.outstanding) == (
        "closed",
        D("4"),
        D("6"),
        D("0"),
    )
    assert purchasing.on_order(session) == {}


def test_open_orders_drafts_included_count_as_on_order(session, shop):
    order = ordered(session, shop, quantity=10)
    purchasing.receive_line(session, order.lines[0].id, 4)
    draft = purchasing.create_order(session, shop.supplier)
    purchasing.add_line(session, draft, shop.fuser, 3, shop.shelf)
    session.commit()
    assert purchasing.on_order(session) == {(shop.fuser, shop.shelf): D("9")}


def test_supplier_rules(session, shop):
    with pytest.raises(InventoryError) as same:
        suppliers.create_supplier(session, name="Yintong")
    assert (same.value.field, same.value.status) == ("name", 409)
    with pytest.raises(InventoryError) as mail:
        suppliers.create_supplier(session, name="B", email="not-mail")
    assert mail.value.field == "email"
    with pytest.raises(InventoryError) as lead:
        suppliers.create_supplier(session, name="C", lead_time_days=-1)
    assert lead.value.field == "lead_time_days"


def test_receipt_of_several_lines_is_all_or_nothing(session, shop):
    order = purchasing.create_order(
        session,
        shop.supplier,
        lines=[
            {"part_id": shop.fuser, "quantity": 2, "location_id": shop.shelf},
            {"part_id": shop.belt, "quantity": 2, "location_id": shop.shelf},
        ],
    )
    purchasing.place_order(session, order)
    session.commit()
    first, second = order.lines
    with pytest.raises(InventoryError):
        purchasing.receive_order(session, order, {first.id: 1, second.id: 5})
    session.rollback()
    assert session.query(StockMove).count() == 0
    assert session.get(PurchaseOrder, order.id).state == "ordered"


# --- API ----------------------------------------------------------------------------------


def test_purchaser_drafts_orders_and_storekeeper_receives_over_the_api(
    client, api_headers, shop, session
):
    purchaser, storekeeper = api_headers("Purchaser"), api_headers("Storekeeper")
    created = client.post(PO + "/", json={"supplier": shop.supplier}, headers=purchaser)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    line = {"part_id": shop.fuser, "quantity": "5", "location_id": shop.shelf}
    added = client.post(f"{PO}/{pk}/lines", json={**line, "unit_price": "99.50"}, headers=purchaser)
    assert added.status_code == 201, added.text
    assert added.json["lines"][0]["unit_price"] == "99.50"
    bad = client.post(f"{PO}/{pk}/lines", json={**line, "quantity": "-1"}, headers=purchaser)
    assert (bad.status_code, bad.json["field"]) == (422, "quantity")
    assert client.post(f"{PO}/{pk}/order", headers=purchaser).json["state"] == "ordered"
    assert client.post(f"{PO}/{pk}/receive", json={}, headers=purchaser).status_code == 403
    line_id = added.json["lines"][0]["id"]
    over = client.post(f"{PO}/{pk}/receive", json={"lines": {str(line_id): 6}}, headers=storekeeper)
    assert (over.status_code, over.json["field"]) == (409, "quantity")
    part = client.post(f"{PO}/{pk}/receive", json={"lines": {str(line_id): 2}}, headers=storekeeper)
    assert part.status_code == 201, part.text
    assert part.json["state"] == "partial"
    assert part.json["moves"][0]["reference"] == part.json["number"]
    rest = client.post(f"{PO}/{pk}/cancel", headers=purchaser)
    assert rest.json["state"] == "closed"
    listed = client.get(PO + "/", headers=storekeeper).json["result"]
    assert [o["state"] for o in listed] == ["closed"]


def test_editing_an_ordered_po_is_refused_with_the_field(client, api_headers, shop, session):
    purchaser = api_headers("Purchaser")
    order = ordered(session, shop)
    answer = client.put(f"{PO}/{order.id}", json={"note": "x"}, headers=purchaser)
    assert (answer.status_code, answer.json["field"]) == (409, "state")


def test_supplier_api_refuses_a_duplicate_name(client, api_headers, shop):
    answer = client.post(
        "/api/v1/inventory_supplier/", json={"name": "Yintong"}, headers=api_headers("Purchaser")
    )
    assert (answer.status_code, answer.json["field"]) == (409, "name")


# --- screens ------------------------------------------------------------------------------


def test_po_page_drafts_orders_and_receives(client, login_as, shop, session):
    login_as("Purchaser", "Storekeeper")
    assert client.get("/inventory/purchase-orders/add").status_code == 200
    added = client.post(
        "/inventory/purchase-orders/add",
        data={"supplier": shop.supplier, "expected_date": "", "note": ""},
    )
    assert added.status_code == 302, added.text
    order = session.query(PurchaseOrder).one()
    page = client.get(added.headers["Location"])
    assert page.status_code == 200 and order.number in page.text
    client.post(
        f"/inventory/purchase-orders/add_line/{order.id}",
        data={"part_id": shop.fuser, "location_id": shop.shelf, "quantity": "4"},
    )
    client.post(f"/inventory/purchase-orders/place/{order.id}", data={})
    session.expire_all()
    line = session.get(PurchaseOrder, order.id).lines[0]
    refused = client.post(
        f"/inventory/purchase-orders/receive/{order.id}",
        data={f"receive-{line.id}": "9"},
        follow_redirects=True,
    )
    assert "at most 4 more" in refused.text
    client.post(
        f"/inventory/purchase-orders/receive/{order.id}",
        data={f"receive-{line.id}": "1"},
    )
    session.expire_all()
    assert session.get(PurchaseOrder, order.id).state == "partial"
    page = client.get(f"/inventory/purchase-orders/show/{order.id}").text
    assert "Partially received" in page and "Cancel the rest" in page


def test_storekeeper_sees_orders_but_cannot_place_them(client, login_as, shop, session):
    order = ordered(session, shop, place=False)
    login_as("Storekeeper")
    page = client.get(f"/inventory/purchase-orders/show/{order.id}")
    assert page.status_code == 200 and "Place order" not in page.text
    client.post(f"/inventory/purchase-orders/place/{order.id}", data={})
    session.expire_all()
    assert session.get(PurchaseOrder, order.id).state == "draft"


# --- concurrency --------------------------------------------------------------------------


def assert_parallel_receipts_never_over_receive(app, session, shop):
    order = ordered(session, shop, quantity=5)
    line_id = order.lines[0].id
    session.commit()
    received, errors = run_in_threads(
        app, 8, lambda s, i: purchasing.receive_line(s, line_id, 2).id
    )
    assert len(received) == 2 and len(errors) == 6, errors
    assert all(isinstance(e, InventoryError) and e.field == "quantity" for e in errors), errors
    session.expire_all()
    assert services.stock_level(session, shop.fuser, shop.shelf).on_hand == D("4")
    assert session.get(PurchaseOrder, order.id).lines[0].received == D("4")
    assert session.get(PurchaseOrder, order.id).state == "partial"
    assert services.verify_ledger(session) == []


@pytest.mark.postgres
def test_eight_parallel_receipts_of_one_line_on_postgresql(app, session, shop):
    assert_parallel_receipts_never_over_receive(app, session, shop)


def test_parallel_receipts_of_one_line_on_any_database(app, session, shop):
    assert_parallel_receipts_never_over_receive(app, session, shop)
