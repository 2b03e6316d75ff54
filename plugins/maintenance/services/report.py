"""Documents of maintenance: the inspection report of a visit, and maintenance's sections of
a contract's service report. Both are composed by :mod:`core.documents` (screen and PDF).

The inspection report lists the visit (unit, contract, plan, technician, times), the result
of every checklist item, the problems found (failed items with the corrective orders they
raised, plus what the technician wrote) and the risks.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.contributions import DocumentSection
from core.documents import Document, compose_document
from core.extensions import db
from core.visibility import visible_only
from plugins.contracts.models import Contract
from plugins.contracts.services import default_period
from plugins.maintenance.models import FAIL, INSPECTION, WorkOrder
from plugins.maintenance.services import kpis, sla
from plugins.maintenance.services.errors import MaintenanceError

INSPECTION_REPORT = "maintenance.inspection_report"
SERVICE_REPORT = "contracts.service_report"  # the contracts document maintenance adds to


def _labels() -> tuple[dict, dict, dict]:
    from plugins.maintenance.views.common import LABELS, OUTCOME_LABELS, STATE_LABELS

    return LABELS, OUTCOME_LABELS, STATE_LABELS


def _plain(value: Any) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _local(value: datetime.datetime | None) -> str:
    from plugins.maintenance.views.common import local_time

    return local_time(value)


def _measured(result: Any) -> str:
    """The measured value with its unit (``0`` shows too); empty when none was measured."""
    if result.measured_value is None:
        return ""
    return f"{_plain(result.measured_value)} {result.unit or ''}".strip()


def _range(result: Any) -> str:
    if result.min_value is None and result.max_value is None:
        return ""
    low = _plain(result.min_value) or "…"
    high = _plain(result.max_value) or "…"
    return f"{low} – {high} {result.unit or ''}".strip()


def visit_section(order: WorkOrder) -> DocumentSection:
    """The visit: unit, customer, contract, plan, technician, times and labour."""
    labels, _, states = _labels()
    unit = order.equipment
    product = unit.product
    rows = [
        (labels["number"], order.number),
        (labels["state"], states.get(order.state, order.state)),
        (labels["equipment"], f"{unit.serial_number} · {product.manufacturer} {product.model}"),
        (gettext("Customer"), unit.customer.name if unit.customer else ""),
        (gettext("Site"), unit.site_address or ""),
        (labels["contract"], order.contract.number if order.contract else ""),
        (labels["coverage_note"], order.coverage_note or ""),
        (labels["plan"], order.plan.name if order.plan else ""),
        (labels["due_date"], order.due_date),
        (labels["technician"], order.technician.name if order.technician else ""),
        (labels["responded_at"], _local(order.responded_at)),
        (labels["resolved_at"], _local(order.resolved_at)),
        (labels["labour_minutes"], order.labour_minutes or ""),
        (labels["confirmed_by"], order.confirmed_by or ""),
    ]
    return DocumentSection(
        title=gettext("Visit"),
        order=10,
        table=([gettext("Item"), gettext("Details")], [list(r) for r in rows]),
    )


def results_section(order: WorkOrder) -> DocumentSection:
    """One row per checklist item: standard, acceptable range, measured value, outcome."""
    labels, outcomes, _ = _labels()
    headers = [
        labels["position"],
        gettext("Checklist item"),
        labels["standard"],
        gettext("Acceptable range"),
        labels["measured_value"],
        labels["outcome"],
        labels["notes"],
    ]
    rows = [
        [
            r.position,
            r.name,
            r.standard or "",
            _range(r),
            _measured(r),
            outcomes.get(r.outcome, gettext("not recorded"))
            if r.outcome
            else gettext("not recorded"),
            r.notes or "",
        ]
        for r in order.results
    ]
    counts = {key: sum(1 for r in order.results if r.outcome == key) for key in outcomes}
    summary = gettext(
        "%(total)d items: %(passed)d passed, %(failed)d failed, %(na)d not applicable, "
        "%(open)d not recorded.",
        total=len(order.results),
        passed=counts.get("pass", 0),
        failed=counts.get("fail", 0),
        na=counts.get("n_a", 0),
        open=sum(1 for r in order.results if r.outcome is None),
    )
    return DocumentSection(
        title=gettext("Checklist results"), order=20, paragraphs=(summary,), table=(headers, rows)
    )


def problems_section(order: WorkOrder) -> DocumentSection:
    """Failed items with the corrective orders they raised, then the technician's notes."""
    labels, _, states = _labels()
    failed = [r for r in order.results if r.outcome == FAIL]
    rows = [
        [
            r.name,
            _measured(r),
            r.notes or "",
            r.corrective_order.number if r.corrective_order else gettext("none raised"),
            states.get(r.corrective_order.state, "") if r.corrective_order else "",
        ]
        for r in failed
    ]
    paragraphs = [order.problems_found] if order.problems_found else []
    if not failed and not paragraphs:
        paragraphs.append(gettext("No problems found."))
    headers = [
        gettext("Checklist item"),
        labels["measured_value"],
        labels["notes"],
        labels["corrective_order"],
        labels["state"],
    ]
    return DocumentSection(
        title=gettext("Problems found"),
        order=30,
        paragraphs=tuple(paragraphs),
        table=(headers, rows) if rows else None,
    )


