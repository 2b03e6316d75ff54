"""Reading an uploaded CSV or XLSX file into rows keyed by declared columns."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale, gettext

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
DEFAULT_MAX_ROWS = 20000
_SPACES = re.compile(r"[\s_\-]+")


class TabularError(ValueError):
    """A file that cannot be read as a table (format, encoding, headers); ``field`` is
    ``"file"`` or ``"sheet"``, ``column`` the offending column when there is one."""

    def __init__(self, message: str, field: str = "file", column: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.column = column


@dataclass(frozen=True)
class Column:
    """A column a plugin expects: ``key`` (also accepted as header), ``label`` (a lazy
    string: its English text and translations are accepted as headers too), ``required``
    (the header must be present), ``aliases`` (more accepted headers), ``help`` (shown on the
    upload screen)."""

    key: str
    label: Any
    required: bool = False
    aliases: Sequence[str] = ()
    help: Any = ""


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` as the user sees it (the header is row 1), ``values`` as
    stripped text keyed by column key (absent columns read as ``""``)."""

    number: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        """The text of column ``key`` (``""`` when empty or absent)."""
        return self.values.get(key, "")


@dataclass(frozen=True)
class Table:
    """The rows of a file, with the columns found (keys, in file order)."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def normalise_header(text: str) -> str:
    """Header text compared without case, surrounding space, ``_``/``-``/space runs, a
    trailing ``*`` (required marker) or a UTF-8 BOM."""
    text = str(text or "").replace("\ufeff", "").strip().rstrip("*").strip()
    return _SPACES.sub(" ", text).casefold()


def header_names(column: Column) -> set[str]:
    """Every accepted (normalised) header of ``column``: key, aliases, and its label in
    English and in every configured language."""
    names = {normalise_header(column.key), *(normalise_header(a) for a in column.aliases)}
    names.add(normalise_header(str(column.label)))
    if has_app_context():
        for locale in ["en", *(current_app.config.get("LANGUAGES") or {})]:
            with force_locale(locale):
                names.add(normalise_header(str(column.label)))
    return names - {""}


def decode_csv(data: bytes) -> str:
    """CSV text: UTF-8 (a BOM is dropped), else GB18030 (files saved by Chinese Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TabularError(
            gettext("file: the text is neither UTF-8 nor GB18030 (save it as CSV UTF-8)")
        ) from exc


def cell_to_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers without ``.0``, other numbers in their
    shortest exact form (never a binary float artefact), dates ISO, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(data: bytes, sheet: str | None) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TabularError(
            gettext("file: not a readable XLSX workbook (%(problem)s)", problem=exc)
        ) from exc
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise TabularError(
                    gettext(
                        "sheet: %(sheet)s is not in the workbook (sheets: %(names)s)",
                        sheet=sheet,
                        names=", ".join(book.sheetnames),
                    ),
                    "sheet",
                )
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        return [list(r) for r in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _raw_rows(data: bytes, filename: str, sheet: str | None) -> list[list[Any]]:
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise TabularError(gettext("file: old .xls workbooks are not read; save it as .xlsx"))
    if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        return _xlsx_rows(data, sheet)
    if name and not name.endswith((".csv", ".txt")):
        raise TabularError(
            gettext("file: %(name)s is neither a .csv nor an .xlsx file", name=filename)
        )
    return _csv_rows(data)


def read_table(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Table:
    """Read an uploaded ``.csv`` or ``.xlsx`` (``sheet`` by name, default the first).

    The first non-empty row holds the headers, matched to ``columns`` (see
    :func:`header_names`). Empty rows are skipped; row numbers are those of the file.
    Raises :class:`TabularError` for an unreadable file, an unknown, repeated or missing
    required column, no data rows, or more than ``max_rows`` rows.
    """
    if not data:
        raise TabularError(gettext("file: is empty"))
    raw = _raw_rows(data, filename, sheet)
    texts = [[cell_to_text(v) for v in r] for r in raw]
    start = next((i for i, r in enumerate(texts) if any(r)), None)
    if start is None:
        raise TabularError(gettext("file: has no header row"))
    lookup: dict[str, str] = {}
    for column in columns:
        for name in header_names(column):
            lookup.setdefault(name, column.key)
    keys: list[str | None] = []
    for index, header in enumerate(texts[start]):
        if not header:
            keys.append(None)
            continue
        key = lookup.get(normalise_header(header))
        if key is None:
            raise TabularError(
                gettext(
                    "column %(position)s: %(header)r is not a known column (expected: %(known)s)",
                    position=index + 1,
                    header=header,
                    known=", ".join(c.key for c in columns),
                ),
                column=header,
            )
        if key in keys:
            raise TabularError(
                gettext("column %(header)r: appears twice", header=header), column=key
            )
        keys.append(key)
    missing = [str(c.label) for c in columns if c.required and c.key not in keys]
    if missing:
        raise TabularError(
            gettext("file: required columns are missing: %(columns)s", columns=", ".join(missing))
        )
    rows = []
    for offset, values in enumerate(texts[start + 1 :], start=start + 2):
        if not any(values):
            continue
        if any(v for i, v in enumerate(values) if i >= len(keys) or keys[i] is None):
            raise TabularError(
                gettext("row %(row)s: has a value in a column without a header", row=offset)
            )
        rows.append(
            Row(offset, {k: values[i] if i < len(values) else "" for i, k in enumerate(keys) if k})
        )
        if len(rows) > max_rows:
            raise TabularError(gettext("file: more than %(max)s rows; split it", max=max_rows))
    if not rows:
        raise TabularError(gettext("file: has no data rows under the headers"))
    return Table(columns=tuple(k for k in keys if k), rows=tuple(rows))
