"""Contract value by month: what the contracts in force are worth in each calendar month.

A contract's ``fee`` is the amount billed per billing cycle (a one-off fee is the price of the
whole term). Its monthly value is the fee spread over the months of the cycle (monthly 1,
quarterly 3, yearly 12; one-off: the months of the term), and a month the contract covers only
in part counts for the days it covers. Contracts that were signed and ran (active, expiring,
renewed, expired) count; drafts, contracts under review and terminated contracts do not.
Only contracts in the company currency are summed, so the figure is one currency.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.contracts.models import ACTIVE, EXPIRED, EXPIRING, RENEWED, Contract

COUNTED_STATES = (ACTIVE, EXPIRING, RENEWED, EXPIRED)
MONTHS_PER_CYCLE = {"monthly": 1, "quarterly": 3, "yearly": 12}
CENT = Decimal("0.01")


def month_start(day: datetime.date, offset: int = 0) -> datetime.date:
    """The first day of the month ``offset`` months after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_share(start: datetime.date, end: datetime.date, month: datetime.date) -> Decimal:
    """The share of ``month`` (its first day) that ``start``..``end`` (inclusive) covers,
    by days: 1 for a whole month, 0 for none."""
    days = calendar.monthrange(month.year, month.month)[1]
    covered = (min(end, month.replace(day=days)) - max(start, month)).days + 1
    return Decimal(max(covered, 0)) / days


def term_months(start: datetime.date, end: datetime.date) -> Decimal:
    """The length of ``start``..``end`` (inclusive) in months, counting part months by days."""
    total = Decimal(0)
    month = month_start(start)
    while month <= end:
        total += month_share(start, end, month)
        month = month_start(month, 1)
    return total


def monthly_fee(contract: Contract) -> Decimal:
    """The contract's value for one whole month (see the module docstring)."""
    months = MONTHS_PER_CYCLE.get(contract.billing_cycle)
    if months is None:  # one-off: the fee pays for the whole term
        length = term_months(contract.start_date, contract.end_date)
        return contract.fee / length if length else Decimal(0)
    return contract.fee / months


def value_by_month(
    session: Session, first: datetime.date, months: int, currency: str
) -> list[tuple[datetime.date, Decimal]]:
    """``(first day of month, value)`` for ``months`` months from ``first``'s month, in
    ``currency``, rounded to cents. One query, whatever the number of contracts."""
    start = month_start(first)
    end = month_start(first, months) - datetime.timedelta(days=1)
    contracts = session.scalars(
        select(Contract).where(
            Contract.state.in_(COUNTED_STATES),
            Contract.currency == currency,
            Contract.start_date <= end,
            Contract.end_date >= start,
        )
    ).all()
    fees = [(c.start_date, c.end_date, monthly_fee(c)) for c in contracts]
    values = []
    for offset in range(months):
        month = month_start(start, offset)
        total = sum(
            (fee * month_share(begin, until, month) for begin, until, fee in fees), Decimal(0)
        )
        values.append((month, total.quantize(CENT)))
    return values
