"""Counted quantities imported from CSV/XLSX (core.tabular) with a row report."""

import io
from decimal import Decimal

import pytest

from core.tabular import ALL_OR_NOTHING, DRY_RUN, VALID_ROWS
from plugins.inventory import services
from plugins.inventory.models import Location, Part, Warehouse
from plugins.inventory.services import InventoryError
from plugins.inventory.services import stocktake as counts
from plugins.inventory.services.stocktake_import import import_counts, sheet_rows

pytestmark = pytest.mark.plugins("inventory")
D = Decimal


@pytest.fixture
def sheet(session):
    """A stocktake of a shelf holding fusers and belts, counting; a rope not on the sheet."""
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    fuser, belt = Part(sku="FUS-220", name="Fuser"), Part(sku="BELT-TR", name="Belt")
    rope = Part(sku="ROPE-8", name="Rope")
    session.add_all([shelf, fuser, belt, rope])
    session.flush()
    services.receive(session, fuser.id, shelf.id, 10, "100.00")
    services.receive(session, belt.id, shelf.id, 4, "50.00")
    found = counts.create_stocktake(session, shelf.id)
    counts.start_counting(session, found)
    session.commit()
    return found


def csv_bytes(text):
    return ("\ufeff" + text).encode("utf-8")


def counted(session, sheet):
    session.expire_all()
    return {line.part.sku: line.counted for line in counts.get_stocktake(session, sheet.id).lines}


BAD = "SKU,Counted\nFUS-220,9\nNOPE,1\nROPE-8,2\nBELT-TR,x\nFUS-220,8\n"


def test_dry_run_reports_each_bad_row_and_writes_nothing(session, sheet):
    report = import_counts(session, sheet, csv_bytes(BAD), "counts.csv", DRY_RUN)
    assert (report.total, report.imported, report.rejected_rows) == (5, 1, 4)
    problems = {(p.row, p.column) for p in report.errors}
    assert problems == {(3, "sku"), (4, "sku"), (5, "counted"), (6, "sku")}
    messages = " ".join(p.message for p in report.errors)
    assert "no part has the SKU NOPE" in messages and "not on this count sheet" in messages
    assert "already counted in row 2" in messages
    assert counted(session, sheet) == {"FUS-220": None, "BELT-TR": None}


def test_all_or_nothing_with_errors_imports_nothing(session, sheet):
    report = import_counts(session, sheet, csv_bytes(BAD), "counts.csv", ALL_OR_NOTHING)
    assert not report.committed and report.imported == 0
    assert counted(session, sheet) == {"FUS-220": None, "BELT-TR": None}


def test_valid_rows_are_imported_and_the_others_reported(session, sheet):
    report = import_counts(session, sheet, csv_bytes(BAD), "counts.csv", VALID_ROWS)
    assert report.committed and report.imported == 1
    assert counted(session, sheet) == {"FUS-220": D("9"), "BELT-TR": None}


def test_the_downloaded_count_sheet_comes_back_as_xlsx_with_chinese_headers(session, sheet):
    from openpyxl import Workbook

    book = Workbook()
    rows = [["料号", "备件", "盘点数量"]] + [
        [sku, name, {"FUS-220": "9.5", "BELT-TR": 4}[sku]] for sku, name, _ in sheet_rows(sheet)
    ]
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    report = import_counts(session, sheet, data.getvalue(), "count.xlsx", ALL_OR_NOTHING)
    assert report.ok and report.committed, report.errors
    assert counted(session, sheet) == {"FUS-220": D("9.5"), "BELT-TR": D("4")}
    counts.submit(session, sheet)
    counts.post(session, sheet)
    session.commit()
    assert services.stock_level(session, sheet.lines[0].part_id, sheet.location_id)


def test_import_needs_a_counting_stocktake(session, sheet):
    counts.enter_counts(session, sheet, {line.part_id: 1 for line in sheet.lines})
    counts.submit(session, sheet)
    with pytest.raises(InventoryError) as refused:
        import_counts(session, sheet, csv_bytes("SKU,Counted\n"), "c.csv", DRY_RUN)
    assert refused.value.field == "state"


def test_import_over_the_api(client, api_headers, session, sheet):
    headers = api_headers("Storekeeper")
    url = f"/api/v1/inventory_stocktake/{sheet.id}/import"

    def send(text, mode):
        return client.post(
            url,
            data={"file": (io.BytesIO(csv_bytes(text)), "counts.csv"), "mode": mode},
            headers=headers,
            content_type="multipart/form-data",
        )

    dry = send(BAD, "dry_run")
    assert dry.status_code == 200 and dry.json["rejected"] == 4
    refused = send(BAD, "all")
    assert (refused.status_code, refused.json["field"]) == (422, "file")
    bad_file = send("Colour,Counted\nred,1\n", "all")
    assert bad_file.status_code == 422 and bad_file.json["field"] == "file"
    done = send("SKU,Counted\nFUS-220,10\nBELT-TR,3\n", "all")
    assert done.status_code == 201 and done.json["imported"] == 2
    assert counted(session, sheet) == {"FUS-220": D("10"), "BELT-TR": D("3")}


def test_import_screen_checks_then_imports(client, login_as, session, sheet):
    login_as("Storekeeper")
    page = client.get(f"/inventory/stocktakes/show/{sheet.id}").text
    assert "import-form" in page and "count-file-xlsx" in page
    sheet_file = client.get(f"/inventory/stocktakes/count-file/{sheet.id}.csv")
    assert sheet_file.status_code == 200 and "FUS-220" in sheet_file.text
    filled = sheet_file.data.decode("utf-8-sig").replace("FUS-220,Fuser,", "FUS-220,Fuser,7")
    filled = filled.replace("BELT-TR,Belt,", "BELT-TR,Belt,4")
    checked = client.post(
        f"/inventory/stocktakes/import/{sheet.id}",
        data={"file": (io.BytesIO(filled.encode()), "count.csv")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and "Nothing has been written yet" in checked.text
    import re

    token = re.search(r'name="token" value="([0-9a-f]+)"', checked.text).group(1)
    assert counted(session, sheet) == {"FUS-220": None, "BELT-TR": None}
    done = client.post(
        f"/inventory/stocktakes/import/{sheet.id}", data={"token": token, "mode": "all"}
    )
    assert done.status_code == 200 and "Imported 2 of 2 rows" in done.text
    assert counted(session, sheet) == {"FUS-220": D("7"), "BELT-TR": D("4")}
