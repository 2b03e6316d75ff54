"""Tables of inventory: parts, warehouses, locations, the stock ledger, quants, reservations,
suppliers and purchase orders, reorder rules and stocktakes.

Stock is a ledger: every change of quantity is a :class:`StockMove` (never edited or
deleted; a mistake is corrected by a reversing move). :class:`StockQuant` keeps the running
on-hand and reserved quantity per part and location, updated in the same transaction as the
move, so that on-hand always equals the sum of the moves (``services.verify_ledger``).

Quantities are exact: :class:`Quantity` stores thousandths of a unit as an integer (SQLite
keeps ``Numeric`` as a floating-point REAL) and gives back ``Decimal``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from core.column_limits import LongText
from core.extensions import db
from core.money import MoneyAmount
from core.states import one_of
from core.timeutil import utcnow

QUANTITY_DIGITS = 3
COST_DIGITS = 4  # moving-average cost keeps 4 decimals so that averaging does not drift

CENTRAL, BRANCH, VAN = "central", "branch", "van"
WAREHOUSE_KINDS = (CENTRAL, BRANCH, VAN)
NORMAL, QUARANTINE = "normal", "quarantine"
LOCATION_KINDS = (NORMAL, QUARANTINE)

RECEIPT, ISSUE, RETURN, TRANSFER = "receipt", "issue", "return", "transfer"
ADJUSTMENT, SCRAP, REVERSAL = "adjustment", "scrap", "reversal"
# A defective part sent to its vendor under warranty, and the repaired/replaced part back.
VENDOR_RETURN, VENDOR_RECEIPT = "vendor_return", "vendor_receipt"
MOVE_REASONS = (
    RECEIPT,
    ISSUE,
    RETURN,
    TRANSFER,
    ADJUSTMENT,
    SCRAP,
    REVERSAL,
    VENDOR_RETURN,
    VENDOR_RECEIPT,
)

ACTIVE, RELEASED, CONSUMED = "active", "released", "consumed"
RESERVATION_STATES = (ACTIVE, RELEASED, CONSUMED)

# Purchase orders. CLOSED: partially received, the rest cancelled.
DRAFT, ORDERED, PARTIAL, RECEIVED = "draft", "ordered", "partial", "received"
CLOSED, CANCELLED = "closed", "cancelled"
PO_STATES = (DRAFT, ORDERED, PARTIAL, RECEIVED, CLOSED, CANCELLED)
PO_OPEN_STATES = (DRAFT, ORDERED, PARTIAL)  # their outstanding quantities are "on order"

# Reorder rules: FIXED uses min/max as entered; DEMAND computes the reorder point.
FIXED, DEMAND = "fixed", "demand"
RULE_METHODS = (FIXED, DEMAND)

# Stocktakes.
COUNTING, SUBMITTED, POSTED = "counting", "submitted", "posted"
STOCKTAKE_STATES = (DRAFT, COUNTING, SUBMITTED, POSTED, CANCELLED)
STOCKTAKE_OPEN_STATES = (DRAFT, COUNTING, SUBMITTED)


# Notes on moves, returns, orders and counts (the services refuse longer ones by name).
NOTE_LENGTH = 1000


class Quantity(TypeDecorator[Decimal]):
    """An exact quantity with 3 decimals, stored as integer thousandths (``BigInteger``).

    Binding a value with more decimals or a float raises instead of rounding.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        """Decimal (or int, str) -> integer thousandths."""
        if value is None:
            return None
        if isinstance(value, float | bool):
            raise TypeError("quantity column: give a Decimal, an int or a string")
        amount = Decimal(value)
        units = amount.scaleb(QUANTITY_DIGITS)
        if units != units.to_integral_value():
            raise ValueError(f"quantity column: {value} has more than 3 decimal places")
        return int(units)

    def process_literal_param(self, value: Any, dialect: Any) -> str:
        """Render a literal as its thousandths."""
        units = self.process_bind_param(value, dialect)
        return "NULL" if units is None else str(units)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        """Integer thousandths (or a Decimal from ``SUM``) -> Decimal with 3 decimals."""
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-QUANTITY_DIGITS).quantize(Decimal("0.001"))

    @property
    def python_type(self) -> type:
        """Decimal."""
        return Decimal


