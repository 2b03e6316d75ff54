"""Reorder planning: reorder rules, suggestions, and drafting purchase orders from them.

The **stock position** of a part at a location is on hand + on order - reserved, where on
order is what open purchase orders (drafts included) still expect there. A rule suggests an
order when the position is below its **reorder point**, for the quantity that brings the
position up to its **target**:

* ``fixed`` rules: reorder point = ``min_quantity``, target = ``max_quantity``;
* ``demand`` rules: reorder point = average daily usage x lead time + ``safety_stock`` +
  expected demand, rounded up to whole units; target = the larger of ``max_quantity`` and
  the reorder point. Average daily usage is what was issued from the location over the last
  ``usage_days`` days (issues that were reversed do not count) divided by ``usage_days``;
  expected demand is what plugins report through the ``inventory_expected_demand`` hook
  (:mod:`plugins.inventory.hookspecs`) for the next lead-time days.

The lead time is the rule's, else the preferred supplier's, else 0 days. Suggestions are
drafted as purchase orders to the part's preferred supplier (added to that supplier's newest
open draft when there is one); parts without one are reported, not ordered. Because drafts
count as on order, drafting again drafts nothing more: the job is idempotent, and drafting
runs one at a time (:func:`core.locking.transaction_lock`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from core.company.service import company_today
from core.locking import transaction_lock
from core.timeutil import utcnow
from plugins.inventory.models import (
    DEMAND,
    DRAFT,
    FIXED,
    RULE_METHODS,
    Location,
    Part,
    PurchaseOrder,
    ReorderRule,
    StockQuant,
    Supplier,
)
from plugins.inventory.services import purchasing
from plugins.inventory.services.common import (
    get_location,
    get_part,
    parse_figure,
)
from plugins.inventory.services.demand import daily_usage, expected_demand
from plugins.inventory.services.errors import InventoryError
from plugins.inventory.services.ledger import (
    put_stock,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0.000")
_MAX_USAGE_DAYS = 3650


@dataclass(frozen=True)
class Suggestion:
    """What one rule says now: the figures it used and the quantity to order (0: none)."""

    rule_id: int
    part_id: int
    sku: str
    part_name: str
    unit: str
    location_id: int
    location: str
    method: str
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    reorder_point: Decimal
    target: Decimal
    lead_time_days: int
    daily_usage: Decimal
    expected_demand: Decimal
    quantity: Decimal
    supplier_id: int | None
    supplier: str | None

    @property
    def position(self) -> Decimal:
        """On hand + on order - reserved."""
        return self.on_hand + self.on_order - self.reserved


@dataclass
class DraftResult:
    """What drafting did: the orders touched, lines added, suggestions without a supplier."""

    orders: list[PurchaseOrder] = field(default_factory=list)
    lines: int = 0
    without_supplier: list[Suggestion] = field(default_factory=list)


# --- rules ------------------------------------------------------------------------------------


def _days(value: Any, field_name: str, low: int, high: int, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise InventoryError(gettext("%(field)s: is required", field=field_name), field_name)
        return None
    try:
        days = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        days = None
    if days is None or not low <= days <= high:
        raise InventoryError(
            gettext(
                "%(field)s: must be a whole number from %(low)d to %(high)d",
                field=field_name,
                low=low,
                high=high,
            ),
            field_name,
        )
    return days


def prepare_rule(session: Session, rule: ReorderRule) -> ReorderRule:
    """Check a new or edited rule (nothing is flushed): part and location given, one rule
    per part and location (409), known method, figures not negative, ``max_quantity`` not
    below ``min_quantity`` for fixed rules, usage window 1-3650 days, lead time 0-365."""
    with session.no_autoflush:
        part_id = rule.part.id if rule.part is not None else rule.part_id
        location_id = rule.location.id if rule.location is not None else rule.location_id
        if part_id is None:
            raise InventoryError(gettext("%(field)s: is required", field="part"), "part")
        if location_id is None:
            raise InventoryError(gettext("%(field)s: is required", field="location"), "location")
        rule.method = rule.method or FIXED
        if rule.method not in RULE_METHODS:
            raise InventoryError(
                gettext("method: must be one of %(values)s", values=", ".join(RULE_METHODS)),
                "method",
            )
        for name in ("min_quantity", "max_quantity", "safety_stock"):
            setattr(rule, name, parse_figure(getattr(rule, name), name))
        if rule.method == FIXED and rule.max_quantity < rule.min_quantity:
            raise InventoryError(
                gettext("max_quantity: must be at least the minimum quantity"), "max_quantity"
            )
        rule.usage_days = _days(
            90 if rule.usage_days is None else rule.usage_days,
            "usage_days",
            1,
            _MAX_USAGE_DAYS,
            True,
        )
        rule.lead_time_days = _days(rule.lead_time_days, "lead_time_days", 0, 365, False)
        if rule.active is None:
            rule.active = True
        same = select(ReorderRule.id).where(
            ReorderRule.part_id == part_id, ReorderRule.location_id == location_id
        )
        if rule.id is not None:
            same = same.where(ReorderRule.id != rule.id)
        if session.scalar(same) is not None:
            raise InventoryError(
                gettext("part: this part already has a reorder rule at this location"),
                "part",
                409,
            )
        if rule.method == FIXED:
            rule.reorder_point = rule.min_quantity
    return rule


def save_rule(session: Session, rule: ReorderRule) -> ReorderRule:
    """Check and store a rule; its quant is created (at zero) so that stock lists show the
    part at that location, and a demand rule's reorder point is computed now."""
    prepare_rule(session, rule)
    session.add(rule)
    session.flush()
    put_stock(session, rule.part_id, rule.location_id, ZERO)
    if rule.method == DEMAND:
        refresh_reorder_points(session, [rule])
    return rule


