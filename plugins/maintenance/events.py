"""Domain events maintenance publishes, and the one it listens to from other plugins.

Receivers implement ``aftersales_on_event`` / ``aftersales_after_commit`` and check
``isinstance(event, ...)``; they import nothing else of this plugin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from core.events import Event


@dataclass(frozen=True)
class FaultReported(Event):
    """Published by another plugin (a customer portal, a monitoring feed) to report a fault.

    Maintenance records a fault report from it, in the publisher's transaction, and opens a
    corrective work order at once when ``open_work_order`` is true. A refusal (unknown
    equipment, empty symptom) aborts the publisher's transaction.
    """

    name: ClassVar[str] = "maintenance.fault.reported"
    equipment_id: int
    symptom: str
    priority: str = "P3"
    environment: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    seen_at: datetime.datetime | None = None
    open_work_order: bool = True


@dataclass(frozen=True)
class FaultReportCreated(Event):
    """A fault report was recorded."""

    name: ClassVar[str] = "maintenance.fault_report.created"
    fault_report_id: int
    number: str
    equipment_id: int
    priority: str
    source: str


@dataclass(frozen=True)
class WorkOrderStateChanged(Event):
    """A work order moved from ``from_state`` to ``to_state`` through ``action``."""

    name: ClassVar[str] = "maintenance.work_order.state_changed"
    work_order_id: int
    number: str
    action: str
    from_state: str
    to_state: str


@dataclass(frozen=True)
class PartLine:
    """A part used on a finished work order; cost and price are ``None`` for free text."""

    description: str
    quantity: Decimal
    part_id: int | None = None
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class WorkOrderDone(Event):
    """The work is finished: what billing needs (labour, parts, coverage, chargeable)."""

    name: ClassVar[str] = "maintenance.work_order.done"
    work_order_id: int
    number: str
    kind: str
    equipment_id: int
    contract_id: int | None
    chargeable: bool
    labour_minutes: int
    parts: tuple[PartLine, ...]
    resolved_at: datetime.datetime


@dataclass(frozen=True)
class WorkOrderClosed(Event):
    """The customer confirmed the work and the order is closed (for satisfaction surveys)."""

    name: ClassVar[str] = "maintenance.work_order.closed"
    work_order_id: int
    number: str
    equipment_id: int
    contract_id: int | None
    technician_id: int | None
    confirmed_by: str


@dataclass(frozen=True)
class SlaBreached(Event):
    """A work order missed its response or resolution deadline (flagged once per deadline)."""

    name: ClassVar[str] = "maintenance.sla.breached"
    work_order_id: int
    number: str
    deadline: str  # "response" or "resolution"
    due: datetime.datetime
    contract_id: int | None
    priority: str
