"""The stock evaluation of a period: consumption, turnover, slow-moving and dead stock,
stock-outs and suggested changes to the reorder rules.

The period runs from ``start`` 00:00 to ``end`` 24:00 in the company time zone. Stock
figures count normal locations only (quarantine holds defective parts, not stock to use).

* **Consumption** of a part: what was issued in the period (issues that were reversed do
  not count), in quantity and at the issues' cost.
* **Average stock**: the on hand across normal locations, averaged over the period's time
  (the ledger is replayed from the opening balance). **Turnover** = consumption / average
  stock (per part in quantity; overall in value at today's moving-average cost).
  **Days of cover** = closing stock / average daily consumption.
* **Dead stock**: in stock at the start and at the end of the period, and no consumption in
  it. **Slow-moving**: the same, with consumption but more than ``slow_days`` (default 180)
  days of cover. Parts first stocked during the period are neither.
* **Stock-outs**: for parts with a reorder rule or consumption in the period, each time the
  on hand across normal locations fell to zero, and the days spent at zero once the part
  had been in stock.
* **Suggested rule changes**, per active rule: from the usage at the rule's location in the
  period, minimum = daily usage x lead time + safety stock and maximum = minimum + 30 days
  of usage (both rounded up to whole units), offered when they differ from the rule by more
  than 20% (at least one unit), when the part ran out, or when nothing was used although
  the part was in stock from the start (lower or deactivate the rule).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.company.service import company_zone
from plugins.inventory.models import (
    FIXED,
    ISSUE,
    QUARANTINE,
    REVERSAL,
    Location,
    Part,
    ReorderRule,
    StockMove,
)
from plugins.inventory.services.errors import InventoryError

ZERO = Decimal("0.000")
CENT = Decimal("0.01")
SLOW_DAYS = 180
REVIEW_DAYS = 30  # what a rule's maximum covers beyond its minimum
_TOLERANCE = Decimal("0.2")
_MAX_DAYS = 3660


@dataclass
class PartFigures:
    """One part's figures for the period."""

    part_id: int
    sku: str
    name: str
    unit: str
    average_cost: Decimal
    opening: Decimal = ZERO
    closing: Decimal = ZERO
    average_stock: Decimal = ZERO
    consumed: Decimal = ZERO
    consumed_value: Decimal = Decimal("0.00")
    stockouts: int = 0
    days_out: Decimal = Decimal("0.0")
    turnover: Decimal | None = None
    days_of_cover: Decimal | None = None
    status: str = "normal"  # normal, slow, dead, none (no stock at the end)

    @property
    def closing_value(self) -> Decimal:
        """Closing stock at today's moving-average cost."""
        return (self.closing * self.average_cost).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RuleSuggestion:
    """A suggested change to a reorder rule, with the reason."""

    rule_id: int
    sku: str
    location: str
    method: str
    min_quantity: Decimal
    max_quantity: Decimal
    suggested_min: Decimal | None
    suggested_max: Decimal | None
    daily_usage: Decimal
    reason: str


@dataclass
class Evaluation:
    """The evaluation of a period."""

    start: datetime.date
    end: datetime.date
    parts: list[PartFigures] = field(default_factory=list)
    suggestions: list[RuleSuggestion] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days in the period (both ends included)."""
        return (self.end - self.start).days + 1

    @property
    def consumed_value(self) -> Decimal:
        """What was consumed, at the issues' cost."""
        return sum((p.consumed_value for p in self.parts), Decimal("0.00"))

    @property
    def average_stock_value(self) -> Decimal:
        """Average stock at today's moving-average cost."""
        total = sum((p.average_stock * p.average_cost for p in self.parts), Decimal(0))
        return total.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def turnover(self) -> Decimal | None:
        """Consumed value / average stock value."""
        average = self.average_stock_value
        return (self.consumed_value / average).quantize(CENT) if average else None

    def with_status(self, status: str) -> list[PartFigures]:
        """The parts of one status (``dead``, ``slow``...)."""
        return [p for p in self.parts if p.status == status]

    @property
    def stockouts(self) -> list[PartFigures]:
        """The parts that ran out during the period."""
        return [p for p in self.parts if p.stockouts or p.days_out]


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    zone = company_zone()
    begin = datetime.datetime.combine(start, datetime.time(), zone)
    finish = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), zone)
    return begin.astimezone(datetime.UTC), finish.astimezone(datetime.UTC)


