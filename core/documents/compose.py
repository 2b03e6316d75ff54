"""Collecting a document's sections from the plugins and giving it a title block."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.company.service import CompanySettings, current_company_settings
from core.contributions import DocumentSection
from core.timeutil import utcnow


class DocumentError(ValueError):
    """A document that cannot be composed as asked; ``field`` names the bad input."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Document:
    """A composed document, ready for the screen macro and :func:`core.documents.render_pdf`.

    ``name`` is the document kind (``"contracts.service_report"``), ``subject`` a one-line
    label of its record (``"CT-2026-00001 上海明远医疗设备有限公司"``), ``generated_at`` is in
    the company time zone. Every section's title, paragraphs, headers and cells are text.
    """

    name: str
    title: str
    subject: str
    company: CompanySettings
    generated_at: datetime.datetime
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    sections: tuple[DocumentSection, ...] = field(default_factory=tuple)

    @property
    def period_label(self) -> str:
        """``2026-01-01 – 2026-03-31``; an open end shows as ``…``; empty without a period."""
        if self.period_start is None and self.period_end is None:
            return ""
        start = self.period_start.isoformat() if self.period_start else "…"
        end = self.period_end.isoformat() if self.period_end else "…"
        return f"{start} – {end}"

    @property
    def generated_label(self) -> str:
        """The generation time as ``2026-11-27 15:34 CST`` (company time zone)."""
        return self.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO, every cell a string."""
        company = self.company
        return {
            "document": self.name,
            "title": self.title,
            "subject": self.subject,
            "company": {
                key: getattr(company, key)
                for key in ("name", "legal_name", "tax_id", "address", "phone", "email")
            },
            "period": {
                "start": self.period_start.isoformat() if self.period_start else None,
                "end": self.period_end.isoformat() if self.period_end else None,
            },
            "generated_at": self.generated_at.isoformat(),
            "sections": [
                {
                    "title": s.title,
                    "source": s.source,
                    "order": s.order,
                    "paragraphs": list(s.paragraphs),
                    "table": (
                        {"headers": list(s.table[0]), "rows": [list(r) for r in s.table[1]]}
                        if s.table
                        else None
                    ),
                }
                for s in self.sections
            ],
        }


def cell_text(value: Any) -> str:
    """How a value reads in a document: ``None`` empty, dates ISO, Decimals exact, booleans
    as yes/no in the current language, everything else ``str()`` (lazy strings translated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):  # never money here; keep the shortest exact repr
        return repr(value)
    return str(value)


def as_text(section: DocumentSection) -> DocumentSection:
    """``section`` with its title, paragraphs, headers and cells as plain strings."""
    table = None
    if section.table is not None:
        headers, rows = section.table
        table = ([cell_text(h) for h in headers], [[cell_text(c) for c in row] for row in rows])
    return replace(
        section,
        title=cell_text(section.title),
        paragraphs=tuple(cell_text(p) for p in section.paragraphs),
        table=table,
    )


def compose_document(
    session: Session,
    name: str,
    subject: Any,
    *,
    title: str,
    subject_label: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    extra_sections: Iterable[DocumentSection] = (),
    now: datetime.datetime | None = None,
) -> Document:
    """Compose document ``name`` about record ``subject`` for a period.

    Asks every enabled plugin for its sections (``aftersales_document_sections``), adds
    ``extra_sections`` (tagged ``"core"`` unless they name a source), sorts them by
    ``order`` and converts them to text. Refuses a period that ends before it starts
    (:class:`DocumentError` on ``period_end``). ``session`` is unused by core but passed
    on purpose: callers compose inside their request's transaction.
    """
    del session  # contributors use their own session access; kept for a stable signature
    if period_start and period_end and period_end < period_start:
        raise DocumentError(
            gettext(
                "period end: %(end)s is before the period start %(start)s",
                end=period_end.isoformat(),
                start=period_start.isoformat(),
            ),
            "period_end",
        )
    from core.runtime import hooks

    collected: list[DocumentSection] = list(
        hooks().document_sections(name, subject, period_start, period_end)
    )
    collected += [s if s.source else replace(s, source="core") for s in extra_sections]
    company = current_company_settings()
    moment = (now or utcnow()).astimezone(company.zone)
    return Document(
        name=name,
        title=cell_text(title),
        subject=cell_text(subject_label or subject),
        company=company,
        generated_at=moment,
        period_start=period_start,
        period_end=period_end,
        sections=tuple(as_text(s) for s in sorted(collected, key=lambda s: s.order)),
    )


def table_widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Relative column widths from the text lengths (CJK characters count double), each
    between 4 and 40 units, so short codes stay narrow and long text gets room."""

    def length(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = []
    for index, header in enumerate(headers):
        longest = max([length(header)] + [length(r[index]) for r in rows if index < len(r)])
        widths.append(float(min(max(longest, 4), 40)))
    return widths
