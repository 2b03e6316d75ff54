"""Stocktakes: count sheets per location, book snapshot at the start, counts, variances that
account for moves during the count, valued at moving-average cost, posted once by an
approver in one transaction."""

from decimal import Decimal

import pytest

from core.testing import run_in_threads
from plugins.inventory import services
from plugins.inventory.models import Location, Part, StockMove, Stocktake, Warehouse
from plugins.inventory.services import InventoryError
from plugins.inventory.services import stocktake as counts

pytestmark = pytest.mark.plugins("inventory")
D = Decimal
API = "/api/v1/inventory_stocktake"


@pytest.fixture
def store(session):
    """A shelf holding 10 fusers at 100.00 and 4 belts at 50.00; a third part with none."""
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    other = Location(warehouse=shelf.warehouse, code="A-02")
    fuser = Part(sku="FUS-220", name="Fuser")
    belt = Part(sku="BELT-TR", name="Belt")
    rope = Part(sku="ROPE-8", name="Rope", unit="m")
    session.add_all([shelf, other, fuser, belt, rope])
    session.flush()
    services.receive(session, fuser.id, shelf.id, 10, "100.00")
    services.receive(session, belt.id, shelf.id, 4, "50.00")
    services.receive(session, belt.id, other.id, 1, "50.00")
    session.commit()
    return type(
        "Store",
        (),
        {"shelf": shelf.id, "other": other.id, "fuser": fuser.id, "belt": belt.id, "rope": rope.id},
    )


def on_hand(session, part, location):
    return services.stock_level(session, part, location).on_hand


def test_counting_all_parts_with_stock_and_posting_the_variances(session, store):
    sheet = counts.create_stocktake(session, store.shelf)
    assert sheet.number.startswith("ST-") and sheet.state == "draft"
    counts.start_counting(session, sheet)
    session.commit()
    assert sorted((line.part.sku, line.book_at_start) for line in sheet.lines) == [
        ("BELT-TR", D("4")),
        ("FUS-220", D("10")),
    ]
    counts.enter_counts(session, sheet, {store.fuser: 9, store.belt: "4"})
    counts.submit(session, sheet)
    session.commit()
    rows = {row.sku: row for row in counts.figures(session, sheet)}
    assert (rows["FUS-220"].variance, rows["FUS-220"].variance_value) == (D("-1"), D("-100.00"))
    assert rows["BELT-TR"].variance == 0
    assert counts.variance_total(rows.values()) == D("-100.00")
    counts.post(session, sheet)
    session.commit()
    assert sheet.state == "posted" and sheet.posted_on is not None
    adjustments = session.query(StockMove).filter_by(reason="adjustment").all()
    assert [(m.quantity, m.from_location_id, m.reference) for m in adjustments] == [
        (D("1"), store.shelf, sheet.number)
    ]
    assert on_hand(session, store.fuser, store.shelf) == D("9")
    assert services.verify_ledger(session) == []


