"""What a contract covers: the units it lists and the product ranges that take in a
customer's units, with the SQL conditions that find the contracts covering a unit.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from core.records import add_prepared, is_taken
from plugins.contracts.models import (
    Contract,
    ContractEquipment,
    ContractRange,
    Equipment,
    Product,
)
from plugins.contracts.services.common import required_text, strip_fields
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.terms import require_editable


def prepare_contract_equipment(session: Session, link: ContractEquipment) -> ContractEquipment:
    """Check a covered unit: editable contract, unit of the contract's customer, not twice."""
    contract = link.contract or (
        session.get(Contract, link.contract_id) if link.contract_id else None
    )
    equipment = link.equipment or (
        session.get(Equipment, link.equipment_id) if link.equipment_id else None
    )
    if contract is None:
        raise ContractError(gettext("contract: is required"), "contract")
    if equipment is None:
        raise ContractError(gettext("equipment: is required"), "equipment")
    require_editable(contract)
    if equipment.customer_id != contract.customer_id:
        raise ContractError(
            gettext(
                "equipment: %(serial)s belongs to another customer than contract %(number)s",
                serial=equipment.serial_number,
                number=contract.number,
            ),
            "equipment",
        )
    query = select(ContractEquipment.id).where(
        ContractEquipment.contract_id == contract.id,
        ContractEquipment.equipment_id == equipment.id,
    )
    if contract.id is not None and is_taken(session, query, link, ContractEquipment):
        raise ContractError(
            gettext(
                "equipment: %(serial)s is already covered by this contract",
                serial=equipment.serial_number,
            ),
            "equipment",
            409,
        )
    return link


def cover_equipment(
    session: Session, contract: Contract, equipment: Equipment
) -> ContractEquipment:
    """Add ``equipment`` to the units ``contract`` covers (draft or under review only)."""
    link = ContractEquipment(contract_id=contract.id, equipment_id=equipment.id)
    return add_prepared(session, link, prepare_contract_equipment, no_autoflush=True)


def prepare_contract_range(session: Session, row: ContractRange) -> ContractRange:
    """Check a product range: a contract that may still change, a product type, a model
    only with its manufacturer, not twice on one contract (409)."""
    with session.no_autoflush:
        contract = row.contract or (
            session.get(Contract, row.contract_id) if row.contract_id else None
        )
        if contract is None:
            raise ContractError(gettext("contract: is required"), "contract")
        require_editable(contract)
        required_text(row, "product_type", gettext("type"))
        strip_fields(row, "manufacturer", "model")
        if row.model and not row.manufacturer:
            raise ContractError(
                gettext("manufacturer: is required to narrow a range to a model"), "manufacturer"
            )
        query = select(ContractRange.id).where(
            ContractRange.contract_id == contract.id,
            func.lower(ContractRange.product_type) == row.product_type.lower(),
            func.lower(ContractRange.manufacturer) == row.manufacturer.lower(),
            func.lower(ContractRange.model) == row.model.lower(),
        )
        if contract.id is not None and is_taken(session, query, row, ContractRange):
            raise ContractError(
                gettext(
                    "product type: contract %(number)s already covers this range",
                    number=contract.number,
                ),
                "product_type",
                409,
            )
    return row


def cover_range(
    session: Session,
    contract: Contract,
    product_type: str,
    manufacturer: str = "",
    model: str = "",
) -> ContractRange:
    """Cover the customer's units of a product range (draft or under review only)."""
    row = ContractRange(
        contract_id=contract.id,
        product_type=product_type,
        manufacturer=manufacturer,
        model=model,
    )
    prepare_contract_range(session, row)
    contract.ranges.append(row)
    session.flush()
    return row


def check_range_removal(session: Session, row: ContractRange) -> None:
    """A range is removed only while the contract may change (409 otherwise)."""
    require_editable(row.contract or session.get(Contract, row.contract_id))


def range_covers(
    contract_id: Any,
    contract_customer_id: Any,
    unit_customer_id: Any,
    product_type: Any,
    manufacturer: Any,
    model: Any,
) -> Any:
    """SQL condition: a product range of contract ``contract_id`` (of customer
    ``contract_customer_id``) covers a unit of ``unit_customer_id`` with this product (column
    expressions or plain values; names compared without case)."""
    return and_(
        contract_customer_id == unit_customer_id,
        exists(
            select(ContractRange.id).where(
                ContractRange.contract_id == contract_id,
                func.lower(ContractRange.product_type) == func.lower(product_type),
                or_(
                    ContractRange.manufacturer == "",
                    func.lower(ContractRange.manufacturer) == func.lower(manufacturer),
                ),
                or_(
                    ContractRange.model == "", func.lower(ContractRange.model) == func.lower(model)
                ),
            )
        ),
    )


def covers_unit() -> Any:
    """SQL condition: ``Contract`` covers ``Equipment`` (of ``Product``), listed or by range."""
    return or_(
        exists(
            select(ContractEquipment.id).where(
                ContractEquipment.contract_id == Contract.id,
                ContractEquipment.equipment_id == Equipment.id,
            )
        ),
        range_covers(
            Contract.id,
            Contract.customer_id,
            Equipment.customer_id,
            Product.product_type,
            Product.manufacturer,
            Product.model,
        ),
    )


def range_units(session: Session, contract_id: int | None, customer_id: int) -> list[int]:
    """Ids of the customer's units that the product ranges of ``contract_id`` cover."""
    if contract_id is None:
        return []
    return list(
        session.scalars(
            select(Equipment.id)
            .join(Product, Product.id == Equipment.product_id)
            .where(
                range_covers(
                    contract_id,
                    customer_id,
                    Equipment.customer_id,
                    Product.product_type,
                    Product.manufacturer,
                    Product.model,
                )
            )
            .order_by(Equipment.id)
        )
    )
