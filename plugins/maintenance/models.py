"""Tables of maintenance: technicians, fault reports, work orders, their parts and SLA clocks.

State, numbers, coverage and deadlines (``WorkOrder.state``, ``number``, ``contract_id``,
``response_due``...) are set by :mod:`plugins.maintenance.services`, never typed in.
Inventory is optional, so part lines keep inventory ids as plain integers (no foreign key to
a table that may not exist).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.column_limits import LongText
from core.extensions import db
from core.money import MoneyAmount
from core.states import one_of
from plugins.contracts.models import Contract, Equipment, Product

PRIORITIES = ("P1", "P2", "P3", "P4")

# Fault report sources
HOTLINE = "hotline"
STAFF = "staff"
CUSTOMER = "customer"
PLUGIN = "plugin"
SOURCES = (HOTLINE, STAFF, CUSTOMER, PLUGIN)

# Work order kinds
CORRECTIVE = "corrective"
INSPECTION = "inspection"
KINDS = (CORRECTIVE, INSPECTION)

# Work order states
NEW = "new"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
WAITING_PARTS = "waiting_parts"
DONE = "done"
CONFIRMED = "confirmed"
CLOSED = "closed"
CANCELLED = "cancelled"
STATES = (NEW, ASSIGNED, IN_PROGRESS, WAITING_PARTS, DONE, CONFIRMED, CLOSED, CANCELLED)
OPEN_STATES = (NEW, ASSIGNED, IN_PROGRESS, WAITING_PARTS)  # the SLA clock may still run

# Part line states
RECORDED = "recorded"  # free text, inventory not enabled
RESERVED = "reserved"
ISSUED = "issued"
RELEASED = "released"
LINE_STATES = (RECORDED, RESERVED, ISSUED, RELEASED)

# Clock events (the timeline of an order's SLA clock)
CLOCK_STARTED = "started"
CLOCK_RESPONDED = "responded"
CLOCK_PAUSED = "paused"
CLOCK_RESUMED = "resumed"
CLOCK_RESOLVED = "resolved"
CLOCK_STOPPED = "stopped"
RESPONSE_BREACHED = "response_breached"
RESOLUTION_BREACHED = "resolution_breached"
CLOCK_KINDS = (
    CLOCK_STARTED,
    CLOCK_RESPONDED,
    CLOCK_PAUSED,
    CLOCK_RESUMED,
    CLOCK_RESOLVED,
    CLOCK_STOPPED,
    RESPONSE_BREACHED,
    RESOLUTION_BREACHED,
)


class Technician(db.Model):
    """A field technician: the user who signs in, skills, region and working hours."""

    __tablename__ = "maintenance_technician"
    __audit__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    # Comma-separated skill codes, normalised by the service ("hvac, printer").
    skills: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    calendar_code: Mapped[str] = mapped_column(String(80), nullable=False, default="5x8")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    user: Mapped[User] = relationship(User)
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="technician",
        cascade="all, delete-orphan",
        order_by="Certification.valid_until",
    )

    def __str__(self) -> str:
        return self.name


class Certification(db.Model):
    """A certificate a technician holds for a skill, valid until a date."""

    __tablename__ = "maintenance_certification"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("technician_id", "skill", "number", name="uq_maintenance_cert"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    technician_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_technician.id"), nullable=False, index=True
    )
    skill: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    number: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    valid_until: Mapped[datetime.date] = mapped_column(Date, nullable=False)

    technician: Mapped[Technician] = relationship(back_populates="certifications")

    def __str__(self) -> str:
        return f"{self.skill}: {self.name}"


class FaultReport(db.Model):
    """A fault reported by the hotline, a staff member, the customer or another plugin."""

    __tablename__ = "maintenance_fault_report"
    __audit__ = True
    __table_args__ = (
        one_of("priority", PRIORITIES, "ck_maintenance_fault_priority"),
        one_of("source", SOURCES, "ck_maintenance_fault_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    equipment_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_equipment.id"), nullable=False, index=True
    )
    symptom: Mapped[str] = mapped_column(LongText(), nullable=False, default="")
    environment: Mapped[str | None] = mapped_column(LongText(), default="")
    seen_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    contact_name: Mapped[str | None] = mapped_column(String(120), default="")
    contact_phone: Mapped[str | None] = mapped_column(String(40), default="")
    priority: Mapped[str] = mapped_column(String(2), nullable=False, default="P3")
    source: Mapped[str] = mapped_column(String(10), nullable=False, default=HOTLINE)

    equipment: Mapped[Equipment] = relationship()
    work_order: Mapped[WorkOrder | None] = relationship(
        back_populates="fault_report", uselist=False
    )

    def __str__(self) -> str:
        return self.number


class WorkOrder(db.Model):
    """A corrective or inspection work order, its SLA clock, diagnosis, repair and follow-up.

    Deadlines are UTC instants computed on the service level's business calendar in
    ``site_time_zone``; ``paused_since`` is set while the order waits on the customer.
    """

    __tablename__ = "maintenance_work_order"
    __audit__ = True
    __table_args__ = (
        one_of("state", STATES, "ck_maintenance_wo_state"),
        one_of("kind", KINDS, "ck_maintenance_wo_kind"),
        one_of("priority", PRIORITIES, "ck_maintenance_wo_priority"),
        CheckConstraint("labour_minutes >= 0", name="ck_maintenance_wo_labour"),
        CheckConstraint("paused_minutes >= 0", name="ck_maintenance_wo_paused"),
        CheckConstraint("planned_minutes > 0", name="ck_maintenance_wo_planned"),
        # One inspection per unit, plan and due date: the generation job relies on it.
        UniqueConstraint("equipment_id", "plan_id", "due_date", name="uq_maintenance_wo_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=CORRECTIVE)
    state: Mapped[str] = mapped_column(String(14), nullable=False, default=NEW, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    symptom: Mapped[str | None] = mapped_column(LongText(), default="")
    priority: Mapped[str] = mapped_column(String(2), nullable=False, default="P3")
    equipment_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_equipment.id"), nullable=False, index=True
    )
    technician_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_technician.id"), index=True
    )
    fault_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_fault_report.id"), unique=True
    )
    # Inspections: the plan that generated the order and the day it is due
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_plan.id"), index=True)
    due_date: Mapped[datetime.date | None] = mapped_column(Date, index=True)
    # Dispatch: what the work needs and when the technician is booked for it
    required_skill: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    region: Mapped[str] = mapped_column(String(80), nullable=False, default="", index=True)
    planned_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=120)
    scheduled_start: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )
    scheduled_end: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    assignment_override: Mapped[str | None] = mapped_column(LongText(), default="")
    # Coverage at creation (contracts.services.coverage)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_contract.id"), index=True)
    service_level: Mapped[str | None] = mapped_column(String(120))
    calendar_code: Mapped[str | None] = mapped_column(String(80))
    chargeable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    coverage_note: Mapped[str | None] = mapped_column(LongText(), default="")
    # SLA clock
    site_time_zone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    opened_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    response_hours: Mapped[int | None] = mapped_column(Integer)
    resolution_hours: Mapped[int | None] = mapped_column(Integer)
    response_due: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )
    resolution_due: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )
    responded_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    paused_since: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    paused_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    response_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Diagnosis, repair, follow-up
    diagnosis_cause: Mapped[str | None] = mapped_column(LongText(), default="")
    repair_plan: Mapped[str | None] = mapped_column(LongText(), default="")
    repair_actions: Mapped[str | None] = mapped_column(LongText(), default="")
    labour_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    confirmed_by: Mapped[str | None] = mapped_column(String(120), default="")
    customer_remarks: Mapped[str | None] = mapped_column(LongText(), default="")
    cancel_reason: Mapped[str | None] = mapped_column(LongText(), default="")
    # An inspection visit's findings, for its report (recorded with the checklist results)
    problems_found: Mapped[str | None] = mapped_column(LongText(), default="")
    risks: Mapped[str | None] = mapped_column(LongText(), default="")
    closed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    equipment: Mapped[Equipment] = relationship()
    technician: Mapped[Technician | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    fault_report: Mapped[FaultReport | None] = relationship(back_populates="work_order")
    plan: Mapped[MaintenancePlan | None] = relationship()
    results: Mapped[list[InspectionResult]] = relationship(
        back_populates="work_order",
        cascade="all, delete-orphan",
        order_by="InspectionResult.position",
        foreign_keys="InspectionResult.work_order_id",
    )
    part_lines: Mapped[list[WorkOrderPart]] = relationship(
        back_populates="work_order", cascade="all, delete-orphan", order_by="WorkOrderPart.id"
    )
    clock_events: Mapped[list[ClockEvent]] = relationship(
        back_populates="work_order", cascade="all, delete-orphan", order_by="ClockEvent.id"
    )

    @property
    def waiting_for_customer(self) -> bool:
        """Whether the order waits on the customer (its SLA clock is paused)."""
        return self.paused_since is not None

    def __str__(self) -> str:
        return self.number


class WorkOrderPart(db.Model):
    """A part used on a work order: reserved then issued through inventory when it is
    enabled, otherwise a free-text line."""

    __tablename__ = "maintenance_work_order_part"
    __audit__ = True
    __table_args__ = (
        one_of("state", LINE_STATES, "ck_maintenance_wo_part_state"),
        CheckConstraint("quantity > 0", name="ck_maintenance_wo_part_quantity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_work_order.id"), nullable=False, index=True
    )
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(MoneyAmount(3), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=RECORDED)
    # inventory ids (plain integers: inventory is optional)
    part_id: Mapped[int | None] = mapped_column(Integer, index=True)
    location_id: Mapped[int | None] = mapped_column(Integer)
    reservation_id: Mapped[int | None] = mapped_column(Integer)
    stock_move_id: Mapped[int | None] = mapped_column(Integer)
    unit_cost: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))
    unit_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())

    work_order: Mapped[WorkOrder] = relationship(back_populates="part_lines")

    def __str__(self) -> str:
        return f"{self.description} x {self.quantity.normalize()}"


class ClockEvent(db.Model):
    """One step of a work order's SLA clock, with the deadlines as they stood after it."""

    __tablename__ = "maintenance_clock_event"
    __audit__ = False  # an append-only timeline; the order's own changes are audited
    __table_args__ = (one_of("kind", CLOCK_KINDS, "ck_maintenance_clock_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_work_order.id"), nullable=False, index=True
    )
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    response_due: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_due: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(LongText(), default="")

    work_order: Mapped[WorkOrder] = relationship(back_populates="clock_events")


