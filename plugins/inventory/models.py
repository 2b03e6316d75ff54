"""Tables of inventory: parts, warehouses, locations, the stock ledger, quants, reservations.

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
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from core.extensions import db
from core.money import MoneyAmount
from core.timeutil import utcnow

QUANTITY_DIGITS = 3
COST_DIGITS = 4  # moving-average cost keeps 4 decimals so that averaging does not drift

CENTRAL, BRANCH, VAN = "central", "branch", "van"
WAREHOUSE_KINDS = (CENTRAL, BRANCH, VAN)
NORMAL, QUARANTINE = "normal", "quarantine"
LOCATION_KINDS = (NORMAL, QUARANTINE)

RECEIPT, ISSUE, RETURN, TRANSFER = "receipt", "issue", "return", "transfer"
ADJUSTMENT, SCRAP, REVERSAL = "adjustment", "scrap", "reversal"
MOVE_REASONS = (RECEIPT, ISSUE, RETURN, TRANSFER, ADJUSTMENT, SCRAP, REVERSAL)

ACTIVE, RELEASED, CONSUMED = "active", "released", "consumed"
RESERVATION_STATES = (ACTIVE, RELEASED, CONSUMED)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


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
    specification: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20), nullable=False, default="pcs")
    standard_cost: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=0)
    sale_price: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=0)
    average_cost: Mapped[Decimal] = mapped_column(
        MoneyAmount(COST_DIGITS), nullable=False, default=0
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

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
    __table_args__ = (
        CheckConstraint(_in("kind", WAREHOUSE_KINDS), name="ck_inventory_warehouse_kind"),
    )

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
        CheckConstraint(_in("kind", LOCATION_KINDS), name="ck_inventory_location_kind"),
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
    are carried so that billing can charge issued parts.
    """

    __tablename__ = "inventory_move"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_inventory_move_quantity"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name="ck_inventory_move_locations",
        ),
        CheckConstraint(_in("reason", MOVE_REASONS), name="ck_inventory_move_reason"),
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
    reason: Mapped[str] = mapped_column(String(12), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    unit_cost: Mapped[Decimal] = mapped_column(MoneyAmount(COST_DIGITS), nullable=False)
    sale_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_move.id"), unique=True)
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, index=True
    )
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    part: Mapped[Part] = relationship(Part)
    from_location: Mapped[Location | None] = relationship(Location, foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(Location, foreign_keys=[to_location_id])
    reversal_of: Mapped[StockMove | None] = relationship("StockMove", remote_side=[id])


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
        CheckConstraint(_in("state", RESERVATION_STATES), name="ck_inventory_reservation_state"),
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
