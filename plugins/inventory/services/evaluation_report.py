"""The stock evaluation as tables and a PDF document: status labels, the part table, the
document's sections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from plugins.inventory.services.common import fmt_quantity
from plugins.inventory.services.evaluation import SLOW_DAYS, Evaluation

# --- presentation -----------------------------------------------------------------------------


def _q(value: Decimal | None) -> str:
    return "" if value is None else fmt_quantity(value)


def status_labels() -> dict[str, str]:
    """The part statuses in the current language."""
    return {
        "normal": gettext("Normal"),
        "slow": gettext("Slow-moving"),
        "dead": gettext("Dead stock"),
        "none": gettext("No stock"),
    }


def part_table(report: Evaluation) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the per-part figures (the XLSX download and the report)."""
    labels = status_labels()
    headers = [
        gettext("SKU"),
        gettext("Part"),
        gettext("Unit"),
        gettext("Opening"),
        gettext("Closing"),
        gettext("Average stock"),
        gettext("Consumed"),
        gettext("Consumed value"),
        gettext("Turnover"),
        gettext("Days of cover"),
        gettext("Stock-outs"),
        gettext("Days at zero"),
        gettext("Status"),
    ]
    rows = [
        [
            p.sku,
            p.name,
            p.unit,
            _q(p.opening),
            _q(p.closing),
            _q(p.average_stock),
            _q(p.consumed),
            p.consumed_value,
            "" if p.turnover is None else p.turnover,
            "" if p.days_of_cover is None else p.days_of_cover,
            p.stockouts,
            p.days_out if (p.stockouts or p.days_out) else "",
            labels[p.status],
        ]
        for p in report.parts
    ]
    return headers, rows


def sections(report: Evaluation) -> list[Any]:
    """The report as document sections (screen and PDF)."""
    from core.contributions import DocumentSection
    from core.money import format_money

    turnover = report.turnover
    summary = [
        gettext(
            "Consumed: %(value)s over %(days)d days. Average stock value: %(stock)s. "
            "Turnover: %(turnover)s.",
            value=format_money(report.consumed_value),
            days=report.days,
            stock=format_money(report.average_stock_value),
            turnover="-" if turnover is None else turnover,
        ),
        gettext(
            "Dead stock: %(dead)d part(s); slow-moving: %(slow)d; ran out: %(out)d.",
            dead=len(report.with_status("dead")),
            slow=len(report.with_status("slow")),
            out=len(report.stockouts),
        ),
    ]
    headers, rows = part_table(report)
    # On the page and in the PDF: without unit and stock-out columns (their own section).
    keep = [0, 1, 3, 4, 5, 6, 7, 8, 9, 12]
    headers = [headers[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    idle_headers = [
        gettext("SKU"),
        gettext("Part"),
        gettext("Closing"),
        gettext("Closing value"),
        gettext("Days of cover"),
    ]
    out_headers = [
        gettext("SKU"),
        gettext("Part"),
        gettext("Stock-outs"),
        gettext("Days at zero"),
        gettext("Consumed"),
    ]
    change_headers = [
        gettext("SKU"),
        gettext("Location"),
        gettext("Daily usage"),
        gettext("Minimum"),
        gettext("Maximum"),
        gettext("Suggested minimum"),
        gettext("Suggested maximum"),
        gettext("Why"),
    ]
    return [
        DocumentSection(gettext("Summary"), order=10, paragraphs=summary),
        DocumentSection(gettext("Consumption and turnover"), order=20, table=(headers, rows)),
        DocumentSection(
            gettext("Dead and slow-moving stock"),
            order=30,
            paragraphs=[
                gettext(
                    "Dead: in stock at the start and at the end, no consumption in the "
                    "period. Slow-moving: more than %(days)d days of cover.",
                    days=SLOW_DAYS,
                )
            ],
            table=(
                idle_headers,
                [
                    [
                        p.sku,
                        p.name,
                        _q(p.closing),
                        format_money(p.closing_value),
                        "" if p.days_of_cover is None else p.days_of_cover,
                    ]
                    for p in report.parts
                    if p.status in ("dead", "slow")
                ],
            ),
        ),
        DocumentSection(
            gettext("Stock-outs"),
            order=40,
            table=(
                out_headers,
                [
                    [p.sku, p.name, p.stockouts, p.days_out, _q(p.consumed)]
                    for p in report.stockouts
                ],
            ),
        ),
        DocumentSection(
            gettext("Suggested changes to the reorder rules"),
            order=50,
            table=(
                change_headers,
                [
                    [
                        s.sku,
                        s.location,
                        _q(s.daily_usage),
                        _q(s.min_quantity),
                        _q(s.max_quantity),
                        _q(s.suggested_min),
                        _q(s.suggested_max),
                        s.reason,
                    ]
                    for s in report.suggestions
                ],
            ),
        ),
    ]


def document(session: Session, report: Evaluation) -> Any:
    """The report as a composed document (``inventory.evaluation``; other plugins may add
    sections through ``aftersales_document_sections``)."""
    from core.documents import compose_document

    return compose_document(
        session,
        "inventory.evaluation",
        report,
        title=gettext("Stock evaluation"),
        subject_label=gettext("Spare parts"),
        period_start=report.start,
        period_end=report.end,
        extra_sections=sections(report),
    )
