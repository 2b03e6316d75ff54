"""The calendar of upcoming dates: cancel-by and end dates of contracts in force within a
number of days, and their grouping by month.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    IN_FORCE,
    Contract,
    Customer,
)
from plugins.contracts.services.errors import ContractError

CANCEL_BY = "cancel_by"
END = "end"
MAX_CALENDAR_DAYS = 730


@dataclass(frozen=True)
class CalendarEntry:
    """One upcoming date of a contract in force: its cancel-by date or its end date."""

    day: datetime.date
    kind: str  # "cancel_by" or "end"
    contract_id: int
    number: str
    title: str
    customer: str
    state: str
    renewal: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the date ISO)."""
        return {**self.__dict__, "day": self.day.isoformat()}


def upcoming_dates(
    session: Session, today: datetime.date, days: int | str = 90
) -> list[CalendarEntry]:
    """The cancel-by and end dates of contracts in force that fall within the next ``days``
    days (today included), earliest first (one query). ``days`` is 1 to 730 (a number or
    its digits, as a query string gives it)."""
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_CALENDAR_DAYS:
        raise ContractError(
            gettext("days: must be a whole number from 1 to %(max)d", max=MAX_CALENDAR_DAYS),
            "days",
        )
    until = today + datetime.timedelta(days=days)
    rows = session.execute(
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Customer.name,
            Contract.state,
            Contract.renewal,
            Contract.cancel_by,
            Contract.end_date,
        )
        .join(Customer, Customer.id == Contract.customer_id)
        .where(
            Contract.state.in_(IN_FORCE),
            or_(
                Contract.cancel_by.between(today, until),
                Contract.end_date.between(today, until),
            ),
        )
    ).all()
    entries = []
    for cid, number, title, customer, state, renewal, cancel_by, end in rows:
        for kind, day in ((CANCEL_BY, cancel_by), (END, end)):
            if day is not None and today <= day <= until:
                entries.append(
                    CalendarEntry(day, kind, cid, number, title, customer, state, renewal)
                )
    entries.sort(key=lambda e: (e.day, e.kind != CANCEL_BY, e.number))
    return entries


def by_month(entries: list[CalendarEntry]) -> list[tuple[str, list[CalendarEntry]]]:
    """``entries`` grouped by month (``"2026-12"``), in order."""
    months: dict[str, list[CalendarEntry]] = {}
    for entry in entries:
        months.setdefault(entry.day.strftime("%Y-%m"), []).append(entry)
    return list(months.items())
