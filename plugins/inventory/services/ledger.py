"""The quants and the ledger underneath every stock action: adding and taking stock with
conditional UPDATE statements (on-hand never goes negative, also under concurrency), posting
a move with its event, and the moving-average cost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.service import current_actor
from core.events import publish
from core.timeutil import utcnow
from plugins.inventory.events import (
    StockMoved,
)
from plugins.inventory.models import (
    COST_DIGITS,
    Location,
    Part,
    Quantity,
    StockMove,
    StockQuant,
)
from plugins.inventory.services.common import fmt_quantity
from plugins.inventory.services.errors import InsufficientStockError

COST_EXPONENT = Decimal(1).scaleb(-COST_DIGITS)


@dataclass(frozen=True)
class StockLevel:
    """On hand, reserved and available quantity of a part at a location."""

    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        """On hand minus reserved."""
        return self.on_hand - self.reserved


# --- quants -----------------------------------------------------------------------------------


# The quant statements run for every move: built once, as Core statements (no ORM bulk-update
# bookkeeping, no autoflush), with typed parameters.
_quant = StockQuant.__table__
_AT = (_quant.c.part_id == bindparam("part"), _quant.c.location_id == bindparam("location"))
_ADD_TO_QUANT = (
    _quant.update()
    .where(*_AT)
    .values(on_hand=_quant.c.on_hand + bindparam("quantity", type_=Quantity()))
)
_NEW_QUANT = _quant.insert().values(
    part_id=bindparam("part"),
    location_id=bindparam("location"),
    on_hand=bindparam("quantity", type_=Quantity()),
    reserved=0,
)
_TAKE_FROM_QUANT = (
    _quant.update()
    .where(
        *_AT,
        _quant.c.reserved >= bindparam("release", type_=Quantity()),
        _quant.c.on_hand - _quant.c.reserved + bindparam("release", type_=Quantity())
        >= bindparam("quantity", type_=Quantity()),
    )
    .values(
        on_hand=_quant.c.on_hand - bindparam("quantity", type_=Quantity()),
        reserved=_quant.c.reserved - bindparam("release", type_=Quantity()),
    )
)
RESERVE_IN_QUANT = (
    _quant.update()
    .where(*_AT, _quant.c.on_hand - _quant.c.reserved >= bindparam("quantity", type_=Quantity()))
    .values(reserved=_quant.c.reserved + bindparam("quantity", type_=Quantity()))
)
UNRESERVE_IN_QUANT = (
    _quant.update()
    .where(*_AT)
    .values(reserved=_quant.c.reserved - bindparam("quantity", type_=Quantity()))
)


def put_stock(session: Session, part_id: int, location_id: int, quantity: Decimal) -> None:
    """Add ``quantity`` to the quant of (part, location), creating it if needed."""
    values = {"part": part_id, "location": location_id, "quantity": quantity}
    if session.execute(_ADD_TO_QUANT, values).rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(_NEW_QUANT, values)
    except IntegrityError:  # created by a concurrent transaction meanwhile
        session.execute(_ADD_TO_QUANT, values)


def stock_level(session: Session, part_id: int, location_id: int) -> StockLevel:
    """On hand and reserved of a part at a location, read from the database now."""
    row = session.execute(
        select(StockQuant.on_hand, StockQuant.reserved).where(
            StockQuant.part_id == part_id, StockQuant.location_id == location_id
        )
    ).first()
    zero = Decimal("0.000")
    return StockLevel(row.on_hand, row.reserved) if row else StockLevel(zero, zero)


def take_stock(
    session: Session,
    part: Part,
    location: Location,
    quantity: Decimal,
    *,
    release: Decimal = Decimal(0),
) -> None:
    """Take ``quantity`` out of (part, location), also dropping ``release`` of its reserved
    quantity (the caller's own reservation): refused unless that much is available."""
    taken = session.execute(
        _TAKE_FROM_QUANT,
        {"part": part.id, "location": location.id, "quantity": quantity, "release": release},
    )
    if taken.rowcount != 1:
        level = stock_level(session, part.id, location.id)
        available = level.available + release
        raise InsufficientStockError(
            gettext(
                "quantity: cannot take %(requested)s %(unit)s of part %(sku)s from %(location)s: "
                "only %(available)s available (on hand %(on_hand)s, reserved %(reserved)s)",
                requested=fmt_quantity(quantity),
                unit=part.unit,
                sku=part.sku,
                location=str(location),
                available=fmt_quantity(available),
                on_hand=fmt_quantity(level.on_hand),
                reserved=fmt_quantity(level.reserved),
            ),
            part_sku=part.sku,
            location=str(location),
            available=available,
            requested=quantity,
        )


def total_on_hand(session: Session, part_id: int) -> Decimal:
    """Total on hand of a part over every location (0 without quants)."""
    total = session.scalar(
        select(func.sum(StockQuant.on_hand)).where(StockQuant.part_id == part_id)
    )
    return total if total is not None else Decimal(0)


def post_move(
    session: Session,
    event_class: type[StockMoved],
    *,
    part: Part,
    quantity: Decimal,
    reason: str,
    source: Location | None = None,
    destination: Location | None = None,
    unit_cost: Decimal | None = None,
    sale_price: Decimal | None = None,
    reference: str | None = None,
    note: str | None = None,
    reversal_of: StockMove | None = None,
    vendor: dict[str, Any] | None = None,
) -> StockMove:
    """Post a move and publish its event; ``vendor`` (``supplier_id``, ``rma``,
    ``vendor_return_id``) goes on both for moves to and from a supplier under warranty."""
    user_id, username = current_actor()
    vendor = vendor or {}
    move = StockMove(
        part_id=part.id,
        from_location_id=source.id if source else None,
        to_location_id=destination.id if destination else None,
        quantity=quantity,
        reason=reason,
        reference=reference,
        note=note,
        unit_cost=part.average_cost if unit_cost is None else unit_cost,
        sale_price=sale_price,
        reversal_of_id=reversal_of.id if reversal_of else None,
        created_on=utcnow(),
        created_by=username,
        created_by_id=user_id,
        **vendor,
    )
    session.add(move)
    session.flush()
    fields: dict[str, Any] = dict(vendor)
    if reversal_of is not None:
        fields["reversed_move_id"] = reversal_of.id
    publish(
        session,
        event_class(
            move_id=move.id,
            part_id=part.id,
            quantity=quantity,
            from_location_id=move.from_location_id,
            to_location_id=move.to_location_id,
            reference=reference,
            unit_cost=move.unit_cost,
            sale_price=sale_price,
            **fields,
        ),
    )
    return move


def moving_average(
    on_hand: Decimal, average: Decimal, quantity: Decimal, unit_cost: Decimal
) -> Decimal:
    """The average cost after ``quantity`` at ``unit_cost`` joins ``on_hand`` at ``average``."""
    if on_hand <= 0:
        return unit_cost.quantize(COST_EXPONENT)
    value = on_hand * average + quantity * unit_cost
    return (value / (on_hand + quantity)).quantize(COST_EXPONENT, rounding=ROUND_HALF_UP)
