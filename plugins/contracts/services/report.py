"""The service report of a contract: sections of every enabled plugin for a period.

Contracts contributes the contract summary (parties, terms, service level), the covered
equipment, the entitlements with the quota used, and the contract's changes in the period
(state changes from the audit log; applied amendments and the versions they made). Other
plugins add their own sections (work orders, parts used...) by answering the
``aftersales_document_sections`` hook for :data:`SERVICE_REPORT`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.company.service import company_zone, current_company_settings
from core.contributions import DocumentSection
from core.documents import Document, DocumentError, compose_document
from core.money import minor_digits
from plugins.contracts import services
from plugins.contracts.models import (
    COVER_AMOUNT,
    COVER_COUNT,
    Contact,
    Contract,
    ContractEquipment,
    ContractVersion,
    Entitlement,
    EntitlementUsage,
    Equipment,
)
from plugins.contracts.services.labels import CHOICES, LABELS, STATE_LABELS

SERVICE_REPORT = "contracts.service_report"


def _label(choices: str, value: Any) -> str:
    return str(dict(CHOICES[choices]).get(value, value or ""))


def _state(value: str | None) -> str:
    return str(STATE_LABELS.get(value, value or ""))


def _money(value: Decimal | None, currency: str) -> Decimal | None:
    """``value`` with the currency's decimals (``20000`` CNY reads ``20000.00``)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-minor_digits(currency)))


def _field(name: str) -> str:
    return str(LABELS.get(name, name))


