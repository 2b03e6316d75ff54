"""Business calendars in the database: create and edit them, load them for computation.

Computation happens on the frozen :class:`~core.calendar.worktime.WorkCalendar` value::

    cal = work_calendar(session, "5x8")          # cached until the calendar changes
    deadline = add_working_time(cal, reported_at, timedelta(hours=8))
    used = working_time_between(cal, reported_at, resolved_at)

Standard calendars are created on first use by :func:`standard_calendar`:

* ``5x8``: Monday to Friday, 09:00-12:00 and 13:00-18:00 (eight working hours, a lunch
  break), in the company time zone, with the public holidays and 调休 working days of
  ``CALENDAR_HOLIDAY_COUNTRY`` (default ``CN``) for this year and the next;
* ``7x24``: every moment, no holidays.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.calendar.models import (
    DAY_HOLIDAY,
    DAY_KINDS,
    DAY_WORKDAY,
    SOURCE_MANUAL,
    BusinessCalendar,
    CalendarDay,
    CalendarHours,
)
from core.calendar.worktime import (
    WEEKDAYS,
    CalendarError,
    Interval,
    WorkCalendar,
    add_working_time,
    check_intervals,
    format_intervals,
    is_working_time,
    next_working_time,
    parse_intervals,
    working_time_between,
    zone_of,
)
from core.timeutil import utcnow

__all__ = [
    "CalendarError",
    "Interval",
    "UnknownCalendarError",
    "WorkCalendar",
    "add_working_time",
    "create_calendar",
    "get_calendar",
    "is_working_time",
    "load_calendar",
    "next_working_time",
    "remove_day",
    "set_day",
    "set_week",
    "standard_calendar",
    "update_calendar",
    "work_calendar",
    "working_time_between",
]

STANDARD_5X8 = "5x8"
STANDARD_7X24 = "7x24"
FIVE_BY_EIGHT_HOURS = "09:00-12:00, 13:00-18:00"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


class UnknownCalendarError(CalendarError, LookupError):
    """No calendar has that id or name."""


@dataclass(frozen=True)
class CalendarSummary:
    """One row of the Calendars screen."""

    id: int
    name: str
    time_zone: str
    description: str
    week: tuple[str, ...]  # seven "09:00-12:00, 13:00-18:00" strings, Monday first
    holidays: int
    workdays: int


def company_time_zone() -> str:
    """``COMPANY_TIME_ZONE`` of the current app (``Asia/Shanghai`` outside one)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("COMPANY_TIME_ZONE") or DEFAULT_TIME_ZONE)
    return DEFAULT_TIME_ZONE


def get_calendar(session: Session, ref: BusinessCalendar | int | str) -> BusinessCalendar:
    """A calendar by row, id or name; :class:`UnknownCalendarError` when there is none."""
    if isinstance(ref, BusinessCalendar):
        return ref
    if isinstance(ref, int) and not isinstance(ref, bool):
        found = session.get(BusinessCalendar, ref)
    elif isinstance(ref, str):
        found = session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == ref))
    else:
        raise CalendarError("calendar must be given by id or name", "calendar")
    if found is None:
        raise UnknownCalendarError(f"calendar {ref!r} does not exist", "calendar")
    return found


def load_calendar(session: Session, ref: BusinessCalendar | int | str) -> WorkCalendar:
    """Read a calendar, its hours and its days into a :class:`WorkCalendar` (3 queries)."""
    cal = get_calendar(session, ref)
    week: list[list[Interval]] = [[] for _ in range(7)]
    for row in session.scalars(select(CalendarHours).where(CalendarHours.calendar_id == cal.id)):
        week[row.weekday].append(Interval(row.start_minute, row.end_minute))
    holidays: dict[datetime.date, str] = {}
    extra: dict[datetime.date, int | None] = {}
    for row in session.scalars(select(CalendarDay).where(CalendarDay.calendar_id == cal.id)):
        if row.kind == DAY_HOLIDAY:
            holidays[row.day] = row.name
        else:
            extra[row.day] = row.hours_as_weekday
    return WorkCalendar(cal.name, cal.time_zone, tuple(tuple(d) for d in week), holidays, extra)


_cache: dict[tuple[str, int], tuple[object, WorkCalendar]] = {}
_cache_lock = threading.Lock()


