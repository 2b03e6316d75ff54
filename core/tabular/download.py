"""Tables as downloads: CSV (UTF-8 with BOM, for Excel) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from flask import Response

from core.tabular.reading import Column

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _text(value: Any) -> Any:
    from core.documents.compose import cell_text

    return cell_text(value)


def csv_response(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download starting with a UTF-8 BOM (Excel then reads Chinese text right).
    Values are written as text (dates ISO, Decimals exact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_text(h) for h in headers])
    writer.writerows([_text(v) for v in row] for row in rows)
    body = "\ufeff" + buffer.getvalue()
    return Response(
        body.encode("utf-8"),
        content_type=CSV_TYPE,
        headers={"Content-Disposition": _disposition(filename)},
    )


def xlsx_bytes(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1"
) -> bytes:
    """An XLSX workbook of one sheet: a bold header row, frozen, then the rows as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31] or "Sheet1"
    sheet.append([_text(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_text(v) for v in row])
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(_text(header)) * 2 + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
) -> Response:
    """An XLSX download of one sheet (see :func:`xlsx_bytes`)."""
    return Response(
        xlsx_bytes(headers, rows, sheet_title),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": _disposition(filename)},
    )


def table_response(
    fmt: str, basename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> Response:
    """``basename.csv`` or ``basename.xlsx`` by ``fmt`` (``"csv"``/``"xlsx"``); raises
    ``ValueError`` for another format."""
    if fmt == "csv":
        return csv_response(f"{basename}.csv", headers, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", headers, rows)
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def template_response(fmt: str, basename: str, columns: Sequence[Column]) -> Response:
    """An empty import file with the expected headers (labels in the current language;
    required ones marked ``*``, which :func:`core.tabular.read_table` ignores)."""
    headers = [f"{c.label}*" if c.required else str(c.label) for c in columns]
    return table_response(fmt, basename, headers, [])
