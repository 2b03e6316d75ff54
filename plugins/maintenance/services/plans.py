"""Preventive maintenance plans, their checklists and inspection results.

A plan covers every unit of a product type under a contract in force, or the units of one
contract. Generation lives in :mod:`plugins.maintenance.services.generation`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.maintenance.models import (
    CORRECTIVE,
    FAIL,
    INSPECTION,
    INTERVAL_UNITS,
    OPEN_STATES,
    OUTCOMES,
    PASS,
    InspectionResult,
    MaintenancePlan,
    PlanItem,
    WorkOrder,
)
from plugins.maintenance.services.errors import MaintenanceError

MAX_HORIZON_DAYS = 731
MAX_INTERVAL = 1000
# What a planner gives for a plan, on the screen and over the API.
PLAN_FIELDS = (
    "name",
    "product_type",
    "contract",
    "interval_count",
    "interval_unit",
    "horizon_days",
    "starts_on",
    "skill",
    "duration_minutes",
    "active",
)


def _positive(value: Any, field: str, label: str, maximum: int) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number <= maximum:
        raise MaintenanceError(
            gettext(
                "%(field)s: must be a whole number from 1 to %(max)d", field=label, max=maximum
            ),
            field,
        )
    return number


def prepare_plan(session: Session, plan: MaintenancePlan) -> MaintenancePlan:
    """Check a new or edited plan: a unique name; a product type or a contract (not both);
    interval 1-1000 days/weeks/months; horizon 1-731 days; duration > 0; a skill code."""
    from plugins.maintenance.services import parse_skills

    plan.name = (plan.name or "").strip()
    if not plan.name:
        raise MaintenanceError(gettext("%(field)s: is required", field=gettext("name")), "name")
    plan.product_type = (plan.product_type or "").strip() or None
    has_contract = plan.contract is not None or plan.contract_id is not None
    if (plan.product_type is None) == (not has_contract):
        raise MaintenanceError(
            gettext("scope: give either a product type or a contract, not both"),
            "product_type",
        )
    plan.interval_count = _positive(
        plan.interval_count, "interval_count", gettext("interval"), MAX_INTERVAL
    )
    plan.interval_unit = plan.interval_unit or "months"
    if plan.interval_unit not in INTERVAL_UNITS:
        raise MaintenanceError(
            gettext(
                "interval unit: %(value)r is not one of %(choices)s",
                value=plan.interval_unit,
                choices=", ".join(INTERVAL_UNITS),
            ),
            "interval_unit",
        )
    plan.horizon_days = _positive(
        90 if plan.horizon_days is None else plan.horizon_days,
        "horizon_days",
        gettext("horizon"),
        MAX_HORIZON_DAYS,
    )
    plan.duration_minutes = _positive(
        60 if plan.duration_minutes is None else plan.duration_minutes,
        "duration_minutes",
        gettext("duration"),
        24 * 60,
    )
    skills = parse_skills(plan.skill)
    if len(skills) > 1:
        raise MaintenanceError(gettext("skill: give one skill code"), "skill")
    plan.skill = skills[0] if skills else ""
    if plan.active is None:
        plan.active = True
    _replan_if_rescheduled(session, plan)
    query = select(MaintenancePlan.id).where(MaintenancePlan.name == plan.name)
    if plan.id is not None:
        query = query.where(MaintenancePlan.id != plan.id)
    with session.no_autoflush:
        taken = session.scalar(query.limit(1))
    if taken is not None:
        raise MaintenanceError(
            gettext("name: a plan named %(name)s already exists", name=plan.name), "name", 409
        )
    return plan


SCHEDULE_FIELDS = ("product_type", "contract_id", "interval_count", "interval_unit", "starts_on")


def _replan_if_rescheduled(session: Session, plan: MaintenancePlan) -> None:
    """An edited plan whose schedule changed regenerates: its untouched future inspections
    are withdrawn and its watermark moves back (see :func:`generation.replan`)."""
    if plan.id is None:
        return
    from plugins.maintenance.services import company_today, generation

    columns = [getattr(MaintenancePlan, f) for f in SCHEDULE_FIELDS]
    with session.no_autoflush:
        stored = session.execute(select(*columns).where(MaintenancePlan.id == plan.id)).one()
    contract_id = plan.contract.id if plan.contract is not None else plan.contract_id
    now = (plan.product_type, contract_id, plan.interval_count, plan.interval_unit, plan.starts_on)
    if tuple(stored) != now:
        generation.replan(session, plan, company_today(session))


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool | float):
        raise MaintenanceError(gettext("%(field)s: give a number as text", field=field), field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MaintenanceError(
            gettext("%(field)s: %(value)r is not a number", field=field, value=value), field
        ) from exc
    if not number.is_finite() or number != number.quantize(Decimal("0.0001")):
        raise MaintenanceError(gettext("%(field)s: at most 4 decimals", field=field), field)
    return number


def prepare_item(session: Session, item: PlanItem) -> PlanItem:
    """Check a checklist item: name required; the range's low end not above its high end."""
    item.name = (item.name or "").strip()
    if not item.name:
        raise MaintenanceError(gettext("%(field)s: is required", field=gettext("name")), "name")
    item.standard = (item.standard or "").strip()
    item.unit = (item.unit or "").strip()
    item.min_value = _decimal(item.min_value, "min_value")
    item.max_value = _decimal(item.max_value, "max_value")
    if (
        item.min_value is not None
        and item.max_value is not None
        and item.min_value > item.max_value
    ):
        raise MaintenanceError(gettext("max value: must not be below the min value"), "max_value")
    return item