# Plan intervals
DAYS = "days"
WEEKS = "weeks"
MONTHS = "months"
INTERVAL_UNITS = (DAYS, WEEKS, MONTHS)

# Inspection outcomes
PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "n_a"
OUTCOMES = (PASS, FAIL, NOT_APPLICABLE)


class MaintenancePlan(db.Model):
    """A preventive maintenance plan for every covered unit of a product type, or for the
    units of one contract: an inspection every ``interval_count`` ``interval_unit``, generated
    ``horizon_days`` ahead. ``generated_until`` is the watermark of the generation job."""

    __tablename__ = "maintenance_plan"
    __audit__ = True
    __table_args__ = (
        one_of("interval_unit", INTERVAL_UNITS, "ck_maintenance_plan_unit"),
        CheckConstraint("interval_count > 0", name="ck_maintenance_plan_interval"),
        CheckConstraint("horizon_days > 0", name="ck_maintenance_plan_horizon"),
        CheckConstraint("duration_minutes > 0", name="ck_maintenance_plan_duration"),
        CheckConstraint(
            "(product_type IS NULL) <> (contract_id IS NULL)", name="ck_maintenance_plan_scope"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True, default="")
    product_type: Mapped[str | None] = mapped_column(String(80), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_contract.id"), index=True)
    interval_count: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    interval_unit: Mapped[str] = mapped_column(String(6), nullable=False, default=MONTHS)
    horizon_days: Mapped[int] = mapped_column(Integer, nullable=False, default=90)
    starts_on: Mapped[datetime.date | None] = mapped_column(Date)
    skill: Mapped[str | None] = mapped_column(String(40), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    generated_until: Mapped[datetime.date | None] = mapped_column(Date)

    contract: Mapped[Contract | None] = relationship()
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.position"
    )
    parts: Mapped[list[PlanPart]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanPart.id"
    )

    def __str__(self) -> str:
        return self.name


class PlanItem(db.Model):
    """One checklist item of a plan: what to check, the standard, and the acceptable range
    of a measured value (either bound may be open)."""

    __tablename__ = "maintenance_plan_item"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("plan_id", "position", name="uq_maintenance_plan_item_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_plan.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    standard: Mapped[str | None] = mapped_column(String(400), default="")
    unit: Mapped[str | None] = mapped_column(String(20), default="")
    min_value: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))
    max_value: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))

    plan: Mapped[MaintenancePlan] = relationship(back_populates="items")

    def __str__(self) -> str:
        return self.name