def create_rule(session: Session, **values: Any) -> ReorderRule:
    """Create a rule from ``part_id``, ``location_id`` and the figures; returns it flushed."""
    rule = ReorderRule(**values)
    if rule.part_id is not None:
        rule.part_id = get_part(session, rule.part_id).id
    if rule.location_id is not None:
        rule.location_id = get_location(session, rule.location_id).id
    return save_rule(session, rule)


# --- figures ----------------------------------------------------------------------------------


def _whole(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING).quantize(Decimal("0.001"))


def _lead_time(rule: ReorderRule) -> int:
    if rule.lead_time_days is not None:
        return rule.lead_time_days
    supplier = rule.part.preferred_supplier
    return supplier.lead_time_days if supplier is not None else 0


def _active_rules(session: Session, rules: Iterable[ReorderRule] | None) -> list[ReorderRule]:
    if rules is not None:
        return list(rules)
    return list(
        session.scalars(
            select(ReorderRule)
            .join(Part, Part.id == ReorderRule.part_id)
            .where(ReorderRule.active.is_(True), Part.active.is_(True))
            .options(
                joinedload(ReorderRule.part).joinedload(Part.preferred_supplier),
                joinedload(ReorderRule.location).joinedload(Location.warehouse),
            )
            .order_by(ReorderRule.id)
        ).unique()
    )


