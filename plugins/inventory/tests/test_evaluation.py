"""The stock evaluation of a period: consumption, turnover, dead and slow-moving stock,
stock-outs, suggested rule changes; on screen, as XLSX, as PDF and over the API."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from plugins.inventory import services
from plugins.inventory.models import QUARANTINE, Location, Part, StockMove, Warehouse
from plugins.inventory.services import InventoryError, evaluation, reorder

pytestmark = pytest.mark.plugins("inventory")
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 1, 10)


def at(session, move, day, hour=0):
    """Date a move (company time) as if it had been posted then."""
    moment = (
        datetime.datetime(2026, 1, day, hour, tzinfo=SHANGHAI)
        if day > 0
        else (datetime.datetime(2025, 12, 31 + day, 12, tzinfo=SHANGHAI))
    )
    session.execute(
        update(StockMove)
        .where(StockMove.id == move.id)
        .values(created_on=moment.astimezone(datetime.UTC))  # stored in UTC, as services do
    )
    return move


@pytest.fixture
def history(session):
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    quarantine = Location(warehouse=shelf.warehouse, code="QUAR", kind=QUARANTINE)
    fuser = Part(sku="FUS-220", name="Fuser")
    belt = Part(sku="BELT-TR", name="Belt")
    filt = Part(sku="FLT-AIR", name="Filter")
    drum = Part(sku="DRUM-1", name="Drum")
    session.add_all([shelf, quarantine, fuser, belt, filt, drum])
    session.flush()
    at(session, services.receive(session, fuser.id, shelf.id, 10, "100.00"), 0)
    at(session, services.receive(session, belt.id, shelf.id, 5, "50.00"), 0)
    at(session, services.receive(session, filt.id, shelf.id, 100, "10.00"), 0)
    at(session, services.issue(session, fuser.id, shelf.id, 4, "WO-1"), 3)
    at(session, services.issue(session, fuser.id, shelf.id, 6, "WO-2"), 6)
    at(session, services.issue(session, filt.id, shelf.id, 1, "WO-3"), 5)
    wrong = at(session, services.issue(session, filt.id, shelf.id, 2, "WO-4"), 5, 1)
    at(session, services.reverse_move(session, wrong.id), 5, 2)
    at(session, services.return_from_work_order(session, drum.id, quarantine.id, 1, "WO-5"), 4)
    reorder.create_rule(
        session,
        part_id=fuser.id,
        location_id=shelf.id,
        min_quantity=2,
        max_quantity=5,
        lead_time_days=5,
    )
    reorder.create_rule(
        session,
        part_id=belt.id,
        location_id=shelf.id,
        min_quantity=1,
        max_quantity=5,
        lead_time_days=5,
    )
    session.commit()
    return shelf


def figures(report):
    return {p.sku: p for p in report.parts}


def test_consumption_average_stock_turnover_and_stock_outs(session, history):
    report = evaluation.evaluate(session, START, END)
    found = figures(report)
    assert set(found) == {"FUS-220", "BELT-TR", "FLT-AIR"}  # quarantine is not stock
    fuser = found["FUS-220"]
    assert (fuser.opening, fuser.closing, fuser.consumed) == (D("10"), D("0"), D("10"))
    assert fuser.consumed_value == D("1000.00")
    assert fuser.average_stock == D("3.800")  # 10 for 2 days, 6 for 3, 0 for 5
    assert fuser.turnover == D("2.63")
    assert (fuser.stockouts, fuser.days_out, fuser.status) == (1, D("5.0"), "none")
    assert found["FLT-AIR"].consumed == D("1")  # the reversed issue does not count
    assert report.days == 10
    assert report.consumed_value == D("1010.00")


def test_dead_and_slow_moving_stock(session, history):
    found = figures(evaluation.evaluate(session, START, END))
    assert found["BELT-TR"].status == "dead"
    assert found["FLT-AIR"].status == "slow" and found["FLT-AIR"].days_of_cover == D("990.0")


def test_suggested_rule_changes(session, history):
    report = evaluation.evaluate(session, START, END)
    by_sku = {s.sku: s for s in report.suggestions}
    fuser = by_sku["FUS-220"]
    assert fuser.daily_usage == D("1")
    assert (fuser.suggested_min, fuser.suggested_max) == (D("5"), D("35"))
    assert "ran out 1 time" in fuser.reason
    belt = by_sku["BELT-TR"]
    assert (belt.suggested_min, belt.suggested_max) == (D("0"), D("0"))
    assert "nothing was used" in belt.reason


def test_a_bad_period_is_refused_naming_the_field(session):
    with pytest.raises(InventoryError) as backwards:
        evaluation.evaluate(session, END, START)
    assert backwards.value.field == "end"
    with pytest.raises(InventoryError) as garbage:
        evaluation.evaluate(session, "soon", END)
    assert garbage.value.field == "start"


def test_screen_xlsx_and_pdf(client, login_as, history):
    login_as("Purchaser")
    query = f"?start={START}&end={END}"
    page = client.get("/inventory/evaluation/" + query)
    assert page.status_code == 200
    assert "Dead and slow-moving stock" in page.text and "FUS-220" in page.text
    sheet = client.get("/inventory/evaluation/evaluation.xlsx" + query)
    assert sheet.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "SKU" and {r[0] for r in rows[1:]} == {"FUS-220", "BELT-TR", "FLT-AIR"}
    pdf = client.get("/inventory/evaluation/evaluation.pdf" + query)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"FontFile2" in pdf.data  # the CJK font is embedded
    bad = client.get(
        "/inventory/evaluation/?start=2026-02-01&end=2026-01-01", follow_redirects=True
    )
    assert "must not be before the start" in bad.text


def test_evaluation_api(client, api_headers, history):
    headers = api_headers("Purchaser")
    answer = client.get(f"/api/v1/inventory_evaluation/?start={START}&end={END}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json["consumed_value"] == "1010.00"
    assert {p["sku"]: p["status"] for p in answer.json["parts"]}["BELT-TR"] == "dead"
    bad = client.get("/api/v1/inventory_evaluation/?start=x&end=2026-01-01", headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "start")
    assert (
        client.get(
            "/api/v1/inventory_evaluation/?start=2026-01-01&end=2026-01-02",
            headers=api_headers("Inventory Read-only"),
        ).status_code
        == 403
    )


def test_parts_first_stocked_in_the_period_are_not_dead_nor_out_before(session, history):
    lamp = Part(sku="LAMP-1", name="Lamp")
    session.add(lamp)
    session.flush()
    at(session, services.receive(session, lamp.id, history.id, 3, "5.00"), 4)
    reorder.create_rule(
        session, part_id=lamp.id, location_id=history.id, min_quantity=1, max_quantity=3
    )
    session.commit()
    found = figures(evaluation.evaluate(session, START, END))["LAMP-1"]
    assert (found.status, found.stockouts, found.days_out) == ("normal", 0, D("0.0"))
    assert found.average_stock == D("2.100")  # 3 for the last 7 of 10 days
