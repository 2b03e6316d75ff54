"""Rules of contracts: parties, equipment, contracts' lifecycle and the coverage engine.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`ContractError`, whose message names the field and the
rule, and whose ``status`` is the HTTP status an API answers (422 invalid, 409 conflict).
Other plugins may call everything here.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.company.service import company_currency, company_zone, uscc_check_character
from core.events import publish
from core.money import MoneyError, check_currency, parse_amount
from core.sequences.service import define_sequence, next_number
from core.timeutil import utcnow
from plugins.contracts import events
from plugins.contracts.models import (
    ACTIVE,
    AUTO_RENEWAL,
    BILLING_CYCLES,
    CALENDAR_CODES,
    COMPANY,
    CONTRACT_STATES,
    COVER_ALL,
    COVER_AMOUNT,
    COVER_COUNT,
    COVERAGES,
    COVERING,
    CUSTOMER_KINDS,
    DISPUTE_KINDS,
    DRAFT,
    ENTITLEMENT_KINDS,
    EQUIPMENT_STATUSES,
    EXPIRED,
    EXPIRING,
    IN_FORCE,
    PRIORITIES,
    RENEWAL_KINDS,
    RENEWED,
    SERVICE_MODES,
    TERMINATED,
    UNDER_REVIEW,
    Contact,
    Contract,
    ContractEquipment,
    Customer,
    Entitlement,
    EntitlementUsage,
    Equipment,
    Product,
    ServiceLevel,
    ServiceLevelTarget,
)

SEQUENCE = "contracts.contract"  # prefix CT: CT-2026-00001
EDITABLE_STATES = (DRAFT, UNDER_REVIEW)
# The fields a user sets on a contract (screen form and API), editable in EDITABLE_STATES.
CONTRACT_FIELDS = [
    "customer",
    "title",
    "start_date",
    "end_date",
    "service_level",
    "fee",
    "currency",
    "billing_cycle",
    "payment_terms",
    "renewal",
    "renewal_months",
    "notice_days",
    "confidentiality_clause",
    "liability_clause",
    "dispute_resolution",
    "dispute_venue",
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAX_ID = re.compile(r"^[0-9A-Z][0-9A-Z./-]{4,39}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MAX_DISCOUNT = Decimal("100")


class ContractError(ValueError):
    """A record that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict, 404).
    """

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def company_today() -> datetime.date:
    """Today's date in the company's time zone (Admin > Company)."""
    return utcnow().astimezone(company_zone()).date()


def ensure_sequence(session: Session) -> None:
    """Define the contract number sequence (prefix CT: CT-2026-00001) unless it exists."""
    define_sequence(session, SEQUENCE, "CT", 5, True, name="Service contracts")


# --- small checks ----------------------------------------------------------------------------


def _required(obj: Any, attr: str, label: str) -> str:
    value = (getattr(obj, attr) or "").strip()
    if not value:
        raise ContractError(gettext("%(field)s: is required", field=label), attr)
    setattr(obj, attr, value)
    return value


def _choice(obj: Any, attr: str, label: str, choices: tuple[str, ...]) -> str:
    value = getattr(obj, attr)
    if value not in choices:
        raise ContractError(
            gettext(
                "%(field)s: %(value)r is not one of %(choices)s",
                field=label,
                value=value,
                choices=", ".join(choices),
            ),
            attr,
        )
    return value


def _email(obj: Any, attr: str = "email") -> None:
    value = (getattr(obj, attr) or "").strip()
    setattr(obj, attr, value)
    if value and not _EMAIL.match(value):
        raise ContractError(
            gettext("e-mail: %(value)r is not an e-mail address", value=value), attr
        )


def _strip(obj: Any, *attrs: str) -> None:
    for attr in attrs:
        setattr(obj, attr, (getattr(obj, attr) or "").strip())


def _taken(session: Session, query: Any, obj: Any, model: type) -> bool:
    if obj.id is not None:
        query = query.where(model.id != obj.id)
    with session.no_autoflush:
        return session.scalar(query.limit(1)) is not None


def check_tax_id(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code / tax ID, or ``None``.

    An 18-character code of the USCC alphabet must carry the right check character
    (GB 32100-2015); other tax IDs are 5-40 capital letters, digits, ``-``, ``.``, ``/``.
    """
    if len(code) == 18 and all(c in _USCC_ALPHABET for c in code):
        expected = uscc_check_character(code[:17])
        if expected != code[17]:
            return gettext(
                "tax ID: %(value)s is not a valid unified social credit code (its check "
                "character should be %(check)s)",
                value=code,
                check=expected,
            )
        return None
    if not _TAX_ID.match(code):
        return gettext(
            "tax ID: %(value)s is not a unified social credit code or tax ID (5-40 capital "
            "letters, digits, '-', '.', '/')",
            value=code,
        )
    return None


