"""Defective parts: returns to quarantine (never issued or reserved from there), repair by
transfer, scrap, warranty returns to the vendor (out at average cost, back at the same cost,
never more than outstanding, also in parallel), write-offs, the screens, the API, the audit
of changes made by UPDATE statements, and the demo data."""

from decimal import Decimal

import pytest

from core.audit.service import record_history
from core.events import events_published
from core.testing import run_in_threads
from plugins.inventory import services
from plugins.inventory.events import (
    StockReceivedFromVendor,
    StockSentToVendor,
    VendorReturnWrittenOff,
)
from plugins.inventory.models import (
    QUARANTINE,
    Location,
    Part,
    StockMove,
    Supplier,
    VendorReturn,
    Warehouse,
)
from plugins.inventory.services import InsufficientStockError, InventoryError, purchasing, warranty

pytestmark = pytest.mark.plugins("inventory")

STOCK = "/api/v1/inventory_stock"


def D(text):
    return Decimal(text)


@pytest.fixture
def world(session):
    """Central store (shelf + quarantine), a branch without quarantine, a supplier, and a
    part with 10 on the shelf at 100.00."""
    central = Warehouse(code="CEN", name="Central store")
    branch = Warehouse(code="HZ", name="Branch", kind="branch")
    shelf = Location(warehouse=central, code="A-01")
    quarantine = Location(warehouse=central, code="QUAR", kind=QUARANTINE)
    branch_bin = Location(warehouse=branch, code="B-01")
    part = Part(sku="CMP-R32", name="Scroll compressor", sale_price=D("3400.00"))
    supplier = Supplier(name="Hangzhou HVAC Parts", lead_time_days=10)
    session.add_all([central, branch, shelf, quarantine, branch_bin, part, supplier])
    session.commit()
    services.receive(session, part.id, shelf.id, 10, "100.00", reference="PO-1")
    session.commit()
    return type(
        "World",
        (),
        {
            "part": part.id,
            "shelf": shelf.id,
            "quarantine": quarantine.id,
            "branch_bin": branch_bin.id,
            "supplier": supplier.id,
        },
    )


def on_hand(session, world, location):
    return services.stock_level(session, world.part, location).on_hand


def average(session, world):
    session.expire_all()
    return session.get(Part, world.part).average_cost


def defective_in_quarantine(session, world, quantity=2):
    """Issue ``quantity`` to a work order and bring it back defective."""
    services.issue(session, world.part, world.shelf, quantity, "WO-1")
    services.return_from_work_order(
        session, world.part, world.quarantine, quantity, "WO-1", note="seized", defective=True
    )
    session.commit()


# --- returns to quarantine --------------------------------------------------------------------


def test_defective_return_goes_to_quarantine_and_is_never_issued_or_reserved(session, world):
    defective_in_quarantine(session, world)
    assert on_hand(session, world, world.quarantine) == D("2")
    move = session.query(StockMove).filter_by(reason="return").one()
    assert (move.to_location_id, move.unit_cost) == (world.quarantine, D("100.0000"))
    for action in (services.issue, services.reserve):
        with pytest.raises(InventoryError) as refused:
            action(session, world.part, world.quarantine, 1, "WO-2")
        assert refused.value.field == "location_id" and "quarantine" in refused.value.message
    session.rollback()
    # The quarantined units do not make the shelf's available stock any larger either.
    with pytest.raises(InsufficientStockError):
        services.issue(session, world.part, world.shelf, 9, "WO-3")
    session.rollback()
    assert services.verify_ledger(session) == []


def test_defective_return_to_a_normal_location_is_refused_naming_the_quarantine(session, world):
    services.issue(session, world.part, world.shelf, 1, "WO-1")
    session.commit()
    with pytest.raises(InventoryError) as refused:
        services.return_from_work_order(session, world.part, world.shelf, 1, "WO-1", defective=True)
    assert refused.value.field == "location_id"
    assert "CEN/A-01 is not a quarantine location" in refused.value.message
    assert "CEN/QUAR" in refused.value.message
    with pytest.raises(InventoryError) as no_quarantine:
        services.return_from_work_order(
            session, world.part, world.branch_bin, 1, "WO-1", defective="true"
        )
    assert "its warehouse has none" in no_quarantine.value.message
    with pytest.raises(InventoryError) as bad_flag:
        services.return_from_work_order(
            session, world.part, world.quarantine, 1, "WO-1", defective="maybe"
        )
    assert bad_flag.value.field == "defective"
    session.rollback()
    assert session.query(StockMove).filter_by(reason="return").count() == 0
    # Without the flag a return to a normal location works as before.
    services.return_from_work_order(session, world.part, world.shelf, 1, "WO-1")
    session.commit()
    assert on_hand(session, world, world.shelf) == D("10")


