"""Defective parts sent to their vendor under warranty, and what comes back.

A defective part returned from a work order waits in a quarantine location
(:func:`plugins.inventory.return_from_work_order` with ``defective``). From there it
is repaired in-house (a transfer to a normal location), scrapped, or sent to its supplier:

* :func:`send_to_vendor` takes it out of stock (a ``vendor_return`` move) at the moving-average
  cost and opens a :class:`~plugins.inventory.models.VendorReturn`;
* :func:`receive_from_vendor` books the repaired or replaced parts back into a normal location
  (a ``vendor_receipt`` move) at the unit cost they left with, so the moving-average cost
  does not move when it has not moved meanwhile; never more than is outstanding, also when
  several receipts run at the same moment (one conditional UPDATE whose row count is checked,
  backed by a CHECK constraint);
* :func:`write_off_vendor_return` closes what will not come back (no credit, no replacement),
  with a reason. No stock moves: the parts left stock when they were sent.

The counters of a vendor return change by UPDATE statements, which the audit capture does
not see; each one is logged with :func:`core.audit.capture.record_update`. As in
:mod:`plugins.inventory.services`, each function runs in a savepoint, the caller commits and
a refusal raises :class:`~plugins.inventory.InventoryError` leaving nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session, joinedload

from core.audit.capture import record_update
from core.events import publish
from core.timeutil import utcnow
from plugins.inventory.events import (
    StockReceivedFromVendor,
    StockSentToVendor,
    VendorReturnWrittenOff,
)
from plugins.inventory.models import (
    QUARANTINE,
    VENDOR_RECEIPT,
    VENDOR_RETURN,
    Location,
    Quantity,
    StockMove,
    StockQuant,
    Supplier,
    VendorReturn,
)
from plugins.inventory.services.common import (
    clean_text,
    fmt_quantity,
    get_location,
    get_part,
    parse_quantity,
    record_id,
    require_normal,
)
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.ledger import (
    moving_average,
    post_move,
    put_stock,
    take_stock,
    total_on_hand,
)

COUNTERS = ("received", "written_off")


def _supplier(session: Session, supplier_id: Any) -> Supplier:
    supplier = session.get(Supplier, record_id(supplier_id, "supplier_id"))
    if supplier is None:
        raise InventoryError(
            gettext("supplier_id: supplier %(id)s does not exist", id=supplier_id),
            "supplier_id",
            404,
        )
    return supplier


def get_vendor_return(session: Session, vendor_return_id: Any) -> VendorReturn:
    """The vendor return with this id (404 :class:`InventoryError` when there is none)."""
    found = session.get(VendorReturn, record_id(vendor_return_id, "vendor_return_id"))
    if found is None:
        raise InventoryError(
            gettext("vendor_return_id: vendor return %(id)s does not exist", id=vendor_return_id),
            "vendor_return_id",
            404,
        )
    return found


def send_to_vendor(
    session: Session,
    part_id: Any,
    location_id: Any,
    quantity: Any,
    supplier_id: Any,
    rma: Any = None,
    note: Any = None,
) -> StockMove:
    """Send defective parts from a quarantine location to ``supplier_id`` under warranty.

    Only quarantine stock is sent (a normal location is refused: return usable parts with a
    reversal of their receipt). The ``vendor_return`` move takes the parts out of stock at the
    moving-average cost; the :class:`VendorReturn` it opens (``move.vendor_return_id``)
    tracks what comes back. ``rma`` is the vendor's return authorisation. Publishes
    :class:`~plugins.inventory.events.StockSentToVendor`.
    """
    qty = parse_quantity(quantity)
    rma = clean_text(rma, "rma", required=False, length=60)
    note = clean_text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = get_part(session, part_id)
        location = get_location(session, location_id)
        if location.kind != QUARANTINE:
            raise InventoryError(
                gettext(
                    "location_id: %(location)s is not a quarantine location; only defective "
                    "parts in quarantine are sent to the vendor",
                    location=str(location),
                ),
                "location_id",
            )
        supplier = _supplier(session, supplier_id)
        take_stock(session, part, location, qty)
        vendor_return = VendorReturn(
            part_id=part.id,
            supplier_id=supplier.id,
            from_location_id=location.id,
            rma=rma,
            quantity=qty,
            unit_cost=part.average_cost,
            received=Decimal(0),
            written_off=Decimal(0),
            note=note,
            created_on=utcnow(),
        )
        session.add(vendor_return)
        session.flush()
        return post_move(
            session,
            StockSentToVendor,
            part=part,
            quantity=qty,
            reason=VENDOR_RETURN,
            source=location,
            unit_cost=vendor_return.unit_cost,
            reference=rma,
            note=note,
            vendor=_vendor_fields(vendor_return),
        )


def _vendor_fields(vendor_return: VendorReturn) -> dict[str, Any]:
    return {
        "supplier_id": vendor_return.supplier_id,
        "rma": vendor_return.rma,
        "vendor_return_id": vendor_return.id,
    }


def _settle(
    session: Session, vendor_return: VendorReturn, counter: str, qty: Decimal, *, doing: str
) -> None:
    """Add ``qty`` to the ``received`` or ``written_off`` counter, refused (409) when more
    than is outstanding; logs the change in the audit log and closes a settled return."""
    column = getattr(VendorReturn, counter)
    amount = literal(qty, Quantity())
    now = utcnow()
    added = session.execute(
        update(VendorReturn)
        .where(
            VendorReturn.id == vendor_return.id,
            VendorReturn.quantity - VendorReturn.received - VendorReturn.written_off >= amount,
        )
        .values({counter: column + amount})
        .execution_options(synchronize_session=False)
    )
    session.refresh(vendor_return)
    if added.rowcount != 1:
        raise InventoryError(
            gettext(
                "quantity: cannot %(doing)s %(requested)s of vendor return %(id)s: only "
                "%(left)s outstanding (sent %(sent)s, received %(received)s, written off "
                "%(written_off)s)",
                doing=doing,
                requested=fmt_quantity(qty),
                id=vendor_return.id,
                left=fmt_quantity(vendor_return.outstanding),
                sent=fmt_quantity(vendor_return.quantity),
                received=fmt_quantity(vendor_return.received),
                written_off=fmt_quantity(vendor_return.written_off),
            ),
            "quantity",
            409,
        )
    new = getattr(vendor_return, counter)
    changes: dict[str, list[Any]] = {counter: [new - qty, new]}
    if vendor_return.outstanding == 0:
        closed = session.execute(
            update(VendorReturn)
            .where(VendorReturn.id == vendor_return.id, VendorReturn.closed_on.is_(None))
            .values(closed_on=now)
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount:
            changes["closed_on"] = [None, now]
        session.refresh(vendor_return)
    record_update(session, vendor_return, changes)


def receive_from_vendor(
    session: Session,
    vendor_return_id: Any,
    location_id: Any,
    quantity: Any,
    note: Any = None,
) -> StockMove:
    """Book repaired or replaced parts of a vendor return back into a normal location.

    At most the outstanding quantity (sent minus received back minus written off; 409
    beyond, race-safe). The ``vendor_receipt`` move re-enters the parts at the unit cost they
    left with, through the moving average (which therefore stays where it is unless other
    receipts moved it meanwhile). A quarantine location is refused. Publishes
    :class:`~plugins.inventory.events.StockReceivedFromVendor`.
    """
    qty = parse_quantity(quantity)
    note = clean_text(note, "note", required=False, length=1000)
    with session.begin_nested():
        vendor_return = get_vendor_return(session, vendor_return_id)
        location = get_location(session, location_id)
        require_normal(location)
        part = get_part(session, vendor_return.part_id, lock=True)
        _settle(session, vendor_return, "received", qty, doing=gettext("receive"))
        part.average_cost = moving_average(
            total_on_hand(session, part.id),
            part.average_cost,
            qty,
            vendor_return.unit_cost,
        )
        put_stock(session, part.id, location.id, qty)
        return post_move(
            session,
            StockReceivedFromVendor,
            part=part,
            quantity=qty,
            reason=VENDOR_RECEIPT,
            destination=location,
            unit_cost=vendor_return.unit_cost,
            reference=vendor_return.rma,
            note=note,
            vendor=_vendor_fields(vendor_return),
        )


def unreceive(session: Session, receipt: StockMove) -> VendorReturn:
    """Give the quantity of a ``vendor_receipt`` move being reversed back to its vendor
    return's outstanding quantity (it reopens). Called by
    :func:`plugins.inventory.reverse_move` inside its savepoint."""
    vendor_return = get_vendor_return(session, receipt.vendor_return_id)
    amount = literal(receipt.quantity, Quantity())
    taken = session.execute(
        update(VendorReturn)
        .where(VendorReturn.id == vendor_return.id, VendorReturn.received >= amount)
        .values(received=VendorReturn.received - amount, closed_on=None)
        .execution_options(synchronize_session=False)
    )
    closed_before = vendor_return.closed_on
    session.refresh(vendor_return)
    if taken.rowcount != 1:  # the CHECKs make this unreachable; refuse rather than guess
        raise InventoryError(
            gettext("move_id: its vendor return has not received that much"), "move_id", 409
        )
    changes: dict[str, list[Any]] = {
        "received": [vendor_return.received + receipt.quantity, vendor_return.received]
    }
    if closed_before is not None:
        changes["closed_on"] = [closed_before, None]
    record_update(session, vendor_return, changes)
    return vendor_return


def write_off_vendor_return(
    session: Session, vendor_return_id: Any, note: Any, quantity: Any = None
) -> VendorReturn:
    """Give up on ``quantity`` (all that is outstanding when empty) of a vendor return: the
    vendor credits or replaces nothing. ``note`` (why) is required. No stock moves; the
    value left stock when the parts were sent. Publishes
    :class:`~plugins.inventory.events.VendorReturnWrittenOff`.
    """
    note = clean_text(note, "note", required=True, length=1000)
    with session.begin_nested():
        vendor_return = get_vendor_return(session, vendor_return_id)
        if quantity is None or (isinstance(quantity, str) and not quantity.strip()):
            qty = vendor_return.outstanding
            if qty <= 0:
                raise InventoryError(
                    gettext(
                        "vendor_return_id: vendor return %(id)s has nothing outstanding",
                        id=vendor_return.id,
                    ),
                    "vendor_return_id",
                    409,
                )
        else:
            qty = parse_quantity(quantity)
        before = vendor_return.write_off_note
        _settle(session, vendor_return, "written_off", qty, doing=gettext("write off"))
        vendor_return.write_off_note = f"{before}\n{note}" if before else note
        session.flush()
        publish(
            session,
            VendorReturnWrittenOff(
                vendor_return_id=vendor_return.id,
                part_id=vendor_return.part_id,
                supplier_id=vendor_return.supplier_id,
                quantity=qty,
                unit_cost=vendor_return.unit_cost,
                note=note,
            ),
        )
        return vendor_return


def open_vendor_returns(session: Session) -> list[VendorReturn]:
    """Vendor returns with something outstanding, oldest first, with their part, supplier
    and location loaded (one query)."""
    return list(
        session.scalars(
            select(VendorReturn)
            .where(VendorReturn.quantity > VendorReturn.received + VendorReturn.written_off)
            .options(
                joinedload(VendorReturn.part),
                joinedload(VendorReturn.supplier),
                joinedload(VendorReturn.from_location),
            )
            .order_by(VendorReturn.created_on, VendorReturn.id)
        )
    )


def quarantine_stock(session: Session) -> list[StockQuant]:
    """Stock on hand in quarantine locations, by location and part (one query)."""
    return list(
        session.scalars(
            select(StockQuant)
            .join(Location, Location.id == StockQuant.location_id)
            .where(Location.kind == QUARANTINE, StockQuant.on_hand > 0)
            .options(joinedload(StockQuant.part), joinedload(StockQuant.location))
            .order_by(Location.label, StockQuant.part_id)
        )
    )


def outstanding_value(vendor_returns: Iterable[VendorReturn]) -> Decimal:
    """The value at their unit cost of what is still outstanding (2 decimals)."""
    total = sum((v.outstanding * v.unit_cost for v in vendor_returns), Decimal(0))
    return total.quantize(Decimal("0.01"))
