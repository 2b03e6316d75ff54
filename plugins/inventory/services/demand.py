"""Demand of parts: the daily usage from the ledger, and what other plugins expect through the
``inventory_expected_demand`` hook."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.inventory.hookspecs import ExpectedDemand
from plugins.inventory.models import (
    ISSUE,
    REVERSAL,
    StockMove,
)
from plugins.inventory.services.common import (
    parse_figure,
)
from plugins.inventory.services.errors import InventoryError

log = logging.getLogger(__name__)


def daily_usage(
    session: Session, pairs: Iterable[tuple[int, int, int]], now: datetime.datetime
) -> dict[tuple[int, int], Decimal]:
    """Average daily issues per (part, location) for ``(part, location, days)`` windows
    ending at ``now``; reversed issues do not count. One query per distinct window."""
    by_days: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for part_id, location_id, days in pairs:
        by_days[days].add((part_id, location_id))
    reversed_ids = select(StockMove.reversal_of_id).where(
        StockMove.reason == REVERSAL, StockMove.reversal_of_id.is_not(None)
    )
    usage: dict[tuple[int, int], Decimal] = {}
    for days, wanted in by_days.items():
        since = now - datetime.timedelta(days=days)
        rows = session.execute(
            select(StockMove.part_id, StockMove.from_location_id, func.sum(StockMove.quantity))
            .where(
                StockMove.reason == ISSUE,
                StockMove.created_on >= since,
                StockMove.created_on <= now,
                StockMove.id.not_in(reversed_ids),
                StockMove.part_id.in_({p for p, _ in wanted}),
            )
            .group_by(StockMove.part_id, StockMove.from_location_id)
        ).all()
        for part_id, location_id, total in rows:
            if (part_id, location_id) in wanted:
                usage[(part_id, location_id)] = Decimal(total) / days
    return usage


def expected_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], Decimal]:
    """What the plugins implementing ``inventory_expected_demand`` expect per (part,
    location) from ``start`` to ``end``; bad items are logged and skipped."""
    from core.runtime import hooks

    hook = getattr(hooks().pm.hook, "inventory_expected_demand", None)
    if hook is None:
        return {}
    found: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for result in hook(session=session, start=start, end=end):
        for item in result or ():
            try:
                if isinstance(item, ExpectedDemand):
                    part_id, location_id, quantity = item.part_id, item.location_id, item.quantity
                else:
                    part_id, location_id, quantity = item
                amount = parse_figure(quantity, "quantity")
                found[(int(part_id), int(location_id))] += amount
            except (InventoryError, TypeError, ValueError) as exc:
                log.warning("inventory_expected_demand: skipped %r: %s", item, exc)
    return found
