"""Inventory rules: stock moves, reservations, valuation. Other plugins may call these.

Purchasing, reorder planning and stocktakes have their rules in :mod:`plugins.inventory.purchasing`,
:mod:`plugins.inventory.reorder` and :mod:`plugins.inventory.stocktake`.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Each stock action runs inside a savepoint: it posts its move(s), updates the
quants and publishes its event together, or, when refused, raises :class:`InventoryError`
(whose message names the field and the rule) and leaves nothing behind.

On-hand never goes negative, also under concurrency: stock leaves a location only through a
conditional ``UPDATE ... SET on_hand = on_hand - n WHERE ... AND on_hand - reserved >= n``
whose row count is checked, backed by the CHECK constraints of ``inventory_quant``.

Quantities are ``Decimal`` with at most 3 decimals; costs are ``Decimal`` money amounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.capture import record_update
from core.audit.service import current_actor
from core.errors import RuleError
from core.events import publish
from core.money import AmountError, parse_amount
from core.timeutil import utcnow
from plugins.inventory.events import (
    StockAdjusted,
    StockIssued,
    StockMoved,
    StockMoveReversed,
    StockReceived,
    StockReleased,
    StockReserved,
    StockReturned,
    StockScrapped,
    StockTransferred,
)
from plugins.inventory.models import (
    ACTIVE,
    ADJUSTMENT,
    CENTRAL,
    CONSUMED,
    COST_DIGITS,
    ISSUE,
    QUARANTINE,
    RECEIPT,
    RELEASED,
    RETURN,
    REVERSAL,
    SCRAP,
    TRANSFER,
    VAN,
    VENDOR_RECEIPT,
    VENDOR_RETURN,
    WAREHOUSE_KINDS,
    Location,
    Part,
    Quantity,
    Reservation,
    StockMove,
    StockQuant,
    Warehouse,
)

MAX_QUANTITY = Decimal("1000000000")
_COST_EXPONENT = Decimal(1).scaleb(-COST_DIGITS)


class InventoryError(RuleError):
    """A stock record or action that breaks a rule (see :class:`core.errors.RuleError`)."""


class InsufficientStockError(InventoryError):
    """More was asked of a location than is available there (409)."""

    def __init__(
        self,
        message: str,
        *,
        part_sku: str,
        location: str,
        available: Decimal,
        requested: Decimal,
    ) -> None:
        super().__init__(message, "quantity", status=409)
        self.part_sku = part_sku
        self.location = location
        self.available = available
        self.requested = requested


@dataclass(frozen=True)
class StockLevel:
    """On hand, reserved and available quantity of a part at a location."""

    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        """On hand minus reserved."""
        return self.on_hand - self.reserved


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


# --- input ------------------------------------------------------------------------------------


def fmt_quantity(value: Decimal) -> str:
    """A quantity for messages: ``5`` rather than ``5.000``, ``2.5`` rather than ``2.500``."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def parse_quantity(value: Any, field: str = "quantity", *, allow_negative: bool = False) -> Decimal:
    """A quantity from user or API input: a positive number with at most 3 decimals.

    Accepts int, Decimal, numeric strings and (JSON) floats, which are read through their
    shortest text (``2.5`` is exactly 2.5). With ``allow_negative`` any non-zero number
    passes (adjustments). Raises :class:`InventoryError` naming ``field``.
    """
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise InventoryError(gettext("%(field)s: is required", field=field), field)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise InventoryError(
            gettext("%(field)s: %(value)s is not a number", field=field, value=value), field
        ) from None
    if not number.is_finite():
        raise InventoryError(gettext("%(field)s: must be a finite number", field=field), field)
    if number != number.quantize(Decimal("0.001")):
        raise InventoryError(
            gettext("%(field)s: at most 3 decimal places are allowed", field=field), field
        )
    if number == 0 or (number < 0 and not allow_negative):
        rule = gettext("must not be zero") if allow_negative else gettext("must be more than zero")
        raise InventoryError(f"{field}: {rule}", field)
    if abs(number) >= MAX_QUANTITY:
        raise InventoryError(gettext("%(field)s: is too large", field=field), field)
    return number.quantize(Decimal("0.001"))


def _cost(value: Any, field: str) -> Decimal:
    try:
        return parse_amount(value if not isinstance(value, float) else repr(value), field)
    except AmountError as exc:
        raise InventoryError(str(exc), field) from None


