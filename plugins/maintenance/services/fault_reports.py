"""Fault reports, typed in or published by another plugin, and the work orders raised from
them."""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.events import publish
from core.records import add_prepared
from core.sequences.service import next_number
from plugins.maintenance import events
from plugins.maintenance.models import (
    CORRECTIVE,
    PRIORITIES,
    SOURCES,
    FaultReport,
    WorkOrder,
)
from plugins.maintenance.services import sla
from plugins.maintenance.services.common import (
    FAULT_REPORT_SEQUENCE,
    check_choice,
    clean_text,
    ensure_sequences,
    moment_or_now,
    required_equipment,
)
from plugins.maintenance.services.errors import MaintenanceError
from plugins.maintenance.services.work_orders import create_work_order

# The fields a user sets on a fault report (screen form and API).
FAULT_REPORT_FIELDS = [
    "equipment",
    "symptom",
    "environment",
    "seen_at",
    "contact_name",
    "contact_phone",
    "priority",
    "source",
]


def prepare_fault_report(
    session: Session, report: FaultReport, now: datetime.datetime | None = None
) -> FaultReport:
    """Check a new or edited fault report: equipment and symptom required, priority P1-P4,
    a known source, the fault not seen in the future. A new report gets its FR number."""
    moment = moment_or_now(now)
    required_equipment(session, report)
    clean_text(report, "symptom", gettext("symptom"), required=True)
    for attr in ("environment", "contact_name", "contact_phone"):
        clean_text(report, attr, attr)
    report.priority = report.priority or "P3"
    check_choice(report, "priority", gettext("priority"), PRIORITIES)
    report.source = report.source or "hotline"
    check_choice(report, "source", gettext("source"), SOURCES)
    seen = sla.as_utc(report.seen_at)
    if seen is not None and seen > moment + datetime.timedelta(minutes=5):
        raise MaintenanceError(gettext("time seen: must not be in the future"), "seen_at")
    if report.id is None:
        report.reported_at = sla.as_utc(report.reported_at) or moment
        if not report.number:
            ensure_sequences(session)
            report.number = next_number(session, FAULT_REPORT_SEQUENCE)
    return report


def create_fault_report(
    session: Session, *, now: datetime.datetime | None = None, **values: Any
) -> FaultReport:
    """Record a fault report; publishes :class:`~plugins.maintenance.events.FaultReportCreated`."""
    report = add_prepared(
        session,
        FaultReport(**values),
        lambda s, new: prepare_fault_report(s, new, now),
        no_autoflush=True,
    )
    publish(
        session,
        events.FaultReportCreated(
            fault_report_id=report.id,
            number=report.number,
            equipment_id=report.equipment_id,
            priority=report.priority,
            source=report.source,
        ),
    )
    return report


def raise_work_order(
    session: Session, report: FaultReport, *, now: datetime.datetime | None = None
) -> WorkOrder:
    """Turn a fault report into a corrective work order (its SLA clock starts when the
    fault was reported). Refused (409) when the report already has one."""
    if report.work_order is not None:
        raise MaintenanceError(
            gettext(
                "fault report: %(number)s already has work order %(order)s",
                number=report.number,
                order=report.work_order.number,
            ),
            "fault_report",
            409,
        )
    first_line = report.symptom.strip().splitlines()[0] if report.symptom.strip() else ""
    return create_work_order(
        session,
        now=now,
        kind=CORRECTIVE,
        title=first_line[:200],
        symptom=report.symptom,
        priority=report.priority,
        equipment_id=report.equipment_id,
        fault_report=report,
        opened_at=report.reported_at,
    )


def report_fault_from_event(session: Session, event: events.FaultReported) -> FaultReport:
    """Record the fault another plugin published (and open its work order when asked)."""
    report = create_fault_report(
        session,
        equipment_id=event.equipment_id,
        symptom=event.symptom,
        priority=event.priority,
        environment=event.environment,
        contact_name=event.contact_name,
        contact_phone=event.contact_phone,
        seen_at=event.seen_at,
        source="plugin",
    )
    if event.open_work_order:
        raise_work_order(session, report)
    return report
