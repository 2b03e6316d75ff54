"""Rules of maintenance: technicians, fault reports, work orders and their lifecycle.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`MaintenanceError`, whose message names the field and
the rule and whose ``status`` is the HTTP status an API answers. SLA clocks live in
:mod:`plugins.maintenance.services.sla`, part lines in
:mod:`plugins.maintenance.services.parts`. Other plugins may call everything here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from core.visibility import Viewer

from core.calendar.service import CalendarError, work_calendar
from core.calendar.worktime import zone_of
from core.company.service import company_zone
from core.events import publish
from core.sequences.service import define_sequence, next_number
from core.timeutil import utcnow
from core.validation import checked_choice
from plugins.contracts import services as contracts
from plugins.contracts.models import Equipment
from plugins.maintenance import events
from plugins.maintenance.models import (
    ASSIGNED,
    CANCELLED,
    CLOCK_RESOLVED,
    CLOCK_RESPONDED,
    CLOCK_STARTED,
    CLOCK_STOPPED,
    CLOSED,
    CONFIRMED,
    CORRECTIVE,
    DONE,
    IN_PROGRESS,
    INSPECTION,
    KINDS,
    NEW,
    OPEN_STATES,
    PRIORITIES,
    SOURCES,
    STATES,
    WAITING_PARTS,
    Certification,
    FaultReport,
    MaintenancePlan,
    Technician,
    WorkOrder,
)
from plugins.maintenance.services import dispatch, parts, plans, sla
from plugins.maintenance.services.errors import MaintenanceError

__all__ = [
    "ACTIONS",
    "ALLOWED_FROM",
    "MaintenanceError",
    "add_certification",
    "available_actions",
    "create_fault_report",
    "create_technician",
    "create_work_order",
    "raise_work_order",
    "run_action",
]

WORK_ORDER_SEQUENCE = "maintenance.work_order"  # WO-2026-00001
FAULT_REPORT_SEQUENCE = "maintenance.fault_report"  # FR-2026-00001
_SKILL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
MAX_LABOUR_MINUTES = 100_000
# What a dispatcher gives when opening a work order, and what may be edited afterwards (the
# rest changes through actions); the screen and the API offer the same fields.
WORK_ORDER_OPENING_FIELDS = [
    "equipment",
    "kind",
    "priority",
    "title",
    "symptom",
    "region",
    "site_time_zone",
]
WORK_ORDER_EDITABLE_FIELDS = [
    "title",
    "symptom",
    "region",
    "diagnosis_cause",
    "repair_plan",
    "repair_actions",
]


def company_today() -> datetime.date:
    """Today's date in the company's time zone."""
    return utcnow().astimezone(company_zone()).date()


def ensure_sequences(session: Session) -> None:
    """Define the work order (WO) and fault report (FR) number sequences unless they exist."""
    define_sequence(session, WORK_ORDER_SEQUENCE, "WO", 5, True, name="Work orders")
    define_sequence(session, FAULT_REPORT_SEQUENCE, "FR", 5, True, name="Fault reports")


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return sla.as_utc(now) if now is not None else utcnow()


def _text(obj: Any, attr: str, label: str, *, required: bool = False) -> str:
    value = (getattr(obj, attr) or "").strip()
    if required and not value:
        raise MaintenanceError(gettext("%(field)s: is required", field=label), attr)
    setattr(obj, attr, value)
    return value


def _choice(obj: Any, attr: str, label: str, choices: tuple[str, ...]) -> str:
    return checked_choice(obj, attr, label, choices, MaintenanceError)


def _equipment(session: Session, obj: Any) -> Equipment:
    equipment = obj.equipment
    if equipment is None and obj.equipment_id is not None:
        equipment = session.get(Equipment, obj.equipment_id)
    if equipment is None:
        raise MaintenanceError(gettext("equipment: is required"), "equipment")
    obj.equipment = equipment
    return equipment


# --- technicians ------------------------------------------------------------------------------


def parse_skills(text: str | None) -> list[str]:
    """Skill codes from a comma-separated text: lower case, de-duplicated, in order."""
    found: list[str] = []
    for raw in (text or "").split(","):
        skill = raw.strip().lower()
        if not skill:
            continue
        if not _SKILL.match(skill):
            raise MaintenanceError(
                gettext(
                    "skills: %(value)r is not a skill code (letters, digits, '_', '.', '-')",
                    value=raw.strip(),
                ),
                "skills",
            )
        if skill not in found:
            found.append(skill)
    return found


def check_calendar_code(session: Session, code: str, field: str = "calendar_code") -> str:
    """Refuse a business calendar that does not exist (``5x8``/``7x24`` are made on use)."""
    try:
        work_calendar(session, code)
    except CalendarError as exc:
        raise MaintenanceError(
            gettext("working hours: no business calendar is named %(code)s", code=code), field
        ) from exc
    return code


def prepare_technician(session: Session, technician: Technician) -> Technician:
    """Check a new or edited technician (nothing is flushed): a user (not linked to another
    technician, 409), name and region required, skill codes, an existing working-hours
    calendar."""
    if technician.user is None and technician.user_id is None:
        raise MaintenanceError(gettext("user: is required"), "user")
    user_id = technician.user.id if technician.user is not None else technician.user_id
    _text(technician, "name", gettext("name"), required=True)
    _text(technician, "region", gettext("region"), required=True)
    _text(technician, "phone", gettext("phone"))
    technician.skills = ", ".join(parse_skills(technician.skills))
    technician.calendar_code = (technician.calendar_code or "5x8").strip()
    check_calendar_code(session, technician.calendar_code)
    if technician.active is None:
        technician.active = True
    query = select(Technician.id).where(Technician.user_id == user_id)
    if technician.id is not None:
        query = query.where(Technician.id != technician.id)
    with session.no_autoflush:
        taken = session.scalar(query.limit(1))
    if taken is not None:
        raise MaintenanceError(
            gettext("user: this user is already linked to another technician"), "user", 409
        )
    return technician


def create_technician(session: Session, **values: Any) -> Technician:
    """Create a technician after :func:`prepare_technician`; returns it flushed."""
    technician = Technician(**values)
    with session.no_autoflush:
        prepare_technician(session, technician)
    session.add(technician)
    session.flush()
    return technician


def prepare_certification(session: Session, cert: Certification) -> Certification:
    """Check a certification: technician, skill code, name and expiry date required."""
    if cert.technician is None and cert.technician_id is None:
        raise MaintenanceError(gettext("technician: is required"), "technician")
    skills = parse_skills(cert.skill)
    if len(skills) != 1:
        raise MaintenanceError(gettext("skill: give exactly one skill code"), "skill")
    cert.skill = skills[0]
    _text(cert, "name", gettext("name"), required=True)
    _text(cert, "number", gettext("certificate number"))
    if not isinstance(cert.valid_until, datetime.date):
        raise MaintenanceError(gettext("valid until: is required"), "valid_until")
    technician_id = cert.technician.id if cert.technician is not None else cert.technician_id
    query = select(Certification.id).where(
        Certification.technician_id == technician_id,
        Certification.skill == cert.skill,
        Certification.number == cert.number,
    )
    if cert.id is not None:
        query = query.where(Certification.id != cert.id)
    with session.no_autoflush:
        taken = session.scalar(query.limit(1))
    if taken is not None:
        raise MaintenanceError(
            gettext(
                "number: the technician already holds a %(skill)s certificate numbered "
                "%(number)r; edit its expiry instead",
                skill=cert.skill,
                number=cert.number,
            ),
            "number",
            409,
        )
    return cert


def add_certification(
    session: Session,
    technician: Technician,
    skill: str,
    name: str,
    valid_until: datetime.date,
    number: str = "",
) -> Certification:
    """Record a certification of ``technician``; returns it flushed."""
    cert = Certification(
        technician_id=technician.id, skill=skill, name=name, valid_until=valid_until, number=number
    )
    with session.no_autoflush:
        prepare_certification(session, cert)
    technician.certifications.append(cert)
    session.flush()
    return cert


def valid_certification(
    technician: Technician, skill: str, on: datetime.date
) -> Certification | None:
    """The technician's certification for ``skill`` valid on ``on``, if any."""
    return next(
        (c for c in technician.certifications if c.skill == skill and c.valid_until >= on),
        None,
    )


