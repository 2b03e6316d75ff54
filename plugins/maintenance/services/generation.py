"""Generating inspection work orders from preventive maintenance plans.

For every unit a plan covers (a unit of its product type, or of its contract, under a
contract in force), inspections fall on ``anchor + k x interval`` (k = 1, 2...), where the
anchor is the later of the contract's start and the plan's start, and only inside the
contract term. Each run generates the due dates from the plan's watermark
(``generated_until``; on the first run, today) up to today + horizon, then moves the
watermark: after downtime the next run catches up on the missed dates.

Idempotent and crash-safe: the database holds one order per (unit, plan, due date)
(``uq_maintenance_wo_due``); a run skips the ones that exist and commits in batches; the
watermark moves only when a plan is complete, so a run that died half-way is finished by
the next one, without duplicates or gaps.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.timeutil import utcnow
from plugins.contracts.models import (
    COVERING,
    SCRAPPED,
    Contract,
    ContractEquipment,
    Equipment,
    Product,
    ServiceLevel,
)
from plugins.maintenance.models import INSPECTION, MaintenancePlan, WorkOrder
from plugins.maintenance.services import plans, sla

DEFAULT_BATCH = 200


@dataclass(frozen=True)
class PlannedInspection:
    """An inspection a run would create."""

    equipment_id: int
    serial: str
    contract_id: int
    contract_number: str
    due_date: datetime.date


@dataclass(frozen=True)
class GenerationResult:
    """What a run did for one plan."""

    plan_id: int
    created: int
    existing: int
    window: tuple[datetime.date, datetime.date]


def window(plan: MaintenancePlan, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The due dates the next run covers: from the day after the watermark (first run:
    today) to today + horizon."""
    start = plan.generated_until + datetime.timedelta(days=1) if plan.generated_until else today
    return start, today + datetime.timedelta(days=plan.horizon_days)


def covered_units(
    session: Session, plan: MaintenancePlan, contract_id: int | None = None
) -> list[tuple[Equipment, Contract]]:
    """The units the plan covers with the contracts in force that cover them (one query);
    only those of contract ``contract_id`` when given."""
    query = (
        select(Equipment, Contract)
        .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
        .join(Contract, Contract.id == ContractEquipment.contract_id)
        .where(Contract.state.in_(COVERING), Equipment.status != SCRAPPED)
    )
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
    if plan.contract_id is not None:
        query = query.where(Contract.id == plan.contract_id)
    else:
        query = query.join(Product, Product.id == Equipment.product_id).where(
            Product.product_type == plan.product_type
        )
    return [(row[0], row[1]) for row in session.execute(query.order_by(Equipment.id, Contract.id))]