class InspectionResult(db.Model):
    """The result of one checklist item on an inspection order (empty until recorded)."""

    __tablename__ = "maintenance_inspection_result"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("work_order_id", "position", name="uq_maintenance_result_position"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('pass', 'fail', 'n_a')",
            name="ck_maintenance_result_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_work_order.id"), nullable=False, index=True
    )
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_plan_item.id"))
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    # A copy of the item, so that a later plan change does not rewrite past inspections
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    standard: Mapped[str | None] = mapped_column(String(400), default="")
    unit: Mapped[str | None] = mapped_column(String(20), default="")
    min_value: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))
    max_value: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))
    outcome: Mapped[str | None] = mapped_column(String(4))
    measured_value: Mapped[Decimal | None] = mapped_column(MoneyAmount(4))
    notes: Mapped[str | None] = mapped_column(LongText(), default="")
    # The corrective order raised from this item when it failed
    corrective_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_work_order.id"), unique=True
    )

    work_order: Mapped[WorkOrder] = relationship(
        back_populates="results", foreign_keys=[work_order_id]
    )
    corrective_order: Mapped[WorkOrder | None] = relationship(foreign_keys=[corrective_order_id])

    def __str__(self) -> str:
        return self.name


class ProductPart(db.Model):
    """A spare part that units of a product use when they fail: ``quantity`` per repair,
    supplied from inventory location ``location_id``. Reliability planning expects
    units x failure rate (1/MTBF) x horizon repairs (inventory ids are plain integers)."""

    __tablename__ = "maintenance_product_part"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("product_id", "part_id", "location_id", name="uq_maintenance_pp"),
        CheckConstraint("quantity > 0", name="ck_maintenance_pp_quantity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_product.id"), nullable=False, index=True
    )
    part_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(MoneyAmount(3), nullable=False)

    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.product} · {self.part_id} x {self.quantity.normalize()}"


class PlanPart(db.Model):
    """A part every inspection of a plan needs (a filter kit, say): ``quantity`` per
    inspection, supplied from inventory location ``location_id``."""

    __tablename__ = "maintenance_plan_part"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("plan_id", "part_id", "location_id", name="uq_maintenance_plan_part"),
        CheckConstraint("quantity > 0", name="ck_maintenance_plan_part_quantity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("maintenance_plan.id"), nullable=False, index=True
    )
    part_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(MoneyAmount(3), nullable=False)

    plan: Mapped[MaintenancePlan] = relationship(back_populates="parts")

    def __str__(self) -> str:
        return f"{self.part_id} x {self.quantity.normalize()}"


MODELS = [
    Technician,
    Certification,
    FaultReport,
    MaintenancePlan,
    PlanItem,
    WorkOrder,
    WorkOrderPart,
    ClockEvent,
    InspectionResult,
    ProductPart,
    PlanPart,
]
