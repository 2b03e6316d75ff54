"""core.tabular: reading CSV/XLSX uploads, the import runner, downloads, kept uploads."""

import datetime
import io
from decimal import Decimal

import pytest
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from core.sequences.models import DocumentSequence
from core.tabular import (
    ALL_OR_NOTHING,
    DRY_RUN,
    VALID_ROWS,
    Column,
    RowError,
    TabularError,
    csv_response,
    discard_upload,
    load_upload,
    match_choice,
    parse_date,
    parse_whole,
    read_table,
    run_import,
    save_upload,
    template_response,
    xlsx_response,
)
from core.tabular.download import xlsx_bytes

pytestmark = pytest.mark.plugins()

COLUMNS = [
    Column("code", "Code", required=True),
    Column("name", lazy_gettext("Name")),
    Column("prefix", "Prefix", required=True),
    Column("padding", "Padding"),
]


def build_sequence(session, row):
    if not row.get("prefix"):
        raise RowError("prefix: is required", "prefix")
    session.add(
        DocumentSequence(
            code=row.get("code"),
            name=row.get("name"),
            prefix=row.get("prefix"),
            padding=parse_whole(row.get("padding"), "padding") or 5,
        )
    )


def count(session):
    return session.scalar(select(func.count()).select_from(DocumentSequence))


def test_csv_with_or_without_bom_and_gb18030_reads_the_same(app):
    text = "Code,名称,prefix\nWO,工单,WO\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("gb18030"),
    ):
        table = read_table(data, "seq.csv", COLUMNS)
        assert table.columns == ("code", "name", "prefix")
        assert [(r.number, r.values) for r in table.rows] == [
            (2, {"code": "WO", "name": "工单", "prefix": "WO"})
        ]


def test_headers_may_be_keys_english_or_translated_labels(app):
    for name_header in ("name", "NAME", "Name", "名称", "名稱", " Name* "):
        data = f"code,{name_header},prefix\nA,x,A\n".encode()
        assert read_table(data, "a.csv", COLUMNS).rows[0].get("name") == "x"


def test_semicolon_files_blank_rows_and_row_numbers(app):
    data = b"code;prefix\n\nA;A\n;\nB;B\n"
    table = read_table(data, "a.csv", COLUMNS)
    assert [(r.number, r.get("code")) for r in table.rows] == [(3, "A"), (5, "B")]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"code,colour,prefix\nA,red,A\n", "'colour' is not a known column"),
        (b"code,Code,prefix\nA,A,A\n", "appears twice"),
        (b"name\nx\n", "required columns are missing: Code, Prefix"),
        (b"code,prefix\n", "no data rows"),
        (b"", "is empty"),
        (b"code,prefix\nA,A,extra\n", "row 2: has a value in a column without a header"),
        (b"\xff\xfe\x00\x01\x81", "neither UTF-8 nor GB18030"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, data, problem):
    with pytest.raises(TabularError) as info:
        read_table(data, "a.csv", COLUMNS)
    assert problem in str(info.value)


def test_other_formats_are_refused(app):
    with pytest.raises(TabularError, match="save it as .xlsx"):
        read_table(b"\xd0\xcf\x11\xe0rest", "old.xls", COLUMNS)
    with pytest.raises(TabularError, match="neither a .csv nor an .xlsx"):
        read_table(b"code\n", "a.pdf", COLUMNS)


def test_xlsx_first_or_named_sheet_with_exact_numbers_and_dates(app):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Other"
    first.append(["code", "prefix"])
    first.append(["X", "X"])
    sheet = book.create_sheet("序列")
    sheet.append(["Code", "Name", "Prefix", "Padding"])
    sheet.append(["WO", datetime.datetime(2026, 3, 1), 0.1, 6.0])
    sheet.append([None, None, None, None])
    sheet.append(["PO", 48000.5, Decimal("1.10"), 7])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert [r.get("code") for r in read_table(data, "s.xlsx", COLUMNS).rows] == ["X"]
    rows = read_table(data, "s.xlsx", COLUMNS, sheet="序列").rows
    assert [(r.number, r.values) for r in rows] == [
        (2, {"code": "WO", "name": "2026-03-01", "prefix": "0.1", "padding": "6"}),
        (4, {"code": "PO", "name": "48000.5", "prefix": "1.1", "padding": "7"}),
    ]
    with pytest.raises(TabularError) as info:
        read_table(data, "s.xlsx", COLUMNS, sheet="Missing")
    assert info.value.field == "sheet" and "Other, 序列" in str(info.value)


def test_a_broken_xlsx_is_refused(app):
    with pytest.raises(TabularError, match="not a readable XLSX"):
        read_table(b"PK\x03\x04broken", "a.xlsx", COLUMNS)


def table_with_a_bad_row(app):
    data = b"code,prefix,padding\nA,A,3\nB,,3\nC,C,x\nD,D,4\nA,A2,\n"
    return read_table(data, "a.csv", COLUMNS)


