"""The import runner: every row built by a plugin function inside one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.column_limits import ColumnValueError
from core.tabular.reading import Column, Row, Table

DRY_RUN = "dry_run"  # check every row, write nothing
ALL_OR_NOTHING = "all"  # write every row, or none when one fails
VALID_ROWS = "valid_rows"  # write the rows that pass, report the others
MODES = (DRY_RUN, ALL_OR_NOTHING, VALID_ROWS)


class RowError(ValueError):
    """Raised by a row builder: ``message`` says what is wrong, ``column`` which column."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class RowProblem:
    """A rejected row: its number in the file, the column key (``""`` for the whole row),
    the column's label and what is wrong."""

    row: int
    column: str
    label: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "row": self.row,
            "column": self.column,
            "label": self.label,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import did: ``total`` data rows, ``imported`` rows written (or that would be,
    on a dry run), ``errors`` the rejected rows; ``committed`` whether anything was written."""

    mode: str
    total: int = 0
    imported: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    committed: bool = False

    @property
    def rejected_rows(self) -> int:
        """How many distinct rows were rejected."""
        return len({p.row for p in self.errors})

    @property
    def ok(self) -> bool:
        """Every row passed."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "mode": self.mode,
            "total": self.total,
            "imported": self.imported,
            "rejected": self.rejected_rows,
            "committed": self.committed,
            "errors": [p.as_dict() for p in self.errors],
        }


def _problem(
    number: int, exc: Exception, labels: Mapping[str, str], column: str | None
) -> RowProblem:
    key = column if column in labels else ""
    return RowProblem(number, key, labels.get(key, ""), str(exc))


def run_import(
    session: Session,
    table: Table,
    build_row: Callable[[Session, Row], Any],
    *,
    columns: Sequence[Column] = (),
    mode: str = ALL_OR_NOTHING,
    row_errors: tuple[type[Exception], ...] = (),
) -> ImportReport:
    """Build every row of ``table`` with ``build_row(session, row)`` in one transaction.

    Each row runs in a savepoint: a :class:`RowError`, an exception of a type in
    ``row_errors`` (a plugin's own error: its ``field`` attribute names the column), a value
    its column cannot hold (:class:`core.column_limits.ColumnValueError`: too long, not a
    currency code) or an integrity error rejects that row only and undoes its writes. Then,
    by ``mode``: :data:`DRY_RUN` rolls everything back; :data:`ALL_OR_NOTHING` commits only
    when no row failed; :data:`VALID_ROWS` commits the rows that passed. This function
    commits or rolls back ``session`` itself. ``columns`` give the labels shown with the errors.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    labels = {c.key: str(c.label) for c in columns}
    report = ImportReport(mode=mode, total=len(table.rows))
    for row in table.rows:
        savepoint = session.begin_nested()
        try:
            build_row(session, row)
            session.flush()
        except RowError as exc:
            savepoint.rollback()
            report.errors.append(_problem(row.number, exc, labels, exc.column))
            continue
        except IntegrityError as exc:
            savepoint.rollback()
            problem = gettext(
                "conflicts with a stored record (%(detail)s)", detail=str(exc.orig).strip()
            )
            report.errors.append(RowProblem(row.number, "", "", problem))
            continue
        except (*row_errors, ColumnValueError) as exc:
            savepoint.rollback()
            column = getattr(exc, "field", None) or getattr(exc, "column", None)
            report.errors.append(_problem(row.number, exc, labels, column))
            continue
        savepoint.commit()
        report.imported += 1
    if mode == DRY_RUN or (mode == ALL_OR_NOTHING and report.errors):
        session.rollback()
        if mode == ALL_OR_NOTHING:
            report.imported = 0
    else:
        session.commit()
        report.committed = report.imported > 0
    return report