# --- fault reports ----------------------------------------------------------------------------


def prepare_fault_report(
    session: Session, report: FaultReport, now: datetime.datetime | None = None
) -> FaultReport:
    """Check a new or edited fault report: equipment and symptom required, priority P1-P4,
    a known source, the fault not seen in the future. A new report gets its FR number."""
    moment = _now(now)
    _equipment(session, report)
    _text(report, "symptom", gettext("symptom"), required=True)
    for attr in ("environment", "contact_name", "contact_phone"):
        _text(report, attr, attr)
    report.priority = report.priority or "P3"
    _choice(report, "priority", gettext("priority"), PRIORITIES)
    report.source = report.source or "hotline"
    _choice(report, "source", gettext("source"), SOURCES)
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
    report = FaultReport(**values)
    with session.no_autoflush:
        prepare_fault_report(session, report, now)
    session.add(report)
    session.flush()
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


# --- work orders: creation --------------------------------------------------------------------


def apply_coverage(session: Session, order: WorkOrder) -> None:
    """Contract, service-level terms and chargeability from the coverage engine on the day
    the order opened (site time). Uncovered equipment is allowed: the work is chargeable."""
    day = order.due_date or (
        sla.as_utc(order.opened_at).astimezone(zone_of(order.site_time_zone)).date()
    )
    answer = contracts.coverage(session, order.equipment.serial_number, day, "labour")
    order.contract_id = answer.contract_id
    order.service_level = answer.service_level
    order.calendar_code = answer.calendar_code
    target = answer.targets.get(order.priority) if answer.contract_id else None
    order.response_hours = target["response_hours"] if target else None
    order.resolution_hours = target["resolution_hours"] if target else None
    order.chargeable = not answer.covered or answer.free is None
    if answer.covered:
        order.coverage_note = gettext(
            "covered by %(number)s (%(level)s)",
            number=answer.contract_number,
            level=answer.service_level or "-",
        )
    else:
        order.coverage_note = answer.reason


