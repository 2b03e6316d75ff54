"""Inventory rules: the stock ledger, issues refused beyond what is available, reservations,
returns to quarantine, reversing moves, moving-average cost and stock value."""

from decimal import Decimal

import pytest

from core.events import events_published
from plugins.inventory import services
from plugins.inventory.events import StockIssued, StockMoved, StockReturned
from plugins.inventory.models import (
    QUARANTINE,
    VAN,
    Location,
    Part,
    Reservation,
    StockMove,
    Warehouse,
)
from plugins.inventory.services import InsufficientStockError, InventoryError

pytestmark = pytest.mark.plugins("inventory")


def D(text):
    return Decimal(text)


@pytest.fixture
def stock(session):
    """A part, the central store's shelf and quarantine, and a van."""
    central = Warehouse(code="CEN", name="Central store")
    van = Warehouse(code="VAN1", name="Van 1", kind=VAN)
    shelf = Location(warehouse=central, code="A-01")
    quarantine = Location(warehouse=central, code="QUAR", kind=QUARANTINE)
    van_bin = Location(warehouse=van, code="VAN")
    part = Part(
        sku="FUS-220",
        name="Fuser unit 220V",
        unit="pcs",
        standard_cost=D("300.00"),
        sale_price=D("480.00"),
    )
    session.add_all([central, van, shelf, quarantine, van_bin, part])
    session.commit()
    return type(
        "Stock", (), {"part": part, "shelf": shelf, "quarantine": quarantine, "van": van_bin}
    )


def level(session, part, location):
    return services.stock_level(session, part.id, location.id)


def moves(session):
    return session.query(StockMove).count()


def test_receipt_adds_stock_and_sets_the_moving_average_cost(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 10, "100.00", reference="PO-1")
    services.receive(session, stock.part.id, stock.shelf.id, "5", "130.00", reference="PO-2")
    session.commit()
    assert level(session, stock.part, stock.shelf).on_hand == D("15")
    session.refresh(stock.part)
    assert stock.part.average_cost == D("110.0000")  # (10*100 + 5*130) / 15
    assert services.stock_value(session).total == D("1650.00")
    assert services.verify_ledger(session) == []


def test_issue_carries_cost_and_sale_price_and_publishes_an_event(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 4, "250.00")
    with events_published(StockIssued) as events:
        move = services.issue(session, stock.part.id, stock.shelf.id, 3, "WO-2026-00007")
    session.commit()
    assert (move.reason, move.quantity, move.unit_cost, move.sale_price) == (
        "issue",
        D("3"),
        D("250.0000"),
        D("480.00"),
    )
    [event] = events
    assert (event.name, event.reference, event.quantity, event.sale_price) == (
        "inventory.stock.issued",
        "WO-2026-00007",
        D("3"),
        D("480.00"),
    )
    assert level(session, stock.part, stock.shelf).on_hand == D("1")


def test_issuing_more_than_available_is_refused_naming_part_location_and_quantities(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 2, "100.00")
    session.commit()
    before = moves(session)
    with pytest.raises(InsufficientStockError) as refused:
        services.issue(session, stock.part.id, stock.shelf.id, 3, "WO-1")
    error = refused.value
    assert (error.status, error.field, error.available, error.requested) == (
        409,
        "quantity",
        D("2"),
        D("3"),
    )
    assert "FUS-220" in str(error) and "CEN/A-01" in str(error) and "only 2 available" in str(error)
    session.commit()
    assert moves(session) == before
    assert level(session, stock.part, stock.shelf).on_hand == D("2")


def test_reserved_stock_is_not_available_to_others_but_is_to_its_own_reference(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 5, "100.00")
    reservation = services.reserve(session, stock.part.id, stock.shelf.id, 4, "WO-A")
    session.commit()
    assert level(session, stock.part, stock.shelf).available == D("1")
    with pytest.raises(InsufficientStockError):
        services.issue(session, stock.part.id, stock.shelf.id, 2, "WO-B")
    with pytest.raises(InsufficientStockError):
        services.reserve(session, stock.part.id, stock.shelf.id, 2, "WO-C")
    services.issue(session, stock.part.id, stock.shelf.id, 5, "WO-A")
    session.commit()
    session.refresh(reservation)
    assert reservation.state == "consumed"
    assert level(session, stock.part, stock.shelf) == services.StockLevel(D("0"), D("0"))
    assert services.verify_ledger(session) == []


