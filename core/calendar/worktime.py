"""Working-time arithmetic on a business calendar, in pure Python (no database).

A :class:`WorkCalendar` is a frozen value: a time zone, the working intervals of each
weekday (wall-clock times in that zone, several per day allowed, ``24:00`` allowed as an
end), holidays and extra working days (China's 调休 weekend workdays). Load one from the
database with :func:`core.calendar.service.load_calendar`, or build one in code::

    cal = WorkCalendar.weekly("5x8", "Asia/Shanghai", "09:00-12:00, 13:00-18:00", days=5)
    deadline = add_working_time(cal, reported_at, timedelta(hours=8))

Durations are real elapsed time: on a day when the clocks move (Europe/Berlin in March and
October) the wall-clock hours are converted to instants first, so an interval that spans
the change is an hour shorter or longer, and a 7x24 calendar is plain addition.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = r"(\d{1,2}):(\d{2})"
_INTERVAL_PATTERN = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")
_ONE_DAY = datetime.timedelta(days=1)


class CalendarError(ValueError):
    """Calendar input that breaks a rule; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def format_minute(minute: int) -> str:
    """``540`` -> ``"09:00"``; ``1440`` -> ``"24:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, order=True)
class Interval:
    """A working interval of a day, in minutes after local midnight: ``[start, end)``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if isinstance(value, bool) or not isinstance(value, int):
                raise CalendarError("interval bounds must be whole minutes", "hours")
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise CalendarError(
                f"interval {format_minute(self.start)}-{format_minute(self.end)} must start "
                "before it ends, within 00:00-24:00",
                "hours",
            )

    @classmethod
    def parse(cls, text: str, field: str = "hours") -> Interval:
        """``"09:00-12:00"`` -> ``Interval(540, 720)``; ``24:00`` is allowed as an end."""
        match = _INTERVAL_PATTERN.match(text.strip())
        if not match:
            raise CalendarError(f"{field}: {text.strip()!r} is not like 09:00-12:00", field)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            raise CalendarError(f"{field}: {text.strip()!r} is not a valid time range", field)
        try:
            return cls(h1 * 60 + m1, h2 * 60 + m2)
        except CalendarError as exc:
            raise CalendarError(f"{field}: {exc.message}", field) from None

    @property
    def minutes(self) -> int:
        """Length in minutes (wall clock)."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"{format_minute(self.start)}-{format_minute(self.end)}"


def check_intervals(intervals: Iterable[Interval], field: str = "hours") -> tuple[Interval, ...]:
    """Sorted intervals; overlapping ones are refused (touching ones are fine)."""
    ordered = tuple(sorted(intervals))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            raise CalendarError(f"{field}: intervals {before} and {after} overlap", field)
    return ordered


def parse_intervals(text: str, field: str = "hours") -> tuple[Interval, ...]:
    """``"09:00-12:00, 13:00-18:00"`` -> intervals; ``""`` or ``"-"`` is a day off,
    ``"24h"`` the whole day."""
    cleaned = (text or "").strip()
    if cleaned in ("", "-"):
        return ()
    if cleaned.lower() in ("24h", "24"):
        return (Interval(0, MINUTES_PER_DAY),)
    parts = [p for p in re.split(r"[,;，；\s]+(?=\d)", cleaned) if p.strip()]
    return check_intervals((Interval.parse(p, field) for p in parts), field)


def format_intervals(intervals: Iterable[Interval]) -> str:
    """Intervals as an admin types them: ``"09:00-12:00, 13:00-18:00"``."""
    return ", ".join(str(i) for i in intervals)


def zone_of(name: str, field: str = "time_zone") -> ZoneInfo:
    """``ZoneInfo(name)``, or a :class:`CalendarError` naming ``field``."""
    try:
        if not name or not isinstance(name, str):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            f"{field}: {name!r} is not a known time zone (like Asia/Shanghai)", field
        ) from None


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """A business calendar ready for computation.

    ``week`` has seven entries, Monday first, each a tuple of :class:`Interval`.
    ``holidays`` maps dates without working time to their name; ``extra_workdays`` maps
    dates that are worked although their weekday is not (调休) to the weekday whose hours
    they follow (``None``: the first weekday that has hours, Monday for a 5x8 calendar).
    A date cannot be both.
    """

    name: str
    time_zone: str
    week: tuple[tuple[Interval, ...], ...]
    holidays: Mapping[datetime.date, str] = field(default_factory=dict)
    extra_workdays: Mapping[datetime.date, int | None] = field(default_factory=dict)
    zone: ZoneInfo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", zone_of(self.time_zone))
        if len(self.week) != 7:
            raise CalendarError("week must have seven days, Monday first", "hours")
        week = tuple(check_intervals(day, WEEKDAYS[index]) for index, day in enumerate(self.week))
        object.__setattr__(self, "week", week)
        both = sorted(set(self.holidays) & set(self.extra_workdays))
        if both:
            raise CalendarError(
                f"{both[0].isoformat()} cannot be both a holiday and a working day", "day"
            )
        for day, weekday in self.extra_workdays.items():
            if weekday is not None and weekday not in range(7):
                raise CalendarError(f"{day}: weekday must be 0 (Monday) to 6 (Sunday)", "day")
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "extra_workdays", MappingProxyType(dict(self.extra_workdays)))

    @classmethod
    def weekly(
        cls,
        name: str,
        time_zone: str,
        hours: str | Sequence[Interval],
        days: int = 5,
        holidays: Mapping[datetime.date, str] | None = None,
        extra_workdays: Mapping[datetime.date, int | None] | Iterable[datetime.date] = (),
    ) -> WorkCalendar:
        """The same ``hours`` on the first ``days`` weekdays (5: Monday to Friday)."""
        intervals = parse_intervals(hours) if isinstance(hours, str) else tuple(hours)
        week = tuple(intervals if i < days else () for i in range(7))
        if not isinstance(extra_workdays, Mapping):
            extra_workdays = dict.fromkeys(extra_workdays)
        return cls(name, time_zone, week, dict(holidays or {}), dict(extra_workdays))

    @classmethod
    def always(cls, name: str = "7x24", time_zone: str = "UTC") -> WorkCalendar:
        """A calendar where every moment is working time."""
        return cls(name, time_zone, tuple((Interval(0, MINUTES_PER_DAY),) for _ in range(7)))

    @property
    def first_working_weekday(self) -> int | None:
        """The first weekday (0 = Monday) that has working hours, if any."""
        return next((i for i, day in enumerate(self.week) if day), None)

    def hours_on(self, day: datetime.date) -> tuple[Interval, ...]:
        """The working intervals of ``day`` (wall clock): holidays and 调休 applied."""
        if day in self.holidays:
            return ()
        if day in self.extra_workdays:
            pattern = self.extra_workdays[day]
            if pattern is None:
                pattern = self.first_working_weekday
            return self.week[pattern] if pattern is not None else ()
        return self.week[day.weekday()]

    def periods_on(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The working periods of local ``day`` as UTC instants ``[start, end)``, in order."""
        periods: list[tuple[datetime.datetime, datetime.datetime]] = []
        for interval in self.hours_on(day):
            start = self._instant(day, interval.start)
            end = self._instant(day, interval.end)
            if periods and start < periods[-1][1]:
                start = periods[-1][1]  # only where a bound falls in a DST gap
            if end > start:
                periods.append((start, end))
        return periods

    def _instant(self, day: datetime.date, minute: int) -> datetime.datetime:
        if minute == MINUTES_PER_DAY:
            day, minute = day + _ONE_DAY, 0
        local = datetime.datetime.combine(
            day, datetime.time(minute // 60, minute % 60), tzinfo=self.zone
        )
        return local.astimezone(UTC)

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        """The calendar date of ``moment`` in this calendar's time zone."""
        return moment.astimezone(self.zone).date()

    def last_working_day(self) -> datetime.date | None:
        """``None`` when weekdays have hours (time never runs out), else the last 调休 day."""
        if self.first_working_weekday is not None:
            return None
        return max(self.extra_workdays, default=None)


def _aware(moment: object, field: str) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        raise CalendarError(f"{field} must be a datetime", field)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(
            f"{field} must be timezone-aware (naive datetimes are ambiguous)", field
        )
    return moment.astimezone(UTC)


def _days_from(
    calendar: WorkCalendar, moment: datetime.datetime, field: str
) -> Iterable[datetime.date]:
    """Local dates from ``moment``'s on; stops with an error when working time ran out."""
    day = calendar.local_date(moment)
    last = calendar.last_working_day()
    if calendar.first_working_weekday is None and last is None:
        raise CalendarError(f"calendar {calendar.name!r} has no working hours", "hours")
    while True:
        if last is not None and day > last:
            raise CalendarError(
                f"calendar {calendar.name!r} has no working time after {last.isoformat()}",
                field,
            )
        yield day
        day += _ONE_DAY


def add_working_time(
    calendar: WorkCalendar, start: datetime.datetime, duration: datetime.timedelta
) -> datetime.datetime:
    """The moment ``duration`` of working time after ``start``: "deadline = start + 8 working
    hours".

    ``start`` must be timezone-aware; the result is in ``start``'s time zone. A start outside
    working hours counts from the next working moment. When the time runs out exactly at the
    end of a working interval, that end is returned (18:00, not the next morning). A zero
    duration returns ``start``; a negative one is refused.
    """
    origin = _aware(start, "start")
    if not isinstance(duration, datetime.timedelta):
        raise CalendarError("duration must be a timedelta", "duration")
    if duration < datetime.timedelta(0):
        raise CalendarError("duration must not be negative", "duration")
    if not duration:
        return start
    remaining = duration
    for day in _days_from(calendar, origin, "start"):
        for period_start, period_end in calendar.periods_on(day):
            if period_end <= origin:
                continue
            period_start = max(period_start, origin)
            available = period_end - period_start
            if available >= remaining:
                return (period_start + remaining).astimezone(start.tzinfo)
            remaining -= available
    raise AssertionError("unreachable")  # _days_from never ends without raising


def working_time_between(
    calendar: WorkCalendar, a: datetime.datetime, b: datetime.datetime
) -> datetime.timedelta:
    """The working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    first, last = _aware(a, "a"), _aware(b, "b")
    if last < first:
        return -working_time_between(calendar, b, a)
    total = datetime.timedelta(0)
    day, end_day = calendar.local_date(first), calendar.local_date(last)
    while day <= end_day:
        for period_start, period_end in calendar.periods_on(day):
            overlap = min(period_end, last) - max(period_start, first)
            if overlap > datetime.timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def is_working_time(calendar: WorkCalendar, moment: datetime.datetime) -> bool:
    """Whether ``moment`` falls inside a working interval (start included, end excluded)."""
    instant = _aware(moment, "moment")
    return any(s <= instant < e for s, e in calendar.periods_on(calendar.local_date(instant)))


def next_working_time(calendar: WorkCalendar, moment: datetime.datetime) -> datetime.datetime:
    """``moment`` if it is working time, else the start of the next working interval
    (in ``moment``'s time zone)."""
    instant = _aware(moment, "moment")
    for day in _days_from(calendar, instant, "moment"):
        for period_start, period_end in calendar.periods_on(day):
            if period_end > instant:
                return max(period_start, instant).astimezone(moment.tzinfo)
    raise AssertionError("unreachable")