def _dispatch_needs(session: Session, order: WorkOrder) -> None:
    """The skill, region and time an order needs: an inspection's from its plan, a
    corrective order's skill from the product type (``"Printer"`` -> ``printer``)."""
    plan = order.plan
    if plan is None and order.plan_id is not None:
        plan = session.get(MaintenancePlan, order.plan_id)
    if plan is not None:
        order.required_skill = plan.skill or ""
        order.planned_minutes = plan.duration_minutes
    elif not order.required_skill:
        product_type = order.equipment.product.product_type if order.equipment else ""
        order.required_skill = re.sub(r"[^a-z0-9_.-]+", "_", product_type.strip().lower())[:40]
    order.required_skill = (order.required_skill or "").strip()
    order.region = (order.region or "").strip()
    order.planned_minutes = order.planned_minutes or 120


def prepare_work_order(
    session: Session, order: WorkOrder, now: datetime.datetime | None = None
) -> WorkOrder:
    """Check a new or edited work order.

    Title (or symptom) and equipment required, a known kind and priority P1-P4, a known
    site time zone. A new order gets its WO number, its coverage (:func:`apply_coverage`),
    its deadlines and the first step of its timeline. Closed or cancelled orders cannot be
    edited (409); equipment and priority are fixed once the clock runs.
    """
    moment = _now(now)
    if order.id is not None and order.state in (CLOSED, CANCELLED):
        raise MaintenanceError(
            gettext(
                "state: %(number)s is %(state)s and can no longer change",
                number=order.number,
                state=order.state,
            ),
            "state",
            409,
        )
    _equipment(session, order)
    _text(order, "symptom", gettext("symptom"))
    if not (order.title or "").strip() and order.symptom:
        order.title = order.symptom.splitlines()[0][:200]
    _text(order, "title", gettext("title"), required=True)
    order.kind = order.kind or CORRECTIVE
    _choice(order, "kind", gettext("kind"), KINDS)
    order.priority = order.priority or "P3"
    _choice(order, "priority", gettext("priority"), PRIORITIES)
    for attr in ("diagnosis_cause", "repair_plan", "repair_actions", "customer_remarks"):
        _text(order, attr, attr)
    _labour(order.labour_minutes or 0)
    if order.id is not None:
        return order
    order.site_time_zone = (order.site_time_zone or "").strip() or str(company_zone())
    try:
        zone_of(order.site_time_zone, "site_time_zone")
    except CalendarError as exc:
        raise MaintenanceError(str(exc), "site_time_zone") from exc
    order.state = NEW
    _dispatch_needs(session, order)
    order.labour_minutes = order.labour_minutes or 0
    order.paused_minutes = 0
    order.opened_at = sla.as_utc(order.opened_at) or moment
    if order.opened_at > moment + datetime.timedelta(minutes=5):
        raise MaintenanceError(gettext("opened at: must not be in the future"), "opened_at")
    ensure_sequences(session)
    order.number = next_number(session, WORK_ORDER_SEQUENCE)
    apply_coverage(session, order)
    if order.kind == INSPECTION:  # planned work: a due date, no response clock
        order.response_hours = order.resolution_hours = None
    sla.set_deadlines(session, order)
    sla.record(order, CLOCK_STARTED, order.opened_at, order.coverage_note or "")
    return order