def test_repaired_in_house_is_a_transfer_out_of_quarantine_then_issuable(session, world):
    defective_in_quarantine(session, world)
    services.transfer(
        session, world.part, world.quarantine, world.shelf, 1, note="repaired in-house"
    )
    session.commit()
    assert on_hand(session, world, world.quarantine) == D("1")
    assert on_hand(session, world, world.shelf) == D("9")
    services.issue(session, world.part, world.shelf, 9, "WO-4")
    session.commit()
    assert services.verify_ledger(session) == []


def test_scrapped_from_quarantine_leaves_stock_and_value(session, world):
    defective_in_quarantine(session, world)
    before = services.stock_value(session).total
    services.scrap(session, world.part, world.quarantine, 2, note="not repairable")
    session.commit()
    assert on_hand(session, world, world.quarantine) == 0
    assert services.stock_value(session).total == before - D("200.00")
    assert services.verify_ledger(session) == []


# --- vendor returns ---------------------------------------------------------------------------


def test_send_to_vendor_takes_quarantine_stock_out_at_average_cost(session, world):
    defective_in_quarantine(session, world)
    with events_published(StockSentToVendor) as events:
        move = warranty.send_to_vendor(
            session, world.part, world.quarantine, 2, world.supplier, rma="RMA-118", note="seized"
        )
    session.commit()
    assert (move.reason, move.from_location_id, move.to_location_id) == (
        "vendor_return",
        world.quarantine,
        None,
    )
    assert (move.unit_cost, move.supplier_id, move.rma) == (
        D("100.0000"),
        world.supplier,
        "RMA-118",
    )
    vendor_return = session.get(VendorReturn, move.vendor_return_id)
    assert (vendor_return.quantity, vendor_return.unit_cost, vendor_return.outstanding) == (
        D("2"),
        D("100.0000"),
        D("2"),
    )
    assert [(e.vendor_return_id, e.supplier_id, e.rma) for e in events] == [
        (vendor_return.id, world.supplier, "RMA-118")
    ]
    assert on_hand(session, world, world.quarantine) == 0
    assert average(session, world) == D("100.0000")
    assert services.verify_ledger(session) == []


def test_send_to_vendor_refusals_change_nothing(session, world):
    defective_in_quarantine(session, world, quantity=1)
    cases = [
        ((world.part, world.shelf, 1, world.supplier), "location_id", 422),
        ((world.part, world.quarantine, 2, world.supplier), "quantity", 409),
        ((world.part, world.quarantine, 1, 9999), "supplier_id", 404),
        ((world.part, world.quarantine, 0, world.supplier), "quantity", 422),
    ]
    for arguments, field, status in cases:
        with pytest.raises(InventoryError) as refused:
            warranty.send_to_vendor(session, *arguments)
        assert (refused.value.field, refused.value.status) == (field, status)
    session.rollback()
    assert session.query(VendorReturn).count() == 0
    assert on_hand(session, world, world.quarantine) == D("1")