def work_calendar(session: Session, ref: BusinessCalendar | int | str) -> WorkCalendar:
    """Like :func:`load_calendar`, but cached per process until the calendar's
    ``changed_on`` moves: one small query when nothing changed.

    A standard calendar name (``"5x8"``, ``"7x24"``) is created on first use.
    """
    if isinstance(ref, str) and ref in (STANDARD_5X8, STANDARD_7X24):
        cal = standard_calendar(session, ref)
    else:
        cal = get_calendar(session, ref)
    key = (str(session.get_bind().url), cal.id)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == cal.changed_on:
        return cached[1]
    loaded = load_calendar(session, cal)
    with _cache_lock:
        _cache[key] = (cal.changed_on, loaded)
    return loaded


def touch(calendar: BusinessCalendar) -> None:
    """Mark ``calendar`` as changed (cached copies are reloaded)."""
    calendar.changed_on = utcnow()


def _check_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 80:
        raise CalendarError("name must be 1 to 80 characters", "name")
    return cleaned


def _week_intervals(
    week: Mapping[int, str | Sequence[Interval]],
) -> dict[int, tuple[Interval, ...]]:
    result: dict[int, tuple[Interval, ...]] = {}
    for weekday, hours in week.items():
        if isinstance(weekday, bool) or weekday not in range(7):
            raise CalendarError("weekday must be 0 (Monday) to 6 (Sunday)", "weekday")
        field = WEEKDAYS[weekday]
        if isinstance(hours, str):
            result[weekday] = parse_intervals(hours, field)
        else:
            result[weekday] = check_intervals(hours, field)
    return result


def create_calendar(
    session: Session,
    name: str,
    time_zone: str | None = None,
    *,
    description: str = "",
    week: Mapping[int, str | Sequence[Interval]] | None = None,
) -> BusinessCalendar:
    """Create a calendar (time zone default: the company's); ``week`` maps weekdays
    (0 = Monday) to hours like ``"09:00-12:00, 13:00-18:00"``. The caller commits."""
    name = _check_name(name)
    time_zone = time_zone or company_time_zone()
    zone_of(time_zone)
    if session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == name)):
        raise CalendarError(f"a calendar named {name!r} already exists", "name")
    intervals = _week_intervals(week or {})
    cal = BusinessCalendar(name=name, time_zone=time_zone, description=description.strip())
    for weekday, day_hours in sorted(intervals.items()):
        cal.hours.extend(
            CalendarHours(weekday=weekday, start_minute=i.start, end_minute=i.end)
            for i in day_hours
        )
    session.add(cal)
    session.flush()
    return cal


def update_calendar(
    session: Session,
    ref: BusinessCalendar | int | str,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    description: str | None = None,
) -> BusinessCalendar:
    """Rename a calendar or change its time zone or description. The caller commits."""
    cal = get_calendar(session, ref)
    if name is not None:
        name = _check_name(name)
        clash = session.scalar(
            select(BusinessCalendar.id).where(
                BusinessCalendar.name == name, BusinessCalendar.id != cal.id
            )
        )
        if clash:
            raise CalendarError(f"a calendar named {name!r} already exists", "name")
        cal.name = name
    if time_zone is not None:
        zone_of(time_zone)
        cal.time_zone = time_zone
    if description is not None:
        if len(description) > 255:
            raise CalendarError("description must be at most 255 characters", "description")
        cal.description = description.strip()
    touch(cal)
    session.flush()
    return cal


def set_week(
    session: Session,
    ref: BusinessCalendar | int | str,
    week: Mapping[int, str | Sequence[Interval]],
) -> BusinessCalendar:
    """Replace the working hours of the weekdays in ``week`` (0 = Monday; ``""`` = day off).

    Overlapping intervals are refused with the weekday's name as the field. The caller
    commits.
    """
    cal = get_calendar(session, ref)
    intervals = _week_intervals(week)
    for row in list(cal.hours):
        if row.weekday in intervals:
            cal.hours.remove(row)
    session.flush()
    for weekday, day_hours in sorted(intervals.items()):
        cal.hours.extend(
            CalendarHours(weekday=weekday, start_minute=i.start, end_minute=i.end)
            for i in day_hours
        )
    touch(cal)
    session.flush()
    return cal


