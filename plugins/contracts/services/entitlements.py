"""Entitlement lines of a contract (labour, parts, visits: all free, up to an amount, a
number of times or a list of parts, with a discount) and the part numbers a list covers.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.records import is_taken
from plugins.contracts.models import (
    COVER_ALL,
    COVER_AMOUNT,
    COVER_COUNT,
    COVER_LIST,
    COVERAGES,
    ENTITLEMENT_KINDS,
    PARTS,
    Contract,
    Entitlement,
    EntitlementPart,
)
from plugins.contracts.services.common import checked_option, required_text, strip_fields
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.terms import require_editable

_MAX_DISCOUNT = Decimal("100")


def prepare_entitlement(session: Session, entitlement: Entitlement) -> Entitlement:
    """Check an entitlement line: kind, coverage and its quota, a discount of 0-100 %."""
    contract = entitlement.contract or (
        session.get(Contract, entitlement.contract_id) if entitlement.contract_id else None
    )
    if contract is None:
        raise ContractError(gettext("contract: is required"), "contract")
    require_editable(contract)
    checked_option(entitlement, "kind", gettext("kind"), ENTITLEMENT_KINDS)
    entitlement.coverage = entitlement.coverage or COVER_ALL
    checked_option(entitlement, "coverage", gettext("coverage"), COVERAGES)
    if entitlement.coverage == COVER_AMOUNT:
        if entitlement.annual_amount is None or Decimal(entitlement.annual_amount) <= 0:
            raise ContractError(
                gettext(
                    "annual amount: is required and must be more than 0 when covered "
                    "up to an amount"
                ),
                "annual_amount",
            )
        entitlement.annual_count = None
    elif entitlement.coverage == COVER_COUNT:
        if entitlement.annual_count is None or entitlement.annual_count <= 0:
            raise ContractError(
                gettext(
                    "annual count: is required and must be more than 0 when covered "
                    "a number of times"
                ),
                "annual_count",
            )
        entitlement.annual_amount = None
    else:
        if entitlement.coverage == COVER_LIST and entitlement.kind != PARTS:
            raise ContractError(
                gettext(
                    "coverage: only a parts entitlement covers a list (of part numbers), "
                    "not %(kind)s",
                    kind=entitlement.kind,
                ),
                "coverage",
            )
        entitlement.annual_amount = None
        entitlement.annual_count = None
    discount = Decimal(entitlement.discount_percent or 0)
    if not 0 <= discount <= _MAX_DISCOUNT:
        raise ContractError(
            gettext("discount rate: must be between 0 and 100 percent"), "discount_percent"
        )
    entitlement.discount_percent = discount
    if contract.id is not None:
        query = select(Entitlement.id).where(
            Entitlement.contract_id == contract.id, Entitlement.kind == entitlement.kind
        )
        if is_taken(session, query, entitlement, Entitlement):
            raise ContractError(
                gettext(
                    "kind: contract %(number)s already has a %(kind)s entitlement",
                    number=contract.number,
                    kind=entitlement.kind,
                ),
                "kind",
                409,
            )
    return entitlement


def add_entitlement(
    session: Session,
    contract: Contract,
    kind: str,
    coverage: str = COVER_ALL,
    *,
    annual_amount: Decimal | str | None = None,
    annual_count: int | None = None,
    discount_percent: Decimal | str = "0",
    parts: list[str] | None = None,
) -> Entitlement:
    """Add an entitlement line to a draft contract (``parts``: the part numbers a ``list``
    parts entitlement makes free); returns it flushed."""
    entitlement = Entitlement(
        kind=kind,
        coverage=coverage,
        annual_amount=Decimal(annual_amount) if annual_amount is not None else None,
        annual_count=annual_count,
        discount_percent=Decimal(discount_percent),
    )
    entitlement.contract_id = contract.id
    with session.no_autoflush:
        prepare_entitlement(session, entitlement)
    contract.entitlements.append(entitlement)
    session.flush()
    for part_number in parts or []:
        add_entitlement_part(session, entitlement, part_number)
    return entitlement


_PART_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/#+-]{0,79}$")


def prepare_entitlement_part(session: Session, row: EntitlementPart) -> EntitlementPart:
    """Check a listed part number: a ``list`` parts entitlement of a contract that may
    still change, a part number (letters, digits, ``.-_/#+``), not listed twice (whatever
    the case)."""
    with session.no_autoflush:
        return _check_entitlement_part(session, row)


def _check_entitlement_part(session: Session, row: EntitlementPart) -> EntitlementPart:
    entitlement = row.entitlement or (
        session.get(Entitlement, row.entitlement_id) if row.entitlement_id else None
    )
    if entitlement is None:
        raise ContractError(gettext("entitlement: is required"), "entitlement")
    if entitlement.coverage != COVER_LIST:
        raise ContractError(
            gettext(
                "entitlement: the %(kind)s entitlement covers %(coverage)s, not a list of parts",
                kind=entitlement.kind,
                coverage=entitlement.coverage,
            ),
            "entitlement",
        )
    require_editable(entitlement.contract)
    required_text(row, "part_number", gettext("part number"))
    strip_fields(row, "description")
    if not _PART_NUMBER.match(row.part_number):
        raise ContractError(
            gettext(
                "part number: %(value)r is not a part number (letters, digits and .-_/#+)",
                value=row.part_number,
            ),
            "part_number",
        )
    query = select(EntitlementPart.id).where(
        EntitlementPart.entitlement_id == entitlement.id,
        func.upper(EntitlementPart.part_number) == row.part_number.upper(),
    )
    if is_taken(session, query, row, EntitlementPart):
        raise ContractError(
            gettext("part number: %(value)s is already listed", value=row.part_number),
            "part_number",
            409,
        )
    return row


def check_entitlement_part_removal(session: Session, row: EntitlementPart) -> None:
    """A listed part is removed only while the contract may change (409 otherwise)."""
    entitlement = row.entitlement or session.get(Entitlement, row.entitlement_id)
    require_editable(entitlement.contract)


def add_entitlement_part(
    session: Session, entitlement: Entitlement, part_number: str, description: str = ""
) -> EntitlementPart:
    """List ``part_number`` as free under a ``list`` parts entitlement; returns it flushed."""
    row = EntitlementPart(
        entitlement_id=entitlement.id, part_number=part_number, description=description
    )
    with session.no_autoflush:
        prepare_entitlement_part(session, row)
    entitlement.parts.append(row)
    session.flush()
    return row
