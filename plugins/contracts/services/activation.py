"""The rules a contract must pass to come into force (on activation, renewal and amendment):
service-level terms, covered units or ranges, clauses, and no unit already covered by another
contract in force over the same dates.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    COVER_LIST,
    COVERING,
    Contract,
    ContractEquipment,
    ContractRange,
    Entitlement,
    Equipment,
    Product,
)
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.scope import covers_unit, range_units


def _overlapping_coverage(
    session: Session,
    contract_id: int | None,
    equipment_ids: Any,
    start: datetime.date,
    end: datetime.date,
) -> tuple[Equipment, Contract] | None:
    """The first of ``equipment_ids`` already covered (listed or by a product range) by
    another contract than ``contract_id`` in force between ``start`` and ``end``, with that
    contract (one query)."""
    row = session.execute(
        select(Contract, Equipment)
        .select_from(Equipment)
        .join(Product, Product.id == Equipment.product_id)
        .join(Contract, covers_unit())
        .where(
            Contract.id != (contract_id or 0),
            Contract.state.in_(COVERING),
            Contract.start_date <= end,
            Contract.end_date >= start,
            Equipment.id.in_(equipment_ids),
        )
        .order_by(Equipment.serial_number, Contract.id)
        .limit(1)
    ).first()
    return (row[1], row[0]) if row else None


def check_activation(session: Session, contract: Contract) -> None:
    """Raise unless ``contract`` may come into force: service-level terms, at least one
    covered unit, the three clauses, end after start, and no unit already covered by
    another contract in force over the same dates (409 naming it and its end date)."""
    units = list(
        session.scalars(
            select(ContractEquipment.equipment_id).where(
                ContractEquipment.contract_id == contract.id
            )
        )
    )
    check_in_force_terms(session, contract, units)
    empty_list = session.scalar(
        select(Entitlement.id)
        .where(
            Entitlement.contract_id == contract.id,
            Entitlement.coverage == COVER_LIST,
            ~Entitlement.parts.any(),
        )
        .limit(1)
    )
    if empty_list is not None:
        raise ContractError(
            gettext("parts: a parts entitlement covering a list needs at least one part number"),
            "parts",
        )


def check_in_force_terms(session: Session, contract: Contract, equipment_ids: list[int]) -> None:
    """The activation rules, for ``contract``'s terms covering ``equipment_ids`` (which
    may differ from its stored units: an amendment is checked before it changes anything)."""
    if contract.service_level_id is None:
        raise ContractError(
            gettext("service level: a contract needs service-level terms to be activated"),
            "service_level",
        )
    ranges = (
        list(session.scalars(select(ContractRange).where(ContractRange.contract_id == contract.id)))
        if contract.id is not None
        else []
    )
    if not equipment_ids and not ranges:
        raise ContractError(
            gettext(
                "equipment: a contract needs at least one covered unit or product range to be "
                "activated"
            ),
            "equipment",
        )
    if not (contract.confidentiality_clause or "").strip():
        raise ContractError(
            gettext("confidentiality clause: is required to activate a contract"),
            "confidentiality_clause",
        )
    if not (contract.liability_clause or "").strip():
        raise ContractError(
            gettext("liability clause: is required to activate a contract"),
            "liability_clause",
        )
    if not contract.dispute_resolution or not (contract.dispute_venue or "").strip():
        raise ContractError(
            gettext(
                "dispute resolution: arbitration or litigation and a venue are required to "
                "activate a contract"
            ),
            "dispute_resolution",
        )
    if contract.end_date <= contract.start_date:
        raise ContractError(gettext("end date: must be after the start date"), "end_date")
    by_range = set(range_units(session, contract.id, contract.customer_id)) - set(equipment_ids)
    units = sorted(set(equipment_ids) | by_range)
    # Lock the units (PostgreSQL: FOR UPDATE) so that two contracts activated at once for one
    # unit are checked one after the other; the second then sees the first.
    session.execute(
        select(Equipment.id).where(Equipment.id.in_(units)).order_by(Equipment.id).with_for_update()
    ).all()
    clash = _overlapping_coverage(
        session, contract.id, units, contract.start_date, contract.end_date
    )
    if clash is not None:
        equipment, other = clash
        if equipment.id in by_range:
            raise ContractError(
                gettext(
                    "equipment %(serial)s, in the product range %(range)s, is already covered "
                    "by %(number)s until %(end)s",
                    serial=equipment.serial_number,
                    range=_matching_range(equipment, ranges),
                    number=other.number,
                    end=other.end_date.isoformat(),
                ),
                "equipment",
                409,
            )
        raise ContractError(
            gettext(
                "equipment %(serial)s is already covered by %(number)s until %(end)s",
                serial=equipment.serial_number,
                number=other.number,
                end=other.end_date.isoformat(),
            ),
            "equipment",
            409,
        )


def _matching_range(unit: Equipment, ranges: list[ContractRange]) -> str:
    product = unit.product
    for rng in ranges:
        if (
            rng.product_type.lower() == product.product_type.lower()
            and (not rng.manufacturer or rng.manufacturer.lower() == product.manufacturer.lower())
            and (not rng.model or rng.model.lower() == product.model.lower())
        ):
            return str(rng)
    return ""
