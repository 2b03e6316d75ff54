"""Dispatch: which technicians suit a work order, ranked, and why the others do not.

A technician suits an order when active, holding the order's skill with a certification
for it valid on the booked day, and free (no other open order booked over the same time).
Suitable technicians rank by region (the order's region first), then workload (open orders
assigned), then name. Assigning an unsuitable one is refused with the reasons unless a
dispatcher overrides with a reason, which the order keeps (and the audit log records).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.maintenance.models import OPEN_STATES, Technician, WorkOrder
from plugins.maintenance.services import sla
from plugins.maintenance.services.errors import MaintenanceError

INSPECTION_START = datetime.time(9, 0)


@dataclass
class Candidate:
    """A technician considered for an order: suitable or not, and why not."""

    technician: Technician
    reasons: list[str] = field(default_factory=list)
    workload: int = 0
    same_region: bool = False

    @property
    def suitable(self) -> bool:
        """Whether nothing stands against this technician."""
        return not self.reasons


def parse_moment(value: object, field_name: str = "scheduled_start") -> datetime.datetime | None:
    """An aware datetime from a datetime or an ISO text (``None`` when empty)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise MaintenanceError(
                gettext(
                    "%(field)s: %(value)r is not a date and time", field=field_name, value=value
                ),
                field_name,
            ) from exc
    if moment.tzinfo is None:
        raise MaintenanceError(
            gettext("%(field)s: give a time zone (like +08:00)", field=field_name), field_name
        )
    return moment.astimezone(datetime.UTC)


def booking_window(
    order: WorkOrder, start: datetime.datetime | None, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """When the technician is booked: ``start`` if given, else the inspection's due day at
    09:00 site time, else ``now``; for the order's planned minutes."""
    if start is None:
        if order.due_date is not None:
            local = datetime.datetime.combine(
                order.due_date, INSPECTION_START, tzinfo=ZoneInfo(order.site_time_zone)
            )
            start = max(local.astimezone(datetime.UTC), now)
        else:
            start = now
    return start, start + datetime.timedelta(minutes=order.planned_minutes or 120)


def _busy(
    session: Session, order: WorkOrder, start: datetime.datetime, end: datetime.datetime
) -> dict[int, WorkOrder]:
    """Per technician, one other open order booked over ``[start, end)``."""
    rows = session.scalars(
        select(WorkOrder).where(
            WorkOrder.id != order.id,
            WorkOrder.technician_id.is_not(None),
            WorkOrder.state.in_(OPEN_STATES),
            WorkOrder.scheduled_start < end,
            WorkOrder.scheduled_end > start,
        )
    ).all()
    return {row.technician_id: row for row in rows}


def _workload(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(WorkOrder.technician_id, func.count())
        .where(WorkOrder.technician_id.is_not(None), WorkOrder.state.in_(OPEN_STATES))
        .group_by(WorkOrder.technician_id)
    ).all()
    return {row[0]: int(row[1]) for row in rows}


def _reasons(
    technician: Technician,
    order: WorkOrder,
    day: datetime.date,
    clash: WorkOrder | None,
) -> list[str]:
    from plugins.maintenance.services import parse_skills, valid_certification

    reasons: list[str] = []
    if not technician.active:
        reasons.append(gettext("inactive"))
    skill = order.required_skill
    if skill:
        if skill not in parse_skills(technician.skills):
            reasons.append(gettext("lacks the skill %(skill)s", skill=skill))
        elif valid_certification(technician, skill, day) is None:
            reasons.append(
                gettext(
                    "no certification for %(skill)s valid on %(day)s",
                    skill=skill,
                    day=day.isoformat(),
                )
            )
    if clash is not None:
        zone = ZoneInfo(order.site_time_zone)
        reasons.append(
            gettext(
                "booked on %(number)s from %(start)s to %(end)s",
                number=clash.number,
                start=sla.as_utc(clash.scheduled_start).astimezone(zone).strftime("%m-%d %H:%M"),
                end=sla.as_utc(clash.scheduled_end).astimezone(zone).strftime("%H:%M"),
            )
        )
    return reasons


def rank_technicians(
    session: Session,
    order: WorkOrder,
    now: datetime.datetime,
    start: datetime.datetime | None = None,
) -> list[Candidate]:
    """Every technician for ``order``: the suitable ones first (region, then workload, then
    name), then the others with their reasons (a few queries, whatever the count)."""
    begin, end = booking_window(order, start, now)
    day = begin.astimezone(ZoneInfo(order.site_time_zone)).date()
    busy = _busy(session, order, begin, end)
    load = _workload(session)
    technicians = session.scalars(select(Technician).order_by(Technician.name)).unique().all()
    region = (order.region or "").strip().lower()
    found = [
        Candidate(
            technician=t,
            reasons=_reasons(t, order, day, busy.get(t.id)),
            workload=load.get(t.id, 0),
            same_region=bool(region) and t.region.strip().lower() == region,
        )
        for t in technicians
    ]
    found.sort(key=lambda c: (not c.suitable, not c.same_region, c.workload, c.technician.name))
    return found


def check_assignment(
    session: Session,
    order: WorkOrder,
    technician: Technician,
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[str]:
    """Why ``technician`` should not take ``order`` over ``[start, end)`` (empty: suitable)."""
    day = start.astimezone(ZoneInfo(order.site_time_zone)).date()
    clash = _busy(session, order, start, end).get(technician.id)
    return _reasons(technician, order, day, clash)