class Part(db.Model):
    """A spare part kept in stock. ``average_cost`` is maintained by receipts (moving average)."""

    __tablename__ = "inventory_part"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    specification: Mapped[str | None] = mapped_column(LongText())
    unit: Mapped[str] = mapped_column(String(20), nullable=False, default="pcs")
    standard_cost: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=0)
    sale_price: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=0)
    average_cost: Mapped[Decimal] = mapped_column(
        MoneyAmount(COST_DIGITS), nullable=False, default=0
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Reorder suggestions are drafted as purchase orders to this supplier.
    preferred_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_supplier.id"), index=True
    )
    preferred_supplier: Mapped[Supplier | None] = relationship("Supplier")

    __table_args__ = (
        CheckConstraint("standard_cost >= 0", name="ck_inventory_part_standard_cost"),
        CheckConstraint("sale_price >= 0", name="ck_inventory_part_sale_price"),
        CheckConstraint("average_cost >= 0", name="ck_inventory_part_average_cost"),
    )

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Warehouse(db.Model):
    """A store: the central store, a branch store, or a technician's van."""

    __tablename__ = "inventory_warehouse"
    __table_args__ = (one_of("kind", WAREHOUSE_KINDS, "ck_inventory_warehouse_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=CENTRAL)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    technician: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(db.Model):
    """A place in a warehouse (a shelf, a bin, the van). Quarantine holds defective parts."""

    __tablename__ = "inventory_location"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "code", name="uq_inventory_location_code"),
        one_of("kind", LOCATION_KINDS, "ck_inventory_location_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_warehouse.id"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=NORMAL)
    warehouse: Mapped[Warehouse] = relationship(Warehouse)
    # "CEN/A-01": the same shelf code exists in several warehouses, so lists show both. Stored
    # (kept current by the mapper events below) so that lists can show and sort it without a
    # join or a query per row.
    label: Mapped[str] = mapped_column(String(61), nullable=False, default="", index=True)

    def __str__(self) -> str:
        return self.label or self.code


def _location_label(connection: Any, location: Location) -> str:
    """The location's "WAREHOUSE/CODE", read from its warehouse."""
    if location.warehouse is not None and location.warehouse.code:
        warehouse_code = location.warehouse.code
    else:
        warehouse_code = connection.scalar(
            select(Warehouse.code).where(Warehouse.id == location.warehouse_id)
        )
    return f"{warehouse_code}/{location.code}"


@event.listens_for(Location, "before_insert")
@event.listens_for(Location, "before_update")
def _label_location(_mapper: Any, connection: Any, location: Location) -> None:
    location.label = _location_label(connection, location)


@event.listens_for(Warehouse, "after_update")
def _relabel_locations(_mapper: Any, connection: Any, warehouse: Warehouse) -> None:
    if inspect(warehouse).attrs.code.history.has_changes():
        connection.execute(
            update(Location)
            .where(Location.warehouse_id == warehouse.id)
            .values(label=warehouse.code + "/" + Location.code)
        )


class StockMove(db.Model):
    """One line of the stock ledger: ``quantity`` of a part from one location to another.

    ``from_location`` is empty for stock coming in (receipt, return, adjustment up),
    ``to_location`` for stock going out (issue, scrap, adjustment down). Never edited or
    deleted; a reversal is a new move with ``reversal_of`` set (at most one per move).
    ``unit_cost`` (moving average at the time, or the receipt's cost) and ``sale_price``
    are carried so that billing can charge issued parts. Moves to and from a vendor under
    warranty (``vendor_return``, ``vendor_receipt``) name the ``supplier``, the vendor's
    ``rma`` (return authorisation) and their :class:`VendorReturn`.
    """

    __tablename__ = "inventory_move"
    # The ledger is its own audit trail: every move records who posted it and when, and is
    # never edited; a copy of each in the audit log would only double the writes.
    __audit__ = False
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_inventory_move_quantity"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name="ck_inventory_move_locations",
        ),
        one_of("reason", MOVE_REASONS, "ck_inventory_move_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    from_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_location.id"), index=True
    )
    to_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_location.id"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    note: Mapped[str | None] = mapped_column(LongText(NOTE_LENGTH))
    unit_cost: Mapped[Decimal] = mapped_column(MoneyAmount(COST_DIGITS), nullable=False)
    sale_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_move.id"), unique=True)
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, index=True
    )
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_supplier.id"), index=True)
    rma: Mapped[str | None] = mapped_column(String(60), index=True)
    vendor_return_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_vendor_return.id"), index=True
    )

    part: Mapped[Part] = relationship(Part)
    from_location: Mapped[Location | None] = relationship(Location, foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(Location, foreign_keys=[to_location_id])
    reversal_of: Mapped[StockMove | None] = relationship("StockMove", remote_side=[id])
    supplier: Mapped[Supplier | None] = relationship("Supplier")


class StockQuant(db.Model):
    """On-hand and reserved quantity of one part at one location (available = the difference).

    Changed only by the services' conditional UPDATEs; the CHECKs are the last line of defence.
    """

    __tablename__ = "inventory_quant"
    __audit__ = False  # derived from the moves, which are the record
    __table_args__ = (
        UniqueConstraint("part_id", "location_id", name="uq_inventory_quant_part_location"),
        CheckConstraint("on_hand >= 0", name="ck_inventory_quant_on_hand"),
        CheckConstraint("reserved >= 0", name="ck_inventory_quant_reserved"),
        CheckConstraint("reserved <= on_hand", name="ck_inventory_quant_reserved_on_hand"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    reserved: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)

    part: Mapped[Part] = relationship(Part)
    location: Mapped[Location] = relationship(Location)

    @property
    def available(self) -> Decimal:
        """On hand minus reserved."""
        return self.on_hand - self.reserved


class Reservation(db.Model):
    """Stock held at a location for a reference (a planned work order)."""

    __tablename__ = "inventory_reservation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_inventory_reservation_quantity"),
        one_of("state", RESERVATION_STATES, "ck_inventory_reservation_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False)
    reference: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=ACTIVE)
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    closed_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    part: Mapped[Part] = relationship(Part)
    location: Mapped[Location] = relationship(Location)


class Supplier(db.Model):
    """A vendor of parts. ``lead_time_days`` is the default delivery time of its orders."""

    __tablename__ = "inventory_supplier"
    __table_args__ = (
        CheckConstraint("lead_time_days >= 0", name="ck_inventory_supplier_lead_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    tax_id: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    lead_time_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name


class VendorReturn(db.Model):
    """Defective parts sent to a supplier under warranty, and what became of them.

    Created with its ``vendor_return`` move, which took ``quantity`` out of the quarantine
    location ``from_location`` at ``unit_cost`` (the moving-average cost then). ``received``
    (repaired or replaced parts back, ``vendor_receipt`` moves at the same unit cost) and
    ``written_off`` (the vendor credits or replaces nothing; ``write_off_note`` says why)
    only grow, through conditional UPDATEs; together they never exceed ``quantity``.
    ``closed_on`` is set when nothing is outstanding.
    """

    __tablename__ = "inventory_vendor_return"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_inventory_vendor_return_quantity"),
        CheckConstraint("received >= 0", name="ck_inventory_vendor_return_received"),
        CheckConstraint("written_off >= 0", name="ck_inventory_vendor_return_written_off"),
        CheckConstraint(
            "received + written_off <= quantity", name="ck_inventory_vendor_return_settled"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_supplier.id"), nullable=False, index=True
    )
    from_location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    rma: Mapped[str | None] = mapped_column(String(60), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False)
    unit_cost: Mapped[Decimal] = mapped_column(MoneyAmount(COST_DIGITS), nullable=False)
    received: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    written_off: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    write_off_note: Mapped[str | None] = mapped_column(LongText(NOTE_LENGTH))
    note: Mapped[str | None] = mapped_column(LongText(NOTE_LENGTH))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, index=True
    )
    closed_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    part: Mapped[Part] = relationship(Part)
    supplier: Mapped[Supplier] = relationship(Supplier)
    from_location: Mapped[Location] = relationship(Location)

    def __str__(self) -> str:
        return f"#{self.id} {self.rma}" if self.rma else f"#{self.id}"

    @property
    def outstanding(self) -> Decimal:
        """Sent and neither received back nor written off."""
        return self.quantity - self.received - self.written_off


class SupplierPrice(db.Model):
    """The price a supplier asks for a part (optional; used when drafting orders)."""

    __tablename__ = "inventory_supplier_price"
    __table_args__ = (
        UniqueConstraint("supplier_id", "part_id", name="uq_inventory_supplier_price"),
        CheckConstraint("unit_price >= 0", name="ck_inventory_supplier_price_unit_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_supplier.id"), nullable=False, index=True
    )
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False)
    supplier_sku: Mapped[str | None] = mapped_column(String(60))

    supplier: Mapped[Supplier] = relationship(Supplier)
    part: Mapped[Part] = relationship(Part)


class PurchaseOrder(db.Model):
    """An order to a supplier; its number comes from the ``inventory.purchase_order``
    sequence. The state changes only through the purchasing services."""

    __tablename__ = "inventory_purchase_order"
    __table_args__ = (one_of("state", PO_STATES, "ck_inventory_po_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_supplier.id"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT, index=True)
    expected_date: Mapped[datetime.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(LongText(NOTE_LENGTH))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    ordered_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    supplier: Mapped[Supplier] = relationship(Supplier)
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        "PurchaseOrderLine", back_populates="order", order_by="PurchaseOrderLine.id"
    )

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(db.Model):
    """A part ordered: quantity, unit price, destination location and what has arrived.

    ``received`` only grows, through one conditional UPDATE per receipt; ``cancelled`` is the
    part of the quantity that will never come (set when the rest of an order is cancelled).
    """

    __tablename__ = "inventory_purchase_order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_inventory_po_line_quantity"),
        CheckConstraint("received >= 0", name="ck_inventory_po_line_received"),
        CheckConstraint("cancelled >= 0", name="ck_inventory_po_line_cancelled"),
        CheckConstraint("unit_price >= 0", name="ck_inventory_po_line_unit_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_purchase_order.id"), nullable=False, index=True
    )
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False)
    received: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    cancelled: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)

    order: Mapped[PurchaseOrder] = relationship(PurchaseOrder, back_populates="lines")
    part: Mapped[Part] = relationship(Part)
    location: Mapped[Location] = relationship(Location)

    @property
    def outstanding(self) -> Decimal:
        """Ordered, not yet received and not cancelled (never below zero)."""
        return max(self.quantity - self.received - self.cancelled, Decimal("0.000"))


