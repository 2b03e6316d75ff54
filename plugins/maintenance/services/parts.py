"""Parts on work orders.

With ``inventory`` enabled, a line names a part and a stock location: adding it reserves the
stock for the order (reference: the order's number), completing the order issues it,
cancelling the order or removing the line releases it. Each runs through inventory's
services, whose refusals come back as a 409 naming the part and nothing changed. Without
``inventory``, lines are free text (what was used, how many).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.runtime import is_enabled
from plugins.maintenance.events import PartLine
from plugins.maintenance.models import (
    ISSUED,
    OPEN_STATES,
    RECORDED,
    RELEASED,
    RESERVED,
    WorkOrder,
    WorkOrderPart,
)
from plugins.maintenance.services.errors import MaintenanceError

MAX_QUANTITY = Decimal("1000000")


def inventory_enabled() -> bool:
    """Whether part lines go through inventory (reserve, issue, release)."""
    return is_enabled("inventory")


def parse_quantity(value: Any) -> Decimal:
    """A positive quantity with at most 3 decimals (floats refused: they are not exact)."""
    if isinstance(value, bool | float) or value is None or value == "":
        raise MaintenanceError(gettext("quantity: give a number such as 2 or 1.5"), "quantity")
    try:
        qty = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MaintenanceError(
            gettext("quantity: %(value)r is not a number", value=value), "quantity"
        ) from exc
    if not qty.is_finite() or qty <= 0 or qty > MAX_QUANTITY:
        raise MaintenanceError(
            gettext("quantity: must be more than 0 and at most %(max)s", max=MAX_QUANTITY),
            "quantity",
        )
    if qty != qty.quantize(Decimal("0.001")):
        raise MaintenanceError(gettext("quantity: at most 3 decimals"), "quantity")
    return qty.quantize(Decimal("0.001"))


def required_id(value: Any, field: str) -> int:
    """``value`` as an id (an integer, not a boolean); refused as required, naming ``field``."""
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError) as exc:
        raise MaintenanceError(gettext("%(field)s: is required", field=field), field) from exc


def _inventory_refusal(exc: Exception) -> MaintenanceError:
    field = getattr(exc, "field", "parts")
    status = getattr(exc, "status", 409)
    return MaintenanceError(str(exc), field, status)


def _require_open(order: WorkOrder) -> None:
    if order.state not in OPEN_STATES:
        raise MaintenanceError(
            gettext(
                "state: parts can be planned only on an open work order; %(number)s is %(state)s",
                number=order.number,
                state=order.state,
            ),
            "state",
            409,
        )


def add_part_line(
    session: Session,
    order: WorkOrder,
    *,
    quantity: Any,
    description: str | None = None,
    part_id: Any = None,
    location_id: Any = None,
) -> WorkOrderPart:
    """Plan a part on an open order. With inventory: ``part_id`` and ``location_id``
    required, the quantity is reserved there (409 when not available), one line per part
    and location. Without: ``description`` required."""
    _require_open(order)
    qty = parse_quantity(quantity)
    description = (description or "").strip()[:200]
    if not inventory_enabled():
        if not description:
            raise MaintenanceError(gettext("description: say which part was used"), "description")
        line = WorkOrderPart(description=description, quantity=qty, state=RECORDED)
        order.part_lines.append(line)
        session.flush()
        return line
    from plugins.inventory.services import InventoryError, reserve

    part, location = required_id(part_id, "part_id"), required_id(location_id, "location_id")
    for existing in order.part_lines:
        if (existing.part_id, existing.location_id) == (part, location) and (
            existing.state == RESERVED
        ):
            raise MaintenanceError(
                gettext(
                    "part_id: this part is already planned from that location on %(number)s; "
                    "remove that line and plan the total",
                    number=order.number,
                ),
                "part_id",
                409,
            )
    try:
        reservation = reserve(session, part, location, qty, order.number)
    except InventoryError as exc:
        raise _inventory_refusal(exc) from exc
    line = WorkOrderPart(
        description=description or f"{reservation.part.sku} {reservation.part.name}"[:200],
        quantity=qty,
        state=RESERVED,
        part_id=part,
        location_id=location,
        reservation_id=reservation.id,
    )
    order.part_lines.append(line)
    session.flush()
    return line


def remove_part_line(session: Session, order: WorkOrder, line_id: Any) -> None:
    """Take a planned line off an open order (its reservation is released)."""
    _require_open(order)
    line = next((p for p in order.part_lines if p.id == required_id(line_id, "line_id")), None)
    if line is None:
        raise MaintenanceError(
            gettext("line_id: %(number)s has no such part line", number=order.number),
            "line_id",
            404,
        )
    if line.state == RESERVED and line.reservation_id is not None and inventory_enabled():
        from plugins.inventory.services import InventoryError, release

        try:
            release(session, line.reservation_id)
        except InventoryError as exc:
            raise _inventory_refusal(exc) from exc
    order.part_lines.remove(line)
    session.flush()


def issue_parts(session: Session, order: WorkOrder) -> None:
    """Issue every reserved line from stock (the order is done): all or none."""
    reserved = [p for p in order.part_lines if p.state == RESERVED]
    if not reserved:
        return
    if not inventory_enabled():
        raise MaintenanceError(
            gettext("parts: inventory is not enabled, reserved parts cannot be issued"),
            "parts",
            409,
        )
    from plugins.inventory.services import InventoryError, issue

    try:
        with session.begin_nested():
            for line in reserved:
                move = issue(session, line.part_id, line.location_id, line.quantity, order.number)
                line.stock_move_id = move.id
                line.unit_cost = move.unit_cost
                line.unit_price = move.sale_price
                line.state = ISSUED
            session.flush()
    except InventoryError as exc:
        for line in reserved:  # the savepoint rolled the rows back; undo the objects too
            session.expire(line)
        raise MaintenanceError(
            gettext(
                "parts: cannot issue the parts of %(number)s: %(error)s",
                number=order.number,
                error=str(exc),
            ),
            getattr(exc, "field", "parts"),
            409,
        ) from exc


def release_parts(session: Session, order: WorkOrder) -> None:
    """Give back the stock reserved for ``order`` (it is cancelled)."""
    reserved = [p for p in order.part_lines if p.state == RESERVED]
    if reserved and inventory_enabled():
        from plugins.inventory.services import release_reference

        release_reference(session, order.number)
    for line in reserved:
        line.state = RELEASED


def event_lines(order: WorkOrder) -> tuple[PartLine, ...]:
    """The parts used on ``order`` for the ``done`` event (released lines left out)."""
    return tuple(
        PartLine(
            description=p.description,
            quantity=p.quantity,
            part_id=p.part_id,
            unit_cost=p.unit_cost,
            unit_price=p.unit_price,
        )
        for p in order.part_lines
        if p.state != RELEASED
    )