def check_period(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    """Dates from input (``YYYY-MM-DD``); the end not before the start, at most 10 years."""
    dates = []
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, datetime.date):
            dates.append(value)
            continue
        try:
            dates.append(datetime.date.fromisoformat(str(value or "").strip()))
        except ValueError:
            raise InventoryError(
                gettext("%(field)s: %(value)s is not a date (YYYY-MM-DD)", field=name, value=value),
                name,
            ) from None
    if dates[1] < dates[0]:
        raise InventoryError(gettext("end: must not be before the start"), "end")
    if (dates[1] - dates[0]).days > _MAX_DAYS:
        raise InventoryError(gettext("end: the period may span at most 10 years"), "end")
    return dates[0], dates[1]


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING).quantize(Decimal("0.001"))


def evaluate(session: Session, start: Any, end: Any, *, slow_days: int = SLOW_DAYS) -> Evaluation:
    """The evaluation of the period ``start`` - ``end`` (company dates, both included)."""
    start, end = check_period(start, end)
    begin, finish = _bounds(start, end)
    report = Evaluation(start=start, end=end)
    period_seconds = Decimal((finish - begin).total_seconds())
    parts = {
        p.id: PartFigures(p.id, p.sku, p.name, p.unit, p.average_cost)
        for p in session.scalars(select(Part).order_by(Part.sku))
    }
    source, target = aliased(Location), aliased(Location)
    for column, alias, sign in (
        (StockMove.to_location_id, target, 1),
        (StockMove.from_location_id, source, -1),
    ):
        for part_id, total in session.execute(
            select(StockMove.part_id, func.sum(StockMove.quantity))
            .join(alias, alias.id == column)
            .where(alias.kind != QUARANTINE, StockMove.created_on < begin)
            .group_by(StockMove.part_id)
        ):
            parts[part_id].opening += sign * total
    reversed_ids = select(StockMove.reversal_of_id).where(
        StockMove.reason == REVERSAL, StockMove.reversal_of_id.is_not(None)
    )
    moves = session.execute(
        select(
            StockMove.part_id,
            StockMove.created_on,
            StockMove.quantity,
            StockMove.reason,
            StockMove.unit_cost,
            StockMove.id.in_(reversed_ids).label("reversed"),
            source.kind.label("source_kind"),
            target.kind.label("target_kind"),
        )
        .outerjoin(source, source.id == StockMove.from_location_id)
        .outerjoin(target, target.id == StockMove.to_location_id)
        .where(StockMove.created_on >= begin, StockMove.created_on < finish)
        .order_by(StockMove.part_id, StockMove.created_on, StockMove.id)
    ).all()
    timeline: dict[int, list[tuple[datetime.datetime, Decimal]]] = defaultdict(list)
    for move in moves:
        delta = ZERO
        if move.target_kind is not None and move.target_kind != QUARANTINE:
            delta += move.quantity
        if move.source_kind is not None and move.source_kind != QUARANTINE:
            delta -= move.quantity
        figures = parts[move.part_id]
        if delta:
            timeline[move.part_id].append((_aware(move.created_on), delta))
        if move.reason == ISSUE and not move.reversed:
            figures.consumed += move.quantity
            figures.consumed_value += (move.quantity * move.unit_cost).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
    ruled = set(session.scalars(select(ReorderRule.part_id).where(ReorderRule.active.is_(True))))
    daily = Decimal(report.days)
    for figures in parts.values():
        _replay(
            figures,
            timeline.get(figures.part_id, []),
            begin,
            finish,
            period_seconds,
            watch=figures.part_id in ruled or figures.consumed > 0,
        )
        if figures.average_stock > 0 and figures.consumed > 0:
            figures.turnover = (figures.consumed / figures.average_stock).quantize(CENT)
        if figures.consumed > 0:
            figures.days_of_cover = (figures.closing / (figures.consumed / daily)).quantize(
                Decimal("0.1")
            )
        if figures.closing <= 0:
            figures.status = "none"
        elif figures.opening <= 0:
            pass  # stocked during the period: too new to call dead or slow
        elif figures.consumed == 0:
            figures.status = "dead"
        elif figures.days_of_cover is not None and figures.days_of_cover > slow_days:
            figures.status = "slow"
    report.parts = [
        p for p in parts.values() if p.opening or p.closing or p.consumed or p.stockouts
    ]
    report.suggestions = _rule_suggestions(session, report, begin, finish, parts)
    return report


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _replay(
    figures: PartFigures,
    changes: list[tuple[datetime.datetime, Decimal]],
    begin: datetime.datetime,
    finish: datetime.datetime,
    period_seconds: Decimal,
    *,
    watch: bool,
) -> None:
    """Closing stock, time-weighted average stock, stock-out events and days at zero."""
    level, since, weighted, out_seconds = figures.opening, begin, Decimal(0), Decimal(0)
    stocked = level > 0  # time at zero before the part was ever stocked is no stock-out
    for moment, delta in [*changes, (finish, ZERO)]:
        seconds = Decimal((moment - since).total_seconds())
        weighted += level * seconds
        if level <= 0 and stocked:
            out_seconds += seconds
        before, level, since = level, level + delta, moment
        stocked = stocked or level > 0
        if watch and before > 0 and level <= 0:
            figures.stockouts += 1
    figures.closing = level
    figures.average_stock = (weighted / period_seconds).quantize(Decimal("0.001"))
    if watch:
        figures.days_out = (out_seconds / 86400).quantize(Decimal("0.1"))