def check_item_removable(session: Session, item: PlanItem) -> None:
    """Refuse (409) deleting a checklist item that inspections already copied: their results
    refer to it. Edit its name instead, or deactivate the plan."""
    used = session.scalar(
        select(InspectionResult.id).where(InspectionResult.plan_item_id == item.id).limit(1)
    )
    if used is not None:
        raise MaintenanceError(
            gettext(
                "checklist item: %(item)s is used by inspections and cannot be deleted",
                item=item.name,
            ),
            "plan_item",
            409,
        )


def create_plan(
    session: Session, *, items: list[dict[str, Any]] | None = None, **values: Any
) -> MaintenancePlan:
    """Create a plan with its checklist ``items`` (dicts of PlanItem fields), in order."""
    plan = MaintenancePlan(**values)
    with session.no_autoflush:
        prepare_plan(session, plan)
        for position, fields in enumerate(items or [], 1):
            item = PlanItem(position=position, **fields)
            prepare_item(session, item)
            plan.items.append(item)
    session.add(plan)
    session.flush()
    return plan


def add_results_from_plan(order: WorkOrder, plan: MaintenancePlan) -> None:
    """Empty result rows for each checklist item (copied, so later plan edits do not change
    past inspections)."""
    for item in plan.items:
        order.results.append(
            InspectionResult(
                plan_item_id=item.id,
                position=item.position,
                name=item.name,
                standard=item.standard,
                unit=item.unit,
                min_value=item.min_value,
                max_value=item.max_value,
            )
        )


def _in_range(result: InspectionResult, value: Decimal) -> bool:
    low, high = result.min_value, result.max_value
    return (low is None or value >= low) and (high is None or value <= high)


def record_result(
    session: Session,
    order: WorkOrder,
    result_id: Any,
    *,
    outcome: str | None = None,
    measured_value: Any = None,
    notes: str | None = None,
) -> InspectionResult:
    """Record one checklist item of an open inspection: pass, fail or not applicable, the
    measured value and notes. Without an outcome, a measured value decides it (inside the
    acceptable range: pass); a pass outside the range is refused."""
    _require_open_inspection(order)
    try:
        wanted = int(result_id)
    except (TypeError, ValueError):
        wanted = None
    result = next((r for r in order.results if r.id == wanted), None)
    if result is None:
        raise MaintenanceError(
            gettext("result_id: %(number)s has no such checklist item", number=order.number),
            "result_id",
            404,
        )
    value = _decimal(measured_value, "measured_value")
    outcome = (outcome or "").strip() or None
    if outcome is None:
        if value is None:
            raise MaintenanceError(
                gettext("outcome: give pass, fail or n/a, or a measured value"), "outcome"
            )
        outcome = PASS if _in_range(result, value) else FAIL
    if outcome not in OUTCOMES:
        raise MaintenanceError(
            gettext(
                "outcome: %(value)r is not one of %(choices)s",
                value=outcome,
                choices=", ".join(OUTCOMES),
            ),
            "outcome",
        )
    if outcome == PASS and value is not None and not _in_range(result, value):
        raise MaintenanceError(
            gettext(
                "measured value: %(value)s %(unit)s is outside the acceptable range of "
                "%(item)s; record it as failed",
                value=value,
                unit=result.unit or "",
                item=result.name,
            ),
            "measured_value",
        )
    result.outcome, result.measured_value = outcome, value
    result.notes = (notes or "").strip()
    session.flush()
    return result