def default_period(contract: Contract, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period a report covers unless told otherwise: the contract year up to today
    (or the whole last contract year of an ended contract)."""
    on = min(max(today, contract.start_date), contract.end_date)
    start, end = services.contract_year(contract, on)
    return max(start, contract.start_date), min(end, contract.end_date, max(today, start))


def summary_section(session: Session, contract: Contract) -> DocumentSection:
    """Parties and terms as a two-column table."""
    customer = contract.customer
    company = current_company_settings()
    contacts = session.scalars(
        select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.id)
    ).all()
    level = contract.service_level
    targets = "; ".join(
        gettext(
            "%(priority)s: response %(response)sh, resolution %(resolution)sh",
            priority=t.priority,
            response=t.response_hours,
            resolution=t.resolution_hours,
        )
        for t in (level.targets if level else [])
    )
    dispute = _label("dispute_resolution", contract.dispute_resolution)
    rows = [
        (gettext("Service provider"), company.legal_name or company.name),
        (_field("customer"), customer.name),
        (_field("tax_id"), customer.tax_id or ""),
        (_field("address"), customer.address or ""),
        (
            gettext("Contacts"),
            "; ".join(
                " ".join(p for p in (c.name, c.phone or "", c.email or "") if p) for c in contacts
            ),
        ),
        (_field("number"), contract.number),
        (_field("title"), contract.title),
        (_field("state"), _state(contract.state)),
        (
            gettext("Term"),
            f"{contract.start_date.isoformat()} – {contract.end_date.isoformat()}",
        ),
        (
            _field("service_level"),
            (
                f"{level.name} ({level.calendar_code}, "
                f"{_label('service_mode', level.service_mode)})"
                if level
                else ""
            ),
        ),
        (gettext("Targets per priority"), targets),
        (_field("fee"), f"{contract.fee} {contract.currency}"),
        (_field("billing_cycle"), _label("billing_cycle", contract.billing_cycle)),
        (_field("payment_terms"), contract.payment_terms or ""),
        (
            _field("renewal"),
            gettext(
                "%(kind)s, %(months)s months; notice %(days)s days; cancel by %(date)s",
                kind=_label("renewal", contract.renewal),
                months=contract.renewal_months,
                days=contract.notice_days,
                date=contract.cancel_by.isoformat() if contract.cancel_by else "",
            ),
        ),
        (_field("confidentiality_clause"), contract.confidentiality_clause or ""),
        (_field("liability_clause"), contract.liability_clause or ""),
        (
            _field("dispute_resolution"),
            f"{dispute} {contract.dispute_venue or ''}".strip(),
        ),
    ]
    return DocumentSection(
        title=gettext("Contract summary"),
        order=10,
        table=([gettext("Item"), gettext("Details")], [list(r) for r in rows]),
    )


def equipment_section(session: Session, contract: Contract) -> DocumentSection:
    """The units the contract covers (one query)."""
    units = session.scalars(
        select(Equipment)
        .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
        .where(ContractEquipment.contract_id == contract.id)
        .order_by(Equipment.serial_number)
    ).all()
    headers = [
        _field("serial_number"),
        _field("product"),
        _field("product_type"),
        _field("site_address"),
        _field("installed_on"),
        _field("warranty_end"),
        _field("status"),
    ]
    rows = [
        [
            u.serial_number,
            f"{u.product.manufacturer} {u.product.model}",
            u.product.product_type,
            u.site_address or "",
            u.installed_on,
            u.warranty_end,
            _label("status", u.status),
        ]
        for u in units
    ]
    return DocumentSection(title=gettext("Covered equipment"), order=20, table=(headers, rows))


def _used(
    session: Session, entitlement: Entitlement, start: datetime.date, end: datetime.date
) -> tuple[Decimal, int]:
    amount_rows = session.scalars(
        select(EntitlementUsage.amount).where(
            EntitlementUsage.entitlement_id == entitlement.id,
            EntitlementUsage.used_on >= start,
            EntitlementUsage.used_on <= end,
        )
    ).all()
    count = session.scalar(
        select(func.coalesce(func.sum(EntitlementUsage.count), 0)).where(
            EntitlementUsage.entitlement_id == entitlement.id,
            EntitlementUsage.used_on >= start,
            EntitlementUsage.used_on <= end,
        )
    )
    return sum(amount_rows, Decimal("0.00")), int(count or 0)


def entitlement_section(
    session: Session, contract: Contract, start: datetime.date, end: datetime.date
) -> DocumentSection:
    """Each entitlement: what is free, the yearly quota, the quota used in the period and
    in the contract year that contains the period's end, and what remains of it."""
    year_start, year_end = services.contract_year(
        contract, min(max(end, contract.start_date), contract.end_date)
    )
    headers = [
        gettext("Kind of work"),
        _field("coverage"),
        gettext("Quota a year"),
        gettext("Used in the period"),
        gettext("Used in the contract year"),
        gettext("Remaining"),
        _field("discount_percent"),
    ]
    rows = []
    for ent in sorted(contract.entitlements, key=lambda e: e.kind):
        in_period = _used(session, ent, start, end)
        in_year = _used(session, ent, year_start, year_end)
        currency = contract.currency
        if ent.coverage == COVER_AMOUNT:
            quota: Any = f"{_money(ent.annual_amount, currency)} {currency}"
            used_period, used_year = (_money(in_period[0], currency), _money(in_year[0], currency))
            remaining: Any = _money(max(ent.annual_amount - in_year[0], Decimal(0)), currency)
        elif ent.coverage == COVER_COUNT:
            quota = ent.annual_count
            used_period, used_year = in_period[1], in_year[1]
            remaining = max((ent.annual_count or 0) - in_year[1], 0)
        else:
            quota, remaining = gettext("unlimited"), gettext("unlimited")
            used_period, used_year = in_period[1] or in_period[0], in_year[1] or in_year[0]
        rows.append(
            [
                _label("entitlement_kind", ent.kind),
                _label("coverage", ent.coverage),
                quota,
                used_period,
                used_year,
                remaining,
                ent.discount_percent,
            ]
        )
    return DocumentSection(
        title=gettext("Entitlements and quota used"),
        order=30,
        paragraphs=(
            gettext(
                "Contract year %(start)s – %(end)s.",
                start=year_start.isoformat(),
                end=year_end.isoformat(),
            ),
        ),
        table=(headers, rows),
    )


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    zone = company_zone()
    low = datetime.datetime.combine(start, datetime.time(0), tzinfo=zone)
    high = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    return low.astimezone(datetime.UTC), high.astimezone(datetime.UTC)


def state_changes(
    session: Session, contract: Contract, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.datetime, str, str, str, str]]:
    """``(at, who, from, to, note)`` for every state change of ``contract`` in the period
    (company-time days), read from the audit log, creation included."""
    low, high = _bounds(start, end)
    entries = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.table_name == Contract.__tablename__,
            AuditLog.record_id == str(contract.id),
            AuditLog.at >= low,
            AuditLog.at < high,
        )
        .order_by(AuditLog.at, AuditLog.id)
    ).all()
    zone = company_zone()
    found = []
    for entry in entries:
        changes = entry.changes or {}
        if entry.action == "create":
            old, new = "", changes.get("state", "")
        elif entry.action == "update" and "state" in changes:
            old, new = changes["state"]
        else:
            continue
        note = ""
        if new == "terminated":
            reason = changes.get("termination_reason")
            note = reason[1] if isinstance(reason, list) else (reason or "")
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=datetime.UTC)
        found.append((at.astimezone(zone), entry.username, old, new, note))
    return found