# --- parties and equipment -------------------------------------------------------------------


def prepare_customer(session: Session, customer: Customer) -> Customer:
    """Check a new or edited customer (nothing is flushed).

    Name required; kind company or person; a company needs a valid tax ID (USCC), which
    must not belong to another customer (409); e-mail must look like one.
    """
    _required(customer, "name", gettext("name"))
    customer.kind = customer.kind or COMPANY
    _choice(customer, "kind", gettext("kind"), CUSTOMER_KINDS)
    _strip(customer, "address", "phone")
    _email(customer)
    tax_id = (customer.tax_id or "").strip().upper() or None
    customer.tax_id = tax_id
    if tax_id is None:
        if customer.kind == COMPANY:
            raise ContractError(gettext("tax ID: is required for a company"), "tax_id")
        return customer
    problem = check_tax_id(tax_id)
    if problem:
        raise ContractError(problem, "tax_id")
    if _taken(session, select(Customer.id).where(Customer.tax_id == tax_id), customer, Customer):
        raise ContractError(
            gettext("tax ID: %(value)s belongs to another customer", value=tax_id),
            "tax_id",
            409,
        )
    return customer


def create_customer(session: Session, **values: Any) -> Customer:
    """Create a customer (see :func:`prepare_customer`); returns it flushed."""
    customer = Customer(**values)
    prepare_customer(session, customer)
    session.add(customer)
    session.flush()
    return customer


def prepare_contact(session: Session, contact: Contact) -> Contact:
    """Check a contact: customer and name required, e-mail well formed."""
    if contact.customer_id is None and contact.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(contact, "name", gettext("name"))
    _strip(contact, "phone", "wechat_id")
    _email(contact)
    return contact


def create_contact(session: Session, **values: Any) -> Contact:
    """Create a contact of a customer; returns it flushed."""
    contact = Contact(**values)
    prepare_contact(session, contact)
    session.add(contact)
    session.flush()
    return contact


def prepare_product(session: Session, product: Product) -> Product:
    """Check a product: type, model and manufacturer required; model unique per maker."""
    _required(product, "product_type", gettext("type"))
    _required(product, "model", gettext("model"))
    _required(product, "manufacturer", gettext("manufacturer"))
    _strip(product, "specification")
    query = select(Product.id).where(
        Product.manufacturer == product.manufacturer, Product.model == product.model
    )
    if _taken(session, query, product, Product):
        raise ContractError(
            gettext(
                "model: %(maker)s %(model)s already exists",
                maker=product.manufacturer,
                model=product.model,
            ),
            "model",
            409,
        )
    return product


def create_product(session: Session, **values: Any) -> Product:
    """Create a product; returns it flushed."""
    product = Product(**values)
    prepare_product(session, product)
    session.add(product)
    session.flush()
    return product


def prepare_equipment(session: Session, equipment: Equipment) -> Equipment:
    """Check a unit: product, customer and serial number required; the serial number is
    unique per product (409); warranty end not before installation; status known."""
    product_id = equipment.product_id or (equipment.product.id if equipment.product else None)
    if product_id is None:
        raise ContractError(gettext("product: is required"), "product")
    if equipment.customer_id is None and equipment.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(equipment, "serial_number", gettext("serial number"))
    _strip(equipment, "site_address")
    equipment.status = equipment.status or "in_service"
    _choice(equipment, "status", gettext("status"), EQUIPMENT_STATUSES)
    if (
        equipment.installed_on
        and equipment.warranty_end
        and equipment.warranty_end < equipment.installed_on
    ):
        raise ContractError(
            gettext("warranty end: must not be before the installation date"), "warranty_end"
        )
    query = select(Equipment.id).where(
        Equipment.product_id == product_id, Equipment.serial_number == equipment.serial_number
    )
    if _taken(session, query, equipment, Equipment):
        raise ContractError(
            gettext(
                "serial number: %(serial)s is already registered for this product",
                serial=equipment.serial_number,
            ),
            "serial_number",
            409,
        )
    return equipment