def test_receive_from_vendor_reenters_at_the_cost_it_left_with(session, world):
    defective_in_quarantine(session, world, quantity=3)
    sent = warranty.send_to_vendor(session, world.part, world.quarantine, 3, world.supplier)
    session.commit()
    vendor_return_id = sent.vendor_return_id
    value_before = services.stock_value(session).total
    with events_published(StockReceivedFromVendor) as events:
        back = warranty.receive_from_vendor(session, vendor_return_id, world.shelf, 2, "repaired")
    session.commit()
    assert (back.reason, back.to_location_id, back.unit_cost) == (
        "vendor_receipt",
        world.shelf,
        D("100.0000"),
    )
    assert (back.vendor_return_id, back.supplier_id) == (vendor_return_id, world.supplier)
    assert [e.vendor_return_id for e in events] == [vendor_return_id]
    assert average(session, world) == D("100.0000")  # the average cost did not move
    assert services.stock_value(session).total == value_before + D("200.00")
    assert on_hand(session, world, world.shelf) == D("9")  # 10 - 3 issued + 2 back
    vendor_return = session.get(VendorReturn, vendor_return_id)
    assert (vendor_return.received, vendor_return.outstanding) == (D("2"), D("1"))
    assert vendor_return.closed_on is None
    # Never more than sent minus what already came back.
    with pytest.raises(InventoryError) as refused:
        warranty.receive_from_vendor(session, vendor_return_id, world.shelf, 2)
    assert (refused.value.field, refused.value.status) == ("quantity", 409)
    assert "only 1 outstanding" in refused.value.message
    session.rollback()
    # Not into quarantine: what comes back is usable.
    with pytest.raises(InventoryError) as to_quarantine:
        warranty.receive_from_vendor(session, vendor_return_id, world.quarantine, 1)
    assert to_quarantine.value.field == "location_id"
    session.rollback()
    warranty.receive_from_vendor(session, vendor_return_id, world.shelf, 1)
    session.commit()
    session.expire_all()
    assert session.get(VendorReturn, vendor_return_id).closed_on is not None
    assert warranty.open_vendor_returns(session) == []
    assert services.verify_ledger(session) == []


def test_receive_from_vendor_after_the_average_moved_keeps_the_value_exact(session, world):
    defective_in_quarantine(session, world, quantity=1)
    sent = warranty.send_to_vendor(session, world.part, world.quarantine, 1, world.supplier)
    services.receive(session, world.part, world.shelf, 9, "120.00")  # 9@100 + 9@120
    session.commit()
    assert average(session, world) == D("110.0000")
    warranty.receive_from_vendor(session, sent.vendor_return_id, world.shelf, 1)
    session.commit()
    # (18 x 110 + 1 x 100) / 19: the part comes back with the value it left with.
    assert average(session, world) == D("109.4737")


def test_write_off_closes_what_will_not_come_back(session, world):
    defective_in_quarantine(session, world, quantity=3)
    sent = warranty.send_to_vendor(session, world.part, world.quarantine, 3, world.supplier)
    warranty.receive_from_vendor(session, sent.vendor_return_id, world.shelf, 1)
    session.commit()
    with pytest.raises(InventoryError) as no_reason:
        warranty.write_off_vendor_return(session, sent.vendor_return_id, " ")
    assert no_reason.value.field == "note"
    with pytest.raises(InventoryError) as too_much:
        warranty.write_off_vendor_return(session, sent.vendor_return_id, "lost", quantity=3)
    assert (too_much.value.field, too_much.value.status) == ("quantity", 409)
    session.rollback()
    value = services.stock_value(session).total
    moves = session.query(StockMove).count()
    with events_published(VendorReturnWrittenOff) as events:
        written = warranty.write_off_vendor_return(
            session, sent.vendor_return_id, "out of warranty: no credit"
        )
    session.commit()
    assert [e.quantity for e in events] == [D("2")]
    assert (written.written_off, written.outstanding) == (D("2"), D("0"))
    assert written.write_off_note == "out of warranty: no credit"
    assert written.closed_on is not None
    assert (services.stock_value(session).total, session.query(StockMove).count()) == (
        value,
        moves,
    )
    with pytest.raises(InventoryError) as nothing_left:
        warranty.write_off_vendor_return(session, sent.vendor_return_id, "again")
    assert (nothing_left.value.field, nothing_left.value.status) == ("vendor_return_id", 409)
    with pytest.raises(InventoryError) as late:
        warranty.receive_from_vendor(session, sent.vendor_return_id, world.shelf, 1)
    assert late.value.status == 409
    session.rollback()
    history = record_history(session, "inventory_vendor_return", sent.vendor_return_id)
    changed = [set(entry.changes) for entry in history if entry.action == "update"]
    assert {"written_off", "closed_on"} <= set().union(*changed)
    assert any("received" in c for c in changed)