def test_issue_of_less_than_reserved_releases_the_rest(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 5, "100.00")
    services.reserve(session, stock.part.id, stock.shelf.id, 3, "WO-A")
    services.issue(session, stock.part.id, stock.shelf.id, 1, "WO-A")
    session.commit()
    assert level(session, stock.part, stock.shelf) == services.StockLevel(D("4"), D("0"))
    assert services.verify_ledger(session) == []


def test_released_reservation_frees_stock_and_cannot_be_released_twice(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 3, "100.00")
    reservation = services.reserve(session, stock.part.id, stock.shelf.id, 3, "WO-A")
    services.release(session, reservation.id)
    session.commit()
    assert reservation.state == "released"
    assert level(session, stock.part, stock.shelf).available == D("3")
    with pytest.raises(InventoryError) as again:
        services.release(session, reservation.id)
    assert (again.value.status, again.value.field) == (409, "reservation_id")


def test_defective_part_returns_to_quarantine_and_cannot_be_issued_from_there(session, stock):
    with events_published(StockReturned) as events:
        services.return_from_work_order(
            session, stock.part.id, stock.quarantine.id, 1, "WO-9", note="burnt roller"
        )
    session.commit()
    assert [e.to_location_id for e in events] == [stock.quarantine.id]
    assert level(session, stock.part, stock.quarantine).on_hand == D("1")
    with pytest.raises(InventoryError) as refused:
        services.issue(session, stock.part.id, stock.quarantine.id, 1, "WO-10")
    assert refused.value.field == "location_id"
    services.scrap(session, stock.part.id, stock.quarantine.id, 1, note="not repairable")
    session.commit()
    assert level(session, stock.part, stock.quarantine).on_hand == D("0")
    assert services.verify_ledger(session) == []


def test_transfer_to_a_van_moves_stock_and_refuses_more_than_available(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 6, "100.00")
    services.transfer(session, stock.part.id, stock.shelf.id, stock.van.id, "2.5")
    session.commit()
    assert level(session, stock.part, stock.shelf).on_hand == D("3.5")
    assert level(session, stock.part, stock.van).on_hand == D("2.5")
    with pytest.raises(InsufficientStockError):
        services.transfer(session, stock.part.id, stock.van.id, stock.shelf.id, 3)
    with pytest.raises(InventoryError) as same:
        services.transfer(session, stock.part.id, stock.van.id, stock.van.id, 1)
    assert same.value.field == "to_location_id"
    session.commit()
    assert services.verify_ledger(session) == []


def test_adjustment_needs_a_note_and_cannot_take_stock_below_zero(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 2, "100.00")
    with pytest.raises(InventoryError) as no_note:
        services.adjust(session, stock.part.id, stock.shelf.id, -1, note="")
    assert no_note.value.field == "note"
    with pytest.raises(InsufficientStockError):
        services.adjust(session, stock.part.id, stock.shelf.id, -3, note="count")
    services.adjust(session, stock.part.id, stock.shelf.id, -2, note="count: none left")
    services.adjust(session, stock.part.id, stock.shelf.id, 1, note="found one")
    session.commit()
    assert level(session, stock.part, stock.shelf).on_hand == D("1")
    assert services.verify_ledger(session) == []


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "more than zero"),
        (-1, "more than zero"),
        ("1.2345", "3 decimal"),
        ("abc", "number"),
        (None, "required"),
    ],
)
def test_bad_quantities_are_refused_naming_the_field(session, stock, quantity, message):
    with pytest.raises(InventoryError) as refused:
        services.receive(session, stock.part.id, stock.shelf.id, quantity, "1.00")
    assert refused.value.field == "quantity"
    assert message in str(refused.value)


def test_issue_needs_a_reference(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 1, "1.00")
    with pytest.raises(InventoryError) as refused:
        services.issue(session, stock.part.id, stock.shelf.id, 1, "  ")
    assert refused.value.field == "reference"


def test_a_mistaken_issue_is_corrected_by_a_reversing_move_once(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 3, "100.00")
    wrong = services.issue(session, stock.part.id, stock.shelf.id, 2, "WO-1")
    with events_published(StockMoved) as events:
        reversal = services.reverse_move(session, wrong.id, note="wrong part")
    session.commit()
    assert (reversal.reason, reversal.reversal_of_id, reversal.to_location_id) == (
        "reversal",
        wrong.id,
        stock.shelf.id,
    )
    assert [e.name for e in events] == ["inventory.stock.reversed"]
    assert level(session, stock.part, stock.shelf).on_hand == D("3")
    with pytest.raises(InventoryError) as twice:
        services.reverse_move(session, wrong.id)
    assert (twice.value.status, twice.value.field) == (409, "move_id")
    with pytest.raises(InventoryError) as of_reversal:
        services.reverse_move(session, reversal.id)
    assert of_reversal.value.status == 409
    assert session.query(StockMove).count() == 3  # the original stays, unchanged
    assert services.verify_ledger(session) == []