class ReorderRule(db.Model):
    """When and how much of a part to reorder for a location.

    ``fixed``: reorder when the stock position falls below ``min_quantity``, up to
    ``max_quantity``. ``demand``: the reorder point is average daily usage over the last
    ``usage_days`` x lead time + ``safety_stock`` + the expected demand other plugins report
    (see ``plugins/inventory/hookspecs.py``); ``reorder_point`` keeps the last computed value
    (the "minimum" that lists and the dashboard compare with).
    """

    __tablename__ = "inventory_reorder_rule"
    __table_args__ = (
        UniqueConstraint("part_id", "location_id", name="uq_inventory_reorder_rule"),
        one_of("method", RULE_METHODS, "ck_inventory_reorder_rule_method"),
        CheckConstraint("min_quantity >= 0", name="ck_inventory_reorder_rule_min"),
        CheckConstraint("max_quantity >= 0", name="ck_inventory_reorder_rule_max"),
        CheckConstraint("safety_stock >= 0", name="ck_inventory_reorder_rule_safety"),
        CheckConstraint("reorder_point >= 0", name="ck_inventory_reorder_rule_point"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    method: Mapped[str] = mapped_column(String(10), nullable=False, default=FIXED)
    min_quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    max_quantity: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    safety_stock: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)  # None: the supplier's
    usage_days: Mapped[int] = mapped_column(Integer, nullable=False, default=90)
    reorder_point: Mapped[Decimal] = mapped_column(Quantity(), nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    part: Mapped[Part] = relationship(Part)
    location: Mapped[Location] = relationship(Location)


class Stocktake(db.Model):
    """A count sheet of one location: draft -> counting -> submitted -> posted (or cancelled).

    Its number comes from the ``inventory.stocktake`` sequence. ``started_on`` is when the
    book quantities were snapshotted.
    """

    __tablename__ = "inventory_stocktake"
    __table_args__ = (one_of("state", STOCKTAKE_STATES, "ck_inventory_stocktake_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_location.id"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT, index=True)
    note: Mapped[str | None] = mapped_column(LongText(NOTE_LENGTH))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    started_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    posted_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    posted_by: Mapped[str | None] = mapped_column(String(100))

    location: Mapped[Location] = relationship(Location)
    lines: Mapped[list[StocktakeLine]] = relationship(
        "StocktakeLine", back_populates="stocktake", order_by="StocktakeLine.id"
    )

    def __str__(self) -> str:
        return self.number


class StocktakeLine(db.Model):
    """One part on a count sheet.

    ``book_at_start``: on hand when counting started. ``book_at_count``: on hand when the
    count was entered, that is the book at start plus every move at the location since the
    start up to the count. The variance is ``counted - book_at_count``; moves after the
    count stay on the books untouched, since the posted adjustment only adds the variance.
    """

    __tablename__ = "inventory_stocktake_line"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "part_id", name="uq_inventory_stocktake_line_part"),
        CheckConstraint("counted >= 0", name="ck_inventory_stocktake_line_counted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_stocktake.id"), nullable=False, index=True
    )
    part_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_part.id"), nullable=False, index=True
    )
    book_at_start: Mapped[Decimal | None] = mapped_column(Quantity())
    book_at_count: Mapped[Decimal | None] = mapped_column(Quantity())
    counted: Mapped[Decimal | None] = mapped_column(Quantity())
    counted_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    counted_by: Mapped[str | None] = mapped_column(String(100))
    unit_cost: Mapped[Decimal | None] = mapped_column(MoneyAmount(COST_DIGITS))
    move_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_move.id"))

    stocktake: Mapped[Stocktake] = relationship(Stocktake, back_populates="lines")
    part: Mapped[Part] = relationship(Part)

    @property
    def variance(self) -> Decimal | None:
        """Counted minus the book at the count (None until counted)."""
        if self.counted is None or self.book_at_count is None:
            return None
        return self.counted - self.book_at_count