def threads_receive(app, vendor_return_id, shelf, threads=6, each=1):
    return run_in_threads(
        app,
        threads,
        lambda s, i: warranty.receive_from_vendor(s, vendor_return_id, shelf, each).id,
    )


def assert_parallel_receipts_never_exceed_the_outstanding(app, session, world):
    defective_in_quarantine(session, world, quantity=3)
    sent = warranty.send_to_vendor(session, world.part, world.quarantine, 3, world.supplier)
    vendor_return_id, shelf = sent.vendor_return_id, world.shelf
    session.commit()  # and no attribute read after it: that would open a transaction
    received, errors = threads_receive(app, vendor_return_id, shelf)
    assert len(received) == 3, errors
    assert len(errors) == 3 and all(isinstance(e, InventoryError) for e in errors), errors
    assert all(e.status == 409 and e.field == "quantity" for e in errors)
    session.expire_all()
    vendor_return = session.get(VendorReturn, vendor_return_id)
    assert (vendor_return.received, vendor_return.outstanding) == (D("3"), D("0"))
    assert session.query(StockMove).filter_by(reason="vendor_receipt").count() == 3
    assert services.stock_level(session, world.part, shelf).on_hand == D("10")
    assert services.verify_ledger(session) == []


@pytest.mark.postgres
def test_parallel_sessions_never_receive_more_than_was_sent(app, session, world):
    assert_parallel_receipts_never_exceed_the_outstanding(app, session, world)


def test_threads_on_any_database_never_receive_more_than_was_sent(app, session, world):
    assert_parallel_receipts_never_exceed_the_outstanding(app, session, world)


# --- audit of UPDATE statements ---------------------------------------------------------------


def test_reservation_history_shows_its_release_and_its_consumption(session, world):
    released = services.reserve(session, world.part, world.shelf, 2, "WO-5")
    consumed = services.reserve(session, world.part, world.shelf, 1, "WO-6")
    session.commit()
    services.release(session, released.id)
    services.issue(session, world.part, world.shelf, 1, "WO-6")
    session.commit()
    history = record_history(session, "inventory_reservation", released.id)
    assert [entry.action for entry in history] == ["update", "create"]
    assert history[0].changes["state"] == ["active", "released"]
    assert history[0].changes["closed_on"][0] is None and history[0].changes["closed_on"][1]
    consumption = record_history(session, "inventory_reservation", consumed.id)[0]
    assert consumption.changes["state"] == ["active", "consumed"]
    # Rolled back with a refused action: no entry is left behind.
    with pytest.raises(InventoryError):
        services.release(session, released.id)
    session.rollback()
    assert len(record_history(session, "inventory_reservation", released.id)) == 2


def test_purchase_order_line_received_counter_is_in_the_audit_log(session, world):
    order = purchasing.create_order(
        session,
        world.supplier,
        lines=[{"part_id": world.part, "quantity": 5, "location_id": world.shelf}],
    )
    purchasing.place_order(session, order)
    line_id = order.lines[0].id
    purchasing.receive_line(session, line_id, 2)
    purchasing.receive_line(session, line_id, 3)
    session.commit()
    updates = [
        entry.changes["received"]
        for entry in record_history(session, "inventory_purchase_order_line", line_id)
        if entry.action == "update" and "received" in entry.changes
    ]
    assert updates == [["2.000", "5.000"], ["0.000", "2.000"]]


# --- API and screens --------------------------------------------------------------------------


def post(client, action, headers, **body):
    return client.post(f"{STOCK}/{action}", json=body, headers=headers)


