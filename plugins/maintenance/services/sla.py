"""SLA clocks of work orders: deadlines on business calendars, pauses, breaches, timeline.

Deadlines are working time of the service level's calendar (``5x8``, ``7x24`` or one an
admin made) read in the *site's* time zone: a 09:00-18:00 calendar means 09:00-18:00 where
the equipment stands. While an order waits on the customer its clock is paused; on resume
every deadline not yet met moves later by the working time the pause took.
"""

from __future__ import annotations

import dataclasses
import datetime

from flask_babel import gettext
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.calendar.service import (
    CalendarError,
    WorkCalendar,
    add_working_time,
    work_calendar,
    working_time_between,
)
from core.events import publish
from plugins.maintenance import events
from plugins.maintenance.models import (
    CLOCK_PAUSED,
    CLOCK_RESUMED,
    OPEN_STATES,
    RESOLUTION_BREACHED,
    RESPONSE_BREACHED,
    ClockEvent,
    WorkOrder,
)
from plugins.maintenance.services.errors import MaintenanceError

UTC = datetime.UTC


def as_utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """``moment`` as an aware UTC datetime (SQLite gives stored values back naive, in UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def site_calendar(session: Session, calendar_code: str, time_zone: str) -> WorkCalendar:
    """The business calendar ``calendar_code`` with its hours read in ``time_zone``."""
    try:
        calendar = work_calendar(session, calendar_code)
        if calendar.time_zone != time_zone:
            calendar = dataclasses.replace(calendar, time_zone=time_zone)
    except CalendarError as exc:
        raise MaintenanceError(
            gettext(
                "calendar: the service hours %(code)s cannot be used: %(error)s",
                code=calendar_code,
                error=str(exc),
            ),
            "calendar_code",
        ) from exc
    return calendar


def order_calendar(session: Session, order: WorkOrder) -> WorkCalendar | None:
    """The calendar an order's clock runs on, or ``None`` when no terms apply."""
    if not order.calendar_code:
        return None
    return site_calendar(session, order.calendar_code, order.site_time_zone)


def record(order: WorkOrder, kind: str, at: datetime.datetime, note: str = "") -> ClockEvent:
    """Append a step to the order's timeline with the deadlines as they now stand."""
    event = ClockEvent(
        kind=kind,
        at=at,
        response_due=order.response_due,
        resolution_due=order.resolution_due,
        note=note,
    )
    order.clock_events.append(event)
    return event


def set_deadlines(session: Session, order: WorkOrder) -> None:
    """Response and resolution deadlines from ``opened_at`` and the terms' working hours
    (no calendar is read for an order without targets, an inspection say)."""
    calendar = (
        order_calendar(session, order) if order.response_hours or order.resolution_hours else None
    )
    if calendar is None:
        order.response_due = order.resolution_due = None
        return
    opened = as_utc(order.opened_at)
    if order.response_hours:
        order.response_due = add_working_time(
            calendar, opened, datetime.timedelta(hours=order.response_hours)
        )
    if order.resolution_hours:
        order.resolution_due = add_working_time(
            calendar, opened, datetime.timedelta(hours=order.resolution_hours)
        )


def pause(order: WorkOrder, now: datetime.datetime, note: str = "") -> None:
    """Stop the clock: the order waits on the customer from ``now``."""
    if order.paused_since is not None:
        raise MaintenanceError(
            gettext("state: %(number)s already waits for the customer", number=order.number),
            "state",
            409,
        )
    order.paused_since = now
    record(order, CLOCK_PAUSED, now, note)