def test_a_move_during_the_count_is_not_a_variance(session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    counts.start_counting(session, sheet)  # book 10
    session.commit()
    services.issue(session, store.fuser, store.shelf, 2, "WO-1")  # while counting: book 8
    session.commit()
    counts.enter_counts(session, sheet, {store.fuser: 8})  # the counter finds 8: all is well
    session.commit()
    row = counts.figures(session, sheet)[0]
    assert (row.book_at_start, row.moves_since_start, row.counted, row.variance) == (
        D("10"),
        D("-2"),
        D("8"),
        D("0"),
    )
    services.receive(session, store.fuser, store.shelf, 5, "100.00")  # after the count
    counts.submit(session, sheet)
    counts.post(session, sheet)
    session.commit()
    assert session.query(StockMove).filter_by(reason="adjustment").count() == 0
    assert on_hand(session, store.fuser, store.shelf) == D("13")  # counted 8 + 5 received


def test_a_shortage_found_while_moves_happen_adjusts_only_the_shortage(session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    counts.start_counting(session, sheet)
    services.issue(session, store.fuser, store.shelf, 3, "WO-1")  # book 7 at the count
    counts.enter_counts(session, sheet, {store.fuser: 6})  # one is missing
    services.receive(session, store.fuser, store.shelf, 4, "100.00")  # after: book 11
    counts.submit(session, sheet)
    counts.post(session, sheet)
    session.commit()
    assert on_hand(session, store.fuser, store.shelf) == D("10")  # 6 counted + 4 received


def test_chosen_parts_only_zero_counts_and_found_parts(session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.belt, store.rope])
    counts.start_counting(session, sheet)
    counts.add_parts(session, sheet, [store.fuser])  # found while counting
    counts.enter_counts(session, sheet, {store.belt: 0, store.rope: "2.5", store.fuser: 10})
    counts.submit(session, sheet)
    counts.post(session, sheet)
    session.commit()
    assert on_hand(session, store.belt, store.shelf) == 0
    assert on_hand(session, store.rope, store.shelf) == D("2.5")
    assert on_hand(session, store.belt, store.other) == D("1")  # another location: untouched


def test_posting_twice_is_impossible(session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    counts.start_counting(session, sheet)
    counts.enter_counts(session, sheet, {store.fuser: 7})
    counts.submit(session, sheet)
    counts.post(session, sheet)
    session.commit()
    with pytest.raises(InventoryError) as again:
        counts.post(session, sheet)
    assert (again.value.field, again.value.status) == ("state", 409)
    assert session.query(StockMove).filter_by(reason="adjustment").count() == 1


def test_parallel_posting_posts_once(app, session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    counts.start_counting(session, sheet)
    counts.enter_counts(session, sheet, {store.fuser: 7})
    counts.submit(session, sheet)
    sheet_id = sheet.id
    session.commit()  # and no attribute read after it: that would open a transaction
    posted, errors = run_in_threads(
        app, 4, lambda s, i: counts.post(s, counts.get_stocktake(s, sheet_id)).id
    )
    assert len(posted) == 1 and len(errors) == 3, errors
    session.expire_all()
    assert session.query(StockMove).filter_by(reason="adjustment").count() == 1
    assert on_hand(session, store.fuser, store.shelf) == D("7")


@pytest.mark.postgres
def test_parallel_posting_posts_once_on_postgresql(app, session, store):
    test_parallel_posting_posts_once(app, session, store)


def test_state_rules(session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    with pytest.raises(InventoryError) as second:
        counts.create_stocktake(session, store.shelf)
    assert (second.value.field, second.value.status) == ("location_id", 409)
    with pytest.raises(InventoryError) as early:
        counts.enter_counts(session, sheet, {store.fuser: 1})
    assert early.value.field == "state"
    counts.start_counting(session, sheet)
    with pytest.raises(InventoryError) as uncounted:
        counts.submit(session, sheet)
    assert uncounted.value.field == "counted" and "FUS-220" in uncounted.value.message
    with pytest.raises(InventoryError) as stranger:
        counts.enter_counts(session, sheet, {store.belt: 1})
    assert stranger.value.field == "part_id"
    with pytest.raises(InventoryError) as negative:
        counts.enter_counts(session, sheet, {store.fuser: -1})
    assert negative.value.field == "counted"
    counts.cancel(session, sheet)
    session.commit()
    assert counts.create_stocktake(session, store.shelf).state == "draft"


def test_an_empty_location_needs_chosen_parts(session, store):
    empty = Location(warehouse_id=session.get(Location, store.shelf).warehouse_id, code="Z")
    session.add(empty)
    session.flush()
    sheet = counts.create_stocktake(session, empty.id)
    with pytest.raises(InventoryError) as refused:
        counts.start_counting(session, sheet)
    assert refused.value.field == "lines"


def test_a_shortage_of_reserved_stock_refuses_the_whole_posting(session, store):
    services.reserve(session, store.fuser, store.shelf, 10, "WO-1")
    sheet = counts.create_stocktake(session, store.shelf)
    counts.start_counting(session, sheet)
    counts.enter_counts(session, sheet, {store.fuser: 9, store.belt: 3})
    counts.submit(session, sheet)
    session.commit()
    with pytest.raises(InventoryError):
        counts.post(session, sheet)
    session.rollback()
    assert session.get(Stocktake, sheet.id).state == "submitted"
    assert session.query(StockMove).filter_by(reason="adjustment").count() == 0


# --- API and screens ----------------------------------------------------------------------


def test_storekeeper_counts_over_the_api_and_only_an_approver_posts(client, api_headers, store):
    keeper, manager = api_headers("Storekeeper"), api_headers("Inventory Manager")
    created = client.post(API + "/", json={"location": store.shelf}, headers=keeper)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    again = client.post(API + "/", json={"location": store.shelf}, headers=keeper)
    assert (again.status_code, again.json["field"]) == (409, "location")
    assert client.post(f"{API}/{pk}/start", headers=keeper).status_code == 200
    bad = client.post(
        f"{API}/{pk}/counts", json={"counts": {str(store.fuser): "x"}}, headers=keeper
    )
    assert (bad.status_code, bad.json["field"]) == (422, "counted")
    entered = client.post(
        f"{API}/{pk}/counts",
        json={"counts": {str(store.fuser): "11", str(store.belt): 4}},
        headers=keeper,
    )
    assert entered.status_code == 200, entered.text
    assert entered.json["variance_value"] == "100.00"
    assert client.post(f"{API}/{pk}/submit", headers=keeper).json["state"] == "submitted"
    assert client.post(f"{API}/{pk}/post", headers=keeper).status_code == 403
    posted = client.post(f"{API}/{pk}/post", headers=manager)
    assert posted.status_code == 200 and posted.json["state"] == "posted"
    twice = client.post(f"{API}/{pk}/post", headers=manager)
    assert (twice.status_code, twice.json["field"]) == (409, "state")


def test_count_sheet_screen(client, login_as, session, store):
    sheet = counts.create_stocktake(session, store.shelf)
    session.commit()
    login_as("Storekeeper")
    client.post(f"/inventory/stocktakes/step/{sheet.id}/start")
    page = client.get(f"/inventory/stocktakes/show/{sheet.id}")
    assert page.status_code == 200 and f'name="counted-{store.fuser}"' in page.text
    client.post(
        f"/inventory/stocktakes/enter/{sheet.id}",
        data={f"counted-{store.fuser}": "12", f"counted-{store.belt}": "4"},
    )
    client.post(f"/inventory/stocktakes/step/{sheet.id}/submit")
    page = client.get(f"/inventory/stocktakes/show/{sheet.id}").text
    assert "Submitted" in page and "Approve and post adjustments" not in page
    client.post(f"/inventory/stocktakes/decide/{sheet.id}/post")  # no approve permission
    session.expire_all()
    assert session.get(Stocktake, sheet.id).state == "submitted"


def test_approver_posts_from_the_screen(client, login_as, session, store):
    sheet = counts.create_stocktake(session, store.shelf, part_ids=[store.fuser])
    counts.start_counting(session, sheet)
    counts.enter_counts(session, sheet, {store.fuser: 12})
    counts.submit(session, sheet)
    session.commit()
    login_as("Inventory Manager")
    page = client.get(f"/inventory/stocktakes/show/{sheet.id}").text
    assert "Approve and post adjustments" in page and "200.00" in page
    done = client.post(f"/inventory/stocktakes/decide/{sheet.id}/post", follow_redirects=True)
    assert "posted" in done.text
    session.expire_all()
    assert on_hand(session, store.fuser, store.shelf) == D("12")
