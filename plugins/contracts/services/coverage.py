"""The coverage engine: which contract and service-level terms cover a unit on a date for a
kind of work, what is free, the discount on the rest and the quota left (or why nothing
covers it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    COVER_ALL,
    COVER_AMOUNT,
    COVER_LIST,
    COVERING,
    ENTITLEMENT_KINDS,
    EXPIRED,
    TERMINATED,
    Contract,
    ContractEquipment,
    ContractRange,
    EntitlementPart,
    Equipment,
)
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.usage import used_amount, used_count


@dataclass(frozen=True)
class Coverage:
    """The answer of :func:`coverage`: what applies to a unit for a kind of work on a date.

    When ``covered`` is false, ``reason`` says why. ``free`` is ``"all"`` (free without
    limit), ``"amount"`` (free up to ``remaining`` in ``currency``), ``"count"`` (``remaining``
    free occurrences), ``"list"`` (the asked ``part`` is on the contract's list of free parts;
    ``part_listed`` says whether it is) or ``None`` (nothing free); ``discount_percent``
    applies to the rest.
    """

    covered: bool
    serial: str
    at: datetime.date
    kind: str
    reason: str = ""
    contract_id: int | None = None
    contract_number: str | None = None
    contract_end: datetime.date | None = None
    service_level: str | None = None
    calendar_code: str | None = None
    service_mode: str | None = None
    targets: dict[str, dict[str, int]] = field(default_factory=dict)
    free: str | None = None
    quota: Decimal | int | None = None
    used: Decimal | int | None = None
    remaining: Decimal | int | None = None
    currency: str | None = None
    discount_percent: Decimal = Decimal("0")
    part: str | None = None
    part_listed: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO, Decimals as strings."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[key] = value
        return out


def coverage(
    session: Session,
    serial: str,
    at_date: datetime.date,
    kind: str = "labour",
    part: str | None = None,
) -> Coverage:
    """Which contract and service-level terms cover unit ``serial`` on ``at_date`` for
    ``kind`` of work (labour, parts or visit), what is free, the discount on the rest and
    the remaining quota of the contract year — or why nothing covers it. ``part`` (a part
    number) is checked against a parts entitlement that covers a list of parts."""
    part = (part or "").strip() or None
    serial = (serial or "").strip()
    if not serial:
        raise ContractError(gettext("serial: is required"), "serial")
    if kind not in ENTITLEMENT_KINDS:
        raise ContractError(
            gettext(
                "kind: %(value)r is not one of %(choices)s",
                value=kind,
                choices=", ".join(ENTITLEMENT_KINDS),
            ),
            "kind",
        )
    base: dict[str, Any] = {"serial": serial, "at": at_date, "kind": kind, "part": part}
    units = session.scalars(select(Equipment).where(Equipment.serial_number == serial)).all()
    if not units:
        return Coverage(
            False,
            reason=gettext("no equipment has serial number %(serial)s", serial=serial),
            **base,
        )
    listed = select(ContractEquipment.contract_id).where(
        ContractEquipment.equipment_id.in_([u.id for u in units])
    )
    # Contracts of the unit's customer with a product range that takes in its product.
    by_range = (
        select(ContractRange.contract_id)
        .join(Contract, Contract.id == ContractRange.contract_id)
        .where(
            or_(
                *(
                    and_(
                        Contract.customer_id == u.customer_id,
                        func.lower(ContractRange.product_type) == u.product.product_type.lower(),
                        or_(
                            ContractRange.manufacturer == "",
                            func.lower(ContractRange.manufacturer)
                            == u.product.manufacturer.lower(),
                        ),
                        or_(
                            ContractRange.model == "",
                            func.lower(ContractRange.model) == u.product.model.lower(),
                        ),
                    )
                    for u in units
                )
            )
        )
    )
    found = (
        session.execute(
            select(Contract)
            .where(
                Contract.id.in_(listed.union(by_range)),
                Contract.state.in_(COVERING + (EXPIRED, TERMINATED)),
            )
            .order_by(Contract.start_date.desc())
        )
        .scalars()
        .all()
    )
    in_force = [c for c in found if c.state in COVERING and c.start_date <= at_date <= c.end_date]
    if not in_force:
        ended = [c for c in found if c.start_date <= at_date]
        if ended and ended[0].state == TERMINATED and ended[0].start_date <= at_date:
            reason = gettext(
                "contract %(number)s covering %(serial)s was terminated",
                number=ended[0].number,
                serial=serial,
            )
        elif found:
            last = max(found, key=lambda c: c.end_date)
            reason = gettext(
                "no contract in force covers %(serial)s on %(date)s (last: %(number)s, "
                "%(start)s to %(end)s, %(state)s)",
                serial=serial,
                date=at_date.isoformat(),
                number=last.number,
                start=last.start_date.isoformat(),
                end=last.end_date.isoformat(),
                state=last.state,
            )
        else:
            reason = gettext("no active contract covers %(serial)s", serial=serial)
        return Coverage(False, reason=reason, **base)
    contract = in_force[0]
    level = contract.service_level
    terms = {
        "contract_id": contract.id,
        "contract_number": contract.number,
        "contract_end": contract.end_date,
        "service_level": level.name if level else None,
        "calendar_code": level.calendar_code if level else None,
        "service_mode": level.service_mode if level else None,
        "targets": {
            t.priority: {"response_hours": t.response_hours, "resolution_hours": t.resolution_hours}
            for t in (level.targets if level else [])
        },
        "currency": contract.currency,
    }
    entitlement = next((e for e in contract.entitlements if e.kind == kind), None)
    if entitlement is None:
        return Coverage(
            False,
            reason=gettext(
                "contract %(number)s does not cover %(kind)s", number=contract.number, kind=kind
            ),
            **base,
            **terms,
        )
    discount = entitlement.discount_percent
    if entitlement.coverage == COVER_ALL:
        return Coverage(True, free=COVER_ALL, discount_percent=discount, **base, **terms)
    if entitlement.coverage == COVER_LIST:
        if part is None:
            return Coverage(
                True,
                reason=gettext(
                    "contract %(number)s makes only listed parts free: give the part number",
                    number=contract.number,
                ),
                discount_percent=discount,
                **base,
                **terms,
            )
        listed = (
            session.scalar(
                select(EntitlementPart.id)
                .where(
                    EntitlementPart.entitlement_id == entitlement.id,
                    func.upper(EntitlementPart.part_number) == part.upper(),
                )
                .limit(1)
            )
            is not None
        )
        return Coverage(
            True,
            free=COVER_LIST if listed else None,
            part_listed=listed,
            reason=""
            if listed
            else gettext(
                "part %(part)s is not on the list of contract %(number)s",
                part=part,
                number=contract.number,
            ),
            discount_percent=discount,
            **base,
            **terms,
        )
    if entitlement.coverage == COVER_AMOUNT:
        quota = entitlement.annual_amount
        used = used_amount(session, entitlement, at_date)
    else:
        quota = entitlement.annual_count
        used = used_count(session, entitlement, at_date)
    remaining = max(quota - used, type(quota)(0))
    return Coverage(
        True,
        free=entitlement.coverage if remaining else None,
        quota=quota,
        used=used,
        remaining=remaining,
        discount_percent=discount,
        **base,
        **terms,
    )
