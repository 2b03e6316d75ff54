"""Parts that maintenance expects to use: inventory's ``inventory_expected_demand`` hook.

Two kinds of lines say which parts are used (both need ``inventory``):

* :class:`~plugins.maintenance.models.ProductPart`: units of a product use ``quantity`` of a
  part per repair. Expected repairs = units in service x failure rate (1 / MTBF of the
  product over the 365 days before the horizon) x horizon hours.
* :class:`~plugins.maintenance.models.PlanPart`: every inspection of a plan needs
  ``quantity`` of a part. Expected inspections = the plan's due dates in the horizon for the
  units it covers (generated or not yet), less those already finished or cancelled.

Quantities are added up per (part, location) and given with 3 decimals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.records import add_prepared
from plugins.maintenance.models import (
    OPEN_STATES,
    MaintenancePlan,
    PlanPart,
    ProductPart,
    WorkOrder,
)
from plugins.maintenance.services import generation, reliability
from plugins.maintenance.services.errors import MaintenanceError
from plugins.maintenance.services.parts import inventory_enabled, parse_quantity, required_id

LOOKBACK_DAYS = 365
THOUSANDTH = Decimal("0.001")


def _check_inventory_ids(session: Session, link: Any) -> None:
    if not inventory_enabled():
        raise MaintenanceError(
            gettext("part_id: parts are listed only when the inventory module is enabled"),
            "part_id",
            409,
        )
    from plugins.inventory.models import Location, Part

    link.part_id = required_id(link.part_id, "part_id")
    link.location_id = required_id(link.location_id, "location_id")
    part = session.get(Part, link.part_id)
    if part is None or not part.active:
        raise MaintenanceError(
            gettext("part_id: %(id)s is not an active part", id=link.part_id), "part_id"
        )
    if session.get(Location, link.location_id) is None:
        raise MaintenanceError(
            gettext("location_id: %(id)s is not a stock location", id=link.location_id),
            "location_id",
        )
    link.quantity = parse_quantity(link.quantity)


def prepare_product_part(session: Session, link: ProductPart) -> ProductPart:
    """Check a part a product uses per repair: product, an active part, a location, a
    positive quantity with at most 3 decimals; inventory must be enabled (409)."""
    if link.product is None and link.product_id is None:
        raise MaintenanceError(gettext("product: is required"), "product")
    _check_inventory_ids(session, link)
    return link


def prepare_plan_part(session: Session, link: PlanPart) -> PlanPart:
    """Check a part each inspection of a plan needs (same rules as a product's part)."""
    if link.plan is None and link.plan_id is None:
        raise MaintenanceError(gettext("plan: is required"), "plan")
    _check_inventory_ids(session, link)
    return link


def add_product_part(session: Session, **values: Any) -> ProductPart:
    """Record a part a product uses per repair; returns it flushed."""
    return add_prepared(session, ProductPart(**values), prepare_product_part, no_autoflush=True)


def add_plan_part(session: Session, **values: Any) -> PlanPart:
    """Record a part each inspection of a plan needs; returns it flushed."""
    return add_prepared(session, PlanPart(**values), prepare_plan_part, no_autoflush=True)


def repair_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], Decimal]:
    """Parts for expected repairs from ``start`` to ``end``: per (part, location)."""
    links = session.scalars(select(ProductPart)).all()
    if not links:
        return {}
    before = start - datetime.timedelta(days=1)
    figures = {
        f.product_id: f
        for f in reliability.product_figures(
            session, before - datetime.timedelta(days=LOOKBACK_DAYS - 1), before
        )
    }
    hours = Decimal((end - start).days + 1) * 24
    found: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for link in links:
        product = figures.get(link.product_id)
        if product is None or not product.failures:
            continue
        found[(link.part_id, link.location_id)] += (
            product.units * product.failure_rate * hours * link.quantity
        )
    return found


def planned_inspections(
    session: Session, plan: MaintenancePlan, start: datetime.date, end: datetime.date
) -> int:
    """The plan's inspections due from ``start`` to ``end`` that still need doing: its due
    dates for the covered units, less the orders of those dates already finished or
    cancelled."""
    due = sum(
        len(generation.due_dates(plan, contract, start, end))
        for _unit, contract in generation.covered_units(session, plan)
    )
    finished = session.scalar(
        select(func.count()).where(
            WorkOrder.plan_id == plan.id,
            WorkOrder.due_date >= start,
            WorkOrder.due_date <= end,
            WorkOrder.state.not_in(OPEN_STATES),
        )
    )
    return max(due - int(finished or 0), 0)


def inspection_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], Decimal]:
    """Parts the active plans' inspections need from ``start`` to ``end``."""
    found: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    active = session.scalars(
        select(MaintenancePlan)
        .where(MaintenancePlan.active.is_(True))
        .where(MaintenancePlan.id.in_(select(PlanPart.plan_id)))
        .order_by(MaintenancePlan.id)
    ).all()
    for plan in active:
        count = planned_inspections(session, plan, start, end)
        for link in plan.parts:
            found[(link.part_id, link.location_id)] += count * link.quantity
    return found


def expected_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> list[tuple[int, int, Decimal]]:
    """``(part_id, location_id, quantity)`` expected from ``start`` to ``end`` (both
    included): expected repairs plus planned inspections, quantities with 3 decimals,
    zeros left out, ordered by part and location."""
    total: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for source in (repair_demand(session, start, end), inspection_demand(session, start, end)):
        for key, quantity in source.items():
            total[key] += quantity
    return [
        (part, location, quantity.quantize(THOUSANDTH))
        for (part, location), quantity in sorted(total.items())
        if quantity.quantize(THOUSANDTH) > 0
    ]