def set_day(
    session: Session,
    ref: BusinessCalendar | int | str,
    day: datetime.date,
    kind: str,
    name: str = "",
    *,
    hours_as_weekday: int | None = None,
    source: str = SOURCE_MANUAL,
) -> CalendarDay:
    """Make ``day`` a holiday or an extra working day (replacing what that day was).

    ``hours_as_weekday`` (0 = Monday) chooses whose hours an extra working day follows;
    ``None`` means the first weekday that has hours. The caller commits.
    """
    cal = get_calendar(session, ref)
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise CalendarError("day must be a date", "day")
    if kind not in DAY_KINDS:
        raise CalendarError(f"kind must be one of {', '.join(DAY_KINDS)}", "kind")
    name = (name or "").strip()
    if len(name) > 120:
        raise CalendarError("name must be at most 120 characters", "name")
    if hours_as_weekday is not None:
        if kind != DAY_WORKDAY:
            raise CalendarError("only a working day follows a weekday's hours", "hours_as_weekday")
        if isinstance(hours_as_weekday, bool) or hours_as_weekday not in range(7):
            raise CalendarError(
                "hours_as_weekday must be 0 (Monday) to 6 (Sunday)", "hours_as_weekday"
            )
    row = session.scalar(
        select(CalendarDay).where(CalendarDay.calendar_id == cal.id, CalendarDay.day == day)
    )
    if row is None:
        row = CalendarDay(calendar=cal, day=day)
        session.add(row)
    row.kind, row.name, row.hours_as_weekday, row.source = kind, name, hours_as_weekday, source
    touch(cal)
    session.flush()
    return row


def remove_day(session: Session, ref: BusinessCalendar | int | str, day: datetime.date) -> bool:
    """Let ``day`` follow the weekly hours again; returns whether it was special."""
    cal = get_calendar(session, ref)
    row = session.scalar(
        select(CalendarDay).where(CalendarDay.calendar_id == cal.id, CalendarDay.day == day)
    )
    if row is None:
        return False
    session.delete(row)
    touch(cal)
    session.flush()
    return True


def standard_calendar(session: Session, code: str) -> BusinessCalendar:
    """The ``5x8`` or ``7x24`` calendar, created on first use (safe when two workers race)."""
    if code not in (STANDARD_5X8, STANDARD_7X24):
        raise UnknownCalendarError(
            f"{code!r} is not a standard calendar (use {STANDARD_5X8} or {STANDARD_7X24})",
            "calendar",
        )
    existing = session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == code))
    if existing is not None:
        return existing
    if code == STANDARD_5X8:
        week: dict[int, str] = dict.fromkeys(range(5), FIVE_BY_EIGHT_HOURS)
        description = "Monday to Friday, 09:00-12:00 and 13:00-18:00, public holidays off"
    else:
        week = dict.fromkeys(range(7), "00:00-24:00")
        description = "Every day, around the clock"
    try:
        with session.begin_nested():
            cal = create_calendar(session, code, description=description, week=week)
    except (IntegrityError, CalendarError):
        session.expire_all()
        found = session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == code))
        if found is None:
            raise
        return found
    if code == STANDARD_5X8:
        country = _holiday_country()
        if country:
            from core.calendar.seed import seed_holidays

            this_year = datetime.datetime.now(zone_of(cal.time_zone)).year
            seed_holidays(session, cal, [this_year, this_year + 1], country=country)
    return cal


def _holiday_country() -> str | None:
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("CALENDAR_HOLIDAY_COUNTRY", "CN") or None
    return "CN"


def calendar_summaries(session: Session) -> list[CalendarSummary]:
    """Every calendar with its weekly hours and day counts (three queries in all)."""
    calendars = list(session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.name)))
    week: dict[int, list[list[Interval]]] = {c.id: [[] for _ in range(7)] for c in calendars}
    for row in session.scalars(select(CalendarHours)):
        if row.calendar_id in week:
            week[row.calendar_id][row.weekday].append(Interval(row.start_minute, row.end_minute))
    counts: dict[tuple[int, str], int] = {
        (cid, kind): n
        for cid, kind, n in session.execute(
            select(CalendarDay.calendar_id, CalendarDay.kind, func.count()).group_by(
                CalendarDay.calendar_id, CalendarDay.kind
            )
        )
    }
    return [
        CalendarSummary(
            id=c.id,
            name=c.name,
            time_zone=c.time_zone,
            description=c.description,
            week=tuple(format_intervals(sorted(day)) for day in week[c.id]),
            holidays=counts.get((c.id, DAY_HOLIDAY), 0),
            workdays=counts.get((c.id, DAY_WORKDAY), 0),
        )
        for c in calendars
    ]
