"""Job schedules: standard five-field crontab strings, read the same way by both schedulers.

``"30 2 * * 1-5"`` means 02:30 on Monday to Friday in the company time zone. Day of week
follows cron: 0 (or 7) is Sunday, names ``sun``..``sat`` work too. APScheduler 3's own
``CronTrigger.from_crontab`` reads 0 as Monday, so the day-of-week field is translated to day
names here before either APScheduler or Celery sees it. Restricting both day of month and day
of week is refused: cron would run on either day, APScheduler and Celery only on days that
match both.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger
    from flask import Flask

log = logging.getLogger("core.jobs")

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class ScheduleError(ValueError):
    """A job's ``schedule`` is not a crontab both schedulers read the same way."""

    field = "schedule"


@dataclass(frozen=True)
class Crontab:
    """A parsed crontab; ``day_of_week`` holds day names (``"mon,tue"``) or ``"*"``."""

    expression: str
    minute: str
    hour: str
    day_of_month: str
    month: str
    day_of_week: str


def _day(token: str, expression: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token in DAY_NAMES:
        return DAY_NAMES.index(token)
    raise ScheduleError(
        f"schedule {expression!r}: day of week {token!r} must be 0-7 (0 and 7 are Sunday) "
        "or sun..sat"
    )


def _days_of_week(field: str, expression: str) -> str:
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        if step_text and not (step_text.isdigit() and int(step_text) > 0):
            raise ScheduleError(f"schedule {expression!r}: step {step_text!r} must be a number")
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _day(first, expression), _day(last, expression)
        else:
            low = _day(span, expression)
            high = 6 if step_text else low
        if low > high:
            raise ScheduleError(
                f"schedule {expression!r}: day-of-week range {span!r} runs backwards"
            )
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def _months(field: str) -> str:
    return re.sub(
        "|".join(MONTH_NAMES),
        lambda m: str(MONTH_NAMES.index(m.group(0)) + 1),
        field.lower(),
    )


def parse_crontab(expression: str) -> Crontab:
    """Parse and check a five-field crontab; raises :class:`ScheduleError` naming the rule."""
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"schedule {expression!r} must have 5 fields: minute hour day-of-month month "
            "day-of-week"
        )
    minute, hour, day_of_month, month, day_of_week = fields
    if day_of_month != "*" and day_of_week != "*":
        raise ScheduleError(
            f"schedule {expression!r} restricts both day of month and day of week; use one of them"
        )
    crontab = Crontab(
        expression=expression,
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month=_months(month),
        day_of_week=_days_of_week(day_of_week, expression),
    )
    try:
        apscheduler_trigger(crontab, DEFAULT_TIME_ZONE)
        celery_crontab(crontab)
    except ValueError as exc:
        raise ScheduleError(f"schedule {expression!r} is not a valid crontab: {exc}") from exc
    return crontab


def apscheduler_trigger(crontab: Crontab, time_zone: str) -> CronTrigger:
    """An APScheduler trigger firing on ``crontab`` in ``time_zone``."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(
        minute=crontab.minute,
        hour=crontab.hour,
        day=crontab.day_of_month,
        month=crontab.month,
        day_of_week=crontab.day_of_week,
        timezone=ZoneInfo(time_zone),
    )


def celery_crontab(crontab: Crontab, celery_app: Any = None) -> Any:
    """A ``celery.schedules.crontab`` for ``crontab`` (evaluated in the Celery app's zone)."""
    from celery.schedules import crontab as celery_schedule

    return celery_schedule(
        minute=crontab.minute,
        hour=crontab.hour,
        day_of_month=crontab.day_of_month,
        month_of_year=crontab.month,
        day_of_week=crontab.day_of_week,
        app=celery_app,
    )


def company_time_zone(app: Flask) -> str:
    """The company time zone: the Company screen's setting when stored, else
    ``COMPANY_TIME_ZONE`` (default Asia/Shanghai). Unknown zones are refused."""
    name = _stored_time_zone(app) or app.config.get("COMPANY_TIME_ZONE") or DEFAULT_TIME_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"company time zone {name!r} is not a known time zone") from exc
    return name


def _stored_time_zone(app: Flask) -> str | None:
    try:
        from core.company.service import current_company_settings
    except ImportError:  # no Company feature: configuration only
        return None
    from flask import current_app, has_app_context
    from sqlalchemy.exc import SQLAlchemyError

    from core.extensions import db

    def read() -> str | None:
        try:
            return current_company_settings().time_zone
        except SQLAlchemyError as exc:  # not migrated yet, or the database is down
            db.session.rollback()
            log.debug("company time zone not readable, using configuration: %s", exc)
            return None

    # Reuse the current app context (and its session): a second session in this thread could
    # wait on SQLite for the write lock the first one holds. A transaction begun only for this
    # read is ended at once, so it holds no lock (SQLite's BEGIN IMMEDIATE) afterwards.
    if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
        session = db.session()
        began_here = not session.in_transaction()
        try:
            return read()
        finally:
            if began_here:
                session.rollback()
    with app.app_context():
        return read()