def test_api_defective_return_vendor_return_receipt_and_write_off(
    client, api_headers, session, world
):
    headers = api_headers("Storekeeper")
    services.issue(session, world.part, world.shelf, 3, "WO-1")
    session.commit()
    refused = post(
        client,
        "return",
        headers,
        part_id=world.part,
        location_id=world.shelf,
        quantity=3,
        reference="WO-1",
        defective=True,
    )
    assert (refused.status_code, refused.json["field"]) == (422, "location_id")
    returned = post(
        client,
        "return",
        headers,
        part_id=world.part,
        location_id=world.quarantine,
        quantity=3,
        reference="WO-1",
        defective=True,
    )
    assert returned.status_code == 201, returned.text
    missing = post(client, "vendor_return", headers, part_id=world.part, quantity=1)
    assert (missing.status_code, missing.json["field"]) == (422, "location_id")
    sent = post(
        client,
        "vendor_return",
        headers,
        part_id=world.part,
        location_id=world.quarantine,
        quantity=3,
        supplier_id=world.supplier,
        rma="RMA-7",
    )
    assert sent.status_code == 201, sent.text
    assert (sent.json["reason"], sent.json["rma"], sent.json["supplier_id"]) == (
        "vendor_return",
        "RMA-7",
        world.supplier,
    )
    vendor_return_id = sent.json["vendor_return_id"]
    back = post(
        client,
        "vendor_receipt",
        headers,
        vendor_return_id=vendor_return_id,
        location_id=world.shelf,
        quantity=2,
    )
    assert (back.status_code, back.json["unit_cost"]) == (201, "100.0000")
    too_much = post(
        client,
        "vendor_receipt",
        headers,
        vendor_return_id=vendor_return_id,
        location_id=world.shelf,
        quantity=2,
    )
    assert (too_much.status_code, too_much.json["field"]) == (409, "quantity")
    assert set(too_much.json) == {"message", "field"}
    written = post(
        client, "vendor_write_off", headers, vendor_return_id=vendor_return_id, note="no credit"
    )
    assert written.status_code == 200, written.text
    assert (written.json["written_off"], written.json["outstanding"], written.json["closed"]) == (
        "1.000",
        "0.000",
        True,
    )
    listed = client.get("/api/v1/inventory_vendor_return/", headers=headers)
    assert listed.status_code == 200 and listed.json["result"][0]["rma"] == "RMA-7"
    technician = api_headers("Inventory Read-only")
    denied = post(client, "vendor_write_off", technician, vendor_return_id=1, note="x")
    assert denied.status_code in (401, 403)
    assert services.verify_ledger(session) == []


def test_defective_parts_screen_and_vendor_forms(client, login_as, session, world):
    defective_in_quarantine(session, world, quantity=2)
    login_as("Storekeeper")
    screen = client.get("/inventory/defective/")
    assert screen.status_code == 200
    assert "CEN/QUAR" in screen.text and "CMP-R32" in screen.text
    assert "No open vendor returns." in screen.text
    form = client.get(
        f"/inventory/actions/vendor_return?part_id={world.part}&location_id={world.quarantine}"
    )
    assert form.status_code == 200 and "Hangzhou HVAC Parts" in form.text
    assert 'name="rma"' in form.text
    refused = client.post(
        "/inventory/actions/vendor_return",
        data={
            "part_id": world.part,
            "location_id": world.shelf,
            "quantity": "1",
            "supplier_id": world.supplier,
        },
    )
    assert refused.status_code == 422 and "not a quarantine location" in refused.text
    done = client.post(
        "/inventory/actions/vendor_return",
        data={
            "part_id": world.part,
            "location_id": world.quarantine,
            "quantity": "2",
            "supplier_id": world.supplier,
            "rma": "RMA-55",
        },
    )
    assert done.status_code == 302
    vendor_return = session.query(VendorReturn).one()
    sent = session.query(StockMove).filter_by(reason="vendor_return").one()
    shown = client.get(f"/inventory/moves/show/{sent.id}").text
    assert "RMA-55" in shown and "Hangzhou HVAC Parts" in shown and "Sent to vendor" in shown
    screen = client.get("/inventory/defective/").text
    assert "RMA-55" in screen and "Nothing in quarantine." in screen
    receipt_form = client.get("/inventory/actions/vendor_receipt").text
    assert f'value="{vendor_return.id}"' in receipt_form
    received = client.post(
        "/inventory/actions/vendor_receipt",
        data={"vendor_return_id": vendor_return.id, "location_id": world.shelf, "quantity": "1"},
    )
    assert received.status_code == 302
    written = client.post(
        "/inventory/actions/vendor_write_off",
        data={"vendor_return_id": vendor_return.id, "quantity": "", "note": "lost in transit"},
    )
    assert written.status_code == 302 and "/inventory/defective/" in written.headers["Location"]
    session.expire_all()
    assert session.get(VendorReturn, vendor_return.id).outstanding == 0
    # The return form's defective box refuses a normal location.
    services.issue(session, world.part, world.shelf, 1, "WO-8")
    session.commit()
    box = client.post(
        "/inventory/actions/return",
        data={
            "part_id": world.part,
            "location_id": world.shelf,
            "quantity": "1",
            "reference": "WO-8",
            "defective": "1",
        },
    )
    assert box.status_code == 422 and "not a quarantine location" in box.text