def due_dates(
    plan: MaintenancePlan, contract: Contract, start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """The plan's due dates for a unit under ``contract`` between ``start`` and ``end``,
    inside the contract term."""
    anchor = max(contract.start_date, plan.starts_on or contract.start_date)
    first, last = max(start, contract.start_date), min(end, contract.end_date)
    found: list[datetime.date] = []
    k = 1
    while (day := plans.step(anchor, plan, k)) <= last:
        if day >= first:
            found.append(day)
        k += 1
    return found


def _existing(
    session: Session, plan: MaintenancePlan, start: datetime.date, end: datetime.date
) -> set[tuple[int, datetime.date]]:
    rows = session.execute(
        select(WorkOrder.equipment_id, WorkOrder.due_date).where(
            WorkOrder.plan_id == plan.id,
            WorkOrder.due_date >= start,
            WorkOrder.due_date <= end,
        )
    )
    return {(r[0], r[1]) for r in rows}


def preview(
    session: Session, plan: MaintenancePlan, today: datetime.date
) -> tuple[list[PlannedInspection], int]:
    """What the next run would create (not yet existing), in due-date order, and how many
    of its window's inspections exist already."""
    start, end = window(plan, today)
    existing = _existing(session, plan, start, end)
    wanted: list[PlannedInspection] = []
    seen = 0
    for unit, contract in covered_units(session, plan):
        for day in due_dates(plan, contract, start, end):
            if (unit.id, day) in existing:
                seen += 1
                continue
            wanted.append(
                PlannedInspection(unit.id, unit.serial_number, contract.id, contract.number, day)
            )
    wanted.sort(key=lambda p: (p.due_date, p.equipment_id))
    return wanted, seen


def create_inspection(
    session: Session, plan: MaintenancePlan, planned: PlannedInspection
) -> WorkOrder:
    """Add one inspection order with its checklist to the session, checked and numbered
    (:func:`~plugins.maintenance.services.prepare_work_order`: WO number, coverage, first
    timeline step), not yet flushed: the caller flushes a batch at once."""
    from plugins.maintenance.services import prepare_work_order

    order = WorkOrder(
        kind=INSPECTION,
        title=f"{plan.name} {planned.due_date.isoformat()}"[:200],
        symptom=gettext(
            "Preventive inspection: %(count)d checklist items, about %(minutes)d minutes",
            count=len(plan.items),
            minutes=plan.duration_minutes,
        ),
        priority="P4",
        equipment_id=planned.equipment_id,
        plan_id=plan.id,
        due_date=planned.due_date,
    )
    with session.no_autoflush:
        prepare_work_order(session, order)
        plans.add_results_from_plan(order, plan)
    session.add(order)
    return order


def _flag_breaches(session: Session, orders: list[WorkOrder]) -> None:
    # As services.create_work_order does after its flush (inspections have no deadlines,
    # so this normally flags nothing and runs no statement).
    now = utcnow()
    for order in orders:
        sla.flag_breaches(session, order, now)


def _create_one(session: Session, plan: MaintenancePlan, planned: PlannedInspection) -> bool:
    """One inspection in its own savepoint; ``False`` when it exists already (another run
    made it meanwhile: the unique constraint answers, and its WO number is given back)."""
    try:
        with session.begin_nested():
            order = create_inspection(session, plan, planned)
            session.flush()
            _flag_breaches(session, [order])
            session.flush()
    except IntegrityError:
        return False
    return True


def _load_batch_terms(session: Session, batch: list[PlannedInspection]) -> list[object]:
    """Load once per batch the units (with their product) and the contracts (with their
    service level, its targets and the entitlements) that the coverage check of each order
    reads. The caller keeps the returned list: held, the objects stay in the session's
    identity map, so the coverage engine finds them there instead of loading them again
    for every order (the answers are the same: nothing changes them during a batch)."""
    units = session.scalars(
        select(Equipment)
        .where(Equipment.id.in_(sorted({p.equipment_id for p in batch})))
        .options(selectinload(Equipment.product))
    ).all()
    contracts = session.scalars(
        select(Contract)
        .where(Contract.id.in_(sorted({p.contract_id for p in batch})))
        .options(
            selectinload(Contract.service_level).selectinload(ServiceLevel.targets),
            selectinload(Contract.entitlements),
        )
    ).all()
    return [*units, *contracts]


def create_batch(session: Session, plan: MaintenancePlan, batch: list[PlannedInspection]) -> int:
    """Create the inspections of ``batch`` with one flush (bulk inserts of orders, checklist
    results and timeline steps; the audit log and the unique constraint still apply), in a
    savepoint; returns how many were created. When another run made some of them meanwhile
    the savepoint is rolled back (WO numbers given back) and the batch is created one by one,
    skipping those that exist."""
    if not batch:
        return 0
    held = _load_batch_terms(session, batch)
    try:
        with session.begin_nested(), session.no_autoflush:
            orders = [create_inspection(session, plan, item) for item in batch]
            session.flush()
            _flag_breaches(session, orders)
            session.flush()
    except IntegrityError:
        return sum(_create_one(session, plan, item) for item in batch)
    del held  # kept alive up to here on purpose (see _load_batch_terms)
    return len(orders)


def generate(
    session: Session,
    plan: MaintenancePlan,
    today: datetime.date,
    *,
    batch_size: int = DEFAULT_BATCH,
    commit: Callable[[], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Create the inspections of ``plan``'s window, then move its watermark.

    Works in batches of ``batch_size`` orders (one flush each); ``commit`` (the job's) is
    called after every batch and at the end; ``progress(done, total)`` after each batch.
    """
    start, end = window(plan, today)
    planned, existing = preview(session, plan, today)
    created = 0
    for first in range(0, len(planned), batch_size):
        batch = planned[first : first + batch_size]
        made = create_batch(session, plan, batch)
        created += made
        existing += len(batch) - made
        if progress is not None:
            progress(first + len(batch), len(planned))
        if commit is not None:
            commit()
    plan.generated_until = end
    session.flush()
    if commit is not None:
        commit()
    return GenerationResult(plan.id, created, existing, (start, end))


def generate_all(
    session: Session,
    today: datetime.date,
    *,
    batch_size: int = DEFAULT_BATCH,
    commit: Callable[[], None] | None = None,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> list[GenerationResult]:
    """Run :func:`generate` for every active plan, in id order."""
    results = []
    active = session.scalars(
        select(MaintenancePlan).where(MaintenancePlan.active.is_(True)).order_by(MaintenancePlan.id)
    ).all()
    for plan in active:

        def report(done: int, total: int, plan: MaintenancePlan = plan) -> None:
            if progress is not None:
                progress(done, total, plan.name)

        results.append(
            generate(session, plan, today, batch_size=batch_size, commit=commit, progress=report)
        )
    return results


def withdraw_untouched(
    session: Session,
    after: datetime.date,
    *,
    plan_id: int | None = None,
    contract_id: int | None = None,
) -> int:
    """Delete the generated inspections due after ``after`` that nobody touched yet (new,
    unassigned, no result recorded) of a plan or a contract; returns how many. Orders
    already assigned or worked on stay: a person decides about them."""
    query = select(WorkOrder).where(
        WorkOrder.kind == INSPECTION,
        WorkOrder.plan_id.is_not(None),
        WorkOrder.state == "new",
        WorkOrder.technician_id.is_(None),
        WorkOrder.due_date > after,
    )
    if plan_id is not None:
        query = query.where(WorkOrder.plan_id == plan_id)
    if contract_id is not None:
        query = query.where(WorkOrder.contract_id == contract_id)
    removed = 0
    for order in session.scalars(query):
        if any(r.outcome is not None for r in order.results):
            continue
        session.delete(order)
        removed += 1
    session.flush()
    return removed


def replan(session: Session, plan: MaintenancePlan, today: datetime.date) -> int:
    """The plan's schedule changed: withdraw its untouched future inspections and move the
    watermark back to yesterday, so that the next run generates the new schedule."""
    removed = withdraw_untouched(session, today, plan_id=plan.id)
    if plan.generated_until is not None:
        plan.generated_until = min(plan.generated_until, today - datetime.timedelta(days=1))
    session.flush()
    return removed


def contract_ended(session: Session, contract_id: int, today: datetime.date) -> int:
    """A contract was terminated: its untouched inspections after today go (generation
    skips contracts that are no longer in force)."""
    return withdraw_untouched(session, today, contract_id=contract_id)


@dataclass(frozen=True)
class Regeneration:
    """What regenerating a contract's inspections did."""

    contract_id: int
    withdrawn: int
    created: int


def regenerate_contract(session: Session, contract_id: int, today: datetime.date) -> Regeneration:
    """A contract was amended (term, units...): withdraw its untouched inspections due after
    today, then create again, for its units only, the inspections every active plan has
    already generated up to its watermark, under the amended terms. Inspections someone
    assigned or worked on stay; plans never generated are left to their first run. Units
    the amendment removed get nothing; units it added get their inspections at once."""
    withdrawn = withdraw_untouched(session, today, contract_id=contract_id)
    created = 0
    active = session.scalars(
        select(MaintenancePlan)
        .where(MaintenancePlan.active.is_(True), MaintenancePlan.generated_until.is_not(None))
        .order_by(MaintenancePlan.id)
    ).all()
    start = today + datetime.timedelta(days=1)
    for plan in active:
        if plan.generated_until < start:
            continue
        existing = _existing(session, plan, start, plan.generated_until)
        wanted = [
            PlannedInspection(unit.id, unit.serial_number, contract.id, contract.number, day)
            for unit, contract in covered_units(session, plan, contract_id)
            for day in due_dates(plan, contract, start, plan.generated_until)
            if (unit.id, day) not in existing
        ]
        for first in range(0, len(wanted), DEFAULT_BATCH):
            created += create_batch(session, plan, wanted[first : first + DEFAULT_BATCH])
    session.flush()
    return Regeneration(contract_id, withdrawn, created)
