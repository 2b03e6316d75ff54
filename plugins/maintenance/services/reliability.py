"""Reliability figures per unit and per product: failures, MTBF and MTTR.

A failure is a corrective work order opened in the period and finished (done, confirmed or
closed). Its repair time runs from opening to resolution (wall-clock hours). A unit's
operating time in the period runs from the period start (or its installation, if later) to
the period end (or now, if earlier), less its repair time. Then

* MTBF = operating hours / failures (none without failures),
* MTTR = repair hours / failures,
* failure rate = 1 / MTBF (failures per operating hour).

A product's figures add up the operating hours of all its units in service (also those that
never failed) and their failures: the fleet's MTBF. Two queries per call, however many units.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.company.service import company_zone
from core.timeutil import utcnow
from plugins.contracts.models import SCRAPPED, Equipment, Product
from plugins.maintenance.models import CLOSED, CONFIRMED, CORRECTIVE, DONE, WorkOrder
from plugins.maintenance.services import sla
from plugins.maintenance.services.errors import MaintenanceError

FINISHED = (DONE, CONFIRMED, CLOSED)
HOUR = Decimal(3600)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Figures:
    """Failures, operating and repair hours of a unit or a product in a period."""

    key: int
    label: str
    product_id: int
    product: str
    units: int
    failures: int
    operating_hours: Decimal
    repair_hours: Decimal

    @property
    def mtbf_hours(self) -> Decimal | None:
        """Mean time between failures (hours); ``None`` without failures."""
        if not self.failures:
            return None
        return (self.operating_hours / self.failures).quantize(TENTH)

    @property
    def mttr_hours(self) -> Decimal | None:
        """Mean time to repair (hours); ``None`` without failures."""
        if not self.failures:
            return None
        return (self.repair_hours / self.failures).quantize(TENTH)

    @property
    def failure_rate(self) -> Decimal:
        """Failures per operating hour (1 / MTBF, unrounded); 0 without failures."""
        if not self.failures or self.operating_hours <= 0:
            return Decimal(0)
        return Decimal(self.failures) / self.operating_hours

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures (hours as strings with one decimal)."""
        return {
            "id": self.key,
            "label": self.label,
            "product_id": self.product_id,
            "product": self.product,
            "units": self.units,
            "failures": self.failures,
            "operating_hours": str(self.operating_hours.quantize(TENTH)),
            "repair_hours": str(self.repair_hours.quantize(TENTH)),
            "mtbf_hours": None if self.mtbf_hours is None else str(self.mtbf_hours),
            "mttr_hours": None if self.mttr_hours is None else str(self.mttr_hours),
        }


def parse_period(
    start_text: str | None, end_text: str | None, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """``from``/``to`` (``YYYY-MM-DD``; default: the 365 days up to today); 422 naming the
    bad one, or ``to`` when the period ends before it starts."""
    bounds = []
    defaults = (today - datetime.timedelta(days=364), today)
    for text, name, default in ((start_text, "from", defaults[0]), (end_text, "to", defaults[1])):
        if not text:
            bounds.append(default)
            continue
        try:
            bounds.append(datetime.date.fromisoformat(str(text).strip()))
        except ValueError:
            raise MaintenanceError(
                gettext("%(field)s: %(value)r is not a date (YYYY-MM-DD)", field=name, value=text),
                name,
            ) from None
    if bounds[1] < bounds[0]:
        raise MaintenanceError(
            gettext(
                "to: %(end)s is before the period start %(start)s",
                end=bounds[1].isoformat(),
                start=bounds[0].isoformat(),
            ),
            "to",
        )
    return bounds[0], bounds[1]


def _window(
    start: datetime.date, end: datetime.date, now: datetime.datetime | None
) -> tuple[datetime.datetime, datetime.datetime]:
    zone = company_zone()
    low = datetime.datetime.combine(start, datetime.time(0), tzinfo=zone).astimezone(datetime.UTC)
    high = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    ).astimezone(datetime.UTC)
    return low, min(high, sla.as_utc(now) if now else utcnow())


def _hours(delta: datetime.timedelta) -> Decimal:
    return max(Decimal(int(delta.total_seconds())) / HOUR, Decimal(0))


def unit_figures(
    session: Session,
    start: datetime.date,
    end: datetime.date,
    *,
    product_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[Figures]:
    """Figures of every unit in service (of ``product_id`` if given) for ``start``..``end``
    (company dates, inclusive), most failures first, then serial number."""
    low, high = _window(start, end, now)
    units_query = (
        select(Equipment.id, Equipment.serial_number, Equipment.installed_on, Product)
        .join(Product, Product.id == Equipment.product_id)
        .where(Equipment.status != SCRAPPED)
    )
    failures_query = select(
        WorkOrder.equipment_id, WorkOrder.opened_at, WorkOrder.resolved_at
    ).where(
        WorkOrder.kind == CORRECTIVE,
        WorkOrder.state.in_(FINISHED),
        WorkOrder.resolved_at.is_not(None),
        WorkOrder.opened_at >= low,
        WorkOrder.opened_at < high,
    )
    if product_id is not None:
        units_query = units_query.where(Equipment.product_id == product_id)
        failures_query = failures_query.join(
            Equipment, Equipment.id == WorkOrder.equipment_id
        ).where(Equipment.product_id == product_id)
    failures: dict[int, int] = defaultdict(int)
    repair: dict[int, Decimal] = defaultdict(Decimal)
    for equipment_id, opened, resolved in session.execute(failures_query):
        failures[equipment_id] += 1
        repair[equipment_id] += _hours(sla.as_utc(resolved) - sla.as_utc(opened))
    zone = company_zone()
    found = []
    for unit_id, serial, installed, product in session.execute(units_query):
        since = low
        if installed is not None:
            since = max(low, datetime.datetime.combine(installed, datetime.time(0), tzinfo=zone))
        if since >= high:
            continue
        operating = max(_hours(high - since) - repair[unit_id], Decimal(0))
        found.append(
            Figures(
                key=unit_id,
                label=serial,
                product_id=product.id,
                product=f"{product.manufacturer} {product.model}",
                units=1,
                failures=failures[unit_id],
                operating_hours=operating,
                repair_hours=repair[unit_id],
            )
        )
    found.sort(key=lambda f: (-f.failures, f.label))
    return found


def product_figures(
    session: Session,
    start: datetime.date,
    end: datetime.date,
    *,
    now: datetime.datetime | None = None,
) -> list[Figures]:
    """Figures per product (its units in service added up), most failures first."""
    products: dict[int, list[Figures]] = defaultdict(list)
    for unit in unit_figures(session, start, end, now=now):
        products[unit.product_id].append(unit)
    found = [
        Figures(
            key=product_id,
            label=members[0].product,
            product_id=product_id,
            product=members[0].product,
            units=len(members),
            failures=sum(m.failures for m in members),
            operating_hours=sum((m.operating_hours for m in members), Decimal(0)),
            repair_hours=sum((m.repair_hours for m in members), Decimal(0)),
        )
        for product_id, members in products.items()
    ]
    found.sort(key=lambda f: (-f.failures, f.label))
    return found