def changes_section(
    session: Session, contract: Contract, start: datetime.date, end: datetime.date
) -> DocumentSection:
    """State changes (audit log) and the versions applied amendments made, in the period."""
    headers = [gettext("When"), gettext("Change"), gettext("By"), gettext("Details")]
    zone = company_zone()
    rows: list[tuple[datetime.datetime, list[Any]]] = []
    for at, who, old, new, note in state_changes(session, contract, start, end):
        change = (
            gettext("Created as %(state)s", state=_state(new))
            if not old
            else gettext("%(old)s → %(new)s", old=_state(old), new=_state(new))
        )
        rows.append((at, [at.strftime("%Y-%m-%d %H:%M"), change, who, note]))
    versions = session.scalars(
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract.id)
        .order_by(ContractVersion.number)
    ).all()
    previous = None
    for version in versions:
        if start <= version.applied_on <= end:
            amendment = version.amendment
            if amendment is None:
                change = gettext("Version %(number)s (as activated)", number=version.number)
                details = ""
            else:
                change = gettext(
                    "Version %(number)s by amendment %(amendment)s",
                    number=version.number,
                    amendment=amendment.label,
                )
                changed = (
                    [
                        _field(row["field"])
                        for row in services.compare_versions(previous, version)
                        if row["changed"]
                    ]
                    if previous is not None
                    else []
                )
                details = "; ".join(
                    p
                    for p in (
                        amendment.reason or "",
                        gettext("changed: %(fields)s", fields=", ".join(changed))
                        if changed
                        else "",
                        gettext(
                            "signed %(date)s by %(customer)s and %(company)s",
                            date=amendment.signed_on.isoformat() if amendment.signed_on else "",
                            customer=amendment.customer_signer or "",
                            company=amendment.company_signer or "",
                        ),
                    )
                    if p
                )
            recorded = version.created_at
            if recorded.tzinfo is None:  # SQLite gives back naive UTC
                recorded = recorded.replace(tzinfo=datetime.UTC)
            rows.append((recorded, [version.applied_on.isoformat(), change, "", details]))
        previous = version
    rows.sort(key=lambda r: r[0].astimezone(zone))
    return DocumentSection(
        title=gettext("Changes in the period"), order=40, table=(headers, [r for _, r in rows])
    )


def contract_sections(
    session: Session, contract: Contract, start: datetime.date, end: datetime.date
) -> list[DocumentSection]:
    """Every section contracts contributes to a contract's service report."""
    return [
        summary_section(session, contract),
        equipment_section(session, contract),
        entitlement_section(session, contract, start, end),
        changes_section(session, contract, start, end),
    ]


def parse_period(
    contract: Contract, start_text: str | None, end_text: str | None
) -> tuple[datetime.date, datetime.date]:
    """The report period from ``YYYY-MM-DD`` texts (each may be empty: the default period's
    bound); 422 naming ``from``/``to`` when a text is not a date."""
    default_start, default_end = default_period(contract, services.company_today())
    bounds = []
    for text, name, default in (
        (start_text, "from", default_start),
        (end_text, "to", default_end),
    ):
        if not text:
            bounds.append(default)
            continue
        try:
            bounds.append(datetime.date.fromisoformat(text.strip()))
        except ValueError:
            raise DocumentError(
                gettext("%(field)s: %(value)r is not a date (YYYY-MM-DD)", field=name, value=text),
                name,
            ) from None
    return bounds[0], bounds[1]


def service_report(
    session: Session, contract: Contract, start: datetime.date, end: datetime.date
) -> Document:
    """The composed service report of ``contract`` for ``start``..``end`` (inclusive);
    :class:`core.documents.DocumentError` when the period ends before it starts."""
    if end < start:
        raise DocumentError(
            gettext(
                "to: %(end)s is before the period start %(start)s",
                end=end.isoformat(),
                start=start.isoformat(),
            ),
            "to",
        )
    return compose_document(
        session,
        SERVICE_REPORT,
        contract,
        title=gettext("Service report"),
        subject_label=f"{contract.number} {contract.title} · {contract.customer.name}",
        period_start=start,
        period_end=end,
    )


def document_sections(
    document: str,
    subject: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> list[DocumentSection]:
    """The hook answer: contracts' sections of a service report, ``[]`` for other documents."""
    if document != SERVICE_REPORT or not isinstance(subject, Contract):
        return []
    from core.extensions import db

    default_start, default_end = default_period(subject, services.company_today())
    return contract_sections(
        db.session, subject, period_start or default_start, period_end or default_end
    )