def create_work_order(
    session: Session, *, now: datetime.datetime | None = None, **values: Any
) -> WorkOrder:
    """Open a work order after :func:`prepare_work_order`; returns it flushed. Deadlines
    already missed (an order opened late from an old report) are flagged at once."""
    order = WorkOrder(**values)
    with session.no_autoflush:
        prepare_work_order(session, order, now)
    session.add(order)
    session.flush()
    sla.flag_breaches(session, order, _now(now))
    session.flush()
    return order


def get_work_order(session: Session, order_id: int) -> WorkOrder:
    """The work order ``order_id``; 404 when there is none."""
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise unknown_order(order_id)
    return order


# --- work orders: lifecycle -------------------------------------------------------------------


# The states each action may start from: one table for the rules, the screens and the API.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "assign": (NEW, ASSIGNED),
    "start": (ASSIGNED,),
    "wait_for_parts": (IN_PROGRESS,),
    "parts_arrived": (WAITING_PARTS,),
    "complete": (IN_PROGRESS,),
    "confirm": (DONE,),
    "close": (CONFIRMED,),
    "cancel": OPEN_STATES,
    "wait_for_customer": OPEN_STATES,
    "customer_back": OPEN_STATES,
}
# The state each action leads to (``None``: the state stays; only the clock changes).
LEADS_TO: dict[str, str | None] = {
    "assign": ASSIGNED,
    "start": IN_PROGRESS,
    "wait_for_parts": WAITING_PARTS,
    "parts_arrived": IN_PROGRESS,
    "complete": DONE,
    "confirm": CONFIRMED,
    "close": CLOSED,
    "cancel": CANCELLED,
    "wait_for_customer": None,
    "customer_back": None,
}
WHILE_PAUSED = ("customer_back", "cancel")  # the only actions while waiting on the customer

