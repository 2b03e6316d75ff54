"""Reservations: stock held at a location for a reference (a planned work order), and
releasing it again."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.audit.capture import record_update
from core.events import publish
from core.timeutil import utcnow
from plugins.inventory.events import (
    StockReleased,
    StockReserved,
)
from plugins.inventory.models import (
    ACTIVE,
    RELEASED,
    Reservation,
)
from plugins.inventory.services.common import (
    clean_text,
    fmt_quantity,
    get_location,
    get_part,
    parse_quantity,
    record_id,
    refuse_quarantine,
)
from plugins.inventory.services.errors import InsufficientStockError, InventoryError
from plugins.inventory.services.ledger import (
    RESERVE_IN_QUANT,
    UNRESERVE_IN_QUANT,
    stock_level,
)

# --- reservations -----------------------------------------------------------------------------


def reserve(
    session: Session, part_id: int, location_id: int, quantity: Any, reference: str
) -> Reservation:
    """Hold ``quantity`` of a part at a location for ``reference`` (a planned work order).

    Refused (409) when less is available; quarantine stock cannot be reserved. An issue for
    the same reference consumes the reservation. Publishes
    :class:`~plugins.inventory.events.StockReserved`.
    """
    qty = parse_quantity(quantity)
    reference = clean_text(reference, "reference", required=True)
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        refuse_quarantine(location)
        held = session.execute(
            RESERVE_IN_QUANT, {"part": part.id, "location": location.id, "quantity": qty}
        )
        if held.rowcount != 1:
            level = stock_level(session, part.id, location.id)
            raise InsufficientStockError(
                gettext(
                    "quantity: cannot reserve %(requested)s %(unit)s of part %(sku)s at "
                    "%(location)s: only %(available)s available",
                    requested=fmt_quantity(qty),
                    unit=part.unit,
                    sku=part.sku,
                    location=str(location),
                    available=fmt_quantity(level.available),
                ),
                part_sku=part.sku,
                location=str(location),
                available=level.available,
                requested=qty,
            )
        reservation = Reservation(
            part_id=part.id,
            location_id=location.id,
            quantity=qty,
            reference=reference,
            state=ACTIVE,
            created_on=utcnow(),
        )
        session.add(reservation)
        session.flush()
        publish(
            session,
            StockReserved(
                reservation_id=reservation.id,
                part_id=part.id,
                location_id=location.id,
                quantity=qty,
                reference=reference,
            ),
        )
        return reservation


def release(session: Session, reservation_id: int) -> Reservation:
    """Give a reservation's quantity back to available stock (409 if it is not active).

    Publishes :class:`~plugins.inventory.events.StockReleased`.
    """
    with session.begin_nested():
        reservation = session.get(Reservation, record_id(reservation_id, "reservation_id"))
        if reservation is None:
            raise InventoryError(
                gettext("reservation_id: reservation %(id)s does not exist", id=reservation_id),
                "reservation_id",
                404,
            )
        closed = session.execute(
            update(Reservation)
            .where(Reservation.id == reservation.id, Reservation.state == ACTIVE)
            .values(state=RELEASED, closed_on=utcnow())
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:
            session.refresh(reservation)
            raise InventoryError(
                gettext(
                    "reservation_id: reservation %(id)s is %(state)s, not active",
                    id=reservation.id,
                    state=reservation.state,
                ),
                "reservation_id",
                409,
            )
        session.execute(
            UNRESERVE_IN_QUANT,
            {
                "part": reservation.part_id,
                "location": reservation.location_id,
                "quantity": reservation.quantity,
            },
        )
        session.refresh(reservation)
        record_update(  # the UPDATE statement is not seen by the audit capture
            session,
            reservation,
            {"state": [ACTIVE, RELEASED], "closed_on": [None, reservation.closed_on]},
        )
        publish(
            session,
            StockReleased(
                reservation_id=reservation.id,
                part_id=reservation.part_id,
                location_id=reservation.location_id,
                quantity=reservation.quantity,
                reference=reservation.reference,
            ),
        )
        return reservation


def release_reference(session: Session, reference: str) -> list[Reservation]:
    """Release every active reservation of ``reference`` (a cancelled work order)."""
    ids = session.scalars(
        select(Reservation.id).where(
            Reservation.reference == reference, Reservation.state == ACTIVE
        )
    ).all()
    return [release(session, rid) for rid in ids]