def create_equipment(session: Session, **values: Any) -> Equipment:
    """Register a unit; returns it flushed."""
    equipment = Equipment(**values)
    prepare_equipment(session, equipment)
    session.add(equipment)
    session.flush()
    return equipment


# --- service levels --------------------------------------------------------------------------


def prepare_service_level(session: Session, level: ServiceLevel) -> ServiceLevel:
    """Check service-level terms: unique name, a known calendar, a known service mode."""
    _required(level, "name", gettext("name"))
    level.calendar_code = (level.calendar_code or "").strip()
    if level.calendar_code not in CALENDAR_CODES:
        from core.calendar.service import UnknownCalendarError, get_calendar

        try:
            with session.no_autoflush:
                get_calendar(session, level.calendar_code)
        except UnknownCalendarError:
            raise ContractError(
                gettext(
                    "service hours: %(code)r is not a business calendar (5x8, 7x24 or one "
                    "defined under Admin > Calendars)",
                    code=level.calendar_code,
                ),
                "calendar_code",
            ) from None
    level.service_mode = level.service_mode or "on_site"
    _choice(level, "service_mode", gettext("service mode"), SERVICE_MODES)
    query = select(ServiceLevel.id).where(ServiceLevel.name == level.name)
    if _taken(session, query, level, ServiceLevel):
        raise ContractError(
            gettext("name: service-level terms %(name)s already exist", name=level.name),
            "name",
            409,
        )
    return level


def prepare_target(session: Session, target: ServiceLevelTarget) -> ServiceLevelTarget:
    """Check one priority's times: P1..P4, response > 0, resolution >= response."""
    _choice(target, "priority", gettext("priority"), PRIORITIES)
    if target.response_hours is None or target.response_hours <= 0:
        raise ContractError(gettext("response hours: must be more than 0"), "response_hours")
    if target.resolution_hours is None or target.resolution_hours < target.response_hours:
        raise ContractError(
            gettext("resolution hours: must not be less than the response hours"),
            "resolution_hours",
        )
    return target


def create_service_level(
    session: Session,
    name: str,
    calendar_code: str = "5x8",
    service_mode: str = "on_site",
    targets: dict[str, tuple[int, int]] | None = None,
) -> ServiceLevel:
    """Create service-level terms with ``targets`` ``{"P1": (response_h, resolution_h)}``."""
    level = ServiceLevel(name=name, calendar_code=calendar_code, service_mode=service_mode)
    prepare_service_level(session, level)
    for priority, (response, resolution) in (targets or {}).items():
        target = ServiceLevelTarget(
            priority=priority, response_hours=response, resolution_hours=resolution
        )
        prepare_target(session, target)
        level.targets.append(target)
    session.add(level)
    session.flush()
    return level


# --- contracts: terms ------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def cancel_by_date(end_date: datetime.date, notice_days: int) -> datetime.date:
    """The last day on which notice may be given: ``notice_days`` before the end date."""
    return end_date - datetime.timedelta(days=notice_days)


