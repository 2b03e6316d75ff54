"""Stock queries: valuation at moving-average cost, on hand per part, parts without stock, and
the check that every quant agrees with the ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.inventory.models import (
    ACTIVE,
    QUARANTINE,
    Location,
    Part,
    Reservation,
    StockMove,
    StockQuant,
)


@dataclass(frozen=True)
class StockValue:
    """Stock value at moving-average cost: per location id and in total (2 decimals)."""

    total: Decimal
    by_location: dict[int, Decimal]


@dataclass(frozen=True)
class LedgerMismatch:
    """A quant that disagrees with the ledger (on-hand) or with the reservations (reserved)."""

    part_id: int
    location_id: int
    what: str  # "on_hand" or "reserved"
    recorded: Decimal
    expected: Decimal


# --- queries ----------------------------------------------------------------------------------


def stock_value(session: Session) -> StockValue:
    """Stock value at moving-average cost, per location and in total (rounded to cents)."""
    rows = session.execute(
        select(StockQuant.location_id, StockQuant.on_hand, Part.average_cost).join(
            Part, Part.id == StockQuant.part_id
        )
    ).all()
    exact: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        exact[row.location_id] += row.on_hand * row.average_cost
    cent = Decimal("0.01")
    by_location = {k: v.quantize(cent, rounding=ROUND_HALF_UP) for k, v in exact.items()}
    total = sum(exact.values(), Decimal(0)).quantize(cent, rounding=ROUND_HALF_UP)
    return StockValue(total=total, by_location=by_location)


def on_hand_by_part(session: Session, part_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Total on hand per part over every location (quarantine included), in one query."""
    query = select(StockQuant.part_id, func.sum(StockQuant.on_hand)).group_by(StockQuant.part_id)
    if part_ids is not None:
        query = query.where(StockQuant.part_id.in_(part_ids))
    return {part_id: total for part_id, total in session.execute(query)}


def count_parts_without_stock(session: Session) -> int:
    """How many active parts have nothing available in any normal (non-quarantine) location."""
    available = (
        select(StockQuant.part_id)
        .join(Location, Location.id == StockQuant.location_id)
        .where(Location.kind != QUARANTINE, StockQuant.on_hand > StockQuant.reserved)
    )
    return session.scalar(
        select(func.count())
        .select_from(Part)
        .where(Part.active.is_(True), Part.id.not_in(available))
    )


def verify_ledger(session: Session) -> list[LedgerMismatch]:
    """Every quant whose on-hand is not the sum of its moves (in minus out), or whose
    reserved quantity is not the sum of its active reservations. Empty when all is right."""
    expected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for column, sign in ((StockMove.to_location_id, 1), (StockMove.from_location_id, -1)):
        rows = session.execute(
            select(StockMove.part_id, column, func.sum(StockMove.quantity))
            .where(column.is_not(None))
            .group_by(StockMove.part_id, column)
        ).all()
        for part_id, location_id, total in rows:
            expected[(part_id, location_id)] += sign * total
    held: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for part_id, location_id, total in session.execute(
        select(Reservation.part_id, Reservation.location_id, func.sum(Reservation.quantity))
        .where(Reservation.state == ACTIVE)
        .group_by(Reservation.part_id, Reservation.location_id)
    ):
        held[(part_id, location_id)] = total
    recorded = {
        (r.part_id, r.location_id): (r.on_hand, r.reserved)
        for r in session.execute(
            select(
                StockQuant.part_id, StockQuant.location_id, StockQuant.on_hand, StockQuant.reserved
            )
        )
    }
    problems = []
    for key in sorted(set(expected) | set(recorded) | set(held)):
        on_hand, reserved = recorded.get(key, (Decimal(0), Decimal(0)))
        if on_hand != expected.get(key, Decimal(0)):
            problems.append(LedgerMismatch(*key, "on_hand", on_hand, expected.get(key, Decimal(0))))
        if reserved != held.get(key, Decimal(0)):
            problems.append(LedgerMismatch(*key, "reserved", reserved, held.get(key, Decimal(0))))
    return problems
