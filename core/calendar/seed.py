"""Filling a calendar's holidays from the ``holidays`` package (China by default).

``holidays.China(years=2026)`` knows the public holidays, their days off in lieu, and the
weekend days that are working days (调休, ``weekend_workdays``). Seeding is idempotent and
never overwrites a day that already exists, so an admin's corrections (made when the State
Council publishes the next year's schedule) survive a second run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import holidays as holidays_lib
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.models import (
    DAY_HOLIDAY,
    DAY_WORKDAY,
    SOURCE_HOLIDAYS,
    BusinessCalendar,
    CalendarDay,
)
from core.calendar.service import get_calendar, touch
from core.calendar.worktime import CalendarError


@dataclass(frozen=True)
class SeedResult:
    """What a seeding run did."""

    holidays_added: int
    workdays_added: int
    kept: int  # days that already existed and were left as they were


def _check_years(years: Iterable[int]) -> list[int]:
    found = sorted(set(years))
    if not found:
        raise CalendarError("give at least one year", "years")
    for year in found:
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
            raise CalendarError(f"year {year!r} must be between 1990 and 2100", "years")
    return found


def seed_holidays(
    session: Session,
    calendar: BusinessCalendar | int | str,
    years: Iterable[int],
    *,
    country: str = "CN",
    language: str | None = None,
) -> SeedResult:
    """Add ``country``'s public holidays and weekend working days of ``years`` to a calendar.

    Days the calendar already has are kept as they are. The caller commits.
    """
    cal = get_calendar(session, calendar)
    wanted = _check_years(years)
    try:
        source = holidays_lib.country_holidays(country, years=wanted, language=language)
    except NotImplementedError:
        raise CalendarError(f"no holiday data for country {country!r}", "country") from None
    days: dict[datetime.date, tuple[str, str]] = {}
    for day, name in sorted(source.items()):
        days[day] = (DAY_HOLIDAY, str(name))
    for day in sorted(getattr(source, "weekend_workdays", ()) or ()):
        if day.year in wanted and day not in days:
            days[day] = (DAY_WORKDAY, "")
    existing = set(
        session.scalars(
            select(CalendarDay.day).where(
                CalendarDay.calendar_id == cal.id, CalendarDay.day.in_(list(days))
            )
        )
    )
    added = {DAY_HOLIDAY: 0, DAY_WORKDAY: 0}
    for day, (kind, name) in days.items():
        if day in existing:
            continue
        session.add(
            CalendarDay(
                calendar_id=cal.id, day=day, kind=kind, name=name[:120], source=SOURCE_HOLIDAYS
            )
        )
        added[kind] += 1
    if added[DAY_HOLIDAY] or added[DAY_WORKDAY]:
        touch(cal)
    session.flush()
    return SeedResult(added[DAY_HOLIDAY], added[DAY_WORKDAY], len(existing))


def seed_china_holidays(
    session: Session, calendar: BusinessCalendar | int | str, years: Iterable[int]
) -> SeedResult:
    """China's public holidays and 调休 working days of ``years`` (see :func:`seed_holidays`)."""
    return seed_holidays(session, calendar, years, country="CN")