def _rule_suggestions(
    session: Session,
    report: Evaluation,
    begin: datetime.datetime,
    finish: datetime.datetime,
    parts: dict[int, PartFigures],
) -> list[RuleSuggestion]:
    rules = session.scalars(
        select(ReorderRule).where(ReorderRule.active.is_(True)).order_by(ReorderRule.id)
    ).all()
    if not rules:
        return []
    reversed_ids = select(StockMove.reversal_of_id).where(StockMove.reason == REVERSAL)
    used: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for part_id, location_id, quantity in session.execute(
        select(StockMove.part_id, StockMove.from_location_id, StockMove.quantity).where(
            StockMove.reason == ISSUE,
            StockMove.created_on >= begin,
            StockMove.created_on < finish,
            StockMove.id.not_in(reversed_ids.where(StockMove.reversal_of_id.is_not(None))),
        )
    ):
        used[(part_id, location_id)] += quantity
    found = []
    for rule in rules:
        figures = parts[rule.part_id]
        rate = used.get((rule.part_id, rule.location_id), ZERO) / report.days
        lead = rule.lead_time_days
        if lead is None:
            supplier = rule.part.preferred_supplier
            lead = supplier.lead_time_days if supplier is not None else 0
        new_min = _ceil(rate * lead + rule.safety_stock)
        new_max = new_min + _ceil(rate * REVIEW_DAYS)
        current = rule.min_quantity if rule.method == FIXED else rule.reorder_point
        reason = None
        if rate == 0:
            # only for stock kept through the whole period (a new part has had no chance)
            if figures.opening > 0 and (rule.min_quantity > 0 or rule.method != FIXED):
                reason = gettext("nothing was used in the period: lower or deactivate the rule")
                new_min, new_max = ZERO, ZERO
        elif figures.stockouts or figures.days_out:
            reason = gettext(
                "ran out %(count)d time(s), %(days)s days at zero",
                count=figures.stockouts,
                days=figures.days_out,
            )
            if new_min <= current:
                new_min = current + _ceil(rate * figures.days_out)
                new_max = max(new_max, new_min + _ceil(rate * REVIEW_DAYS))
        elif abs(new_min - current) > max(Decimal(1), current * _TOLERANCE):
            if new_min > current:
                reason = gettext("usage is higher than the minimum covers")
            else:
                reason = gettext("the minimum covers more than the usage needs")
        if reason is None:
            continue
        if rule.method != FIXED and rate > 0 and not (figures.stockouts or figures.days_out):
            continue  # a demand rule follows the usage by itself
        found.append(
            RuleSuggestion(
                rule_id=rule.id,
                sku=figures.sku,
                location=str(rule.location),
                method=rule.method,
                min_quantity=rule.min_quantity,
                max_quantity=rule.max_quantity,
                suggested_min=new_min if rule.method == FIXED else None,
                suggested_max=new_max if rule.method == FIXED else None,
                daily_usage=rate.quantize(Decimal("0.001"), rounding=ROUND_CEILING),
                reason=reason,
            )
        )
    return found
