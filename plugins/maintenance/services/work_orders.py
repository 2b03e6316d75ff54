"""Work orders: opening them (coverage, dispatch needs), reading them, counting them, and
who sees which."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from core.visibility import Viewer

from core.calendar.service import CalendarError
from core.calendar.worktime import zone_of
from core.company.service import company_zone
from core.records import add_prepared
from core.sequences.service import next_number
from plugins.contracts import services as contracts
from plugins.maintenance.models import (
    CANCELLED,
    CLOCK_STARTED,
    CLOSED,
    CORRECTIVE,
    DONE,
    INSPECTION,
    KINDS,
    NEW,
    OPEN_STATES,
    PRIORITIES,
    STATES,
    MaintenancePlan,
    Technician,
    WorkOrder,
)
from plugins.maintenance.services import sla
from plugins.maintenance.services.common import (
    WORK_ORDER_SEQUENCE,
    check_choice,
    checked_labour,
    clean_text,
    ensure_sequences,
    moment_or_now,
    required_equipment,
)
from plugins.maintenance.services.errors import MaintenanceError

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
    moment = moment_or_now(now)
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
    required_equipment(session, order)
    clean_text(order, "symptom", gettext("symptom"))
    if not (order.title or "").strip() and order.symptom:
        order.title = order.symptom.splitlines()[0][:200]
    clean_text(order, "title", gettext("title"), required=True)
    order.kind = order.kind or CORRECTIVE
    check_choice(order, "kind", gettext("kind"), KINDS)
    order.priority = order.priority or "P3"
    check_choice(order, "priority", gettext("priority"), PRIORITIES)
    for attr in ("diagnosis_cause", "repair_plan", "repair_actions", "customer_remarks"):
        clean_text(order, attr, attr)
    checked_labour(order.labour_minutes or 0)
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
    order = add_prepared(
        session,
        WorkOrder(**values),
        lambda s, new: prepare_work_order(s, new, now),
        no_autoflush=True,
    )
    sla.flag_breaches(session, order, moment_or_now(now))
    session.flush()
    return order


def get_work_order(session: Session, order_id: int) -> WorkOrder:
    """The work order ``order_id``; 404 when there is none."""
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise unknown_order(order_id)
    return order


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
    moment = moment_or_now(now)
    candidates = sla.breach_candidates(session, moment)
    flagged = 0
    for index, order in enumerate(candidates, 1):
        flagged += len(sla.flag_breaches(session, order, moment))
        if progress is not None:
            progress(index, len(candidates))
    session.flush()
    return flagged


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
