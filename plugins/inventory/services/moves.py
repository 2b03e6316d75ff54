"""Stock actions: receive, issue, return from a work order, transfer, adjust, scrap and
reverse a move. Other plugins may call these.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Each stock action runs inside a savepoint: it posts its move(s), updates the
quants and publishes its event together, or, when refused, raises :class:`InventoryError`
(whose message names the field and the rule) and leaves nothing behind.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.capture import record_update
from core.timeutil import utcnow
from plugins.inventory.events import (
    StockAdjusted,
    StockIssued,
    StockMoveReversed,
    StockReceived,
    StockReturned,
    StockScrapped,
    StockTransferred,
)
from plugins.inventory.models import (
    ACTIVE,
    ADJUSTMENT,
    CONSUMED,
    ISSUE,
    RECEIPT,
    RETURN,
    REVERSAL,
    SCRAP,
    TRANSFER,
    VENDOR_RECEIPT,
    VENDOR_RETURN,
    Reservation,
    StockMove,
)
from plugins.inventory.services.common import (
    clean_text,
    get_location,
    get_part,
    parse_cost,
    parse_flag,
    parse_quantity,
    record_id,
    refuse_quarantine,
    require_quarantine,
)
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.ledger import (
    COST_EXPONENT,
    moving_average,
    post_move,
    put_stock,
    take_stock,
    total_on_hand,
)

# --- stock actions ----------------------------------------------------------------------------


def receive(
    session: Session,
    part_id: int,
    location_id: int,
    quantity: Any,
    unit_cost: Any,
    reference: str | None = None,
    note: str | None = None,
) -> StockMove:
    """Receive parts into a location (a purchase receipt) at ``unit_cost`` each.

    Updates the part's moving-average cost over all its stock. Publishes
    :class:`~plugins.inventory.events.StockReceived`.
    """
    qty = parse_quantity(quantity)
    cost = parse_cost(unit_cost, "unit_cost")
    reference = clean_text(reference, "reference", required=False)
    note = clean_text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = get_part(session, part_id, lock=True)
        location = get_location(session, location_id)
        if not part.active:
            raise InventoryError(
                gettext("part_id: part %(sku)s is inactive", sku=part.sku), "part_id"
            )
        part.average_cost = moving_average(
            total_on_hand(session, part.id), part.average_cost, qty, cost
        )
        put_stock(session, part.id, location.id, qty)
        return post_move(
            session,
            StockReceived,
            part=part,
            quantity=qty,
            reason=RECEIPT,
            destination=location,
            unit_cost=cost,
            reference=reference,
            note=note,
        )


def issue(
    session: Session,
    part_id: int,
    location_id: int,
    quantity: Any,
    reference: str,
    note: str | None = None,
) -> StockMove:
    """Issue parts from a location to ``reference`` (a work order).

    Refused (:class:`InsufficientStockError`, 409) when more than the available quantity is
    asked; the active reservations of the same part, location and reference count as
    available for it and are consumed by the issue (what it does not use is released).
    Quarantine locations cannot issue. The move carries the moving-average cost and the
    part's sale price. Publishes :class:`~plugins.inventory.events.StockIssued`.
    """
    qty = parse_quantity(quantity)
    reference = clean_text(reference, "reference", required=True)
    note = clean_text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        refuse_quarantine(location)
        reserved = _consume_reservations(session, part.id, location.id, reference)
        take_stock(session, part, location, qty, release=reserved)
        return post_move(
            session,
            StockIssued,
            part=part,
            quantity=qty,
            reason=ISSUE,
            source=location,
            sale_price=part.sale_price,
            reference=reference,
            note=note,
        )


def _consume_reservations(
    session: Session, part_id: int, location_id: int, reference: str
) -> Decimal:
    rows = session.scalars(
        select(Reservation).where(
            Reservation.part_id == part_id,
            Reservation.location_id == location_id,
            Reservation.reference == reference,
            Reservation.state == ACTIVE,
        )
    ).all()
    if not rows:
        return Decimal(0)
    now = utcnow()
    done = session.execute(
        update(Reservation)
        .where(Reservation.id.in_([r.id for r in rows]), Reservation.state == ACTIVE)
        .values(state=CONSUMED, closed_on=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != len(rows):
        raise InventoryError(
            gettext("reference: its reservations changed meanwhile; try again"),
            "reference",
            409,
        )
    for reservation in rows:  # the UPDATE statement is not seen by the audit capture
        record_update(session, reservation, {"state": [ACTIVE, CONSUMED], "closed_on": [None, now]})
        session.expire(reservation, ["state", "closed_on"])
    return sum((r.quantity for r in rows), Decimal(0))


def return_from_work_order(
    session: Session,
    part_id: int,
    location_id: int,
    quantity: Any,
    reference: str,
    note: str | None = None,
    defective: Any = False,
) -> StockMove:
    """Take parts back from ``reference`` (a work order) into a location.

    With ``defective`` the part was removed from equipment because it failed: the location
    must be a quarantine location (a normal one is refused, naming the warehouse's
    quarantine locations), where it can be neither issued nor reserved until it is repaired
    (transferred to a normal location), scrapped or sent to its vendor under warranty
    (:func:`plugins.inventory.services.warranty.send_to_vendor`). Valued at the moving-average cost.
    Publishes :class:`~plugins.inventory.events.StockReturned`.
    """
    qty = parse_quantity(quantity)
    reference = clean_text(reference, "reference", required=True)
    note = clean_text(note, "note", required=False, length=1000)
    defective = parse_flag(defective, "defective")
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        if defective:
            require_quarantine(session, location)
        put_stock(session, part.id, location.id, qty)
        return post_move(
            session,
            StockReturned,
            part=part,
            quantity=qty,
            reason=RETURN,
            destination=location,
            reference=reference,
            note=note,
        )


def transfer(
    session: Session,
    part_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: Any,
    reference: str | None = None,
    note: str | None = None,
) -> StockMove:
    """Move parts between two locations (central store to a van, say).

    Refused when the source has less available. Publishes
    :class:`~plugins.inventory.events.StockTransferred`.
    """
    qty = parse_quantity(quantity)
    reference = clean_text(reference, "reference", required=False)
    note = clean_text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = get_part(session, part_id)
        source = get_location(session, from_location_id, "from_location_id")
        destination = get_location(session, to_location_id, "to_location_id")
        if source.id == destination.id:
            raise InventoryError(
                gettext("to_location_id: must differ from the source location"),
                "to_location_id",
            )
        take_stock(session, part, source, qty)
        put_stock(session, part.id, destination.id, qty)
        return post_move(
            session,
            StockTransferred,
            part=part,
            quantity=qty,
            reason=TRANSFER,
            source=source,
            destination=destination,
            reference=reference,
            note=note,
        )


def adjust(
    session: Session,
    part_id: int,
    location_id: int,
    quantity: Any,
    note: str,
    reference: str | None = None,
) -> StockMove:
    """Book a counted difference: ``quantity`` positive adds stock, negative removes it.

    ``note`` (why) is required; ``reference`` names the stocktake, say. Removing more than
    is available is refused. Publishes :class:`~plugins.inventory.events.StockAdjusted`.
    """
    delta = parse_quantity(quantity, allow_negative=True)
    note = clean_text(note, "note", required=True, length=1000)
    reference = clean_text(reference, "reference", required=False)
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        if delta > 0:
            put_stock(session, part.id, location.id, delta)
            ends = {"destination": location}
        else:
            take_stock(session, part, location, -delta)
            ends = {"source": location}
        return post_move(
            session,
            StockAdjusted,
            part=part,
            quantity=abs(delta),
            reason=ADJUSTMENT,
            reference=reference,
            note=note,
            **ends,
        )


def scrap(session: Session, part_id: int, location_id: int, quantity: Any, note: str) -> StockMove:
    """Scrap parts at a location (quarantine included); ``note`` (why) is required.

    Publishes :class:`~plugins.inventory.events.StockScrapped`.
    """
    qty = parse_quantity(quantity)
    note = clean_text(note, "note", required=True, length=1000)
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        take_stock(session, part, location, qty)
        return post_move(
            session,
            StockScrapped,
            part=part,
            quantity=qty,
            reason=SCRAP,
            source=location,
            note=note,
        )


def reverse_move(session: Session, move_id: int, note: str | None = None) -> StockMove:
    """Correct a move by a reversing move (same part and quantity, locations swapped).

    A move is reversed at most once and a reversal is not reversed (post the move again).
    Refused when the stock the move brought in is no longer available. Reversing a receipt
    takes its value back out of the moving-average cost; reversing a receipt from a vendor
    also gives its quantity back to its vendor return's outstanding quantity. A move to a
    vendor is not reversed (its vendor return is settled by receipts or a write-off). Publishes
    :class:`~plugins.inventory.events.StockMoveReversed`.
    """
    note = clean_text(note, "note", required=False, length=1000)
    try:
        with session.begin_nested():
            original = session.get(StockMove, record_id(move_id, "move_id"))
            if original is None:
                raise InventoryError(
                    gettext("move_id: move %(id)s does not exist", id=move_id), "move_id", 404
                )
            if original.reason == REVERSAL:
                raise InventoryError(
                    gettext("move_id: a reversal cannot be reversed; post the move again"),
                    "move_id",
                    409,
                )
            already = session.scalar(
                select(StockMove.id).where(StockMove.reversal_of_id == original.id)
            )
            if already is not None:
                raise InventoryError(
                    gettext(
                        "move_id: move %(id)s is already reversed by move %(by)s",
                        id=original.id,
                        by=already,
                    ),
                    "move_id",
                    409,
                )
            if original.reason == VENDOR_RETURN:
                raise InventoryError(
                    gettext(
                        "move_id: a move to a vendor is not reversed; receive the parts back "
                        "or write them off on its vendor return"
                    ),
                    "move_id",
                    409,
                )
            receipt = original.reason in (RECEIPT, VENDOR_RECEIPT)
            part = get_part(session, original.part_id, lock=receipt)
            qty = original.quantity
            if original.reason == VENDOR_RECEIPT:
                from plugins.inventory.services.warranty import unreceive  # warranty imports moves

                unreceive(session, original)
            if receipt:
                before = total_on_hand(session, part.id)
                if before - qty > 0:
                    value = before * part.average_cost - qty * original.unit_cost
                    part.average_cost = max(
                        Decimal(0),
                        (value / (before - qty)).quantize(COST_EXPONENT, rounding=ROUND_HALF_UP),
                    )
            source = original.to_location
            destination = original.from_location
            if source is not None:
                take_stock(session, part, source, qty)
            if destination is not None:
                put_stock(session, part.id, destination.id, qty)
            return post_move(
                session,
                StockMoveReversed,
                part=part,
                quantity=qty,
                reason=REVERSAL,
                source=source,
                destination=destination,
                unit_cost=original.unit_cost,
                sale_price=original.sale_price,
                reference=original.reference,
                note=note,
                reversal_of=original,
            )
    except IntegrityError:  # a concurrent reversal of the same move won
        raise InventoryError(
            gettext("move_id: move %(id)s is already reversed", id=move_id), "move_id", 409
        ) from None
