"""Tables of business calendars: the calendar, its weekly hours and its special days."""

from __future__ import annotations

import datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import utcnow

DAY_HOLIDAY = "holiday"
DAY_WORKDAY = "workday"
DAY_KINDS = (DAY_HOLIDAY, DAY_WORKDAY)
SOURCE_MANUAL = "manual"
SOURCE_HOLIDAYS = "holidays"


class BusinessCalendar(db.Model):
    """A named business calendar (``5x8``, ``7x24``, ``Shanghai service desk``).

    ``changed_on`` moves whenever the calendar, its hours or its days change, so loaded
    calendars can be cached until then.
    """

    __tablename__ = "core_calendar"
    __audit__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Shanghai")
    description: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    changed_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    hours: Mapped[list[CalendarHours]] = relationship(
        back_populates="calendar",
        cascade="all, delete-orphan",
        order_by=lambda: [CalendarHours.weekday, CalendarHours.start_minute],
    )
    days: Mapped[list[CalendarDay]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="CalendarDay.day"
    )

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.name} {self.time_zone}>"

    def __str__(self) -> str:
        return self.name


class CalendarHours(db.Model):
    """One working interval of one weekday, in minutes after local midnight (``[start, end)``).

    ``weekday`` 0 is Monday; ``end_minute`` 1440 is midnight at the end of the day.
    """

    __tablename__ = "core_calendar_hours"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="ck_core_calendar_hours_weekday"),
        CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name="ck_core_calendar_hours_interval",
        ),
        Index("ix_core_calendar_hours_calendar", "calendar_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("core_calendar.id", ondelete="CASCADE"), nullable=False
    )
    weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    start_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    end_minute: Mapped[int] = mapped_column(Integer, nullable=False)

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="hours")


class CalendarDay(db.Model):
    """A date that breaks the weekly rule: a holiday, or an extra working day (调休).

    An extra working day follows the hours of ``hours_as_weekday`` (``None``: the first
    weekday that has hours). ``source`` is ``holidays`` for seeded days, ``manual`` for the
    admin's; seeding never overwrites an existing day.
    """

    __tablename__ = "core_calendar_day"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("calendar_id", "day", name="uq_core_calendar_day"),
        CheckConstraint("kind IN ('holiday', 'workday')", name="ck_core_calendar_day_kind"),
        CheckConstraint(
            "hours_as_weekday IS NULL OR (hours_as_weekday >= 0 AND hours_as_weekday <= 6)",
            name="ck_core_calendar_day_weekday",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("core_calendar.id", ondelete="CASCADE"), nullable=False
    )
    day: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    hours_as_weekday: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default=SOURCE_MANUAL)

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="days")