def prepare_contract(session: Session, contract: Contract) -> Contract:
    """Check a new or edited contract's terms and compute its cancel-by date.

    Refuses edits once the contract left review (409 on ``state``). A new contract gets
    state draft; its number is assigned by :func:`create_contract` (or here when missing).
    """
    if contract.id is not None:
        with session.no_autoflush:
            stored = session.scalar(select(Contract.state).where(Contract.id == contract.id))
        if stored not in EDITABLE_STATES:
            raise ContractError(
                gettext(
                    "state: a contract in state %(state)s can no longer be edited",
                    state=stored,
                ),
                "state",
                409,
            )
    if contract.customer_id is None and contract.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(contract, "title", gettext("title"))
    if contract.start_date is None:
        raise ContractError(gettext("start date: is required"), "start_date")
    if contract.end_date is None:
        raise ContractError(gettext("end date: is required"), "end_date")
    if contract.end_date <= contract.start_date:
        raise ContractError(
            gettext(
                "end date: %(end)s must be after the start date %(start)s",
                end=contract.end_date,
                start=contract.start_date,
            ),
            "end_date",
        )
    try:
        contract.currency = check_currency(
            (contract.currency or company_currency()).upper(), "currency"
        )
        fee = parse_amount(contract.fee if contract.fee is not None else "0", contract.currency)
    except MoneyError as exc:
        raise ContractError(str(exc), exc.field or "fee") from exc
    fee_amount = fee.amount if hasattr(fee, "amount") else Decimal(fee)
    if fee_amount < 0:
        raise ContractError(gettext("fee: must not be negative"), "fee")
    contract.fee = fee_amount
    contract.billing_cycle = contract.billing_cycle or "yearly"
    _choice(contract, "billing_cycle", gettext("billing cycle"), BILLING_CYCLES)
    contract.renewal = contract.renewal or "express"
    if contract.renewal_months is None:
        contract.renewal_months = 12
    if contract.notice_days is None:
        contract.notice_days = 30
    _choice(contract, "renewal", gettext("renewal"), RENEWAL_KINDS)
    if contract.renewal_months is None or not 1 <= contract.renewal_months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    span = (contract.end_date - contract.start_date).days
    if contract.notice_days is None or not 0 <= contract.notice_days <= span:
        raise ContractError(
            gettext(
                "notice period: must be between 0 and %(days)d days (the contract's length)",
                days=span,
            ),
            "notice_days",
        )
    if contract.dispute_resolution in ("", None):
        contract.dispute_resolution = None
    else:
        _choice(contract, "dispute_resolution", gettext("dispute resolution"), DISPUTE_KINDS)
    _strip(
        contract,
        "payment_terms",
        "confidentiality_clause",
        "liability_clause",
        "dispute_venue",
    )
    contract.cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    if contract.id is None:
        contract.state = DRAFT
        if not contract.number:
            ensure_sequence(session)
            contract.number = next_number(session, SEQUENCE, on=contract.start_date)
    return contract


def create_contract(session: Session, **values: Any) -> Contract:
    """Create a draft contract numbered from sequence ``CT``; returns it flushed."""
    values.pop("state", None)
    values.pop("number", None)
    contract = Contract(**values)
    prepare_contract(session, contract)
    session.add(contract)
    session.flush()
    return contract