# Actions that need the dispatch permission: assigning an order, and closing it (a technician
# may not close the order they worked; the customer's confirmation, naming who confirmed,
# comes before it and may be recorded by the technician on site).
DISPATCH_ACTIONS = ("assign", "close")


def available_actions(order: WorkOrder, may_dispatch: bool = True) -> list[str]:
    """The actions ``order`` allows now, in table order (screens show only these); without
    ``may_dispatch``, not the :data:`DISPATCH_ACTIONS`."""
    paused = order.paused_since is not None
    return [
        action
        for action, allowed in ALLOWED_FROM.items()
        if order.state in allowed
        and (action in WHILE_PAUSED if paused else action != "customer_back")
        and (may_dispatch or action not in DISPATCH_ACTIONS)
    ]


def _check_action(order: WorkOrder, action: str) -> None:
    if action in available_actions(order):
        return
    if order.paused_since is not None and order.state in ALLOWED_FROM[action]:
        message = gettext(
            "state: cannot %(action)s %(number)s while it waits for the customer; "
            "record that the customer is back first",
            action=action.replace("_", " "),
            number=order.number,
        )
    else:
        message = gettext(
            "state: cannot %(action)s %(number)s, it is %(state)s (allowed from: %(allowed)s)",
            action=action.replace("_", " "),
            number=order.number,
            state=order.state,
            allowed=", ".join(ALLOWED_FROM[action]),
        )
    raise MaintenanceError(message, "state", 409)


def _move(session: Session, order: WorkOrder, action: str) -> None:
    previous = order.state
    target = LEADS_TO[action]
    if target is not None:
        order.state = target
    session.flush()
    publish(
        session,
        events.WorkOrderStateChanged(
            work_order_id=order.id,
            number=order.number,
            action=action,
            from_state=previous,
            to_state=order.state,
        ),
    )


