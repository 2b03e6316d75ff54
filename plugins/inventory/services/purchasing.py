"""Purchasing rules: purchase orders and receipts against them (suppliers and their prices are
in :mod:`plugins.inventory.services.suppliers`).

A purchase order goes draft -> ordered -> partially received (``partial``) -> received, or
is cancelled: a draft or an ordered PO with nothing received becomes ``cancelled``;
cancelling the rest of a partially received PO closes it (``closed``: what did not arrive
is marked cancelled on its lines). Lines are added and changed only while the PO is a draft.

Receiving posts receipt moves through :func:`plugins.inventory.services.receive` at the
line's unit price (so the moving-average cost follows) with the PO number as reference.
A line never receives more than is outstanding, unless the setting
``INVENTORY_OVER_RECEIPT_PERCENT`` allows that much more; this holds under concurrency: the
line's ``received`` grows only through one conditional ``UPDATE ... WHERE received + n <=
limit`` whose row count is checked, and the PO row is locked first so that its state is
worked out from every line as committed.

Like :mod:`plugins.inventory.services`, every function takes the session first, the caller
commits, and a refusal raises :class:`~plugins.inventory.services.InventoryError` leaving
nothing behind.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session, selectinload

from core.audit.capture import record_update
from core.company.service import company_today
from core.sequences.service import define_sequence, next_number
from core.timeutil import utcnow
from plugins.inventory.models import (
    CANCELLED,
    CLOSED,
    DRAFT,
    ORDERED,
    PARTIAL,
    PO_OPEN_STATES,
    RECEIVED,
    PurchaseOrder,
    PurchaseOrderLine,
    Quantity,
    StockMove,
)
from plugins.inventory.services.common import (
    clean_text,
    fmt_quantity,
    get_location,
    get_part,
    parse_cost,
    parse_date,
    parse_quantity,
    record_id,
)
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.moves import receive
from plugins.inventory.services.suppliers import get_supplier, price_for

SEQUENCE = "inventory.purchase_order"  # prefix PO: PO-2026-00001
OVER_RECEIPT_SETTING = "INVENTORY_OVER_RECEIPT_PERCENT"
RECEIVABLE_STATES = (ORDERED, PARTIAL)
# --- purchase orders --------------------------------------------------------------------------


def ensure_sequence(session: Session) -> None:
    """Define the purchase order sequence (PO-2026-00001) unless it exists."""
    define_sequence(session, SEQUENCE, "PO", 5, True, name="Purchase orders")


def get_order(session: Session, order_id: Any, *, lock: bool = False) -> PurchaseOrder:
    """The purchase order ``order_id`` (404 when unknown); ``lock`` takes its row lock."""
    query = select(PurchaseOrder).where(PurchaseOrder.id == record_id(order_id, "order_id"))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    order = session.execute(query).scalar_one_or_none()
    if order is None:
        raise InventoryError(
            gettext("order_id: purchase order %(id)s does not exist", id=order_id),
            "order_id",
            404,
        )
    return order


def _require_state(order: PurchaseOrder, states: tuple[str, ...], doing: str) -> None:
    if order.state not in states:
        raise InventoryError(
            gettext(
                "state: purchase order %(number)s is %(state)s; cannot %(doing)s",
                number=order.number,
                state=order.state,
                doing=doing,
            ),
            "state",
            409,
        )


def prepare_order(session: Session, order: PurchaseOrder) -> PurchaseOrder:
    """Check a new or edited order header (nothing is flushed): an active supplier, a note
    of at most 1000 characters; only a draft may be edited. A new order gets its number
    from the PO sequence and starts as a draft."""
    with session.no_autoflush:
        supplier_id = order.supplier.id if order.supplier is not None else order.supplier_id
        if supplier_id is None:
            raise InventoryError(gettext("%(field)s: is required", field="supplier"), "supplier")
        supplier = get_supplier(session, supplier_id, "supplier")
        if not supplier.active:
            raise InventoryError(
                gettext("supplier: supplier %(name)s is inactive", name=supplier.name),
                "supplier",
            )
        order.note = clean_text(order.note, "note", required=False, length=1000)
        order.expected_date = parse_date(order.expected_date, "expected_date")
        if order.id is None:
            ensure_sequence(session)
            order.number = next_number(session, SEQUENCE)
            order.state = DRAFT
            order.created_on = utcnow()
        else:
            _require_state(order, (DRAFT,), gettext("edit it"))
    return order


def create_order(
    session: Session,
    supplier_id: Any,
    expected_date: Any = None,
    note: Any = None,
    lines: Iterable[Mapping[str, Any]] = (),
) -> PurchaseOrder:
    """Draft a purchase order to an active supplier, numbered from the PO sequence, with
    optional ``lines`` (each ``{"part_id", "quantity", "location_id", "unit_price"?}``)."""
    with session.begin_nested():
        order = PurchaseOrder(
            supplier_id=get_supplier(session, supplier_id).id,
            expected_date=parse_date(expected_date, "expected_date"),
            note=note,
        )
        prepare_order(session, order)
        session.add(order)
        session.flush()
        for index, line in enumerate(lines):
            if not isinstance(line, Mapping):
                raise InventoryError(
                    gettext("lines: line %(n)d must be an object", n=index + 1), "lines"
                )
            add_line(session, order, **{k: line.get(k) for k in LINE_FIELDS})
        return order


LINE_FIELDS = ("part_id", "quantity", "location_id", "unit_price")


def add_line(
    session: Session,
    order: PurchaseOrder,
    part_id: Any,
    quantity: Any,
    location_id: Any,
    unit_price: Any = None,
) -> PurchaseOrderLine:
    """Add a line to a draft: an active part, a positive quantity, the destination location
    and the unit price (default: the supplier's price, else the part's standard cost)."""
    _require_state(order, (DRAFT,), gettext("add lines"))
    qty = parse_quantity(quantity)
    with session.begin_nested():
        part = get_part(session, part_id)
        if not part.active:
            raise InventoryError(
                gettext("part_id: part %(sku)s is inactive", sku=part.sku), "part_id"
            )
        location = get_location(session, location_id)
        price = (
            price_for(session, order.supplier_id, part)
            if unit_price in (None, "")
            else parse_cost(unit_price, "unit_price")
        )
        line = PurchaseOrderLine(
            order_id=order.id,
            part_id=part.id,
            location_id=location.id,
            quantity=qty,
            unit_price=price,
            received=Decimal(0),
            cancelled=Decimal(0),
        )
        session.add(line)
        session.flush()
        session.refresh(order, ["lines"])
        return line


def _line(session: Session, line_id: Any) -> PurchaseOrderLine:
    line = session.get(PurchaseOrderLine, record_id(line_id, "line_id"))
    if line is None:
        raise InventoryError(
            gettext("line_id: order line %(id)s does not exist", id=line_id), "line_id", 404
        )
    return line


def change_line(
    session: Session, line_id: Any, quantity: Any = None, unit_price: Any = None
) -> PurchaseOrderLine:
    """Change the quantity and/or unit price of a line of a draft."""
    line = _line(session, line_id)
    _require_state(line.order, (DRAFT,), gettext("change lines"))
    if quantity not in (None, ""):
        line.quantity = parse_quantity(quantity)
    if unit_price not in (None, ""):
        line.unit_price = parse_cost(unit_price, "unit_price")
    session.flush()
    return line


def remove_line(session: Session, line_id: Any) -> PurchaseOrder:
    """Remove a line from a draft."""
    line = _line(session, line_id)
    order = line.order
    _require_state(order, (DRAFT,), gettext("remove lines"))
    session.delete(line)
    session.flush()
    session.refresh(order, ["lines"])
    return order


def place_order(session: Session, order: PurchaseOrder) -> PurchaseOrder:
    """draft -> ordered. Needs at least one line; the expected date defaults to today plus
    the supplier's lead time and may not lie in the past."""
    with session.begin_nested():
        order = get_order(session, order.id, lock=True)
        _require_state(order, (DRAFT,), gettext("order it"))
        if not order.lines:
            raise InventoryError(
                gettext("lines: purchase order %(number)s has no lines", number=order.number),
                "lines",
            )
        today = company_today(session)
        if order.expected_date is None:
            order.expected_date = today + datetime.timedelta(days=order.supplier.lead_time_days)
        elif order.expected_date < today:
            raise InventoryError(
                gettext("expected_date: %(date)s is in the past", date=order.expected_date),
                "expected_date",
            )
        order.state = ORDERED
        order.ordered_on = utcnow()
        session.flush()
        return order


