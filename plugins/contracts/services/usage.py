"""Entitlement quotas over a contract year: the year that contains a date, what was used of
an amount or a count, and the recording of new usage.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    COVER_AMOUNT,
    COVER_COUNT,
    COVERING,
    Contract,
    Entitlement,
    EntitlementUsage,
)
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.terms import add_months


def contract_year(contract: Contract, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The contract year (from a start anniversary, a year long) that contains ``on``."""
    years = max(0, on.year - contract.start_date.year)
    start = add_months(contract.start_date, 12 * years)
    if start > on:
        start = add_months(contract.start_date, 12 * (years - 1))
    end = add_months(start, 12) - datetime.timedelta(days=1)
    return start, end


def used_amount(session: Session, entitlement: Entitlement, on: datetime.date) -> Decimal:
    """Amount used of ``entitlement`` in the contract year holding ``on``."""
    start, end = contract_year(entitlement.contract, on)
    rows = session.scalars(
        select(EntitlementUsage.amount).where(
            EntitlementUsage.entitlement_id == entitlement.id,
            EntitlementUsage.used_on >= start,
            EntitlementUsage.used_on <= end,
        )
    ).all()
    return sum(rows, Decimal("0.00"))


def used_count(session: Session, entitlement: Entitlement, on: datetime.date) -> int:
    """Number of uses of ``entitlement`` in the contract year holding ``on``."""
    start, end = contract_year(entitlement.contract, on)
    return int(
        session.scalar(
            select(func.coalesce(func.sum(EntitlementUsage.count), 0)).where(
                EntitlementUsage.entitlement_id == entitlement.id,
                EntitlementUsage.used_on >= start,
                EntitlementUsage.used_on <= end,
            )
        )
        or 0
    )


def record_usage(
    session: Session,
    contract: Contract,
    kind: str,
    on: datetime.date,
    *,
    amount: Decimal | str | None = None,
    count: int | None = None,
    reference: str = "",
) -> EntitlementUsage:
    """Consume quota of ``contract``'s ``kind`` entitlement on ``on`` (an amount or a count).

    Refused (409) when the contract is not in force on that day, has no such entitlement,
    or the quota of that contract year would be exceeded.
    """
    if contract.state not in COVERING or not contract.start_date <= on <= contract.end_date:
        raise ContractError(
            gettext(
                "contract: %(number)s is not in force on %(date)s",
                number=contract.number,
                date=on.isoformat(),
            ),
            "contract",
            409,
        )
    entitlement = next((e for e in contract.entitlements if e.kind == kind), None)
    if entitlement is None:
        raise ContractError(
            gettext(
                "kind: contract %(number)s does not cover %(kind)s",
                number=contract.number,
                kind=kind,
            ),
            "kind",
            409,
        )
    usage = EntitlementUsage(used_on=on, reference=(reference or "").strip())
    if entitlement.coverage == COVER_AMOUNT:
        value = Decimal(amount if amount is not None else "0")
        if value <= 0:
            raise ContractError(gettext("amount: must be more than 0"), "amount")
        remaining = entitlement.annual_amount - used_amount(session, entitlement, on)
        if value > remaining:
            raise ContractError(
                gettext(
                    "amount: %(value)s exceeds the remaining quota %(remaining)s",
                    value=value,
                    remaining=remaining,
                ),
                "amount",
                409,
            )
        usage.amount = value
    elif entitlement.coverage == COVER_COUNT:
        value_count = 1 if count is None else count
        if value_count <= 0:
            raise ContractError(gettext("count: must be more than 0"), "count")
        remaining_count = entitlement.annual_count - used_count(session, entitlement, on)
        if value_count > remaining_count:
            raise ContractError(
                gettext(
                    "count: %(value)s exceeds the remaining quota %(remaining)s",
                    value=value_count,
                    remaining=remaining_count,
                ),
                "count",
                409,
            )
        usage.count = value_count
    else:
        usage.amount = Decimal(amount or "0")
        usage.count = count or 0
    entitlement.usages.append(usage)
    session.flush()
    return usage