def _text(value: Any, field: str, required: bool, length: int = 100) -> str | None:
    text = (str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise InventoryError(gettext("%(field)s: is required", field=field), field)
        return None
    if len(text) > length:
        raise InventoryError(
            gettext("%(field)s: at most %(max)d characters", field=field, max=length), field
        )
    return text


def _part(session: Session, part_id: Any, *, lock: bool = False) -> Part:
    query = select(Part).where(Part.id == _id(part_id, "part_id"))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    part = session.execute(query).scalar_one_or_none()
    if part is None:
        raise InventoryError(
            gettext("part_id: part %(id)s does not exist", id=part_id), "part_id", 404
        )
    return part


def _location(session: Session, location_id: Any, field: str = "location_id") -> Location:
    location = session.get(Location, _id(location_id, field))
    if location is None:
        raise InventoryError(
            gettext("%(field)s: location %(id)s does not exist", field=field, id=location_id),
            field,
            404,
        )
    return location


def _id(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise InventoryError(gettext("%(field)s: must be a record id", field=field), field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InventoryError(
            gettext("%(field)s: must be a record id", field=field), field
        ) from None


def _not_quarantine(location: Location, field: str = "location_id") -> None:
    if location.kind == QUARANTINE:
        raise InventoryError(
            gettext(
                "%(field)s: %(location)s is a quarantine location; its parts cannot be issued "
                "or reserved (transfer or scrap them)",
                field=field,
                location=str(location),
            ),
            field,
        )


def require_quarantine(session: Session, location: Location, field: str = "location_id") -> None:
    """Refuse a normal location where defective parts must go: the message names the
    quarantine locations of the same warehouse (or says it has none)."""
    if location.kind == QUARANTINE:
        return
    choices = session.scalars(
        select(Location.label)
        .where(Location.warehouse_id == location.warehouse_id, Location.kind == QUARANTINE)
        .order_by(Location.label)
    ).all()
    if choices:
        message = gettext(
            "%(field)s: %(location)s is not a quarantine location; defective parts go to "
            "quarantine (%(choices)s)",
            field=field,
            location=str(location),
            choices=", ".join(choices),
        )
    else:
        message = gettext(
            "%(field)s: %(location)s is not a quarantine location and its warehouse has "
            "none; defective parts go to quarantine",
            field=field,
            location=str(location),
        )
    raise InventoryError(message, field)


def require_normal(location: Location, field: str = "location_id") -> None:
    """Refuse a quarantine location where usable parts must go."""
    if location.kind == QUARANTINE:
        raise InventoryError(
            gettext(
                "%(field)s: %(location)s is a quarantine location; usable parts go to a "
                "normal location",
                field=field,
                location=str(location),
            ),
            field,
        )


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
_RESERVE_IN_QUANT = (
    _quant.update()
    .where(*_AT, _quant.c.on_hand - _quant.c.reserved >= bindparam("quantity", type_=Quantity()))
    .values(reserved=_quant.c.reserved + bindparam("quantity", type_=Quantity()))
)
_UNRESERVE_IN_QUANT = (
    _quant.update()
    .where(*_AT)
    .values(reserved=_quant.c.reserved - bindparam("quantity", type_=Quantity()))
)


def _put(session: Session, part_id: int, location_id: int, quantity: Decimal) -> None:
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


def _take(
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


def _total_on_hand(session: Session, part_id: int) -> Decimal:
    total = session.scalar(
        select(func.sum(StockQuant.on_hand)).where(StockQuant.part_id == part_id)
    )
    return total if total is not None else Decimal(0)


def _post(
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


def _moving_average(
    on_hand: Decimal, average: Decimal, quantity: Decimal, unit_cost: Decimal
) -> Decimal:
    """The average cost after ``quantity`` at ``unit_cost`` joins ``on_hand`` at ``average``."""
    if on_hand <= 0:
        return unit_cost.quantize(_COST_EXPONENT)
    value = on_hand * average + quantity * unit_cost
    return (value / (on_hand + quantity)).quantize(_COST_EXPONENT, rounding=ROUND_HALF_UP)


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
    cost = _cost(unit_cost, "unit_cost")
    reference = _text(reference, "reference", required=False)
    note = _text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = _part(session, part_id, lock=True)
        location = _location(session, location_id)
        if not part.active:
            raise InventoryError(
                gettext("part_id: part %(sku)s is inactive", sku=part.sku), "part_id"
            )
        part.average_cost = _moving_average(
            _total_on_hand(session, part.id), part.average_cost, qty, cost
        )
        _put(session, part.id, location.id, qty)
        return _post(
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
    reference = _text(reference, "reference", required=True)
    note = _text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = _part(session, part_id)
        location = _location(session, location_id)
        _not_quarantine(location)
        reserved = _consume_reservations(session, part.id, location.id, reference)
        _take(session, part, location, qty, release=reserved)
        return _post(
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


def parse_flag(value: Any, field: str) -> bool:
    """A yes/no input: a bool, or ``true/false``, ``1/0``, ``yes/no``, ``on/off``, empty."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise InventoryError(gettext("%(field)s: must be true or false", field=field), field)


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
    (:func:`plugins.inventory.warranty.send_to_vendor`). Valued at the moving-average cost.
    Publishes :class:`~plugins.inventory.events.StockReturned`.
    """
    qty = parse_quantity(quantity)
    reference = _text(reference, "reference", required=True)
    note = _text(note, "note", required=False, length=1000)
    defective = parse_flag(defective, "defective")
    with session.begin_nested():
        part = _part(session, part_id)
        location = _location(session, location_id)
        if defective:
            require_quarantine(session, location)
        _put(session, part.id, location.id, qty)
        return _post(
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
    reference = _text(reference, "reference", required=False)
    note = _text(note, "note", required=False, length=1000)
    with session.begin_nested():
        part = _part(session, part_id)
        source = _location(session, from_location_id, "from_location_id")
        destination = _location(session, to_location_id, "to_location_id")
        if source.id == destination.id:
            raise InventoryError(
                gettext("to_location_id: must differ from the source location"),
                "to_location_id",
            )
        _take(session, part, source, qty)
        _put(session, part.id, destination.id, qty)
        return _post(
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
    note = _text(note, "note", required=True, length=1000)
    reference = _text(reference, "reference", required=False)
    with session.begin_nested():
        part = _part(session, part_id)
        location = _location(session, location_id)
        if delta > 0:
            _put(session, part.id, location.id, delta)
            ends = {"destination": location}
        else:
            _take(session, part, location, -delta)
            ends = {"source": location}
        return _post(
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
    note = _text(note, "note", required=True, length=1000)
    with session.begin_nested():
        part = _part(session, part_id)
        location = _location(session, location_id)
        _take(session, part, location, qty)
        return _post(
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
    note = _text(note, "note", required=False, length=1000)
    try:
        with session.begin_nested():
            original = session.get(StockMove, _id(move_id, "move_id"))
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
            part = _part(session, original.part_id, lock=receipt)
            qty = original.quantity
            if original.reason == VENDOR_RECEIPT:
                from plugins.inventory.warranty import unreceive  # warranty imports services

                unreceive(session, original)
            if receipt:
                before = _total_on_hand(session, part.id)
                if before - qty > 0:
                    value = before * part.average_cost - qty * original.unit_cost
                    part.average_cost = max(
                        Decimal(0),
                        (value / (before - qty)).quantize(_COST_EXPONENT, rounding=ROUND_HALF_UP),
                    )
            source = original.to_location
            destination = original.from_location
            if source is not None:
                _take(session, part, source, qty)
            if destination is not None:
                _put(session, part.id, destination.id, qty)
            return _post(
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
    reference = _text(reference, "reference", required=True)
    with session.begin_nested():
        part = _part(session, part_id)
        location = _location(session, location_id)
        _not_quarantine(location)
        held = session.execute(
            _RESERVE_IN_QUANT, {"part": part.id, "location": location.id, "quantity": qty}
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
        reservation = session.get(Reservation, _id(reservation_id, "reservation_id"))
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
            _UNRESERVE_IN_QUANT,
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


# --- records ----------------------------------------------------------------------------------


def prepare_part(session: Session, part: Part) -> Part:
    """Check a new or edited part (nothing is flushed): SKU and name required, SKU unique
    (409), costs and prices not negative."""
    for field in ("sku", "name"):
        setattr(part, field, _text(getattr(part, field), field, required=True, length=200))
    if len(part.sku) > 40:
        raise InventoryError(
            gettext("%(field)s: at most %(max)d characters", field="sku", max=40), "sku"
        )
    part.unit = _text(part.unit, "unit", required=False, length=20) or "pcs"
    for field in ("standard_cost", "sale_price"):
        value = getattr(part, field)
        setattr(part, field, Decimal(0) if value is None else _cost(value, field))
    same = select(Part.id).where(Part.sku == part.sku)
    if part.id is not None:
        same = same.where(Part.id != part.id)
    with session.no_autoflush:
        taken = session.scalar(same)
    if taken is not None:
        raise InventoryError(
            gettext("sku: %(sku)s is already used by another part", sku=part.sku), "sku", 409
        )
    return part


TECHNICIAN_ROLE = "Technician"


def prepare_warehouse(session: Session, warehouse: Warehouse) -> Warehouse:
    """Check a new or edited warehouse (nothing is flushed): code and name required, a
    known kind, and the technician of a van must hold the Technician role."""
    warehouse.code = _text(warehouse.code, "code", required=True, length=20)
    warehouse.name = _text(warehouse.name, "name", required=True, length=200)
    warehouse.kind = warehouse.kind or CENTRAL
    if warehouse.kind not in WAREHOUSE_KINDS:
        raise InventoryError(
            gettext("kind: must be one of %(values)s", values=", ".join(WAREHOUSE_KINDS)),
            "kind",
        )
    with session.no_autoflush:
        technician = warehouse.technician
        if technician is None and warehouse.technician_id is not None:
            technician = session.get(User, warehouse.technician_id)
        roles = {role.name for role in technician.roles} if technician is not None else set()
        if warehouse.kind == VAN and technician is not None and TECHNICIAN_ROLE not in roles:
            raise InventoryError(
                gettext(
                    "technician: %(user)s does not have the Technician role; a van's "
                    "technician must have it",
                    user=technician.username,
                ),
                "technician",
            )
    return warehouse


def create_part(session: Session, **values: Any) -> Part:
    """Create a part after :func:`prepare_part`; returns it flushed."""
    part = Part(**values)
    prepare_part(session, part)
    session.add(part)
    session.flush()
    return part