def suggestions(
    session: Session,
    rules: Iterable[ReorderRule] | None = None,
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[Suggestion]:
    """What every active rule (of an active part) says now, in rule order: a fixed number
    of queries, whatever the number of rules."""
    today = today or company_today(session)
    now = now or utcnow()
    found = _active_rules(session, rules)
    if not found:
        return []
    quants = {
        (q.part_id, q.location_id): (q.on_hand, q.reserved)
        for q in session.execute(
            select(
                StockQuant.part_id, StockQuant.location_id, StockQuant.on_hand, StockQuant.reserved
            ).where(StockQuant.part_id.in_({r.part_id for r in found}))
        )
    }
    ordered = purchasing.on_order(session)
    demand_rules = [r for r in found if r.method == DEMAND]
    usage = daily_usage(
        session, [(r.part_id, r.location_id, r.usage_days) for r in demand_rules], now
    )
    horizons: dict[int, dict[tuple[int, int], Decimal]] = {}
    result = []
    for rule in found:
        key = (rule.part_id, rule.location_id)
        lead = _lead_time(rule)
        rate = usage.get(key, ZERO) if rule.method == DEMAND else ZERO
        expected = ZERO
        if rule.method == DEMAND:
            if lead not in horizons:
                end = today + datetime.timedelta(days=max(lead - 1, 0))
                horizons[lead] = expected_demand(session, today, end) if lead else {}
            expected = horizons[lead].get(key, ZERO)
            point = _whole(rate * lead + rule.safety_stock + expected)
            target = max(rule.max_quantity, point)
        else:
            point, target = rule.min_quantity, rule.max_quantity
        on_hand, reserved = quants.get(key, (ZERO, ZERO))
        on_order = ordered.get(key, ZERO)
        position = on_hand + on_order - reserved
        quantity = target - position if position < point else ZERO
        supplier = rule.part.preferred_supplier
        result.append(
            Suggestion(
                rule_id=rule.id,
                part_id=rule.part_id,
                sku=rule.part.sku,
                part_name=rule.part.name,
                unit=rule.part.unit,
                location_id=rule.location_id,
                location=str(rule.location),
                method=rule.method,
                on_hand=on_hand,
                reserved=reserved,
                on_order=on_order,
                reorder_point=point,
                target=target,
                lead_time_days=lead,
                daily_usage=rate.quantize(Decimal("0.001"), rounding=ROUND_CEILING),
                expected_demand=expected,
                quantity=max(quantity, ZERO),
                supplier_id=supplier.id if supplier is not None else None,
                supplier=supplier.name if supplier is not None else None,
            )
        )
    return result


def refresh_reorder_points(session: Session, rules: Iterable[ReorderRule] | None = None) -> int:
    """Store every active rule's current reorder point (what "below minimum" compares with);
    returns how many changed."""
    changed = 0
    found = _active_rules(session, rules)
    by_id = {rule.id: rule for rule in found}
    for suggestion in suggestions(session, found):
        rule = by_id[suggestion.rule_id]
        if rule.reorder_point != suggestion.reorder_point:
            rule.reorder_point = suggestion.reorder_point
            changed += 1
    session.flush()
    return changed


# --- drafting orders --------------------------------------------------------------------------


def draft_purchase_orders(session: Session, today: datetime.date | None = None) -> DraftResult:
    """Draft what the rules suggest as purchase orders, one per preferred supplier (added to
    the supplier's newest open draft when there is one). Idempotent: what open orders already
    cover is on order and is not suggested again, also when the job and a purchaser on the
    suggestions screen draft at the same moment: drafting holds a lock until the caller's
    transaction ends, so the second waits and then sees the first one's drafts."""
    transaction_lock(session, "aftersales.inventory", "draft-purchase-orders")
    today = today or company_today(session)
    result = DraftResult()
    wanted: dict[int, list[Suggestion]] = defaultdict(list)
    for suggestion in suggestions(session, today=today):
        if suggestion.quantity <= 0:
            continue
        if suggestion.supplier_id is None:
            result.without_supplier.append(suggestion)
        else:
            wanted[suggestion.supplier_id].append(suggestion)
    for supplier_id, items in sorted(wanted.items()):
        supplier = session.get(Supplier, supplier_id)
        if supplier is None or not supplier.active:
            result.without_supplier.extend(items)
            continue
        order = session.scalar(
            select(PurchaseOrder)
            .where(PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.state == DRAFT)
            .order_by(PurchaseOrder.id.desc())
            .limit(1)
        )
        if order is None:
            order = purchasing.create_order(
                session,
                supplier_id,
                expected_date=today + datetime.timedelta(days=supplier.lead_time_days),
                note=gettext("Drafted from the reorder suggestions"),
            )
        for item in items:
            purchasing.add_line(session, order, item.part_id, item.quantity, item.location_id)
            result.lines += 1
        result.orders.append(order)
    return result


def below_minimum_condition() -> Any:
    """A condition on ``StockQuant`` rows: an active rule for that part and location has a
    reorder point above what is available (on hand - reserved)."""
    return (
        select(ReorderRule.id)
        .where(
            and_(
                ReorderRule.part_id == StockQuant.part_id,
                ReorderRule.location_id == StockQuant.location_id,
                ReorderRule.active.is_(True),
                StockQuant.on_hand - StockQuant.reserved < ReorderRule.reorder_point,
            )
        )
        .exists()
    )


def count_parts_below_minimum(session: Session) -> int:
    """How many active parts are below the minimum of a rule at some location."""
    return (
        session.scalar(
            select(func.count(func.distinct(StockQuant.part_id)))
            .join(Part, Part.id == StockQuant.part_id)
            .where(Part.active.is_(True), below_minimum_condition())
        )
        or 0
    )