def over_receipt_percent() -> Decimal:
    """The over-receipt tolerance in percent (setting ``INVENTORY_OVER_RECEIPT_PERCENT``)."""
    value = current_app.config.get(OVER_RECEIPT_SETTING, 0) if has_app_context() else 0
    return Decimal(str(value or 0))


def receive_line(
    session: Session,
    line_id: Any,
    quantity: Any,
    note: Any = None,
    *,
    tolerance_percent: Decimal | None = None,
) -> StockMove:
    """Receive ``quantity`` of an order line into its location at its unit price.

    Refused (409) when the order is not ordered or partially received, or when the line
    would receive more than its quantity (plus the over-receipt tolerance). The order becomes
    partially received or received.
    """
    qty = parse_quantity(quantity)
    line_id = record_id(line_id, "line_id")
    tolerance = over_receipt_percent() if tolerance_percent is None else tolerance_percent
    with session.begin_nested():
        order_id = session.scalar(
            select(PurchaseOrderLine.order_id).where(PurchaseOrderLine.id == line_id)
        )
        if order_id is None:
            raise InventoryError(
                gettext("line_id: order line %(id)s does not exist", id=line_id), "line_id", 404
            )
        order = get_order(session, order_id, lock=True)
        _require_state(order, RECEIVABLE_STATES, gettext("receive"))
        line = session.execute(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.id == line_id)
            .execution_options(populate_existing=True)
        ).scalar_one()
        limit = (line.quantity * (1 + tolerance / 100)).quantize(
            Decimal("0.001"), rounding=ROUND_DOWN
        )
        taken = session.execute(
            update(PurchaseOrderLine)
            .where(
                PurchaseOrderLine.id == line.id,
                PurchaseOrderLine.received + literal(qty, Quantity()) <= literal(limit, Quantity()),
            )
            .values(received=PurchaseOrderLine.received + literal(qty, Quantity()))
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            session.refresh(line)
            raise InventoryError(
                gettext(
                    "quantity: line %(sku)s of %(number)s can receive at most %(left)s more "
                    "(ordered %(ordered)s, received %(received)s)",
                    sku=line.part.sku,
                    number=order.number,
                    left=fmt_quantity(max(limit - line.received, Decimal(0))),
                    ordered=fmt_quantity(line.quantity),
                    received=fmt_quantity(line.received),
                ),
                "quantity",
                409,
            )
        session.refresh(line, ["received"])
        record_update(  # the UPDATE statement is not seen by the audit capture
            session, line, {"received": [line.received - qty, line.received]}
        )
        move = receive(
            session,
            line.part_id,
            line.location_id,
            qty,
            line.unit_price,
            reference=order.number,
            note=clean_text(note, "note", required=False, length=1000),
        )
        session.refresh(line)
        _settle_state(session, order)
        return move


def receive_order(
    session: Session, order: PurchaseOrder, quantities: Mapping[Any, Any] | None = None
) -> list[StockMove]:
    """Receive several lines at once: ``quantities`` maps line ids to quantities (lines left
    out or given 0/empty receive nothing); without it, everything outstanding arrives. All or
    nothing: one refused line refuses the whole receipt."""
    with session.begin_nested():
        order = get_order(session, order.id, lock=True)
        _require_state(order, RECEIVABLE_STATES, gettext("receive"))
        own = {line.id: line for line in order.lines}
        if quantities is None:
            wanted = {lid: line.outstanding for lid, line in own.items() if line.outstanding > 0}
        else:
            wanted = {}
            for key, value in quantities.items():
                line_id = record_id(key, "line_id")
                if line_id not in own:
                    raise InventoryError(
                        gettext(
                            "line_id: line %(id)s is not on purchase order %(number)s",
                            id=key,
                            number=order.number,
                        ),
                        "line_id",
                    )
                if value in (None, ""):
                    continue
                try:
                    zero = Decimal(str(value).strip()) == 0
                except InvalidOperation:
                    zero = False  # receive_line refuses it, naming the field
                if not zero:
                    wanted[line_id] = value
        if not wanted:
            raise InventoryError(gettext("quantity: nothing to receive"), "quantity")
        return [receive_line(session, lid, qty) for lid, qty in sorted(wanted.items())]


def _settle_state(session: Session, order: PurchaseOrder) -> None:
    session.refresh(order, ["lines"])
    if all(line.received + line.cancelled >= line.quantity for line in order.lines):
        order.state = RECEIVED
        order.closed_on = utcnow()
    elif any(line.received > 0 for line in order.lines):
        order.state = PARTIAL
    session.flush()


def cancel_order(session: Session, order: PurchaseOrder) -> PurchaseOrder:
    """Cancel a draft or an ordered PO with nothing received (-> cancelled), or the rest of a
    partially received PO (-> closed; each line's outstanding quantity is cancelled)."""
    with session.begin_nested():
        order = get_order(session, order.id, lock=True)
        _require_state(order, (DRAFT, ORDERED, PARTIAL), gettext("cancel it"))
        if order.state == PARTIAL:
            for line in order.lines:
                line.cancelled = line.outstanding
            order.state = CLOSED
        else:
            order.state = CANCELLED
        order.closed_on = utcnow()
        session.flush()
        return order


def order_total(order: PurchaseOrder) -> Decimal:
    """Quantity x unit price over the lines, rounded to cents."""
    total = sum((line.quantity * line.unit_price for line in order.lines), Decimal(0))
    return total.quantize(Decimal("0.01"))


def on_order(session: Session) -> dict[tuple[int, int], Decimal]:
    """Outstanding quantity per (part, location) of open orders, drafts included."""
    rows = session.execute(
        select(
            PurchaseOrderLine.part_id,
            PurchaseOrderLine.location_id,
            func.sum(PurchaseOrderLine.quantity),
            func.sum(PurchaseOrderLine.received),
            func.sum(PurchaseOrderLine.cancelled),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.state.in_(PO_OPEN_STATES))
        .group_by(PurchaseOrderLine.part_id, PurchaseOrderLine.location_id)
    ).all()
    found: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for part_id, location_id, ordered, received, cancelled in rows:
        found[(part_id, location_id)] = max(ordered - received - cancelled, Decimal(0))
    return found


def orders_with_lines(session: Session, ids: Iterable[int]) -> list[PurchaseOrder]:
    """Orders with their lines, parts and locations loaded (for pages and documents)."""
    return list(
        session.scalars(
            select(PurchaseOrder)
            .where(PurchaseOrder.id.in_(list(ids)))
            .options(
                selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.part),
                selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.location),
            )
        )
    )