def get_contract(session: Session, contract_id: int) -> Contract:
    """A contract by id; :class:`ContractError` 404 when there is none."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ContractError(
            gettext("contract: %(id)s does not exist", id=contract_id), "contract", 404
        )
    return contract


def _require_editable(contract: Contract) -> None:
    if contract.state not in EDITABLE_STATES:
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; only a draft or a contract under "
                "review can change",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )


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
    _require_editable(contract)
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
    if contract.id is not None and _taken(session, query, link, ContractEquipment):
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
    with session.no_autoflush:
        prepare_contract_equipment(session, link)
    session.add(link)
    session.flush()
    return link


def prepare_entitlement(session: Session, entitlement: Entitlement) -> Entitlement:
    """Check an entitlement line: kind, coverage and its quota, a discount of 0-100 %."""
    contract = entitlement.contract or (
        session.get(Contract, entitlement.contract_id) if entitlement.contract_id else None
    )
    if contract is None:
        raise ContractError(gettext("contract: is required"), "contract")
    _require_editable(contract)
    _choice(entitlement, "kind", gettext("kind"), ENTITLEMENT_KINDS)
    entitlement.coverage = entitlement.coverage or COVER_ALL
    _choice(entitlement, "coverage", gettext("coverage"), COVERAGES)
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
        if _taken(session, query, entitlement, Entitlement):
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
) -> Entitlement:
    """Add an entitlement line to a draft contract; returns it flushed."""
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
    return entitlement


# --- contracts: lifecycle --------------------------------------------------------------------


# The states each lifecycle action may start from: one table for the rules and the screens.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "submit": (DRAFT,),
    "return_to_draft": (UNDER_REVIEW,),
    "activate": (UNDER_REVIEW,),
    "mark_expiring": (ACTIVE,),
    "expire": IN_FORCE,
    "renew": IN_FORCE,
    "terminate": IN_FORCE,
}


def available_actions(state: str) -> set[str]:
    """The lifecycle actions a contract in ``state`` allows (the screen shows only these)."""
    return {action for action, allowed in ALLOWED_FROM.items() if state in allowed}


def _require_state(contract: Contract, allowed_from: tuple[str, ...], action: str) -> None:
    """Refuse (409, naming the current state) unless ``contract`` is in ``allowed_from``."""
    if contract.state not in allowed_from:
        raise ContractError(
            gettext(
                "state: cannot %(action)s contract %(number)s, it is %(state)s (allowed "
                "from: %(allowed)s)",
                action=action,
                number=contract.number,
                state=contract.state,
                allowed=", ".join(allowed_from),
            ),
            "state",
            409,
        )


def _move(contract: Contract, allowed_from: tuple[str, ...], to_state: str, action: str) -> str:
    """Check the transition and set the new state; returns the previous one."""
    _require_state(contract, allowed_from, action)
    previous = contract.state
    contract.state = to_state
    return previous


def _overlapping_coverage(
    session: Session, contract: Contract
) -> tuple[Equipment, Contract] | None:
    """The first unit of ``contract`` already covered by another contract in force on
    overlapping dates, with that contract (one query)."""
    other = (
        select(Contract, Equipment)
        .join(ContractEquipment, ContractEquipment.contract_id == Contract.id)
        .join(Equipment, Equipment.id == ContractEquipment.equipment_id)
    )
    mine = select(ContractEquipment.equipment_id).where(
        ContractEquipment.contract_id == contract.id
    )
    row = session.execute(
        other.where(
            Contract.id != contract.id,
            Contract.state.in_(COVERING),
            Contract.start_date <= contract.end_date,
            Contract.end_date >= contract.start_date,
            ContractEquipment.equipment_id.in_(mine),
        )
        .order_by(Equipment.serial_number)
        .limit(1)
    ).first()
    return (row[1], row[0]) if row else None


def check_activation(session: Session, contract: Contract) -> None:
    """Raise unless ``contract`` may come into force: service-level terms, at least one
    covered unit, the three clauses, end after start, and no unit already covered by
    another contract in force over the same dates (409 naming it and its end date)."""
    if contract.service_level_id is None:
        raise ContractError(
            gettext("service level: a contract needs service-level terms to be activated"),
            "service_level",
        )
    count = session.scalar(
        select(func.count())
        .select_from(ContractEquipment)
        .where(ContractEquipment.contract_id == contract.id)
    )
    if not count:
        raise ContractError(
            gettext("equipment: a contract needs at least one covered unit to be activated"),
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
    # Lock the units (PostgreSQL: FOR UPDATE) so that two contracts activated at once for one
    # unit are checked one after the other; the second then sees the first.
    session.execute(
        select(Equipment.id)
        .where(
            Equipment.id.in_(
                select(ContractEquipment.equipment_id).where(
                    ContractEquipment.contract_id == contract.id
                )
            )
        )
        .order_by(Equipment.id)
        .with_for_update()
    ).all()
    clash = _overlapping_coverage(session, contract)
    if clash is not None:
        equipment, other = clash
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


def _event(
    kind: type[events.ContractStateChanged], contract: Contract, previous: str, **extra: Any
) -> events.ContractStateChanged:
    return kind(
        contract_id=contract.id,
        number=contract.number,
        from_state=previous,
        to_state=contract.state,
        **extra,
    )


def submit_for_review(session: Session, contract: Contract) -> Contract:
    """draft -> under_review (the terms must be valid)."""
    _require_state(contract, ALLOWED_FROM["submit"], gettext("submit"))
    prepare_contract(session, contract)
    previous = _move(contract, ALLOWED_FROM["submit"], UNDER_REVIEW, gettext("submit"))
    session.flush()
    publish(session, _event(events.ContractSubmitted, contract, previous))
    return contract


def return_to_draft(session: Session, contract: Contract) -> Contract:
    """under_review -> draft (the reviewer asks for changes)."""
    previous = _move(contract, ALLOWED_FROM["return_to_draft"], DRAFT, gettext("return to draft"))
    session.flush()
    publish(session, _event(events.ContractStateChanged, contract, previous))
    return contract


def activate(session: Session, contract: Contract) -> Contract:
    """under_review -> active, after :func:`check_activation`."""
    _require_state(contract, ALLOWED_FROM["activate"], gettext("activate"))
    session.flush()
    check_activation(session, contract)
    previous = _move(contract, ALLOWED_FROM["activate"], ACTIVE, gettext("activate"))
    session.flush()
    publish(session, _event(events.ContractActivated, contract, previous))
    return contract


approve = activate


def terminate(session: Session, contract: Contract, reason: str) -> Contract:
    """active/expiring -> terminated; ``reason`` is required."""
    reason = (reason or "").strip()
    if contract.state in IN_FORCE and not reason:
        raise ContractError(gettext("reason: is required to terminate a contract"), "reason")
    previous = _move(contract, ALLOWED_FROM["terminate"], TERMINATED, gettext("terminate"))
    contract.termination_reason = reason
    session.flush()
    publish(session, _event(events.ContractTerminated, contract, previous, reason=reason))
    return contract


def mark_expiring(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active -> expiring, once ``today`` reached the cancel-by date."""
    _require_state(contract, ALLOWED_FROM["mark_expiring"], gettext("mark as expiring"))
    cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    if today < cancel_by:
        raise ContractError(
            gettext(
                "state: contract %(number)s enters its notice period on %(date)s",
                number=contract.number,
                date=cancel_by.isoformat(),
            ),
            "state",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["mark_expiring"], EXPIRING, gettext("mark as expiring"))
    session.flush()
    publish(session, _event(events.ContractExpiring, contract, previous))
    return contract