def test_dry_run_checks_every_row_and_writes_nothing(session, app):
    report = run_import(
        session, table_with_a_bad_row(app), build_sequence, columns=COLUMNS, mode=DRY_RUN
    )
    assert (report.total, report.imported, report.committed) == (5, 2, False)
    assert [(p.row, p.column, p.label) for p in report.errors] == [
        (3, "prefix", "Prefix"),
        (4, "padding", "Padding"),
        (6, "", ""),  # the duplicate code breaks the unique constraint
    ]
    assert "not a whole number" in report.errors[1].message
    assert "conflicts with a stored record" in report.errors[2].message
    assert count(session) == 0


def test_a_file_with_errors_writes_nothing_unless_valid_rows_are_chosen(session, app):
    report = run_import(
        session, table_with_a_bad_row(app), build_sequence, columns=COLUMNS, mode=ALL_OR_NOTHING
    )
    assert (report.imported, report.rejected_rows, report.committed) == (0, 3, False)
    assert count(session) == 0
    report = run_import(
        session, table_with_a_bad_row(app), build_sequence, columns=COLUMNS, mode=VALID_ROWS
    )
    assert (report.imported, report.rejected_rows, report.committed) == (2, 3, True)
    session.expire_all()
    codes = session.scalars(select(DocumentSequence.code).order_by(DocumentSequence.code)).all()
    assert codes == ["A", "D"]
    assert report.as_dict()["errors"][0] == {
        "row": 3,
        "column": "prefix",
        "label": "Prefix",
        "message": "prefix: is required",
    }


def test_a_clean_file_is_imported_whole(session, app):
    data = b"code,prefix\nA,A\nB,B\n"
    report = run_import(session, read_table(data, "a.csv", COLUMNS), build_sequence)
    assert (report.ok, report.imported, report.committed) == (True, 2, True)
    assert count(session) == 2


def test_plugin_errors_listed_by_the_caller_reject_the_row_on_their_field(session, app):
    class PluginError(ValueError):
        def __init__(self, message, field):
            super().__init__(message)
            self.field = field

    def build(session, row):
        raise PluginError("name: taken", "name")

    table = read_table(b"code,prefix\nA,A\n", "a.csv", COLUMNS)
    report = run_import(session, table, build, columns=COLUMNS, row_errors=(PluginError,))
    assert [(p.row, p.column, p.label) for p in report.errors] == [(2, "name", "Name")]
    with pytest.raises(PluginError):  # not listed: a bug, not a row error
        run_import(session, table, build, columns=COLUMNS)


def test_values_read_out_of_text():
    assert parse_date("2026/3/1", "d") == datetime.date(2026, 3, 1)
    assert parse_date("2026年3月1日", "d") == datetime.date(2026, 3, 1)
    assert parse_date("2026-03-01 00:00:00", "d") == datetime.date(2026, 3, 1)
    assert parse_date("", "d") is None
    with pytest.raises(RowError) as info:
        parse_date("2026-02-30", "start", "Start")
    assert (info.value.column, str(info.value)) == (
        "start",
        "Start: '2026-02-30' is not a date (YYYY-MM-DD)",
    )
    assert parse_whole("12.0", "n") == 12
    with pytest.raises(RowError):
        parse_whole("1.5", "n")


def test_choices_are_matched_by_value_or_label_in_any_language(app):
    choices = [("name", lazy_gettext("Name")), ("zone", lazy_gettext("Time zone"))]
    assert match_choice("zone", choices, "c") == "zone"
    assert match_choice("時區", choices, "c") == "zone"
    assert match_choice("名称", choices, "c") == "name"
    assert match_choice("", choices, "c", default="name") == "name"
    with pytest.raises(RowError, match="'colour' is not one of name, zone"):
        match_choice("colour", choices, "c")


def test_csv_download_has_a_bom_and_exact_values(app):
    with app.test_request_context():
        response = csv_response(
            "库存.csv", ["名称", "金额"], [["螺丝", Decimal("1.10")], ["垫片", None]]
        )
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").splitlines() == ["名称,金额", "螺丝,1.10", "垫片,"]
    assert "filename*=UTF-8''%E5%BA%93%E5%AD%98.csv" in response.headers["Content-Disposition"]


def test_xlsx_download_reads_back_through_read_table(app):
    with app.test_request_context():
        response = xlsx_response("seq.xlsx", ["Code", "Prefix"], [["WO", "工单"]])
    assert response.content_type.startswith("application/vnd.openxmlformats")
    table = read_table(response.data, "seq.xlsx", COLUMNS)
    assert table.rows[0].values == {"code": "WO", "prefix": "工单"}


def test_template_files_carry_the_headers_and_mark_required_ones(app):
    with app.test_request_context():
        response = template_response("csv", "sequences", COLUMNS)
    assert response.data.decode("utf-8-sig").strip() == "Code*,Name,Prefix*,Padding"
    data = xlsx_bytes(["Code*", "Name", "Prefix*"], [["A", "", "A"]])
    assert read_table(data, "t.xlsx", COLUMNS).rows[0].get("prefix") == "A"


def test_uploads_are_kept_for_their_owner_only(app):
    token = save_upload(b"code\n", "../../etc/序列.csv", 7)
    assert load_upload(token, 7) == (b"code\n", "序列.csv")
    with pytest.raises(TabularError, match="expired"):
        load_upload(token, 8)
    with pytest.raises(TabularError, match="expired"):
        load_upload("../../etc/passwd", 7)
    discard_upload(token, 7)
    with pytest.raises(TabularError):
        load_upload(token, 7)
