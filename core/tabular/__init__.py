"""Tables in and out: reading CSV/XLSX uploads, importing them row by row, downloads.

* :func:`read_table` reads a CSV (UTF-8 with or without BOM, GB18030 from Chinese Excel) or
  an XLSX sheet into :class:`Row` values keyed by the :class:`Column` keys a plugin declares;
  headers may be the keys or the column labels in English, Simplified or Traditional Chinese.
* :func:`run_import` builds every row with a plugin function inside one transaction; a
  :class:`RowError` (or an exception type the caller lists) rejects the row. Modes: dry run
  (roll back, report), all or nothing (commit only without errors), valid rows (commit the
  good rows, report the rejected ones). Returns an :class:`ImportReport`.
* :func:`csv_response` / :func:`xlsx_response` / :func:`table_response` send a table as a
  download (CSV with a UTF-8 BOM so Excel shows Chinese text); :func:`template_response`
  sends an empty file with the expected headers.
* :func:`parse_date`, :func:`parse_whole`, :func:`match_choice` read typed values out of
  row text for row builders, raising :class:`RowError` on the column.
* :func:`answer_import` answers a plugin's multipart import endpoint (mode, file, sheet,
  report with 200/201/422).
* :func:`save_upload` / :func:`load_upload` / :func:`discard_upload` keep the uploaded file
  between the dry run and the import (per user, a day at most).
* Templates: ``aftersales/tabular.html`` has the macros ``import_form(...)`` and
  ``import_report(report)`` for a plugin's upload screen.
"""

from core.tabular.api import answer_import
from core.tabular.download import csv_response, table_response, template_response, xlsx_response
from core.tabular.importing import (
    ALL_OR_NOTHING,
    DRY_RUN,
    MODES,
    VALID_ROWS,
    ImportReport,
    RowError,
    RowProblem,
    run_import,
)
from core.tabular.reading import Column, Row, Table, TabularError, read_table
from core.tabular.uploads import discard_upload, load_upload, save_upload
from core.tabular.values import match_choice, parse_date, parse_whole

__all__ = [
    "answer_import",
    "ALL_OR_NOTHING",
    "DRY_RUN",
    "MODES",
    "VALID_ROWS",
    "Column",
    "ImportReport",
    "Row",
    "RowError",
    "RowProblem",
    "Table",
    "TabularError",
    "csv_response",
    "discard_upload",
    "load_upload",
    "match_choice",
    "parse_date",
    "parse_whole",
    "read_table",
    "run_import",
    "save_upload",
    "table_response",
    "template_response",
    "xlsx_response",
]
