"""Time helpers: everything is stored in UTC and shown in the company's time zone."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

UTC = datetime.UTC


def utcnow() -> datetime.datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.datetime.now(UTC)


def to_zone(moment: datetime.datetime, zone: str) -> datetime.datetime:
    """``moment`` expressed in time zone ``zone`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))
