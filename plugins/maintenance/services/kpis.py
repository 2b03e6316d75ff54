"""Key figures of maintenance: SLA compliance, visits and orders in a period, overdue and
breached orders. Used by the contract service report and the dashboard widgets.

SLA compliance counts the deadlines of orders opened in the period that are decided: a
response deadline is met when the order was responded to without breaching it, missed when
it was flagged as breached; a deadline still running is not counted yet. Resolution alike.
Every figure is one aggregate query, however many orders.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from core.company.service import company_zone
from plugins.maintenance.models import (
    CANCELLED,
    CLOSED,
    CONFIRMED,
    CORRECTIVE,
    DONE,
    INSPECTION,
    OPEN_STATES,
    WorkOrder,
)

FINISHED = (DONE, CONFIRMED, CLOSED)


@dataclass(frozen=True)
class Compliance:
    """Deadlines met and decided (met + missed) in a period."""

    response_met: int = 0
    response_decided: int = 0
    resolution_met: int = 0
    resolution_decided: int = 0

    @staticmethod
    def percent(met: int, decided: int) -> Decimal | None:
        """``met`` as a percentage of ``decided`` with one decimal; ``None`` when nothing
        was decided."""
        if not decided:
            return None
        return (Decimal(met) * 100 / decided).quantize(Decimal("0.1"))

    @property
    def response_percent(self) -> Decimal | None:
        """Response deadlines met, in percent."""
        return self.percent(self.response_met, self.response_decided)

    @property
    def resolution_percent(self) -> Decimal | None:
        """Resolution deadlines met, in percent."""
        return self.percent(self.resolution_met, self.resolution_decided)


def day_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """UTC instants of the company-time days ``start``..``end`` (end exclusive)."""
    zone = company_zone()
    low = datetime.datetime.combine(start, datetime.time(0), tzinfo=zone)
    high = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    return low.astimezone(datetime.UTC), high.astimezone(datetime.UTC)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sla_compliance(
    session: Session,
    start: datetime.date,
    end: datetime.date,
    *,
    contract_id: int | None = None,
) -> Compliance:
    """SLA compliance of the orders opened from ``start`` to ``end`` (company dates)."""
    low, high = day_bounds(start, end)
    w = WorkOrder
    responded = and_(w.response_due.is_not(None), w.responded_at.is_not(None))
    resolved = and_(w.resolution_due.is_not(None), w.resolved_at.is_not(None))
    query = select(
        _count(and_(responded, w.response_breached.is_(False))),
        _count(and_(w.response_due.is_not(None), or_(responded, w.response_breached.is_(True)))),
        _count(and_(resolved, w.resolution_breached.is_(False))),
        _count(and_(w.resolution_due.is_not(None), or_(resolved, w.resolution_breached.is_(True)))),
    ).where(w.opened_at >= low, w.opened_at < high, w.state != CANCELLED)
    if contract_id is not None:
        query = query.where(w.contract_id == contract_id)
    row = session.execute(query).one()
    return Compliance(*(int(v) for v in row))


@dataclass(frozen=True)
class PeriodFigures:
    """Visits planned/done and work orders opened/closed in a period, with SLA compliance."""

    visits_planned: int
    visits_done: int
    visits_overdue: int
    orders_opened: int
    orders_finished: int
    orders_closed: int
    compliance: Compliance


def period_figures(
    session: Session,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    *,
    contract_id: int | None = None,
) -> PeriodFigures:
    """Inspections due in the period (planned: not cancelled; done: finished; overdue: due
    before ``today`` and still open), corrective orders opened, finished and closed in it."""
    low, high = day_bounds(start, end)
    w = WorkOrder
    visit = and_(w.kind == INSPECTION, w.due_date >= start, w.due_date <= end, w.state != CANCELLED)
    corrective = w.kind == CORRECTIVE
    query = select(
        _count(visit),
        _count(and_(visit, w.state.in_(FINISHED))),
        _count(and_(visit, w.state.in_(OPEN_STATES), w.due_date < today)),
        _count(and_(corrective, w.opened_at >= low, w.opened_at < high)),
        _count(and_(corrective, w.resolved_at >= low, w.resolved_at < high)),
        _count(and_(corrective, w.closed_at >= low, w.closed_at < high)),
    )
    if contract_id is not None:
        query = query.where(w.contract_id == contract_id)
    row = [int(v) for v in session.execute(query).one()]
    return PeriodFigures(
        *row, compliance=sla_compliance(session, start, end, contract_id=contract_id)
    )


def overdue_and_breached(
    session: Session, now: datetime.datetime, today: datetime.date
) -> dict[str, int]:
    """Open orders now: inspections past their due date, orders past (or flagged for) their
    response deadline without a response, and past their resolution deadline."""
    w = WorkOrder
    open_now = w.state.in_(OPEN_STATES)
    row = session.execute(
        select(
            _count(and_(open_now, w.kind == INSPECTION, w.due_date < today)),
            _count(
                and_(
                    open_now,
                    w.responded_at.is_(None),
                    or_(w.response_breached.is_(True), w.response_due < now),
                )
            ),
            _count(and_(open_now, or_(w.resolution_breached.is_(True), w.resolution_due < now))),
        )
    ).one()
    return dict(zip(("inspections", "response", "resolution"), (int(v) for v in row), strict=True))


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def compliance_trend(
    session: Session, today: datetime.date, months: int = 6
) -> list[tuple[datetime.date, Compliance]]:
    """SLA compliance of the orders opened in each of the last ``months`` months (this month
    included), oldest first."""
    found = []
    for back in range(months - 1, -1, -1):
        first = month_start(today, back)
        last = month_start(today, back - 1) - datetime.timedelta(days=1)
        found.append((first, sla_compliance(session, first, last)))
    return found