def resume(session: Session, order: WorkOrder, now: datetime.datetime, note: str = "") -> None:
    """Restart the clock; unmet deadlines move later by the working time of the pause."""
    since = as_utc(order.paused_since)
    if since is None:
        raise MaintenanceError(
            gettext("state: %(number)s does not wait for the customer", number=order.number),
            "state",
            409,
        )
    calendar = order_calendar(session, order)
    paused = datetime.timedelta(0)
    if calendar is not None:
        paused = max(working_time_between(calendar, since, now), datetime.timedelta(0))
        if paused:
            if order.response_due is not None and order.responded_at is None:
                order.response_due = add_working_time(calendar, as_utc(order.response_due), paused)
            if order.resolution_due is not None and order.resolved_at is None:
                order.resolution_due = add_working_time(
                    calendar, as_utc(order.resolution_due), paused
                )
    order.paused_minutes += int(paused.total_seconds() // 60)
    order.paused_since = None
    minutes = int(paused.total_seconds() // 60)
    text = gettext("paused for %(minutes)d working minutes", minutes=minutes)
    record(order, CLOCK_RESUMED, now, f"{text}. {note}".strip() if note else text)


def _missed(
    due: datetime.datetime | None,
    met_at: datetime.datetime | None,
    paused_since: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Whether a deadline is missed at ``now``: met late, or unmet and past. While the
    clock is paused, only a deadline that passed before the pause counts."""
    due = as_utc(due)
    if due is None:
        return False
    met_at = as_utc(met_at)
    if met_at is not None:
        return met_at > due
    cutoff = as_utc(paused_since) or now
    return due < cutoff


def flag_breaches(session: Session, order: WorkOrder, now: datetime.datetime) -> list[str]:
    """Flag each deadline of ``order`` missed at ``now`` once: set its flag, add it to the
    timeline and publish :class:`~plugins.maintenance.events.SlaBreached`. Returns the
    deadlines flagged now (``"response"``, ``"resolution"``)."""
    flagged: list[str] = []
    checks = (
        (
            "response",
            "response_breached",
            order.response_due,
            order.responded_at,
            RESPONSE_BREACHED,
        ),
        (
            "resolution",
            "resolution_breached",
            order.resolution_due,
            order.resolved_at,
            RESOLUTION_BREACHED,
        ),
    )
    for deadline, flag, due, met_at, kind in checks:
        if getattr(order, flag) or not _missed(due, met_at, order.paused_since, now):
            continue
        setattr(order, flag, True)
        record(order, kind, now)
        flagged.append(deadline)
        publish(
            session,
            events.SlaBreached(
                work_order_id=order.id,
                number=order.number,
                deadline=deadline,
                due=as_utc(due),
                contract_id=order.contract_id,
                priority=order.priority,
            ),
        )
    return flagged


def breach_candidates(session: Session, now: datetime.datetime) -> list[WorkOrder]:
    """Orders that may have a deadline to flag at ``now`` (one query; the exact rule,
    pauses included, is :func:`flag_breaches`)."""
    response = and_(
        WorkOrder.response_breached.is_(False),
        WorkOrder.response_due.is_not(None),
        WorkOrder.response_due < now,
        or_(WorkOrder.responded_at.is_(None), WorkOrder.responded_at > WorkOrder.response_due),
    )
    resolution = and_(
        WorkOrder.resolution_breached.is_(False),
        WorkOrder.resolution_due.is_not(None),
        WorkOrder.resolution_due < now,
        or_(WorkOrder.resolved_at.is_(None), WorkOrder.resolved_at > WorkOrder.resolution_due),
    )
    return list(
        session.scalars(
            select(WorkOrder)
            .where(or_(response, resolution))
            .where(or_(WorkOrder.state.in_(OPEN_STATES), WorkOrder.resolved_at.is_not(None)))
            .order_by(WorkOrder.id)
        )
    )


def timeline(order: WorkOrder) -> list[dict[str, object]]:
    """The order's clock events, oldest first, JSON-ready (UTC ISO times)."""

    def iso(moment: datetime.datetime | None) -> str | None:
        moment = as_utc(moment)
        return moment.isoformat() if moment else None

    return [
        {
            "at": iso(e.at),
            "kind": e.kind,
            "response_due": iso(e.response_due),
            "resolution_due": iso(e.resolution_due),
            "note": e.note or "",
        }
        for e in order.clock_events
    ]