def test_defective_screen_costs_the_same_queries_for_2_or_12_rows(
    client, login_as, session, world, app
):
    from sqlalchemy import event

    login_as("Storekeeper")

    def count_queries():
        statements = []

        def listen(*args):
            statements.append(args[2])

        with app.app_context():
            event.listen(db_engine(app), "before_cursor_execute", listen)
            try:
                assert client.get("/inventory/defective/").status_code == 200
            finally:
                event.remove(db_engine(app), "before_cursor_execute", listen)
        return len(statements)

    def add(count):
        for _ in range(count):
            part = Part(sku=f"P-{session.query(Part).count()}", name="part")
            session.add(part)
            session.flush()
            services.return_from_work_order(
                session, part.id, world.quarantine, 1, "WO", defective=True
            )
            warranty.send_to_vendor(session, part.id, world.quarantine, 1, world.supplier)
            services.return_from_work_order(
                session, part.id, world.quarantine, 1, "WO", defective=True
            )
        session.commit()

    add(2)
    few = count_queries()
    add(10)
    assert count_queries() == few


def db_engine(app):
    from core.extensions import db

    return db.engine


def test_demo_has_a_defective_return_in_quarantine_and_an_open_vendor_return(app, session):
    from plugins.inventory.plugin import aftersales_load_demo

    aftersales_load_demo(session, 1)
    session.commit()
    quarantined = warranty.quarantine_stock(session)
    assert [(q.part.sku, q.on_hand) for q in quarantined] == [("FUS-220", D("1"))]
    [open_return] = warranty.open_vendor_returns(session)
    assert (open_return.part.sku, open_return.outstanding) == ("CMP-R32", D("1"))
    assert open_return.rma and open_return.supplier.name.startswith("杭州")
    assert services.verify_ledger(session) == []


def test_reversing_a_vendor_receipt_reopens_its_vendor_return(session, world):
    defective_in_quarantine(session, world, quantity=2)
    sent = warranty.send_to_vendor(session, world.part, world.quarantine, 2, world.supplier)
    back = warranty.receive_from_vendor(session, sent.vendor_return_id, world.shelf, 2)
    session.commit()
    with pytest.raises(InventoryError) as refused:
        services.reverse_move(session, sent.id)
    assert (refused.value.field, refused.value.status) == ("move_id", 409)
    session.rollback()
    services.reverse_move(session, back.id, note="booked on the wrong return")
    session.commit()
    session.expire_all()
    vendor_return = session.get(VendorReturn, sent.vendor_return_id)
    assert (vendor_return.received, vendor_return.outstanding) == (D("0"), D("2"))
    assert vendor_return.closed_on is None
    assert average(session, world) == D("100.0000")
    assert on_hand(session, world, world.shelf) == D("8")
    history = record_history(session, "inventory_vendor_return", vendor_return.id)
    assert history[0].changes["received"] == ["2.000", "0.000"]
    assert "closed_on" in history[0].changes
    assert services.verify_ledger(session) == []


def test_explicit_audit_entries_follow_without_audit_and_the_actor(session, world):
    from core.audit.service import audit_actor, without_audit

    quiet = services.reserve(session, world.part, world.shelf, 1, "WO-7")
    loud = services.reserve(session, world.part, world.shelf, 1, "WO-8")
    session.commit()
    with without_audit():
        services.release(session, quiet.id)
    with audit_actor("cli:planner"):
        services.release(session, loud.id)
    session.commit()
    assert [e.action for e in record_history(session, "inventory_reservation", quiet.id)] == [
        "create"
    ]
    latest = record_history(session, "inventory_reservation", loud.id)[0]
    assert (latest.action, latest.username) == ("update", "cli:planner")