def _labour(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError as exc:
            raise MaintenanceError(
                gettext("labour minutes: must be a whole number"), "labour_minutes"
            ) from exc
    if not 0 <= value <= MAX_LABOUR_MINUTES:
        raise MaintenanceError(
            gettext("labour minutes: must be between 0 and %(max)d", max=MAX_LABOUR_MINUTES),
            "labour_minutes",
        )
    return value


def assign(
    session: Session,
    order: WorkOrder,
    technician_id: Any,
    *,
    scheduled_start: Any = None,
    override_reason: str | None = None,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """new/assigned -> assigned to a technician, booked from ``scheduled_start`` for the
    order's planned minutes. An unqualified or double-booked technician is refused (409,
    with the reasons) unless ``override_reason`` says why the dispatcher decides otherwise;
    the order keeps that reason."""
    _check_action(order, "assign")
    moment = _now(now)
    technician = None
    if technician_id not in (None, ""):
        try:
            technician = session.get(Technician, int(technician_id))
        except (TypeError, ValueError):
            technician = None
    if technician is None:
        raise MaintenanceError(gettext("technician: choose a technician"), "technician_id")
    start, end = dispatch.booking_window(order, dispatch.parse_moment(scheduled_start), moment)
    reasons = dispatch.check_assignment(session, order, technician, start, end)
    override = (override_reason or "").strip()
    if reasons and not override:
        raise MaintenanceError(
            gettext(
                "technician: %(name)s cannot take %(number)s: %(reasons)s (a dispatcher may "
                "override with a reason)",
                name=technician.name,
                number=order.number,
                reasons="; ".join(reasons),
            ),
            "technician_id",
            409,
        )
    order.assignment_override = (
        gettext("%(reason)s (overrode: %(reasons)s)", reason=override, reasons="; ".join(reasons))
        if reasons
        else ""
    )
    order.technician = technician
    order.scheduled_start, order.scheduled_end = start, end
    _move(session, order, "assign")
    return order


def start(session: Session, order: WorkOrder, *, now: datetime.datetime | None = None) -> WorkOrder:
    """assigned -> in progress; the first start is the response (the clock records it)."""
    _check_action(order, "start")
    moment = _now(now)
    if order.responded_at is None:
        order.responded_at = moment
        sla.record(order, CLOCK_RESPONDED, moment)
        sla.flag_breaches(session, order, moment)
    _move(session, order, "start")
    return order


def wait_for_parts(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """in progress -> waiting for parts (the clock keeps running)."""
    _check_action(order, "wait_for_parts")
    _move(session, order, "wait_for_parts")
    return order


def parts_arrived(
    session: Session, order: WorkOrder, *, now: datetime.datetime | None = None
) -> WorkOrder:
    """waiting for parts -> in progress."""
    _check_action(order, "parts_arrived")
    _move(session, order, "parts_arrived")
    return order


def wait_for_customer(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """The order waits on the customer: its SLA clock pauses (state unchanged)."""
    _check_action(order, "wait_for_customer")
    sla.pause(order, _now(now), (note or "").strip())
    _move(session, order, "wait_for_customer")
    return order


def customer_back(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """The customer is back: the clock runs again, unmet deadlines shift by the pause."""
    _check_action(order, "customer_back")
    moment = _now(now)
    sla.resume(session, order, moment, (note or "").strip())
    _move(session, order, "customer_back")
    sla.flag_breaches(session, order, moment)
    return order


def complete(
    session: Session,
    order: WorkOrder,
    *,
    cause: str | None = None,
    repair_plan: str | None = None,
    actions: str | None = None,
    labour_minutes: Any = None,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """in progress -> done: the diagnosis (cause), the repair actions and the labour time
    are required; reserved parts are issued from stock (all or none, 409 naming the part)."""
    _check_action(order, "complete")
    moment = _now(now)
    cause = (order.diagnosis_cause if cause is None else cause or "").strip()
    repair_plan = (order.repair_plan if repair_plan is None else repair_plan or "").strip()
    actions = (order.repair_actions if actions is None else actions or "").strip()
    labour = _labour(order.labour_minutes if labour_minutes is None else labour_minutes)
    if order.kind == INSPECTION:
        pending = plans.pending_items(order)
        if pending:
            raise MaintenanceError(
                gettext(
                    "results: record every checklist item first (missing: %(items)s)",
                    items=", ".join(pending),
                ),
                "results",
            )
        cause = cause or gettext("Preventive inspection")
        actions = actions or gettext("Inspected per checklist")
    if not cause:
        raise MaintenanceError(
            gettext("cause: the diagnosis is required to complete a work order"),
            "diagnosis_cause",
        )
    if not actions:
        raise MaintenanceError(
            gettext("repair actions: are required to complete a work order"), "repair_actions"
        )
    if not labour:
        raise MaintenanceError(
            gettext("labour minutes: record the labour time to complete a work order"),
            "labour_minutes",
        )
    order.diagnosis_cause, order.repair_plan, order.repair_actions = cause, repair_plan, actions
    order.labour_minutes = labour
    parts.issue_parts(session, order)
    order.resolved_at = moment
    sla.record(order, CLOCK_RESOLVED, moment)
    sla.flag_breaches(session, order, moment)
    _move(session, order, "complete")
    publish(
        session,
        events.WorkOrderDone(
            work_order_id=order.id,
            number=order.number,
            kind=order.kind,
            equipment_id=order.equipment_id,
            contract_id=order.contract_id,
            chargeable=order.chargeable,
            labour_minutes=order.labour_minutes,
            parts=parts.event_lines(order),
            resolved_at=moment,
        ),
    )
    return order


def confirm(
    session: Session,
    order: WorkOrder,
    confirmed_by: str,
    remarks: str = "",
    *,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """done -> confirmed by the customer (who confirmed is required, remarks optional)."""
    _check_action(order, "confirm")
    confirmed_by = (confirmed_by or "").strip()
    if not confirmed_by:
        raise MaintenanceError(
            gettext("confirmed by: name the customer's person who confirmed the work"),
            "confirmed_by",
        )
    order.confirmed_by = confirmed_by[:120]
    order.customer_remarks = (remarks or "").strip()
    _move(session, order, "confirm")
    return order


def close(session: Session, order: WorkOrder, *, now: datetime.datetime | None = None) -> WorkOrder:
    """confirmed -> closed; publishes :class:`~plugins.maintenance.events.WorkOrderClosed`."""
    _check_action(order, "close")
    order.closed_at = _now(now)
    _move(session, order, "close")
    publish(
        session,
        events.WorkOrderClosed(
            work_order_id=order.id,
            number=order.number,
            equipment_id=order.equipment_id,
            contract_id=order.contract_id,
            technician_id=order.technician_id,
            confirmed_by=order.confirmed_by or "",
        ),
    )
    return order


def cancel(
    session: Session, order: WorkOrder, reason: str, *, now: datetime.datetime | None = None
) -> WorkOrder:
    """An open order -> cancelled, with a reason; its reserved parts go back to stock and
    its clock stops."""
    _check_action(order, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise MaintenanceError(gettext("reason: is required to cancel a work order"), "reason")
    moment = _now(now)
    parts.release_parts(session, order)
    order.cancel_reason = reason
    order.paused_since = None
    sla.record(order, CLOCK_STOPPED, moment, reason)
    _move(session, order, "cancel")
    return order


def _text_arg(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value)


# Each action with the inputs it reads from a form or JSON body.
ACTIONS: dict[str, Callable[[Session, WorkOrder, Mapping[str, Any], Any], WorkOrder]] = {
    "assign": lambda s, o, v, now: assign(
        s,
        o,
        v.get("technician_id"),
        scheduled_start=v.get("scheduled_start"),
        override_reason=_text_arg(v, "override_reason"),
        now=now,
    ),
    "start": lambda s, o, v, now: start(s, o, now=now),
    "wait_for_parts": lambda s, o, v, now: wait_for_parts(s, o, _text_arg(v, "note"), now=now),
    "parts_arrived": lambda s, o, v, now: parts_arrived(s, o, now=now),
    "complete": lambda s, o, v, now: complete(
        s,
        o,
        cause=v.get("diagnosis_cause"),
        repair_plan=v.get("repair_plan"),
        actions=v.get("repair_actions"),
        labour_minutes=v.get("labour_minutes"),
        now=now,
    ),
    "confirm": lambda s, o, v, now: confirm(
        s, o, _text_arg(v, "confirmed_by"), _text_arg(v, "customer_remarks"), now=now
    ),
    "close": lambda s, o, v, now: close(s, o, now=now),
    "cancel": lambda s, o, v, now: cancel(s, o, _text_arg(v, "reason"), now=now),
    "wait_for_customer": lambda s, o, v, now: wait_for_customer(
        s, o, _text_arg(v, "note"), now=now
    ),
    "customer_back": lambda s, o, v, now: customer_back(s, o, _text_arg(v, "note"), now=now),
}
# The inputs each action's form asks for (the screen builds its form from this).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "assign": ("technician_id", "scheduled_start", "override_reason"),
    "complete": ("diagnosis_cause", "repair_plan", "repair_actions", "labour_minutes"),
    "confirm": ("confirmed_by", "customer_remarks"),
    "cancel": ("reason",),
    "wait_for_customer": ("note",),
    "customer_back": ("note",),
}
assert set(ACTIONS) == set(ALLOWED_FROM) == set(LEADS_TO)


def check_may_run(action: str, may_dispatch: bool) -> None:
    """Refuse (403) an action of :data:`DISPATCH_ACTIONS` to a user without the dispatch
    permission."""
    if may_dispatch or action not in DISPATCH_ACTIONS:
        return
    if action == "assign":
        message = gettext("assign: only a dispatcher assigns work orders")
    else:
        message = gettext("close: only a dispatcher or service manager closes work orders")
    raise MaintenanceError(message, "action", 403)


def run_action(
    session: Session,
    order: WorkOrder,
    action: str,
    values: Mapping[str, Any] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """Run lifecycle ``action`` on ``order`` with the form/JSON ``values`` it needs; 404
    for an unknown action, 409 when the order's state does not allow it."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise MaintenanceError(
            gettext("action: %(action)s is unknown", action=action), "action", 404
        )
    return handler(session, order, values or {}, now)


# --- queries ----------------------------------------------------------------------------------


def count_open_by_state(session: Session) -> dict[str, int]:
    """Open and finished-but-not-closed orders per state (zeros included)."""
    shown = [s for s in STATES if s not in (CLOSED, CANCELLED)]
    rows = dict(
        session.execute(
            select(WorkOrder.state, func.count())
            .where(WorkOrder.state.in_(shown))
            .group_by(WorkOrder.state)
        ).all()
    )
    return {state: int(rows.get(state, 0)) for state in shown}


def flag_sla_breaches(
    session: Session, now: datetime.datetime | None = None, progress: Any = None
) -> int:
    """Flag every missed deadline once (idempotent); returns how many were flagged now."""
    moment = _now(now)
    candidates = sla.breach_candidates(session, moment)
    flagged = 0
    for index, order in enumerate(candidates, 1):
        flagged += len(sla.flag_breaches(session, order, moment))
        if progress is not None:
            progress(index, len(candidates))
    session.flush()
    return flagged


# --- who sees which orders --------------------------------------------------------------------


def own_orders_clause(user_id: int | None) -> Any:
    """The SQL condition "assigned to the technician linked to ``user_id``"."""
    mine = select(Technician.id).where(Technician.user_id == (user_id or -1))
    return WorkOrder.technician_id.in_(mine.scalar_subquery())


def check_may_open(see_all: bool) -> None:
    """Refuse (403) opening a work order without the dispatch permission. Dispatchers and
    service managers open and assign orders; a technician sees only the orders assigned to
    them, so an order they opened themselves would vanish from their view. Technicians
    raise corrective orders from failed inspection items instead, which go to dispatch."""
    if not see_all:
        raise MaintenanceError(
            gettext("work order: only a dispatcher or service manager opens work orders"),
            "work_order",
            403,
        )


def visible_work_orders(viewer: Viewer) -> Any:
    """Row rule of work orders (and of their part lines, clock events and results): users
    holding ``can_dispatch`` on ``maintenance_work_order`` (dispatchers, service managers,
    admins) see every order (``None``), everybody else (technicians) only the orders assigned
    to the technician record linked to their user."""
    if viewer.may("can_dispatch", "maintenance_work_order"):
        return None
    return own_orders_clause(viewer.user_id)


def unknown_order(order_id: Any) -> MaintenanceError:
    """The 404 refusal of an order that does not exist or that the user may not see (the
    same answer, so that a technician cannot tell others' orders from missing ones)."""
    return MaintenanceError(
        gettext("work order: %(id)s does not exist", id=order_id), "work_order", 404
    )


def my_orders(
    session: Session, user_id: int, today: datetime.date, days: int = 7
) -> list[WorkOrder]:
    """A technician's open orders booked up to ``days`` days from ``today`` (company time),
    or not booked, earliest first; then today's finished ones."""
    zone = company_zone()
    start = datetime.datetime.combine(today, datetime.time(0), tzinfo=zone)
    end = start + datetime.timedelta(days=days)
    query = (
        select(WorkOrder)
        .where(own_orders_clause(user_id))
        .where(
            (WorkOrder.state.in_(OPEN_STATES) & (WorkOrder.scheduled_start < end))
            | ((WorkOrder.state == DONE) & (WorkOrder.resolved_at >= start))
        )
        .order_by(WorkOrder.scheduled_start, WorkOrder.id)
    )
    return list(session.scalars(query))