def expire(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active/expiring -> expired, once ``today`` is after the end date."""
    _require_state(contract, ALLOWED_FROM["expire"], gettext("expire"))
    if today <= contract.end_date:
        raise ContractError(
            gettext(
                "end date: contract %(number)s runs until %(date)s",
                number=contract.number,
                date=contract.end_date.isoformat(),
            ),
            "end_date",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["expire"], EXPIRED, gettext("expire"))
    session.flush()
    publish(session, _event(events.ContractExpired, contract, previous))
    return contract


def renew(session: Session, contract: Contract, months: int | None = None) -> Contract:
    """active/expiring -> renewed; returns the successor contract, already active.

    The successor copies the terms, covered units and entitlements and runs from the day
    after the end date for ``months`` (default: the renewal length).
    """
    months = contract.renewal_months if months is None else months
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    previous = _move(contract, ALLOWED_FROM["renew"], RENEWED, gettext("renew"))
    start = contract.end_date + datetime.timedelta(days=1)
    successor = Contract(
        customer_id=contract.customer_id,
        title=contract.title,
        start_date=start,
        end_date=add_months(start, months) - datetime.timedelta(days=1),
        service_level_id=contract.service_level_id,
        fee=contract.fee,
        currency=contract.currency,
        billing_cycle=contract.billing_cycle,
        payment_terms=contract.payment_terms,
        renewal=contract.renewal,
        renewal_months=contract.renewal_months,
        notice_days=min(contract.notice_days, months * 28),
        confidentiality_clause=contract.confidentiality_clause,
        liability_clause=contract.liability_clause,
        dispute_resolution=contract.dispute_resolution,
        dispute_venue=contract.dispute_venue,
        renewed_from_id=contract.id,
    )
    prepare_contract(session, successor)
    session.add(successor)
    session.flush()
    for link in contract.equipment_links:
        session.add(ContractEquipment(contract_id=successor.id, equipment_id=link.equipment_id))
    for ent in contract.entitlements:
        session.add(
            Entitlement(
                contract_id=successor.id,
                kind=ent.kind,
                coverage=ent.coverage,
                annual_amount=ent.annual_amount,
                annual_count=ent.annual_count,
                discount_percent=ent.discount_percent,
            )
        )
    successor.state = UNDER_REVIEW
    session.flush()
    check_activation(session, successor)
    successor.state = ACTIVE
    session.flush()
    publish(session, _event(events.ContractRenewed, contract, previous, successor_id=successor.id))
    publish(session, _event(events.ContractActivated, successor, UNDER_REVIEW))
    return successor


ACTIONS: dict[str, Callable[..., Contract]] = {
    "submit": submit_for_review,
    "return_to_draft": return_to_draft,
    "activate": activate,
    "terminate": terminate,
    "mark_expiring": mark_expiring,
    "expire": expire,
    "renew": renew,
}


def run_daily_lifecycle(session: Session, today: datetime.date) -> dict[str, int]:
    """Mark contracts past their cancel-by date expiring, end those past their end date
    (auto-renewing ones are renewed instead). Idempotent: a second run changes nothing."""
    done = {"expiring": 0, "expired": 0, "renewed": 0}
    due = session.scalars(
        select(Contract)
        .where(Contract.state.in_(IN_FORCE), Contract.end_date < today)
        .order_by(Contract.id)
    ).all()
    for contract in due:
        if contract.renewal == AUTO_RENEWAL:
            renew(session, contract)
            done["renewed"] += 1
        else:
            expire(session, contract, today)
            done["expired"] += 1
    entering = session.scalars(
        select(Contract)
        .where(Contract.state == ACTIVE, Contract.cancel_by <= today, Contract.end_date >= today)
        .order_by(Contract.id)
    ).all()
    for contract in entering:
        mark_expiring(session, contract, today)
        done["expiring"] += 1
    return done


# --- coverage engine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """The answer of :func:`coverage`: what applies to a unit for a kind of work on a date.

    When ``covered`` is false, ``reason`` says why. ``free`` is ``"all"`` (free without
    limit), ``"amount"`` (free up to ``remaining`` in ``currency``), ``"count"`` (``remaining``
    free occurrences) or ``None`` (nothing free); ``discount_percent`` applies to the rest.
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


def contract_year(contract: Contract, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The contract year (from a start anniversary, a year long) that contains ``on``."""
    years = max(0, on.year - contract.start_date.year)
    start = add_months(contract.start_date, 12 * years)
    if start > on:
        start = add_months(contract.start_date, 12 * (years - 1))
    end = add_months(start, 12) - datetime.timedelta(days=1)
    return start, end


def _used_amount(session: Session, entitlement: Entitlement, on: datetime.date) -> Decimal:
    start, end = contract_year(entitlement.contract, on)
    rows = session.scalars(
        select(EntitlementUsage.amount).where(
            EntitlementUsage.entitlement_id == entitlement.id,
            EntitlementUsage.used_on >= start,
            EntitlementUsage.used_on <= end,
        )
    ).all()
    return sum(rows, Decimal("0.00"))


def _used_count(session: Session, entitlement: Entitlement, on: datetime.date) -> int:
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


def coverage(
    session: Session, serial: str, at_date: datetime.date, kind: str = "labour"
) -> Coverage:
    """Which contract and service-level terms cover unit ``serial`` on ``at_date`` for
    ``kind`` of work (labour, parts or visit), what is free, the discount on the rest and
    the remaining quota of the contract year — or why nothing covers it."""
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
    base = {"serial": serial, "at": at_date, "kind": kind}
    units = session.scalars(select(Equipment).where(Equipment.serial_number == serial)).all()
    if not units:
        return Coverage(
            False,
            reason=gettext("no equipment has serial number %(serial)s", serial=serial),
            **base,
        )
    found = (
        session.execute(
            select(Contract)
            .join(ContractEquipment, ContractEquipment.contract_id == Contract.id)
            .where(
                ContractEquipment.equipment_id.in_([u.id for u in units]),
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
    if entitlement.coverage == COVER_AMOUNT:
        quota = entitlement.annual_amount
        used = _used_amount(session, entitlement, at_date)
    else:
        quota = entitlement.annual_count
        used = _used_count(session, entitlement, at_date)
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
        remaining = entitlement.annual_amount - _used_amount(session, entitlement, on)
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
        remaining_count = entitlement.annual_count - _used_count(session, entitlement, on)
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


def count_by_state(session: Session) -> dict[str, int]:
    """How many contracts are in each state (every state listed, zeros included)."""
    rows = dict(
        session.execute(select(Contract.state, func.count()).group_by(Contract.state)).all()
    )
    return {state: int(rows.get(state, 0)) for state in CONTRACT_STATES}


def expiring_within(session: Session, today: datetime.date, days: int = 90) -> list[Contract]:
    """Contracts in force whose end date falls within ``days`` days of ``today``."""
    return list(
        session.scalars(
            select(Contract)
            .where(
                Contract.state.in_(IN_FORCE),
                Contract.end_date >= today,
                Contract.end_date <= today + datetime.timedelta(days=days),
            )
            .order_by(Contract.end_date, Contract.number)
        )
    )


__all__ = [
    "ACTIONS",
    "ContractError",
    "Coverage",
    "activate",
    "add_entitlement",
    "approve",
    "cover_equipment",
    "coverage",
    "create_contract",
    "create_customer",
    "create_equipment",
    "create_product",
    "create_service_level",
    "expire",
    "mark_expiring",
    "record_usage",
    "renew",
    "submit_for_review",
    "terminate",
]
