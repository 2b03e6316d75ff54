"""Contract versions: the snapshot of a contract's terms stored at activation and at each
applied amendment, lookup by number and the field-by-field comparison of two versions.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractRange,
    ContractVersion,
    Equipment,
    ServiceLevel,
)
from plugins.contracts.services.common import CLAUSE_TERMS, RENEWAL_TERMS
from plugins.contracts.services.errors import ContractError


def contract_terms(session: Session, contract: Contract) -> dict[str, Any]:
    """A JSON-ready snapshot of ``contract``'s terms and covered units (one version)."""
    units = session.execute(
        select(Equipment.id, Equipment.serial_number)
        .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
        .where(ContractEquipment.contract_id == contract.id)
        .order_by(Equipment.serial_number, Equipment.id)
    ).all()
    level = (
        session.get(ServiceLevel, contract.service_level_id) if contract.service_level_id else None
    )
    return {
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "service_level": contract.service_level_id,
        "service_level_name": level.name if level else None,
        "fee": str(contract.fee),
        "currency": contract.currency,
        "billing_cycle": contract.billing_cycle,
        "payment_terms": contract.payment_terms or "",
        "renewal": contract.renewal,
        "renewal_months": contract.renewal_months,
        "notice_days": contract.notice_days,
        "cancel_by": contract.cancel_by.isoformat() if contract.cancel_by else None,
        "confidentiality_clause": contract.confidentiality_clause or "",
        "liability_clause": contract.liability_clause or "",
        "dispute_resolution": contract.dispute_resolution,
        "dispute_venue": contract.dispute_venue or "",
        "equipment": [{"id": uid, "serial": serial} for uid, serial in units],
        "ranges": [
            str(r)
            for r in session.scalars(
                select(ContractRange)
                .where(ContractRange.contract_id == contract.id)
                .order_by(ContractRange.id)
            )
        ],
    }


def record_version(
    session: Session,
    contract: Contract,
    applied_on: datetime.date,
    amendment: ContractAmendment | None = None,
) -> ContractVersion:
    """Store the next version of ``contract`` (its current terms); returns it flushed."""
    last = session.scalar(
        select(func.max(ContractVersion.number)).where(ContractVersion.contract_id == contract.id)
    )
    version = ContractVersion(
        contract_id=contract.id,
        number=(last or 0) + 1,
        terms=contract_terms(session, contract),
        applied_on=applied_on,
        amendment_id=amendment.id if amendment is not None else None,
    )
    session.add(version)
    session.flush()
    return version


def get_version(session: Session, contract: Contract, number: Any, field: str) -> ContractVersion:
    """Version ``number`` of ``contract``; 404 naming ``field`` when there is none."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise ContractError(
            gettext("%(field)s: %(value)r is not a version number", field=field, value=number),
            field,
        ) from None
    version = session.scalar(
        select(ContractVersion).where(
            ContractVersion.contract_id == contract.id, ContractVersion.number == wanted
        )
    )
    if version is None:
        raise ContractError(
            gettext(
                "%(field)s: contract %(number)s has no version %(version)s",
                field=field,
                number=contract.number,
                version=wanted,
            ),
            field,
            404,
        )
    return version


# The fields a comparison lists, in order (the snapshot's own keys).
COMPARED_TERMS = [
    "start_date",
    "end_date",
    "cancel_by",
    "service_level_name",
    "fee",
    "currency",
    *RENEWAL_TERMS,
    *CLAUSE_TERMS,
    "equipment",
    "ranges",
]


def compare_versions(before: ContractVersion, after: ContractVersion) -> list[dict[str, Any]]:
    """Field by field: ``{"field", "before", "after", "changed"}`` for every compared term;
    covered units are lists of serial numbers, with ``added`` and ``removed``."""
    rows: list[dict[str, Any]] = []
    for term in COMPARED_TERMS:
        old, new = before.terms.get(term), after.terms.get(term)
        row: dict[str, Any] = {"field": term}
        if term == "equipment":
            old_serials = [u["serial"] for u in old or []]
            new_serials = [u["serial"] for u in new or []]
            row.update(
                before=old_serials,
                after=new_serials,
                added=[s for s in new_serials if s not in old_serials],
                removed=[s for s in old_serials if s not in new_serials],
                changed=old_serials != new_serials,
            )
        else:
            row.update(before=old, after=new, changed=old != new)
        rows.append(row)
    return rows
