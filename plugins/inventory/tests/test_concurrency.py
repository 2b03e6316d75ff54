"""Many technicians issuing the last units at the same moment: exactly what is available is
issued, on-hand ends at zero and never goes negative, the others get the clear refusal.

Each thread works in its own session and transaction. The PostgreSQL variants are the real
test (parallel sessions, row locks); the SQLite variant checks the same outcome with
SQLite's serialised writers.
"""

from decimal import Decimal

import pytest

from core.testing import run_in_threads
from plugins.inventory import services
from plugins.inventory.models import Location, Part, StockMove, Warehouse
from plugins.inventory.services import InsufficientStockError

pytestmark = pytest.mark.plugins("inventory")


@pytest.fixture
def last_units(app, session):
    """A part with 3 units on a shelf (ids only: threads load their own objects)."""
    central = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=central, code="A-01")
    part = Part(sku="BELT-9", name="Transfer belt", sale_price=Decimal("90.00"))
    session.add_all([central, shelf, part])
    session.commit()
    ids = part.id, shelf.id
    services.receive(session, *ids, 3, "60.00", reference="PO-1")
    session.commit()  # and no attribute read after it: that would open a transaction
    return ids


def assert_last_units_issued_exactly(app, session, part_id, shelf_id, threads=8, each=1):
    issued, errors = run_in_threads(
        app,
        threads,
        lambda s, i: services.issue(s, part_id, shelf_id, each, f"WO-{i}").id,
    )
    expected = int(Decimal(3) // each)
    assert len(issued) == expected
    assert len(errors) == threads - expected
    assert all(isinstance(e, InsufficientStockError) for e in errors), errors
    assert all(e.requested == each and e.available < each for e in errors)
    session.expire_all()
    level = services.stock_level(session, part_id, shelf_id)
    assert level.on_hand == Decimal(3) - expected * each >= 0
    assert session.query(StockMove).filter_by(reason="issue").count() == expected
    assert services.verify_ledger(session) == []


@pytest.mark.postgres
def test_eight_parallel_sessions_issue_exactly_the_last_three_units(app, session, last_units):
    assert_last_units_issued_exactly(app, session, *last_units)


@pytest.mark.postgres
def test_parallel_issues_of_two_units_never_overdraw_three(app, session, last_units):
    assert_last_units_issued_exactly(app, session, *last_units, each=2)


@pytest.mark.postgres
def test_parallel_receipts_into_an_empty_location_all_count(app, session, last_units):
    part_id, _ = last_units
    van = Warehouse(code="VAN1", name="Van", kind="van")
    bin_ = Location(warehouse=van, code="VAN")
    session.add_all([van, bin_])
    session.flush()
    bin_id = bin_.id
    session.commit()
    received, errors = run_in_threads(
        app, 8, lambda s, i: services.receive(s, part_id, bin_id, 1, "60.00").id
    )
    assert (len(received), errors) == (8, [])
    assert services.stock_level(session, part_id, bin_id).on_hand == Decimal(8)
    assert services.verify_ledger(session) == []


def test_threads_on_any_database_issue_exactly_the_last_units(app, session, last_units):
    assert_last_units_issued_exactly(app, session, *last_units)