def risks_section(order: WorkOrder) -> DocumentSection:
    """The risks the technician recorded, and failed items left without a corrective order."""
    paragraphs = [order.risks] if order.risks else []
    unattended = [r.name for r in order.results if r.outcome == FAIL and r.corrective_order is None]
    if unattended:
        paragraphs.append(
            gettext(
                "Failed items without a corrective order: %(items)s.",
                items=", ".join(unattended),
            )
        )
    if not paragraphs:
        paragraphs.append(gettext("No risks recorded."))
    return DocumentSection(title=gettext("Risks"), order=40, paragraphs=tuple(paragraphs))


def inspection_sections(order: WorkOrder) -> list[DocumentSection]:
    """Every section maintenance contributes to an inspection report."""
    return [
        visit_section(order),
        results_section(order),
        problems_section(order),
        risks_section(order),
    ]


def inspection_report(session: Session, order: WorkOrder) -> Document:
    """The composed inspection report of visit ``order``; 409 (field ``kind``) for an
    order that is not an inspection."""
    if order.kind != INSPECTION:
        raise MaintenanceError(
            gettext(
                "kind: %(number)s is not an inspection; only inspections have a report",
                number=order.number,
            ),
            "kind",
            409,
        )
    unit = order.equipment
    day = order.due_date or sla.as_utc(order.opened_at).date()
    return compose_document(
        session,
        INSPECTION_REPORT,
        order,
        title=gettext("Inspection report"),
        subject_label=f"{order.number} · {unit.serial_number} · "
        f"{unit.customer.name if unit.customer else ''}".rstrip(" ·"),
        period_start=day,
        period_end=day,
    )


MAX_ORDER_ROWS = 200


def _deadline(due: Any, done_at: Any, breached: bool) -> str:
    if due is None:
        return ""
    if breached:
        return gettext("missed")
    return gettext("met") if done_at is not None else gettext("running")


def _met(met: int, decided: int, percent: Any) -> str:
    if not decided:
        return gettext("none decided")
    return gettext(
        "%(met)d of %(decided)d (%(percent)s%%)", met=met, decided=decided, percent=percent
    )


def service_report_sections(
    session: Session, contract: Any, start: datetime.date, end: datetime.date
) -> list[DocumentSection]:
    """Maintenance's part of a contract's service report: visits planned and done, work
    orders opened and closed, SLA compliance, and the corrective orders of the period."""
    from plugins.maintenance.services import company_today

    figures = kpis.period_figures(
        session, start, end, company_today(session), contract_id=contract.id
    )
    c = figures.compliance
    rows = [
        (gettext("Inspection visits planned"), figures.visits_planned),
        (gettext("Inspection visits done"), figures.visits_done),
        (gettext("Inspection visits overdue"), figures.visits_overdue),
        (gettext("Corrective work orders opened"), figures.orders_opened),
        (gettext("Corrective work orders finished"), figures.orders_finished),
        (gettext("Corrective work orders closed"), figures.orders_closed),
        (
            gettext("Response deadlines met"),
            _met(c.response_met, c.response_decided, c.response_percent),
        ),
        (
            gettext("Resolution deadlines met"),
            _met(c.resolution_met, c.resolution_decided, c.resolution_percent),
        ),
    ]
    summary = DocumentSection(
        title=gettext("Maintenance"),
        order=50,
        table=([gettext("Item"), gettext("Details")], [list(r) for r in rows]),
    )
    labels, _, states = _labels()
    low, high = kpis.day_bounds(start, end)
    # The figures above are the contract's; the orders listed are those the reader may see.
    listed = visible_only(
        select(WorkOrder)
        .options(joinedload(WorkOrder.equipment))
        .where(
            WorkOrder.contract_id == contract.id,
            WorkOrder.kind == "corrective",
            WorkOrder.opened_at >= low,
            WorkOrder.opened_at < high,
        ),
        WorkOrder,
    )
    orders = session.scalars(
        listed.order_by(WorkOrder.opened_at, WorkOrder.id).limit(MAX_ORDER_ROWS + 1)
    ).all()
    headers = [
        labels["number"],
        labels["opened_at"],
        labels["equipment"],
        labels["priority"],
        labels["state"],
        gettext("Response"),
        gettext("Resolution"),
    ]
    table_rows = [
        [
            o.number,
            _local(o.opened_at),
            o.equipment.serial_number,
            o.priority,
            states.get(o.state, o.state),
            _deadline(o.response_due, o.responded_at, o.response_breached),
            _deadline(o.resolution_due, o.resolved_at, o.resolution_breached),
        ]
        for o in orders[:MAX_ORDER_ROWS]
    ]
    paragraphs = (
        (gettext("The first %(count)d work orders are listed.", count=MAX_ORDER_ROWS),)
        if len(orders) > MAX_ORDER_ROWS
        else ()
    )
    listing = DocumentSection(
        title=gettext("Corrective work orders in the period"),
        order=55,
        paragraphs=paragraphs,
        table=(headers, table_rows),
    )
    return [summary, listing]


def document_sections(
    document: str,
    subject: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> list[DocumentSection]:
    """The hook answer: the inspection report's sections, maintenance's part of a contract's
    service report; ``[]`` for other documents."""
    if document == INSPECTION_REPORT and isinstance(subject, WorkOrder):
        return inspection_sections(subject)
    if document == SERVICE_REPORT and isinstance(subject, Contract):
        from plugins.maintenance.services import company_today

        default_start, default_end = default_period(subject, company_today())
        return service_report_sections(
            db.session, subject, period_start or default_start, period_end or default_end
        )
    return []
