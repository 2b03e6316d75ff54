"""Stocktake count sheets: the columns of a count sheet, its rows, and entering the counts
of an uploaded CSV/XLSX file."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.inventory.models import (
    COUNTING,
    Part,
    Stocktake,
)
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.stocktake import describe, enter_counts, require_state

# --- importing counts -------------------------------------------------------------------------


def count_columns() -> list[Any]:
    """The columns of a count file: SKU and counted quantity; the part name may be there
    too (the downloaded count sheet has it) and is ignored."""
    from flask_babel import lazy_gettext

    from core.tabular import Column

    return [
        Column(
            "sku",
            lazy_gettext("SKU"),
            required=True,
            help=lazy_gettext("The part's SKU; it must be on the count sheet"),
        ),
        Column("name", lazy_gettext("Part"), help=lazy_gettext("Ignored")),
        Column(
            "counted",
            lazy_gettext("Counted"),
            required=True,
            help=lazy_gettext("The counted quantity: 0 or more, at most 3 decimals"),
        ),
    ]


def sheet_rows(stocktake: Stocktake) -> list[list[Any]]:
    """The count sheet as rows of (SKU, part name, counted so far) for a count file."""
    return [
        [line.part.sku, line.part.name, describe(line.counted)]
        for line in sorted(stocktake.lines, key=lambda item: item.part.sku)
    ]


def import_counts(
    session: Session,
    stocktake: Stocktake,
    data: bytes,
    filename: str,
    mode: str,
    sheet: str | None = None,
) -> Any:
    """Enter the counts of a CSV/XLSX file (columns of :func:`count_columns`) with
    :func:`core.tabular.run_import`: a row naming an unknown SKU, a part not on the sheet,
    a SKU given twice or a bad quantity is rejected with its row and column. Returns the
    :class:`core.tabular.ImportReport`; the runner commits or rolls back by ``mode``.
    Raises :class:`core.tabular.TabularError` for a file that cannot be read, and
    :class:`InventoryError` unless the stocktake is counting."""
    from core.tabular import RowError, read_table, run_import

    require_state(stocktake, (COUNTING,), gettext("enter counts"))
    columns = count_columns()
    table = read_table(data, filename, columns, sheet=sheet or None)
    on_sheet = {line.part.sku.casefold(): line.part_id for line in stocktake.lines}
    seen: dict[str, int] = {}

    def build(session: Session, row: Any) -> None:
        sku = row.get("sku")
        if not sku:
            raise RowError(gettext("SKU: is required"), "sku")
        if sku.casefold() in seen:
            raise RowError(
                gettext(
                    "SKU: %(sku)s is already counted in row %(row)d",
                    sku=sku,
                    row=seen[sku.casefold()],
                ),
                "sku",
            )
        seen[sku.casefold()] = row.number
        part_id = on_sheet.get(sku.casefold())
        if part_id is None:
            known = session.scalar(select(Part.id).where(func.lower(Part.sku) == sku.lower()))
            message = (
                gettext("SKU: %(sku)s is not on this count sheet; add the part first", sku=sku)
                if known is not None
                else gettext("SKU: no part has the SKU %(sku)s", sku=sku)
            )
            raise RowError(message, "sku")
        enter_counts(session, stocktake, {part_id: row.get("counted")})

    return run_import(
        session, table, build, columns=columns, mode=mode, row_errors=(InventoryError,)
    )