def _require_open_inspection(order: WorkOrder) -> None:
    if order.kind != INSPECTION or order.state not in OPEN_STATES:
        raise MaintenanceError(
            gettext(
                "state: results are recorded on open inspections; %(number)s is a %(kind)s "
                "order, %(state)s",
                number=order.number,
                kind=order.kind,
                state=order.state,
            ),
            "state",
            409,
        )


MAX_FINDINGS = 4000


def record_findings(
    session: Session,
    order: WorkOrder,
    *,
    problems_found: str | None = None,
    risks: str | None = None,
) -> WorkOrder:
    """Record what the visit found (problems) and the risks it sees, for the inspection
    report; ``None`` keeps a text as it is. Open inspections only (409), at most 4000
    characters each (422)."""
    _require_open_inspection(order)
    for field, value in (("problems_found", problems_found), ("risks", risks)):
        if value is None:
            continue
        text = str(value).strip()
        if len(text) > MAX_FINDINGS:
            raise MaintenanceError(
                gettext("%(field)s: at most %(max)d characters", field=field, max=MAX_FINDINGS),
                field,
            )
        setattr(order, field, text)
    session.flush()
    return order


def raise_corrective(session: Session, order: WorkOrder, result_id: Any) -> WorkOrder:
    """Open a corrective order for a failed checklist item, once (409 otherwise)."""
    from plugins.maintenance.services import create_work_order

    result = next((r for r in order.results if str(r.id) == str(result_id)), None)
    if result is None:
        raise MaintenanceError(
            gettext("result_id: %(number)s has no such checklist item", number=order.number),
            "result_id",
            404,
        )
    if result.outcome != FAIL:
        raise MaintenanceError(
            gettext("result: only a failed item raises a corrective work order"), "outcome", 409
        )
    if result.corrective_order is not None:
        raise MaintenanceError(
            gettext(
                "result: %(item)s already raised %(number)s",
                item=result.name,
                number=result.corrective_order.number,
            ),
            "result_id",
            409,
        )
    measured = (
        f" ({result.measured_value.normalize():f} {result.unit or ''})".rstrip()
        if result.measured_value is not None
        else ""
    )
    symptom = gettext(
        "Inspection %(number)s: %(item)s failed%(measured)s. Standard: %(standard)s. %(notes)s",
        number=order.number,
        item=result.name,
        measured=measured,
        standard=result.standard or "-",
        notes=result.notes or "",
    ).strip()
    corrective = create_work_order(
        session,
        kind=CORRECTIVE,
        title=gettext("Failed inspection item: %(item)s", item=result.name)[:200],
        symptom=symptom,
        priority="P3",
        equipment_id=order.equipment_id,
        site_time_zone=order.site_time_zone,
    )
    result.corrective_order = corrective
    result.corrective_order_id = corrective.id
    session.flush()
    return corrective


def pending_items(order: WorkOrder) -> list[str]:
    """Names of the checklist items without a result yet."""
    return [r.name for r in order.results if r.outcome is None]


def interval(plan: MaintenancePlan) -> tuple[int, str]:
    """The plan's step as (count, unit)."""
    return plan.interval_count, plan.interval_unit


def step(anchor: datetime.date, plan: MaintenancePlan, k: int) -> datetime.date:
    """The ``k``-th due date from ``anchor`` (months counted from the anchor, so that 31
    January + 1 month is 28/29 February and + 2 months is 31 March, without drift)."""
    from plugins.contracts.services import add_months

    if plan.interval_unit == "months":
        return add_months(anchor, k * plan.interval_count)
    days = plan.interval_count * (7 if plan.interval_unit == "weeks" else 1)
    return anchor + datetime.timedelta(days=k * days)
