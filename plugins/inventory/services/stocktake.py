"""Stocktake rules: count sheets per location, counts, variances and their posting.

A stocktake goes draft -> counting -> submitted -> posted, or is cancelled before posting.
At most one stocktake per location is open (not posted or cancelled) at a time.

* **Draft**: a location and, optionally, a chosen set of parts.
* **Start counting**: without chosen parts, the sheet gets every part with stock at the
  location. Each line snapshots the book quantity (on hand) as ``book_at_start``.
* **Counting**: counted quantities are entered (on screen, through the API, or imported).
  Entering a count also records ``book_at_count``, the on hand at that moment, which by the
  ledger rule equals the book at start plus every move at the location since the start up
  to the count. So moves during the count are accounted for:
  **variance = counted - book_at_count = counted - (book at start + moves since the start
  up to the count)**. A move after the count is not in what was counted and stays on the
  books: posting adds only the variance, so on hand ends at counted + moves after the count.
  Parts found that are not on the sheet can be added while counting.
* **Submit**: every line must be counted.
* **Post** (a separate permission, ``can_approve`` on ``inventory_stocktake``): one
  adjustment move per line with a variance, referencing the stocktake number, all in one
  transaction; the state moves submitted -> posted through a conditional UPDATE, so a
  stocktake is never posted twice. Each line keeps the moving-average cost it was valued at.

Variances are valued at the part's moving-average cost (at posting, the cost then).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from core.audit.service import current_actor
from core.sequences.service import define_sequence, next_number
from core.timeutil import utcnow
from plugins.inventory.models import (
    CANCELLED,
    COUNTING,
    DRAFT,
    POSTED,
    STOCKTAKE_OPEN_STATES,
    SUBMITTED,
    Part,
    StockQuant,
    Stocktake,
    StocktakeLine,
)
from plugins.inventory.services.common import (
    clean_text,
    fmt_quantity,
    get_location,
    get_part,
    parse_quantity,
    record_id,
)
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.moves import adjust

SEQUENCE = "inventory.stocktake"  # prefix ST: ST-2026-00001
ZERO = Decimal("0.000")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineFigures:
    """A line as the count sheet shows it."""

    line_id: int
    part_id: int
    sku: str
    name: str
    unit: str
    book_at_start: Decimal | None
    moves_since_start: Decimal | None
    book_at_count: Decimal | None
    counted: Decimal | None
    variance: Decimal | None
    unit_cost: Decimal
    variance_value: Decimal | None


def ensure_sequence(session: Session) -> None:
    """Define the stocktake sequence (ST-2026-00001) unless it exists."""
    define_sequence(session, SEQUENCE, "ST", 5, True, name="Stocktakes")


def get_stocktake(session: Session, stocktake_id: Any) -> Stocktake:
    """The stocktake ``stocktake_id`` with its lines and parts (404 when unknown)."""
    found = session.scalar(
        select(Stocktake)
        .where(Stocktake.id == record_id(stocktake_id, "stocktake_id"))
        .options(selectinload(Stocktake.lines).selectinload(StocktakeLine.part))
    )
    if found is None:
        raise InventoryError(
            gettext("stocktake_id: stocktake %(id)s does not exist", id=stocktake_id),
            "stocktake_id",
            404,
        )
    return found


def require_state(stocktake: Stocktake, states: tuple[str, ...], doing: str) -> None:
    """Refuse (409) ``doing`` on a stocktake that is not in one of ``states``."""
    if stocktake.state not in states:
        raise InventoryError(
            gettext(
                "state: stocktake %(number)s is %(state)s; cannot %(doing)s",
                number=stocktake.number,
                state=stocktake.state,
                doing=doing,
            ),
            "state",
            409,
        )


def _on_hand(session: Session, location_id: int, part_ids: Iterable[int]) -> dict[int, Decimal]:
    return {
        part_id: on_hand
        for part_id, on_hand in session.execute(
            select(StockQuant.part_id, StockQuant.on_hand).where(
                StockQuant.location_id == location_id, StockQuant.part_id.in_(list(part_ids))
            )
        )
    }


def create_stocktake(
    session: Session, location_id: Any, part_ids: Iterable[Any] | None = None, note: Any = None
) -> Stocktake:
    """Draft a count sheet for a location (409 while another one is open there), optionally
    for a chosen set of parts."""
    with session.begin_nested():
        location = get_location(session, location_id)
        stocktake = Stocktake(location_id=location.id, note=note)
        prepare_stocktake(session, stocktake)
        session.add(stocktake)
        session.flush()
        if part_ids:
            add_parts(session, stocktake, part_ids)
        return stocktake


def prepare_stocktake(session: Session, stocktake: Stocktake, field: str = "location_id") -> None:
    """Check a new or edited stocktake (nothing is flushed): a location without another
    open stocktake (409); a new one gets its number and starts as a draft; only a draft may
    be edited."""
    with session.no_autoflush:
        location_id = (
            stocktake.location.id if stocktake.location is not None else stocktake.location_id
        )
        if location_id is None:
            raise InventoryError(gettext("%(field)s: is required", field=field), field)
        location = get_location(session, location_id, field)
        stocktake.note = clean_text(stocktake.note, "note", required=False, length=1000)
        if stocktake.id is not None:
            require_state(stocktake, (DRAFT,), gettext("edit it"))
        others = select(Stocktake.number).where(
            Stocktake.location_id == location.id, Stocktake.state.in_(STOCKTAKE_OPEN_STATES)
        )
        if stocktake.id is not None:
            others = others.where(Stocktake.id != stocktake.id)
        open_one = session.scalar(others)
        if open_one is not None:
            raise InventoryError(
                gettext(
                    "%(field)s: stocktake %(number)s of %(location)s is still open",
                    field=field,
                    number=open_one,
                    location=str(location),
                ),
                field,
                409,
            )
        if stocktake.id is None:
            ensure_sequence(session)
            stocktake.number = next_number(session, SEQUENCE)
            stocktake.state = DRAFT
            stocktake.created_on = utcnow()


def add_parts(session: Session, stocktake: Stocktake, part_ids: Iterable[Any]) -> Stocktake:
    """Put parts on the sheet (draft or counting; parts already on it are skipped). While
    counting, their book at start is their on hand now."""
    require_state(stocktake, (DRAFT, COUNTING), gettext("add parts"))
    with session.begin_nested():
        present = {line.part_id for line in stocktake.lines}
        wanted = []
        for value in part_ids:
            part = get_part(session, value)
            if part.id not in present:
                present.add(part.id)
                wanted.append(part.id)
        books = _on_hand(session, stocktake.location_id, wanted)
        for part_id in wanted:
            line = StocktakeLine(stocktake_id=stocktake.id, part_id=part_id)
            if stocktake.state == COUNTING:
                line.book_at_start = books.get(part_id, ZERO)
            session.add(line)
        session.flush()
        session.refresh(stocktake, ["lines"])
        return stocktake


def start_counting(session: Session, stocktake: Stocktake) -> Stocktake:
    """draft -> counting: snapshot the book quantities (every part with stock at the
    location when none were chosen)."""
    require_state(stocktake, (DRAFT,), gettext("start counting"))
    with session.begin_nested():
        if not stocktake.lines:
            held = session.scalars(
                select(StockQuant.part_id)
                .where(StockQuant.location_id == stocktake.location_id, StockQuant.on_hand > 0)
                .order_by(StockQuant.part_id)
            ).all()
            if not held:
                raise InventoryError(
                    gettext("lines: the location holds no stock; choose the parts to count"),
                    "lines",
                )
            session.add_all(StocktakeLine(stocktake_id=stocktake.id, part_id=p) for p in held)
            session.flush()
            session.refresh(stocktake, ["lines"])
        books = _on_hand(session, stocktake.location_id, [line.part_id for line in stocktake.lines])
        for line in stocktake.lines:
            line.book_at_start = books.get(line.part_id, ZERO)
        stocktake.state = COUNTING
        stocktake.started_on = utcnow()
        session.flush()
        return stocktake


def _counted(value: Any, field: str) -> Decimal:
    """A counted quantity: zero or more, at most 3 decimals."""
    present = value not in (None, "") and not isinstance(value, bool)
    try:
        text = repr(value) if isinstance(value, float) else str(value).strip()
        if present and Decimal(text) == 0:
            return ZERO
    except InvalidOperation:
        pass
    return parse_quantity(value, field)


def enter_counts(
    session: Session, stocktake: Stocktake, counts: Mapping[Any, Any], *, field: str = "counted"
) -> Stocktake:
    """Enter counted quantities, ``{part_id: quantity}``, all or nothing (counting only).

    Each count records the on hand at that moment as its ``book_at_count``. Entering a part
    again replaces its count. Parts not on the sheet are refused (add them first).
    """
    require_state(stocktake, (COUNTING,), gettext("enter counts"))
    with session.begin_nested():
        by_part = {line.part_id: line for line in stocktake.lines}
        values: dict[int, Decimal] = {}
        for key, value in counts.items():
            part_id = record_id(key, "part_id")
            line = by_part.get(part_id)
            if line is None:
                raise InventoryError(
                    gettext(
                        "part_id: part %(id)s is not on stocktake %(number)s",
                        id=key,
                        number=stocktake.number,
                    ),
                    "part_id",
                )
            values[part_id] = _counted(value, field)
        books = _on_hand(session, stocktake.location_id, list(values))
        _, username = current_actor()
        now = utcnow()
        for part_id, counted in values.items():
            line = by_part[part_id]
            line.counted = counted
            line.book_at_count = books.get(part_id, ZERO)
            line.counted_on = now
            line.counted_by = username
        session.flush()
        return stocktake


def submit(session: Session, stocktake: Stocktake) -> Stocktake:
    """counting -> submitted, once every line is counted."""
    require_state(stocktake, (COUNTING,), gettext("submit it"))
    missing = [line.part.sku for line in stocktake.lines if line.counted is None]
    if missing:
        raise InventoryError(
            gettext(
                "counted: %(count)d part(s) not counted yet: %(skus)s",
                count=len(missing),
                skus=", ".join(missing[:10]),
            ),
            "counted",
        )
    stocktake.state = SUBMITTED
    stocktake.submitted_on = utcnow()
    session.flush()
    return stocktake


def return_to_counting(session: Session, stocktake: Stocktake) -> Stocktake:
    """submitted -> counting (the approver wants a recount)."""
    require_state(stocktake, (SUBMITTED,), gettext("return it to counting"))
    stocktake.state = COUNTING
    stocktake.submitted_on = None
    session.flush()
    return stocktake


def post(session: Session, stocktake: Stocktake) -> Stocktake:
    """submitted -> posted: an adjustment move per line with a variance, in one transaction.

    Refused (409) unless submitted, also when another session posted it meanwhile; an
    adjustment the stock cannot take (reserved stock) refuses the whole posting.
    """
    with session.begin_nested():
        _, username = current_actor()
        now = utcnow()
        moved = session.execute(
            update(Stocktake)
            .where(Stocktake.id == stocktake.id, Stocktake.state == SUBMITTED)
            .values(state=POSTED, posted_on=now, posted_by=username)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            session.refresh(stocktake)
            require_state(stocktake, (SUBMITTED,), gettext("post it"))
        # The same values through the ORM, so that the audit log records the change.
        stocktake.state, stocktake.posted_on, stocktake.posted_by = POSTED, now, username
        note = gettext("Stocktake %(number)s", number=stocktake.number)
        for line in stocktake.lines:
            part = session.get(Part, line.part_id)
            line.unit_cost = part.average_cost
            variance = line.variance
            if variance:
                move = adjust(
                    session,
                    line.part_id,
                    stocktake.location_id,
                    variance,
                    note=note,
                    reference=stocktake.number,
                )
                line.move_id = move.id
        session.flush()
        session.refresh(stocktake)
        return stocktake


def cancel(session: Session, stocktake: Stocktake) -> Stocktake:
    """Cancel a stocktake that is not posted; nothing is booked."""
    require_state(stocktake, (DRAFT, COUNTING, SUBMITTED), gettext("cancel it"))
    stocktake.state = CANCELLED
    session.flush()
    return stocktake


def figures(session: Session, stocktake: Stocktake) -> list[LineFigures]:
    """The sheet's lines with moves since the start, variance and its value (at the cost
    recorded at posting, else the part's moving-average cost now)."""
    rows = []
    for line in sorted(stocktake.lines, key=lambda item: item.part.sku):
        cost = line.unit_cost if line.unit_cost is not None else line.part.average_cost
        variance = line.variance
        since = (
            line.book_at_count - line.book_at_start
            if line.book_at_count is not None and line.book_at_start is not None
            else None
        )
        rows.append(
            LineFigures(
                line_id=line.id,
                part_id=line.part_id,
                sku=line.part.sku,
                name=line.part.name,
                unit=line.part.unit,
                book_at_start=line.book_at_start,
                moves_since_start=since,
                book_at_count=line.book_at_count,
                counted=line.counted,
                variance=variance,
                unit_cost=cost,
                variance_value=(
                    (variance * cost).quantize(CENT, rounding=ROUND_HALF_UP)
                    if variance is not None
                    else None
                ),
            )
        )
    return rows


def variance_total(rows: Iterable[LineFigures]) -> Decimal:
    """The sum of the variance values (cents)."""
    return sum((r.variance_value for r in rows if r.variance_value is not None), Decimal("0.00"))


def describe(value: Decimal | None) -> str:
    """A quantity for the sheet ("" when not known yet)."""
    return "" if value is None else fmt_quantity(value)