def test_reversing_a_receipt_takes_its_value_out_of_the_average_cost(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 10, "100.00")
    typo = services.receive(session, stock.part.id, stock.shelf.id, 10, "1000.00")
    session.commit()
    session.refresh(stock.part)
    assert stock.part.average_cost == D("550.0000")
    services.reverse_move(session, typo.id, note="cost typo")
    session.commit()
    session.refresh(stock.part)
    assert stock.part.average_cost == D("100.0000")
    assert services.stock_value(session).by_location == {stock.shelf.id: D("1000.00")}


def test_a_receipt_whose_parts_were_issued_cannot_be_reversed(session, stock):
    receipt = services.receive(session, stock.part.id, stock.shelf.id, 2, "100.00")
    services.issue(session, stock.part.id, stock.shelf.id, 1, "WO-1")
    with pytest.raises(InsufficientStockError):
        services.reverse_move(session, receipt.id)
    session.commit()
    assert level(session, stock.part, stock.shelf).on_hand == D("1")


def test_ledger_check_finds_a_quant_changed_behind_the_ledger(session, stock):
    from sqlalchemy import update

    from plugins.inventory.models import StockQuant

    services.receive(session, stock.part.id, stock.shelf.id, 2, "100.00")
    session.commit()
    assert services.verify_ledger(session) == []
    session.execute(update(StockQuant).values(on_hand=D("5")))
    [problem] = services.verify_ledger(session)
    assert (problem.what, problem.recorded, problem.expected) == ("on_hand", D("5"), D("2"))
    session.rollback()


def test_database_refuses_negative_on_hand_even_behind_the_services(session, stock):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from plugins.inventory.models import StockQuant

    services.receive(session, stock.part.id, stock.shelf.id, 1, "1.00")
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(update(StockQuant).values(on_hand=D("-1")))
        session.flush()
    session.rollback()


def test_parts_with_nothing_available_are_counted(session, stock):
    assert services.count_parts_without_stock(session) == 1
    services.receive(session, stock.part.id, stock.shelf.id, 1, "1.00")
    assert services.count_parts_without_stock(session) == 0
    services.reserve(session, stock.part.id, stock.shelf.id, 1, "WO-1")
    assert services.count_parts_without_stock(session) == 1


def test_reservation_table_records_reference_and_state(session, stock):
    services.receive(session, stock.part.id, stock.shelf.id, 2, "1.00")
    services.reserve(session, stock.part.id, stock.shelf.id, 2, "WO-5")
    services.release_reference(session, "WO-5")
    session.commit()
    assert [(r.reference, r.state) for r in session.query(Reservation)] == [("WO-5", "released")]


def test_demo_data_obeys_the_ledger_and_loads_twice(session):
    from plugins.inventory.plugin import aftersales_load_demo

    aftersales_load_demo(session, 1)
    session.commit()
    aftersales_load_demo(session, 1)
    session.commit()
    assert services.verify_ledger(session) == []
    assert session.query(Warehouse).filter_by(kind=VAN).count() == 2
    assert session.query(StockMove).filter_by(reason="issue").count() == 4
    assert session.query(StockMove).filter_by(reason="vendor_return").count() == 2
    assert services.stock_value(session).total > 0
    from plugins.inventory.models import PurchaseOrder, Stocktake, Supplier

    assert session.query(Supplier).count() == 4
    states = sorted(o.state for o in session.query(PurchaseOrder))
    assert states == ["draft", "draft", "partial", "partial", "received", "received"]
    assert [s.state for s in session.query(Stocktake)] == ["counting", "counting"]


def test_a_location_is_labelled_with_its_warehouse_and_follows_a_renamed_warehouse(session):
    store = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=store, code="A-01")
    van_shelf = Location(warehouse=Warehouse(code="VAN1", name="Van"), code="A-01")
    session.add_all([shelf, van_shelf])
    session.commit()
    assert (str(shelf), str(van_shelf)) == ("CEN/A-01", "VAN1/A-01")

    store.code = "MAIN"
    shelf.code = "B-02"
    session.commit()
    session.expire_all()
    assert (shelf.label, van_shelf.label) == ("MAIN/B-02", "VAN1/A-01")
